//! Snapshot tests of every output format over each fixture folder, running the real binary from
//! the workspace root so paths in the output are stable. Folders: `fixtures/lint/<rule-name>/`
//! (CLI-level cases) and the parser's per-rule `crates/lexperm-parser/tests/fixtures/lint/<rule-name>/`.

mod common;

use std::path::Path;

const FORMATS: &[&str] = &["human", "json", "sarif", "github"];

/// Lints one fixture folder in every format and snapshots each output with its exit code, named
/// `lint@<prefix><folder>@<format>`. `extra` arguments go after the format.
fn check(dir: &Path, prefix: &str, extra: &[&str]) {
    let root = common::workspace_root();
    let relative = dir
        .strip_prefix(&root)
        .expect("fixtures live in the workspace")
        .to_string_lossy()
        .replace('\\', "/");
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    for format in FORMATS {
        let mut args = vec!["lint", relative.as_str(), "--format", format];
        args.extend_from_slice(extra);
        let output = common::lexperm(&root, &args);
        let code = output.status.code().expect("exited normally");
        assert!(
            code == 0 || code == 1,
            "{relative} --format {format}: exit {code}\n{}",
            common::stderr(&output)
        );
        let mut out = common::stdout(&output);
        if *format == "sarif" {
            out = compact_sarif(&out);
        }
        let text = format!("exit code: {code}\n{out}");
        insta::with_settings!({
            snapshot_suffix => format!("{prefix}{name}@{format}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("lint", text);
        });
    }
}

/// The SARIF log with each rule descriptor replaced by its id: the descriptors are the same in
/// every run (`tests/cli.rs` checks them) and would otherwise dominate every snapshot.
fn compact_sarif(text: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let rules = &mut log["runs"][0]["tool"]["driver"]["rules"];
    let ids: Vec<serde_json::Value> = rules
        .as_array()
        .expect("driver lists rules")
        .iter()
        .map(|rule| rule["id"].clone())
        .collect();
    *rules = serde_json::Value::Array(ids);
    serde_json::to_string_pretty(&log).expect("serializes") + "\n"
}

#[test]
fn lint_fixture_folders() {
    let base = common::workspace_root().join("fixtures").join("lint");
    let mut checked = 0;
    insta::glob!("../../../fixtures/lint", "*", |path| {
        // The glob also yields its base directory; only the folders inside it are fixtures.
        if path.is_dir() && path != base {
            check(path, "", &[]);
            checked += 1;
        }
    });
    assert!(checked > 0, "no fixture folders under {}", base.display());
}

#[test]
fn parser_rule_fixture_folders() {
    let base = common::workspace_root().join("crates/lexperm-parser/tests/fixtures/lint");
    let mut checked = 0;
    insta::glob!("../../lexperm-parser/tests/fixtures/lint", "*", |path| {
        if path.is_dir() && path != base {
            // These folders hold `invalid.json` files, not an NSID layout: the path rule would
            // add the same warning to every snapshot.
            check(path, "parser-", &["--ignore", "file-path-mismatch"]);
            checked += 1;
        }
    });
    assert!(
        checked >= 40,
        "only {checked} rule folders under {}",
        base.display()
    );
}
