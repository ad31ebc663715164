//! Process-level tests of `lexperm lint` and `lexperm explain`: exit codes, rule control, config,
//! IO errors. Each test builds a small directory of lexicons and runs the real binary in it.

mod common;

use std::path::Path;

use common::{lexperm, stderr, stdout};

/// A document whose only finding is an error: a def with an unknown type.
const ERROR_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.broken",
  "defs": {
    "thing": { "type": "float", "description": "Not a Lexicon type." }
  }
}
"#;

/// A document whose only finding is a warning: a query without a description.
const WARNING_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.getThing",
  "defs": {
    "main": {
      "type": "query",
      "output": { "encoding": "application/json" }
    }
  }
}
"#;

/// A clean document.
const CLEAN_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.getOther",
  "defs": {
    "main": {
      "type": "query",
      "description": "Get the other thing.",
      "output": { "encoding": "application/json" }
    }
  }
}
"#;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// Runs `lexperm args…` in `dir` and checks the exit code; returns (stdout, stderr).
#[track_caller]
fn check(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let output = lexperm(dir, args);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(
        output.status.code(),
        Some(code),
        "lexperm {args:?}\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    (out, err)
}

#[test]
fn clean_files_exit_0() {
    let dir = dir_with(&[("lexicons/com/example/getOther.json", CLEAN_DOC)]);
    let (out, _) = check(dir.path(), &["lint"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");
}

#[test]
fn errors_exit_1_and_all_files_are_reported() {
    let dir = dir_with(&[
        ("a/broken.json", ERROR_DOC),
        ("b/getThing.json", WARNING_DOC),
        ("b/notes.txt", "not a lexicon"),
    ]);
    let (out, _) = check(dir.path(), &["lint", "a", "b", "--format", "json"], 1);
    let codes: Vec<(String, String)> = out
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            (
                value["file"].as_str().unwrap().to_string(),
                value["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            ("a/broken.json".to_string(), "error".to_string()),
            ("b/getThing.json".to_string(), "warning".to_string()),
        ]
    );
    let (human, _) = check(dir.path(), &["lint", "a", "b"], 1);
    assert!(
        human.ends_with("1 error, 1 warning in 2 files\n"),
        "{human}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = dir_with(&[("lexicons/getThing.json", WARNING_DOC)]);
    check(dir.path(), &["lint"], 0);
    check(dir.path(), &["lint", "--deny", "warnings"], 1);
    check(dir.path(), &["lint", "--deny", "everything"], 2);
}

#[test]
fn ignore_by_code_or_name() {
    let dir = dir_with(&[("lexicons/broken.json", ERROR_DOC)]);
    check(dir.path(), &["lint"], 1);
    let (out, _) = check(dir.path(), &["lint", "--ignore", "L105"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");
    check(dir.path(), &["lint", "--ignore", "unknown-schema-type"], 0);
}

#[test]
fn unknown_rule_is_a_usage_error_with_suggestion() {
    let dir = dir_with(&[("lexicons/broken.json", ERROR_DOC)]);
    let (_, err) = check(dir.path(), &["lint", "--ignore", "unknown-schema-typ"], 2);
    assert!(
        err.contains("did you mean `L105` (unknown-schema-type)?"),
        "{err}"
    );
    std::fs::write(dir.path().join("lexperm.toml"), "[rules]\nL999 = \"off\"\n").unwrap();
    let (_, err) = check(dir.path(), &["lint"], 2);
    assert!(err.contains("unknown rule `L999`"), "{err}");
}

#[test]
fn config_file_sets_severities() {
    let dir = dir_with(&[
        ("lexicons/broken.json", ERROR_DOC),
        ("lexicons/getThing.json", WARNING_DOC),
    ]);
    std::fs::write(
        dir.path().join("lexperm.toml"),
        "[rules]\nL105 = \"warning\"\nmissing-primary-description = \"off\"\n",
    )
    .unwrap();
    let (out, _) = check(dir.path(), &["lint"], 0);
    assert!(
        out.ends_with("0 errors, 1 warning in 2 files (1 with findings)\n"),
        "{out}"
    );
    std::fs::write(
        dir.path().join("strict.toml"),
        "[rules]\nS101 = \"error\"\n",
    )
    .unwrap();
    let (out, _) = check(dir.path(), &["lint", "--config", "strict.toml"], 1);
    assert!(out.ends_with("2 errors, 0 warnings in 2 files\n"), "{out}");
    check(dir.path(), &["lint", "--config", "missing.toml"], 2);
    std::fs::write(dir.path().join("bad.toml"), "[rules]\nL105 = \"loud\"\n").unwrap();
    let (_, err) = check(dir.path(), &["lint", "--config", "bad.toml"], 2);
    assert!(err.contains("level must be one of"), "{err}");
}

#[test]
fn missing_path_exits_2_but_lints_the_rest() {
    let dir = dir_with(&[("lexicons/broken.json", ERROR_DOC)]);
    let (out, err) = check(
        dir.path(),
        &["lint", "nowhere", "lexicons", "--format", "json"],
        2,
    );
    assert!(
        err.contains("cannot read nowhere: no such file or directory"),
        "{err}"
    );
    assert_eq!(out.lines().count(), 1, "{out}");
    let empty = dir_with(&[]);
    let (_, err) = check(empty.path(), &["lint"], 2);
    assert!(err.contains("cannot read lexicons"), "{err}");
}

#[test]
fn unreadable_file_exits_2() {
    let dir = dir_with(&[("lexicons/getOther.json", CLEAN_DOC)]);
    std::fs::write(dir.path().join("lexicons/binary.json"), [0xff, 0xfe, 0x00]).unwrap();
    let (out, err) = check(dir.path(), &["lint"], 2);
    assert!(err.contains("lexicons/binary.json: not UTF-8"), "{err}");
    assert!(out.ends_with("in 1 file\n"), "{out}");
}

#[test]
fn every_format_parses() {
    let dir = dir_with(&[
        ("lexicons/broken.json", ERROR_DOC),
        ("lexicons/getThing.json", WARNING_DOC),
    ]);
    let (sarif, _) = check(dir.path(), &["lint", "--format", "sarif"], 1);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 2);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let (list, _) = check(dir.path(), &["explain", "--list"], 0);
    assert_eq!(rules.len(), list.lines().count());
    let (github, _) = check(dir.path(), &["lint", "--format", "github"], 1);
    assert!(
        github.starts_with("::error file=lexicons/broken.json,line=5,"),
        "{github}"
    );
    assert!(
        github.contains("\n::warning file=lexicons/getThing.json,"),
        "{github}"
    );
    check(dir.path(), &["lint", "--format", "xml"], 2);
}

#[test]
fn explain_rules() {
    let dir = dir_with(&[]);
    let (out, _) = check(dir.path(), &["explain", "L105"], 0);
    assert!(
        out.starts_with("L105 unknown-schema-type\ndefault severity: error\n"),
        "{out}"
    );
    let (by_name, _) = check(dir.path(), &["explain", "unknown-schema-type"], 0);
    assert_eq!(out, by_name);
    let (_, err) = check(dir.path(), &["explain", "unknown-schema"], 2);
    assert!(
        err.contains("did you mean `L105` (unknown-schema-type)"),
        "{err}"
    );
    let (list, _) = check(dir.path(), &["explain", "--list"], 0);
    assert!(
        list.lines()
            .any(|line| line.starts_with("L105   unknown-schema-type")),
        "{list}"
    );
    check(dir.path(), &["explain"], 2);
}

#[test]
fn example_authority_lints_clean() {
    let root = common::workspace_root();
    let (out, _) = check(&root, &["lint", "lexicons", "--deny", "warnings"], 0);
    assert!(out.starts_with("0 errors, 0 warnings in "), "{out}");
}
