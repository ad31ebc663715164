//! `lexperm lint --fix` and `--fix --dry-run`, on the fixture pairs of `fixtures/fix/<case>/`
//! (`before.json`, the file as written; `after.json`, what `--fix` must leave) and on files that
//! must not be written (links, read-only files).

mod common;

use std::fs;
use std::path::Path;

/// Runs `lexperm lint ARGS… NAME` in `dir`; returns the exit code, stdout and stderr.
fn lint(dir: &Path, args: &[&str], name: &str) -> (i32, String, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.push(name);
    let output = common::lexperm(dir, &all);
    (
        output.status.code().expect("exited normally"),
        common::stdout(&output),
        common::stderr(&output),
    )
}

/// One fixture pair: `--fix --dry-run` shows the diff and writes nothing; `--fix` leaves exactly
/// `after.json`, its diff and summary on stderr are snapshotted (`fix@<case>`), and the exit code
/// is what a plain lint of `after.json` gives; a second `--fix` changes nothing; what remains
/// carries no fix.
fn check(case_dir: &Path) {
    let case = case_dir.file_name().unwrap().to_string_lossy().to_string();
    let before = fs::read(case_dir.join("before.json")).expect("before.json");
    let after = fs::read(case_dir.join("after.json")).expect("after.json");
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("{case}.json");
    let file = dir.path().join(&name);
    fs::write(&file, &before).unwrap();

    let (dry_code, _, dry_err) = lint(dir.path(), &["--fix", "--dry-run"], &name);
    assert_eq!(fs::read(&file).unwrap(), before, "{case}: --dry-run wrote");

    let (code, _, stderr) = lint(dir.path(), &["--fix"], &name);
    assert_eq!(
        String::from_utf8_lossy(&fs::read(&file).unwrap()),
        String::from_utf8_lossy(&after),
        "{case}: --fix result"
    );
    let diff_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|line| !line.starts_with("fixed ") && !line.starts_with("would fix "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        diff_lines(&dry_err),
        diff_lines(&stderr),
        "{case}: --dry-run shows the same diff"
    );
    assert_eq!(dry_code, code, "{case}: --dry-run exits as --fix does");

    let (plain_code, plain_out, _) = lint(dir.path(), &["--format", "json"], &name);
    assert_eq!(
        code, plain_code,
        "{case}: --fix exits as a lint of the result does"
    );
    let fixes_left: Vec<_> = common::json_lines(&plain_out)
        .into_iter()
        .filter(|finding| finding.get("fix").is_some())
        .collect();
    let refused = before == after;
    assert!(
        refused || fixes_left.is_empty(),
        "{case}: fixable findings remain: {fixes_left:?}"
    );

    let (_, _, again) = lint(dir.path(), &["--fix"], &name);
    assert_eq!(
        fs::read(&file).unwrap(),
        after,
        "{case}: second --fix changed the file"
    );
    assert!(
        again.contains("fixed 0 findings in 0 files;") && !again.contains("+++"),
        "{case}: second --fix: {again}"
    );

    let text = format!("exit code: {code}\n{stderr}");
    insta::with_settings!({
        snapshot_suffix => case,
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("fix", text);
    });
}

#[test]
fn fixture_pairs() {
    let base = common::workspace_root().join("fixtures").join("fix");
    let mut checked = 0;
    insta::glob!("../../../fixtures/fix", "*", |path| {
        if path.is_dir() && path != base {
            check(path);
            checked += 1;
        }
    });
    assert!(
        checked >= 9,
        "only {checked} cases under {}",
        base.display()
    );
}

/// A file with a trailing comma, as written and as `--fix` leaves it.
const TRAILING: &str = "{\"lexicon\": 1, \"id\": \"com.example.t\", \"defs\": {\"main\": {\"type\": \"token\", \"description\": \"T.\"},}}\n";

#[cfg(unix)]
#[test]
fn a_link_is_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("real.json"), TRAILING).unwrap();
    std::os::unix::fs::symlink("real.json", dir.path().join("link.json")).unwrap();
    let (code, _, stderr) = lint(dir.path(), &["--fix"], "link.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: link.json: not written: it is a symbolic link (to `real.json`)"),
        "{stderr}"
    );
    assert!(stderr.contains("fixed 0 findings in 0 files;"), "{stderr}");
    assert!(
        !stderr.contains("+++"),
        "a diff for a file not written: {stderr}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("real.json")).unwrap(),
        TRAILING
    );
    assert!(fs::symlink_metadata(dir.path().join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn a_link_leading_outside_the_folder_given_is_not_written() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    fs::create_dir(outside.path().join("shared")).unwrap();
    fs::write(outside.path().join("shared/t.json"), TRAILING).unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("lexicons")).unwrap();
    symlink(
        outside.path().join("shared"),
        dir.path().join("lexicons/shared"),
    )
    .unwrap();
    let args = ["--fix", "--follow-outside-links"];
    let (code, _, stderr) = lint(dir.path(), &args, "lexicons");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not written: it is outside the paths given"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(outside.path().join("shared/t.json")).unwrap(),
        TRAILING
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_not_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    fs::write(&file, TRAILING).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).unwrap();
    let (code, stdout, stderr) = lint(dir.path(), &["--fix"], "t.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: t.json: not written: it is read-only"),
        "{stderr}"
    );
    assert!(stdout.contains("L101(invalid-json) [*]"), "{stdout}");
    assert_eq!(fs::read_to_string(&file).unwrap(), TRAILING);
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "a temporary file was left behind");
}

#[cfg(unix)]
#[test]
fn permissions_are_kept_and_untouched_files_stay_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let fixed = dir.path().join("lexicons/t.json");
    let clean = dir.path().join("lexicons/post.json");
    common::write(dir.path(), "lexicons/t.json", TRAILING);
    common::write(dir.path(), "lexicons/post.json", common::POST);
    fs::set_permissions(&fixed, fs::Permissions::from_mode(0o640)).unwrap();
    let clean_modified = fs::metadata(&clean).unwrap().modified().unwrap();
    let (_, _, stderr) = lint(dir.path(), &["--fix"], "lexicons");
    assert!(stderr.contains("fixed 1 finding in 1 file;"), "{stderr}");
    assert_eq!(
        fs::metadata(&fixed).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        fs::metadata(&clean).unwrap().modified().unwrap(),
        clean_modified
    );
    assert_eq!(fs::read_to_string(&clean).unwrap(), common::POST);
}

#[test]
fn ignored_rules_are_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.json"), TRAILING).unwrap();
    let (code, _, stderr) = lint(dir.path(), &["--fix", "--ignore", "L101"], "t.json");
    assert_eq!(
        fs::read_to_string(dir.path().join("t.json")).unwrap(),
        TRAILING
    );
    assert!(stderr.contains("fixed 0 findings in 0 files"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn dry_run_needs_fix() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.json"), TRAILING).unwrap();
    let (code, _, stderr) = lint(dir.path(), &["--dry-run"], "t.json");
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--fix"), "{stderr}");
}

#[test]
fn fixes_are_in_json_and_sarif_output() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.json"), TRAILING).unwrap();
    let (_, stdout, _) = lint(dir.path(), &["--format", "json"], "t.json");
    let findings = common::json_lines(&stdout);
    let fix = findings
        .iter()
        .find_map(|finding| finding.get("fix"))
        .expect("a finding with a fix");
    assert_eq!(fix["applicability"], "safe");
    let comma = TRAILING.find("},}").unwrap() as u64 + 1;
    assert_eq!(fix["edits"][0]["start"], comma);
    assert_eq!(fix["edits"][0]["end"], comma + 1);
    assert_eq!(fix["edits"][0]["replacement"], "");
    let (_, stdout, _) = lint(dir.path(), &["--format", "sarif"], "t.json");
    let log: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let result = &log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "L101")
        .unwrap()
        .clone();
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "t.json");
    assert_eq!(change["replacements"][0]["insertedContent"]["text"], "");
}

#[test]
fn explain_says_fixable() {
    let dir = tempfile::tempdir().unwrap();
    let output = common::lexperm(dir.path(), &["explain", "S130"]);
    let text = common::stdout(&output);
    assert!(
        text.contains("fixable: yes, with `lexperm lint --fix`"),
        "{text}"
    );
    let output = common::lexperm(dir.path(), &["explain", "L112"]);
    assert!(common::stdout(&output).contains("fixable: yes"));
    let output = common::lexperm(dir.path(), &["explain", "L113"]);
    assert!(!common::stdout(&output).contains("fixable"));
}

#[test]
fn json_output_stays_clean_while_the_diff_goes_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.json"), TRAILING).unwrap();
    let (_, stdout, stderr) = lint(dir.path(), &["--fix", "--format", "json"], "t.json");
    for finding in common::json_lines(&stdout) {
        assert_ne!(finding["code"], "L101", "{stdout}");
    }
    assert!(
        stderr.starts_with("--- a/t.json\n+++ b/t.json\n"),
        "{stderr}"
    );
}

#[test]
fn with_changed_since_only_changed_files_are_fixed() {
    if !common::have_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "lexicons/a.json", TRAILING);
    common::write(dir.path(), "lexicons/b.json", TRAILING);
    common::git(dir.path(), &["init", "-q"]);
    common::git(dir.path(), &["add", "."]);
    common::git(dir.path(), &["commit", "-q", "-m", "base"]);
    let changed = TRAILING.replace("\"T.\"", "\"Changed.\"");
    common::write(dir.path(), "lexicons/b.json", &changed);
    let args = ["--fix", "--changed-since", "HEAD"];
    let (_, _, stderr) = lint(dir.path(), &args, "lexicons");
    assert!(stderr.contains("fixed 1 finding in 1 file;"), "{stderr}");
    let a = fs::read_to_string(dir.path().join("lexicons/a.json")).unwrap();
    let b = fs::read_to_string(dir.path().join("lexicons/b.json")).unwrap();
    assert_eq!(a, TRAILING);
    assert_eq!(b, changed.replace("},}", "}}"));
}
