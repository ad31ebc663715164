//! Snapshot tests for the per-file rules over the workspace's lint fixtures,
//! `fixtures/lint/<rule-name>/<nsid path>.json` (shared with the CLI's snapshot tests). Every
//! file in the folder of a per-file rule is linted on its own and its diagnostics (code,
//! line:column, message, help, labels) are snapshotted. At least one file in each such folder must
//! trigger the folder's rule; a file whose name starts with `valid` (`com/example/validThing.json`,
//! the fixed counterpart) must not. Folders of catalog rules are checked by the CLI tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lexperm_lint::{file_rules, lint_file};
use lexperm_parser::diagnostics::{FileId, LineIndex};

/// `fixtures/lint` at the workspace root.
fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/lint")
        .canonicalize()
        .expect("fixtures/lint exists at the workspace root")
}

/// Lints `text` and renders every diagnostic, one per line, with help and labels indented.
fn check(text: &str) -> (String, Vec<&'static str>) {
    let loaded = lint_file(FileId(0), text);
    let index = LineIndex::new(text);
    let mut out = String::new();
    let mut codes = Vec::new();
    for d in &loaded.diagnostics {
        codes.push(d.code);
        let (line, col) = index.line_col(text, d.span.start);
        out.push_str(&format!(
            "{} {} {} {line}:{col}: {}\n",
            d.code, d.name, d.severity, d.message
        ));
        for label in &d.labels {
            let (line, col) = index.line_col(text, label.span.start);
            out.push_str(&format!("    label {line}:{col}: {}\n", label.message));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("    help: {help}\n"));
        }
    }
    (out, codes)
}

#[test]
fn lint_fixtures() {
    let root = fixtures_root();
    // Rule name -> whether some file of its folder triggered it.
    let mut triggered: BTreeMap<&'static str, bool> = BTreeMap::new();
    insta::glob!("../../../fixtures/lint", "*/**/*.json", |path| {
        let folder = path
            .strip_prefix(&root)
            .expect("glob stays under fixtures/lint")
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        // Folders of catalog rules and CLI-level cases are not per-file rules.
        let Some(rule) = file_rules().find(|rule| rule.name == folder) else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let (rendered, codes) = check(&text);
        let fires = codes.contains(&rule.code);
        let file_name = path.file_name().unwrap().to_str().unwrap();
        if file_name.starts_with("valid") {
            assert!(
                !fires,
                "{path:?} is a clean counterpart but triggers {}",
                rule.code
            );
        }
        *triggered.entry(rule.name).or_default() |= fires;
        insta::assert_snapshot!(rendered);
    });
    for (name, fired) in &triggered {
        assert!(fired, "no file in fixtures/lint/{name}/ triggers {name}");
    }
    for rule in file_rules() {
        assert!(
            triggered.contains_key(rule.name),
            "{} {} has no fixture folder fixtures/lint/{}/",
            rule.code,
            rule.name,
            rule.name
        );
    }
}
