//! `lexicons.json` written by `@atproto/lex install` (`fixtures/lockfile/lex-install/`): read and
//! written back byte for byte, verified against its files, and enforced by the `build.rs`
//! builder.

use std::path::{Path, PathBuf};

use lexperm_codegen::lockfile::{self, record_cid, LocalFile, Lockfile, Mismatch};
use lexperm_codegen::{Builder, GenerateError};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lockfile/lex-install")
}

/// A copy of the fixture in a temporary folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for relative in [
        "lexicons.json",
        "lexicons/app/bsky/feed/like.json",
        "lexicons/com/atproto/repo/strongRef.json",
    ] {
        let to = dir.path().join(relative);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture().join(relative), to).unwrap();
    }
    dir
}

fn read(root: &Path) -> impl FnMut(&str) -> LocalFile + '_ {
    move |relative| match std::fs::read_to_string(root.join(relative)) {
        Ok(text) => LocalFile::Text(text),
        Err(_) => LocalFile::Missing,
    }
}

#[test]
fn reads_and_writes_back_the_lockfile_of_lex_install_byte_for_byte() {
    let text = std::fs::read_to_string(fixture().join("lexicons.json")).unwrap();
    let lockfile = Lockfile::parse(&text).unwrap();
    assert_eq!(lockfile.lexicons, ["app.bsky.feed.like"]);
    assert_eq!(
        lockfile.resolutions.keys().collect::<Vec<_>>(),
        ["app.bsky.feed.like", "com.atproto.repo.strongRef"]
    );
    assert_eq!(lockfile.to_json(), text);
    // The CIDs `lex install` computed are the record CIDs lexperm computes.
    assert!(lockfile::verify(&lockfile, read(&fixture().join("lexicons"))).is_empty());
}

#[test]
fn verify_catches_one_changed_byte() {
    let dir = project();
    let like = dir.path().join("lexicons/app/bsky/feed/like.json");
    let text = std::fs::read_to_string(&like).unwrap();
    let changed = text.replacen("a piece of subject", "a piece of Subject", 1);
    std::fs::write(&like, &changed).unwrap();
    let lockfile =
        Lockfile::parse(&std::fs::read_to_string(dir.path().join("lexicons.json")).unwrap())
            .unwrap();
    let found = lockfile::verify(&lockfile, read(&dir.path().join("lexicons")));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "app/bsky/feed/like.json");
    assert_eq!(
        found[0].mismatch,
        Mismatch::CidDiffers {
            pinned: lockfile.resolutions["app.bsky.feed.like"].cid.clone(),
            local: record_cid(&changed).unwrap().1.to_string(),
        }
    );
}

fn build(dir: &Path, configure: impl FnOnce(Builder) -> Builder) -> Result<String, GenerateError> {
    configure(
        Builder::new()
            .lexicons(dir.join("lexicons"))
            .emit_rerun_if_changed(false)
            .discover_config(false),
    )
    .generate_string()
}

#[test]
fn the_builder_fails_on_a_tampered_lexicon_naming_both_cids() {
    let dir = project();
    let dir = dir.path();
    build(dir, |b| b).expect("untouched files build");
    let like = dir.join("lexicons/app/bsky/feed/like.json");
    let text = std::fs::read_to_string(&like).unwrap();
    let changed = text.replacen("a piece of subject", "a piece of Subject", 1);
    std::fs::write(&like, &changed).unwrap();
    let local = record_cid(&changed).unwrap().1.to_string();
    let pinned = Lockfile::parse(&std::fs::read_to_string(dir.join("lexicons.json")).unwrap())
        .unwrap()
        .resolutions["app.bsky.feed.like"]
        .cid
        .clone();

    let err = build(dir, |b| b).unwrap_err();
    let GenerateError::Lint { errors } = &err else {
        panic!("expected lint errors, got {err}");
    };
    assert_eq!(errors.len(), 1, "{err}");
    assert_eq!(
        (errors[0].code, errors[0].name),
        ("L134", "lockfile-mismatch")
    );
    assert_eq!(
        errors[0].path,
        dir.join("lexicons").join("app/bsky/feed/like.json")
    );
    let shown = err.to_string();
    assert!(shown.contains(&pinned) && shown.contains(&local), "{shown}");
    assert!(shown.contains(".allow_rule(\"L134\")"), "{shown}");

    // Turned off explicitly, or let through like any rule.
    build(dir, |b| b.verify_lockfile(false)).expect("verification off");
    build(dir, |b| b.allow_rule("L134")).expect("rule allowed");
}

#[test]
fn the_builder_refuses_an_invalid_lockfile_with_its_location() {
    let dir = project();
    let dir = dir.path();
    let path = dir.join("lexicons.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"uri\"", "\"url\"", 1)).unwrap();
    let err = build(dir, |b| b).unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(
            err,
            GenerateError::Lockfile {
                line: 8,
                column: 7,
                ..
            }
        ),
        "{shown}"
    );
    assert!(
        shown.contains("invalid lockfile: unexpected member \"url\""),
        "{shown}"
    );
}
