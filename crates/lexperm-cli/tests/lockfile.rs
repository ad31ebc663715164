//! `lexicons.json` verified offline: `lexperm lockfile verify`, `lexperm lint` (L134) and the
//! `gen` commands, on a copy of `fixtures/lockfile/lex-install/` (a lockfile and lexicons written
//! by `@atproto/lex install`), untouched and with one byte changed.

mod common;

use std::path::Path;

use common::{check, copy_tree, workspace_root, write};
use lexperm_codegen::lockfile::{record_cid, Lockfile};

const LIKE: &str = "lexicons/app/bsky/feed/like.json";

/// A copy of the fixture project in a temporary folder.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(
        &workspace_root().join("fixtures/lockfile/lex-install"),
        dir.path(),
    );
    dir
}

/// The CID `lexicons.json` pins for `nsid`.
fn pinned(dir: &Path, nsid: &str) -> String {
    let text = std::fs::read_to_string(dir.join("lexicons.json")).unwrap();
    Lockfile::parse(&text).unwrap().resolutions[nsid]
        .cid
        .clone()
}

/// Changes one byte of the like lexicon's description; returns the file's new record CID.
fn tamper(dir: &Path) -> String {
    let path = dir.join(LIKE);
    let text = std::fs::read_to_string(&path).unwrap();
    let changed = text.replacen("a piece of subject", "a piece of Subject", 1);
    assert_ne!(text, changed);
    std::fs::write(&path, &changed).unwrap();
    record_cid(&changed).unwrap().1.to_string()
}

#[test]
fn untouched_files_pass_everywhere() {
    let dir = project();
    let dir = dir.path();
    let (out, _) = check(dir, &["lockfile", "verify"], 0);
    assert_eq!(
        out,
        "lexicons.json: 2 pinned lexicons match their files under lexicons\n"
    );
    check(dir, &["lint"], 0);
    check(dir, &["gen", "rust", "--out", "scopes.rs"], 0);
    check(dir, &["gen", "ts", "--out", "scopes.ts"], 0);
    check(dir, &["gen", "records", "--out", "records"], 0);
    // A local lexicon the lockfile does not pin, even in a pinned group, is not checked.
    write(
        dir,
        "lexicons/app/bsky/feed/mine.json",
        r#"{"lexicon": 1, "id": "app.bsky.feed.mine", "defs": {"main": {"type": "token", "description": "Mine."}}}"#,
    );
    check(dir, &["lockfile", "verify"], 0);
    check(dir, &["lint"], 0);
}

#[test]
fn a_tampered_file_fails_verify_lint_and_gen_naming_both_cids() {
    let dir = project();
    let dir = dir.path();
    let pinned = pinned(dir, "app.bsky.feed.like");
    let local = tamper(dir);
    assert_ne!(pinned, local);

    let (out, _) = check(dir, &["lockfile", "verify"], 1);
    for text in ["L134", "lexicons/app/bsky/feed/like.json", &pinned, &local] {
        assert!(out.contains(text), "{text} missing from:\n{out}");
    }
    assert!(out.contains("lexperm pull --update"), "{out}");

    let (out, _) = check(dir, &["lint", "--format", "json"], 1);
    let finding = common::json_lines(&out)
        .into_iter()
        .find(|line| line["code"] == "L134")
        .unwrap_or_else(|| panic!("no L134 in:\n{out}"));
    assert_eq!(finding["file"], LIKE);
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["message"],
        format!(
            "app.bsky.feed.like is pinned in lexicons.json at CID {pinned}, but this file's record CID is {local}"
        )
    );
    // Rule settings apply as to any rule.
    check(dir, &["lint", "--ignore", "L134"], 0);

    for args in [
        &["gen", "rust", "--out", "scopes.rs"][..],
        &["gen", "ts", "--out", "scopes.ts"],
        &["gen", "records", "--out", "records"],
    ] {
        let (_, err) = check(dir, args, 1);
        for text in ["L134", &pinned, &local] {
            assert!(err.contains(text), "{args:?}: {text} missing from:\n{err}");
        }
        assert!(!dir.join(args[3]).exists(), "{args:?} wrote its output");
    }
    check(
        dir,
        &["gen", "rust", "--out", "scopes.rs", "--ignore", "L134"],
        0,
    );
}

#[test]
fn missing_and_invalid_pinned_files_are_findings() {
    let dir = project();
    let dir = dir.path();
    std::fs::remove_file(dir.join("lexicons/com/atproto/repo/strongRef.json")).unwrap();
    std::fs::write(dir.join(LIKE), "{").unwrap();
    check(dir, &["lockfile", "verify"], 1);
    let (out, _) = check(dir, &["lint", "--format", "json"], 1);
    let messages: Vec<String> = common::json_lines(&out)
        .into_iter()
        .filter(|line| line["code"] == "L134")
        .map(|line| {
            format!(
                "{}: {}",
                line["file"].as_str().unwrap(),
                line["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(messages.len(), 2, "{out}");
    assert!(messages[0].starts_with("lexicons/app/bsky/feed/like.json: app.bsky.feed.like is pinned in lexicons.json but its file is not the pinned lexicon: not valid JSON"), "{messages:?}");
    assert_eq!(messages[1], "lexicons/com/atproto/repo/strongRef.json: com.atproto.repo.strongRef is pinned in lexicons.json but its file is missing");
}

#[test]
fn an_invalid_or_absent_lockfile_is_a_usage_error() {
    let dir = project();
    let dir = dir.path();
    let text = std::fs::read_to_string(dir.join("lexicons.json")).unwrap();
    std::fs::write(
        dir.join("lexicons.json"),
        text.replacen("\"version\": 1", "\"version\": 2", 1),
    )
    .unwrap();
    for args in [
        &["lockfile", "verify"][..],
        &["lint"],
        &["gen", "rust", "--out", "scopes.rs"],
    ] {
        let (_, err) = check(dir, args, 2);
        assert_eq!(
            err,
            "error: lexicons.json:2:14: invalid lockfile: `version` must be 1, the only lockfile version\n",
            "{args:?}"
        );
    }
    std::fs::remove_file(dir.join("lexicons.json")).unwrap();
    let (_, err) = check(dir, &["lockfile", "verify"], 2);
    assert!(
        err.starts_with("error: no lexicons.json beside or inside lexicons"),
        "{err}"
    );
    // Without a lockfile nothing is pinned, so nothing is verified.
    tamper(dir);
    check(dir, &["lint"], 0);
}

#[test]
fn lockfile_named_and_found_from_the_project_folder() {
    let dir = project();
    let dir = dir.path();
    let local = tamper(dir);
    // `lexicons.json` inside the folder linted, pinning under its `lexicons/`.
    let (out, _) = check(dir, &["lint", ".", "--format", "json"], 1);
    assert!(out.contains(&local), "{out}");
    // Named explicitly, with the folder the paths are under.
    std::fs::rename(dir.join("lexicons.json"), dir.join("pins.json")).unwrap();
    let (out, _) = check(
        dir,
        &[
            "lockfile",
            "verify",
            "--lockfile",
            "pins.json",
            "--lexicons",
            "lexicons",
        ],
        1,
    );
    assert!(out.contains("pinned in pins.json"), "{out}");
}

#[test]
fn explain_documents_the_rule() {
    let (out, _) = check(&workspace_root(), &["explain", "L134"], 0);
    assert!(out.contains("lockfile-mismatch"), "{out}");
    assert!(out.contains("No network is used"), "{out}");
}
