//! `lexperm lint` for pull requests: the Markdown format's exit codes and `--changed-since` on
//! scratch git repositories (a base commit, then a change).

mod common;

use std::process::Command;

use common::{git, have_git, write};

/// A lexicon that refs `com.example.b#view`; clean while `b` defines it.
const A: &str = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "object", "description": "A.", "properties": {"b": {"type": "ref", "ref": "com.example.b#view"}}}}}"#;
const B: &str = r#"{"lexicon": 1, "id": "com.example.b", "defs": {"view": {"type": "object", "description": "B.", "properties": {}}}}"#;
const C: &str = r#"{"lexicon": 1, "id": "com.example.c", "defs": {"main": {"type": "token", "description": "C."}}}"#;
/// An undescribed token: one warning (S102), present in the base already.
const D: &str = r#"{"lexicon": 1, "id": "com.example.d", "defs": {"main": {"type": "token"}}}"#;

/// A repository whose one commit holds `a`–`d` under `lexicons/com/example/`, plus `.gitignore`
/// ignoring `lexicons/ignored/`.
fn base_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in [("a", A), ("b", B), ("c", C), ("d", D)] {
        write(
            dir.path(),
            &format!("lexicons/com/example/{name}.json"),
            text,
        );
    }
    write(dir.path(), ".gitignore", "lexicons/ignored/\n");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

/// `(file, code)` of each JSON line.
fn found(stdout: &str) -> Vec<(String, String)> {
    common::json_lines(stdout)
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(file: &str, code: &str) -> (String, String) {
    (file.to_owned(), code.to_owned())
}

#[test]
fn only_changed_files_and_the_findings_they_cause_are_reported() {
    if !have_git() {
        return;
    }
    let repo = base_repository();
    let root = repo.path();
    // The base has one warning, in `d`.
    let all = common::lexperm(root, &["lint", "--format", "json"]);
    assert_eq!(
        found(&common::stdout(&all)),
        [pair("lexicons/com/example/d.json", "S102")]
    );
    let clean = common::lexperm(
        root,
        &["lint", "--format", "json", "--changed-since", "HEAD"],
    );
    assert_eq!(clean.status.code(), Some(0), "{}", common::stderr(&clean));
    assert_eq!(common::stdout(&clean), "");

    // An error in a changed file, a warning in an untracked one, and one in an ignored one.
    write(
        root,
        "lexicons/com/example/c.json",
        &C.replace("\"token\"", "\"tokn\""),
    );
    write(root, "lexicons/com/example/e.json", &D.replace(".d", ".e"));
    write(
        root,
        "lexicons/ignored/com/example/f.json",
        &D.replace(".d", ".f"),
    );
    let run = common::lexperm(
        root,
        &["lint", "--format", "json", "--changed-since", "HEAD"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", common::stderr(&run));
    assert_eq!(
        found(&common::stdout(&run)),
        [
            pair("lexicons/com/example/c.json", "L105"),
            pair("lexicons/com/example/e.json", "S102"),
        ]
    );
    assert!(
        common::stderr(&run)
            .contains("note: only findings in the 2 linted files changed since `HEAD`"),
        "{}",
        common::stderr(&run)
    );

    // From a subdirectory, with a path: the same files.
    let inside = root.join("lexicons/com");
    let run = common::lexperm(
        &inside,
        &[
            "lint",
            "example",
            "--format",
            "json",
            "--changed-since",
            "HEAD",
        ],
    );
    assert_eq!(
        found(&common::stdout(&run)),
        [
            pair("example/c.json", "L105"),
            pair("example/e.json", "S102"),
        ]
    );
    // From outside the repository, with a path into it.
    let run = common::lexperm(
        root.parent().unwrap(),
        &[
            "lint",
            &root.join("lexicons/com").to_string_lossy(),
            "--format",
            "json",
            "--changed-since",
            "HEAD",
        ],
    );
    assert_eq!(
        found(&common::stdout(&run)).len(),
        2,
        "{}",
        common::stderr(&run)
    );

    // Removing `b` leaves `a` (unchanged) with a ref into a removed lexicon of a loaded group:
    // reported as an error.
    std::fs::remove_file(root.join("lexicons/com/example/b.json")).unwrap();
    let run = common::lexperm(
        root,
        &["lint", "--format", "json", "--changed-since", "HEAD"],
    );
    let reported = found(&common::stdout(&run));
    assert!(
        reported.contains(&pair("lexicons/com/example/a.json", "L210")),
        "{reported:?}"
    );
    assert!(
        !reported.iter().any(|(file, _)| file.ends_with("d.json")),
        "{reported:?}"
    );
}

#[test]
fn exit_codes_follow_the_reported_findings() {
    if !have_git() {
        return;
    }
    let repo = base_repository();
    let root = repo.path();
    // Only the unchanged file has a warning: hidden, so even `--deny warnings` passes.
    let args = ["lint", "--changed-since", "HEAD", "--deny", "warnings"];
    assert_eq!(common::lexperm(root, &args).status.code(), Some(0));
    write(root, "lexicons/com/example/e.json", &D.replace(".d", ".e"));
    assert_eq!(common::lexperm(root, &args).status.code(), Some(1));
    assert_eq!(common::lexperm(root, &args[..3]).status.code(), Some(0));
    // The Markdown report says what it covers.
    let run = common::lexperm(
        root,
        &["lint", "--changed-since", "HEAD", "--format", "markdown"],
    );
    let out = common::stdout(&run);
    assert!(
        out.starts_with(
            "## lexperm lint\n\nOnly findings in the 1 linted file changed since `HEAD`"
        ),
        "{out}"
    );
    assert!(out.contains("`lexicons/com/example/e.json:1:"), "{out}");
    assert!(!out.contains("d.json"), "{out}");
}

#[test]
fn git_problems_are_usage_errors() {
    if !have_git() {
        return;
    }
    let repo = base_repository();
    let run = common::lexperm(repo.path(), &["lint", "--changed-since", "no-such-branch"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        common::stderr(&run).contains("`no-such-branch` is not a commit of"),
        "{}",
        common::stderr(&run)
    );
    let run = common::lexperm(repo.path(), &["lint", "--changed-since=--output=x"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        common::stderr(&run).contains("`--output=x` is not a git revision"),
        "{}",
        common::stderr(&run)
    );
    assert!(!repo.path().join("x").exists());

    let plain = tempfile::tempdir().expect("temp dir");
    write(plain.path(), "lexicons/com/example/d.json", D);
    let run = common::lexperm(plain.path(), &["lint", "--changed-since", "HEAD"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        common::stderr(&run).contains("needs a git repository"),
        "{}",
        common::stderr(&run)
    );
    assert_eq!(common::stdout(&run), "");
}

#[test]
fn missing_git_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "lexicons/com/example/d.json", D);
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["lint", "--changed-since", "HEAD"])
        .current_dir(dir.path())
        .env("PATH", dir.path().join("no-bin"))
        .output()
        .expect("lexperm runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::stderr(&output);
    assert!(stderr.contains("`git` was not found on PATH"), "{stderr}");
}

#[test]
fn markdown_exit_codes_match_the_other_formats() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "lexicons/com/example/d.json", D);
    for (args, code) in [
        (&["lint", "--format", "markdown"][..], 0),
        (
            &["lint", "--format", "markdown", "--deny", "warnings"][..],
            1,
        ),
        (&["lint", "--format", "markdown", "missing"][..], 2),
    ] {
        let run = common::lexperm(dir.path(), args);
        assert_eq!(run.status.code(), Some(code), "{args:?}");
    }
    write(
        dir.path(),
        "lexicons/com/example/d.json",
        &D.replace(
            "\"main\": {\"type\": \"token\"}",
            "\"main\": {\"type\": \"token\", \"description\": \"D.\"}",
        ),
    );
    let run = common::lexperm(dir.path(), &["lint", "--format", "markdown"]);
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        common::stdout(&run),
        "## lexperm lint\n\nNo findings in 1 file.\n"
    );
}
