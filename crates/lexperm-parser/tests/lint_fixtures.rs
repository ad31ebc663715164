//! Snapshot tests for the per-file rules: every `tests/fixtures/lint/<rule-name>/*.json` is linted
//! and its diagnostics (code, line:column, message, help, labels) are snapshotted. A file named
//! `invalid*.json` must trigger its folder's rule; `valid*.json` must not.

use std::path::Path;

use lexperm_parser::diagnostics::{FileId, LineIndex};
use lexperm_parser::rules::{lint_file, lookup, registry};

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
    insta::glob!("fixtures/lint/*/*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let rule_name = path
            .parent()
            .and_then(Path::file_name)
            .unwrap()
            .to_str()
            .unwrap();
        let rule = lookup(rule_name).unwrap_or_else(|| panic!("no rule named {rule_name}"));
        let (rendered, codes) = check(&text);
        let file_name = path.file_name().unwrap().to_str().unwrap();
        if file_name.starts_with("invalid") {
            assert!(
                codes.contains(&rule.code),
                "{path:?} does not trigger {}",
                rule.code
            );
        } else {
            assert!(
                !codes.contains(&rule.code),
                "{path:?} triggers {}",
                rule.code
            );
        }
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint");
    for rule in registry() {
        let invalid = root.join(rule.name).join("invalid.json");
        assert!(
            invalid.exists(),
            "{} {} has no fixture {invalid:?}",
            rule.code,
            rule.name
        );
    }
}
