//! Process-level tests of `lexperm lint`, `lexperm explain` and the publish lint gate: exit codes,
//! rule control, config, IO errors. Each test builds a small directory of lexicons and runs the
//! real binary in it.

mod common;

use common::{check, ERROR_DOC, WARNING_DOC};

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

#[test]
fn clean_files_exit_0() {
    let dir = dir_with(&[("lexicons/com/example/getOther.json", CLEAN_DOC)]);
    let (out, _) = check(dir.path(), &["lint"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");
}

#[test]
fn errors_exit_1_and_all_files_are_reported() {
    let dir = dir_with(&[
        ("a/com/example/broken.json", ERROR_DOC),
        ("b/com/example/getThing.json", WARNING_DOC),
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
            ("a/com/example/broken.json".to_string(), "error".to_string()),
            (
                "b/com/example/getThing.json".to_string(),
                "warning".to_string()
            ),
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
    let dir = dir_with(&[("lexicons/com/example/getThing.json", WARNING_DOC)]);
    check(dir.path(), &["lint"], 0);
    check(dir.path(), &["lint", "--deny", "warnings"], 1);
    check(dir.path(), &["lint", "--deny", "everything"], 2);
}

#[test]
fn ignore_by_code_or_name() {
    let dir = dir_with(&[("lexicons/com/example/broken.json", ERROR_DOC)]);
    check(dir.path(), &["lint"], 1);
    let (out, _) = check(dir.path(), &["lint", "--ignore", "L105"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");
    check(dir.path(), &["lint", "--ignore", "unknown-schema-type"], 0);
}

#[test]
fn unknown_rule_is_a_usage_error_with_suggestion() {
    let dir = dir_with(&[("lexicons/com/example/broken.json", ERROR_DOC)]);
    let (_, err) = check(dir.path(), &["lint", "--ignore", "unknown-schema-typ"], 2);
    assert!(
        err.contains("did you mean `L105` (unknown-schema-type)?"),
        "{err}"
    );
    std::fs::write(dir.path().join("lexperm.toml"), "[rules]\nL999 = \"off\"\n").unwrap();
    let (_, err) = check(dir.path(), &["lint"], 2);
    assert!(err.contains("lexperm.toml: unknown rule `L999`"), "{err}");
}

#[test]
fn config_file_sets_severities() {
    let dir = dir_with(&[
        ("lexicons/com/example/broken.json", ERROR_DOC),
        ("lexicons/com/example/getThing.json", WARNING_DOC),
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
    assert!(
        err.contains("bad.toml: rule `L105`: level must be one of"),
        "{err}"
    );
    std::fs::write(dir.path().join("broken.toml"), "[rules]\nL105 = \n").unwrap();
    let (_, err) = check(dir.path(), &["lint", "--config", "broken.toml"], 2);
    assert!(err.contains("broken.toml: invalid TOML at line 2"), "{err}");
}

#[test]
fn missing_path_exits_2_but_lints_the_rest() {
    let dir = dir_with(&[("lexicons/com/example/broken.json", ERROR_DOC)]);
    let (out, err) = check(
        dir.path(),
        &["lint", "nowhere", "lexicons", "--format", "json"],
        2,
    );
    assert!(
        err.contains("error: 1 path could not be loaded; the other file was checked"),
        "{err}"
    );
    // The missing path is a finding of the output, after the findings of the files read.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[1].starts_with(
            r#"{"version":1,"code":"L132","name":"unreadable-file","severity":"error","file":"nowhere","#
        ) && lines[1].contains("cannot read this file: no such file or directory"),
        "{out}"
    );
    let empty = dir_with(&[]);
    let (out, _) = check(empty.path(), &["lint"], 2);
    assert!(out.contains("lexicons:1:1"), "{out}");
}

#[test]
fn unreadable_file_exits_2() {
    let dir = dir_with(&[("lexicons/com/example/getOther.json", CLEAN_DOC)]);
    std::fs::write(dir.path().join("lexicons/binary.json"), [0xff, 0xfe, 0x00]).unwrap();
    let (out, err) = check(dir.path(), &["lint"], 2);
    assert!(err.contains("1 path could not be loaded"), "{err}");
    assert!(out.contains("not UTF-8: invalid byte at offset 0"), "{out}");
    assert!(out.contains("lexicons/binary.json:1:1"), "{out}");
    assert!(
        out.ends_with("1 error, 0 warnings in 1 file; 1 path was not read\n"),
        "{out}"
    );
}

#[test]
fn a_run_that_read_nothing_does_not_claim_files() {
    let dir = dir_with(&[]);
    let (out, err) = check(dir.path(), &["lint", "missing", "gone.json"], 2);
    assert!(
        out.ends_with("2 errors, 0 warnings in 0 files; 2 paths were not read\n"),
        "{out}"
    );
    assert_eq!(
        err.trim_end(),
        "error: 2 paths could not be loaded (see the L132/L133 findings)"
    );
    // Every output format carries the unread paths.
    for (format, needle) in [
        ("json", r#""code":"L132""#),
        ("sarif", r#""ruleId": "L132""#),
        ("github", "title=L132::"),
        ("markdown", "`L132` unreadable-file"),
    ] {
        let (out, _) = check(dir.path(), &["lint", "missing", "--format", format], 2);
        assert!(out.contains(needle), "{format}: {out}");
        assert!(out.contains("missing"), "{format}: {out}");
    }
}

#[test]
fn every_format_parses() {
    let dir = dir_with(&[
        ("lexicons/com/example/broken.json", ERROR_DOC),
        ("lexicons/com/example/getThing.json", WARNING_DOC),
    ]);
    let (sarif, _) = check(dir.path(), &["lint", "--format", "sarif"], 1);
    let log: serde_json::Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let run = &log["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 2);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let (list, _) = check(dir.path(), &["explain", "--list"], 0);
    // `lint` lists the rules it can report: every rule but the breaking-change ones (`B…`).
    let lint_rules = list.lines().filter(|line| !line.starts_with('B')).count();
    assert_eq!(rules.len(), lint_rules);
    for rule in rules {
        for field in [
            "/id",
            "/name",
            "/shortDescription/text",
            "/fullDescription/text",
            "/help/text",
            "/defaultConfiguration/level",
        ] {
            let value = rule.pointer(field).and_then(|v| v.as_str()).unwrap_or("");
            assert!(!value.is_empty(), "rule descriptor without {field}: {rule}");
        }
    }
    let first = &run["results"][0];
    assert_eq!(first["ruleId"], "L105");
    assert_eq!(first["level"], "error");
    let index = first["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "L105");
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(5), Some(24))
    );
    let (github, _) = check(dir.path(), &["lint", "--format", "github"], 1);
    assert!(
        github.starts_with("::error file=lexicons/com/example/broken.json,line=5,"),
        "{github}"
    );
    assert!(
        github.contains("\n::warning file=lexicons/com/example/getThing.json,"),
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
fn explain_catalog_rules() {
    let dir = dir_with(&[]);
    let (out, _) = check(dir.path(), &["explain", "P116"], 0);
    assert!(
        out.starts_with("P116 outside-namespace\ndefault severity: error\n"),
        "{out}"
    );
    assert!(out.contains("## Example"), "{out}");
    let (by_name, _) = check(dir.path(), &["explain", "outside-namespace"], 0);
    assert_eq!(out, by_name);
    let (list, _) = check(dir.path(), &["explain", "--list"], 0);
    let codes: Vec<&str> = list
        .lines()
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    assert_eq!(codes, sorted, "rules are listed by code");
    for code in ["L201", "L206", "P101", "P120", "S118"] {
        assert!(codes.contains(&code), "{code} missing from\n{list}");
    }
}

#[test]
fn explain_prints_the_doc_of_every_rule() {
    let dir = dir_with(&[]);
    let registry = lexperm_lint::registry();
    for family in ["L1", "S1", "L2", "P1"] {
        assert!(
            registry.iter().any(|rule| rule.code.starts_with(family)),
            "no {family}xx rule in the registry"
        );
    }
    for rule in registry {
        let (by_code, _) = check(dir.path(), &["explain", rule.code], 0);
        assert!(
            by_code.starts_with(&format!("{} {}\n", rule.code, rule.name)),
            "{by_code}"
        );
        assert!(by_code.contains(rule.summary), "{}: {by_code}", rule.code);
        assert!(
            by_code.contains(rule.doc.trim()),
            "{}: doc not printed in full",
            rule.code
        );
        let (by_name, _) = check(dir.path(), &["explain", rule.name], 0);
        assert_eq!(by_code, by_name, "{} and {} differ", rule.code, rule.name);
        let lower = rule.code.to_ascii_lowercase();
        let (by_lower_code, _) = check(dir.path(), &["explain", &lower], 0);
        assert_eq!(by_code, by_lower_code, "{lower}");
    }
}

/// A permission set granting a collection its own folder does not define, next to a record.
const SET_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.authPosts",
  "defs": {
    "main": {
      "type": "permission-set",
      "title": "Posts",
      "detail": "Write posts.",
      "permissions": [
        { "type": "permission", "resource": "repo", "collection": ["com.example.psot"] }
      ]
    }
  }
}
"#;

const RECORD_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.post",
  "defs": {
    "main": {
      "type": "record",
      "description": "A post.",
      "key": "tid",
      "record": { "type": "object", "properties": { "text": { "type": "string", "maxLength": 300 } } }
    }
  }
}
"#;

#[test]
fn catalog_rules_see_every_file_of_the_run() {
    let dir = dir_with(&[
        ("lexicons/com/example/authPosts.json", SET_DOC),
        ("lexicons/com/example/post.json", RECORD_DOC),
    ]);
    let (out, _) = check(dir.path(), &["lint", "--format", "json"], 1);
    let value: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(value["code"], "P119");
    assert_eq!(value["file"], "lexicons/com/example/authPosts.json");
    assert!(
        value["help"].as_str().unwrap().contains("com.example.post"),
        "{value}"
    );
    // Linting the set alone: its group is not known, so nothing is reported.
    check(
        dir.path(),
        &["lint", "lexicons/com/example/authPosts.json"],
        0,
    );
    // The layout check uses the real location, so a sub-folder or a single file is fine too.
    check(
        dir.path(),
        &[
            "lint",
            "lexicons/com/example/post.json",
            "--deny",
            "warnings",
        ],
        0,
    );
    let inner = dir.path().join("lexicons/com/example");
    check(&inner, &["lint", "post.json", "--deny", "warnings"], 0);
}

/// The example authority has no error and no warning but the one its space set is written to
/// get: S127, that PDSes without permissioned-data support drop space entries.
#[test]
fn example_authority_lints_clean() {
    let root = common::workspace_root();
    let args = ["lint", "lexicons", "--deny", "warnings", "--ignore", "S127"];
    let (out, _) = check(&root, &args, 0);
    assert!(out.starts_with("0 errors, 0 warnings in "), "{out}");
    let (out, _) = check(&root, &["lint", "lexicons", "--format", "json"], 0);
    let codes: Vec<&str> = out
        .lines()
        .filter_map(|line| line.split("\"code\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(codes, ["S127"], "{out}");
}

/// A permission set whose only entry the authorization server would drop (P116), so nothing it
/// promises would ever be granted.
const DROPPING_SET: &str = r#"{
  "lexicon": 1,
  "id": "com.example.authFull",
  "defs": {
    "main": {
      "type": "permission-set",
      "title": "Full access",
      "detail": "Everything the example app does.",
      "permissions": [
        { "type": "permission", "resource": "repo", "collection": ["org.other.post"] }
      ]
    }
  }
}
"#;

#[test]
fn publish_gate_refuses_a_set_whose_entries_would_be_dropped() {
    // The gate runs the whole lint pipeline, permission-set rules included, before any network
    // step: the handle is never resolved.
    let dir = dir_with(&[("com/example/authFull.json", DROPPING_SET)]);
    let (out, err) = check(
        dir.path(),
        &[
            "publish",
            "--handle",
            "nobody.invalid",
            "--lexicons",
            ".",
            "--dry-run",
        ],
        1,
    );
    assert_eq!(out, "");
    assert!(err.contains("P116(outside-namespace)"), "{err}");
    assert!(err.contains("nothing was published"), "{err}");
}
