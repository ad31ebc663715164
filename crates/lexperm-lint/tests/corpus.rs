//! Loads real-world and reference lexicons and checks the verdicts.
//!
//! - `lexicon/cases.json` (lexicons written for lexperm, with `@atproto/lexicon`'s verdict): every
//!   valid case loads with zero errors; every invalid case fails with the rule code in
//!   [`INVALID_CASES`];
//! - `reference/lexicon-doc-probes.json`: lexperm's verdict matches `@atproto/lex-document`'s,
//!   except the deliberate divergences in [`PROBE_DIVERGENCES`];
//! - `catalog/` (one lexicon written for lexperm per primary type): each loads with zero errors;
//! - `lexlint/examples.json` (schemas written for lexperm, with the rule names indigo's lexlint
//!   reports for them): lexperm reports the same lexlint rule names;
//! - the real-world corpus of `cargo xtask corpus` (skipped with a note when it is missing, see
//!   `tests/support/corpus.rs`): every lexicon loads with zero errors except the defects listed in
//!   [`CORPUS_DEFECTS`].

use std::collections::BTreeMap;
use std::path::Path;

use lexperm_lint::lint_file;
use lexperm_parser::diagnostics::{Diagnostic, FileId, Severity};
use serde_json::Value;

fn fixture(path: &str) -> Value {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn lint_value(value: &Value) -> Vec<Diagnostic> {
    let text = serde_json::to_string_pretty(value).unwrap();
    lint_file(FileId(0), &text).diagnostics
}

fn error_codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    let mut codes: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.code)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The `valid` or `invalid` list of `lexicon/cases.json`.
fn cases(list: &str) -> Vec<Value> {
    fixture("lexicon/cases.json")[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} list"))
        .clone()
}

#[test]
fn valid_lexicons_have_no_errors() {
    let cases = cases("valid");
    assert_eq!(cases.len(), 3);
    for case in &cases {
        assert_eq!(case["reference"], "ok", "{}", case["name"]);
        let diagnostics = lint_value(&case["lexicon"]);
        assert!(
            error_codes(&diagnostics).is_empty(),
            "{}: {diagnostics:#?}",
            case["name"]
        );
    }
}

/// Each invalid case and the rule that must reject it.
const INVALID_CASES: &[(&str, &str)] = &[
    ("lexicon version is a string", "L103"),
    ("id is a number", "L103"),
    ("id is not an NSID", "L107"),
    ("named def of type unknown", "L110"),
    ("named def of type ref", "L110"),
    ("record def not named main", "L109"),
    ("record schema without type object", "L104"),
];

/// Invalid cases `@atproto/lexicon` accepts: the specification allows `unknown` only as a field
/// type, so lexperm rejects a named def of it (L110), as atproto's interop vectors do.
const REFERENCE_ACCEPTS: &[&str] = &["named def of type unknown"];

#[test]
fn invalid_lexicons_fail_with_the_expected_rule() {
    let cases = cases("invalid");
    assert_eq!(cases.len(), INVALID_CASES.len());
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let expected = INVALID_CASES
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap_or_else(|| panic!("no expected code for {name:?}"))
            .1;
        let reference = if REFERENCE_ACCEPTS.contains(&name) {
            "ok"
        } else {
            "error"
        };
        assert_eq!(case["reference"], reference, "{name}");
        let codes = error_codes(&lint_value(&case["lexicon"]));
        assert!(
            codes.contains(&expected),
            "{name}: expected {expected}, got {codes:?}"
        );
    }
}

#[test]
fn catalog_loads() {
    // The catalogue uses inline nested objects (allowed by the spec and Go, rejected by TS): they
    // are a portability warning, not an error.
    for name in [
        "permission-set",
        "procedure",
        "query",
        "record",
        "subscription",
    ] {
        let value = fixture(&format!("catalog/{name}.json"));
        let diagnostics = lint_value(&value);
        assert!(
            error_codes(&diagnostics).is_empty(),
            "{name}: {diagnostics:#?}"
        );
    }
}

/// Probe cases where lexperm deliberately disagrees with `@atproto/lex-document`, with lexperm's
/// verdict (`true` = error) and the rule that decides. See `docs/lexicon-divergences.md`.
const PROBE_DIVERGENCES: &[(&str, bool, &str)] = &[
    (
        "nested inline object prop",
        false,
        "S118 warning: spec and Go allow it",
    ),
    (
        "array of object items",
        false,
        "S118 warning: spec and Go allow it",
    ),
    (
        "array of array",
        false,
        "S118 warning: spec and Go allow it",
    ),
    (
        "closed empty union prop",
        true,
        "L119: spec says invalid, Go rejects",
    ),
    (
        "string default+const",
        true,
        "L120: spec says exclusive, Go rejects",
    ),
    (
        "string min>max",
        true,
        "L121: no value can match, Go rejects",
    ),
    ("negative maxLength", true, "L122: Go rejects"),
    ("nullable not in props", true, "L114: Go rejects"),
    ("zero defs", true, "L108: spec says invalid"),
    (
        "permset title:langs (old)",
        true,
        "L127: translations silently lost",
    ),
    (
        "def name with dot",
        true,
        "L111: Go rejects, ambiguous in refs",
    ),
    (
        "def name with hash",
        true,
        "L111: Go rejects, unaddressable",
    ),
    (
        "blob accept bad glob",
        true,
        "L123: spec forbids partial globs",
    ),
    (
        "input on query",
        true,
        "L118: spec checklist, input is ignored",
    ),
    ("ref empty string", true, "L124: can never resolve"),
    ("ref garbage", true, "L124: can never resolve"),
];

#[test]
fn doc_probes_match_the_typescript_verdicts() {
    let probes = fixture("reference/lexicon-doc-probes.json");
    let cases = probes["cases"].as_array().unwrap();
    let mut mismatches = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let ts_error = case["ts_lex_document"].as_str().unwrap() != "ok";
        let expected = match PROBE_DIVERGENCES.iter().find(|(n, _, _)| *n == name) {
            Some((_, verdict, _)) => {
                assert_ne!(
                    *verdict, ts_error,
                    "{name} is listed as a divergence but agrees with TS"
                );
                *verdict
            }
            None => ts_error,
        };
        let diagnostics = lint_value(&case["lexicon"]);
        let ours = !error_codes(&diagnostics).is_empty();
        if ours != expected {
            mismatches.push(format!(
                "{name}: expected error={expected}, got {diagnostics:#?}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// lexperm rule codes and the indigo lexlint rule names they reproduce.
const LEXLINT_NAMES: &[(&str, &str)] = &[
    ("L106", "lexicon-version"),
    ("L107", "invalid-nsid"),
    ("L109", "non-main-primary"),
    ("S101", "missing-primary-description"),
    ("S102", "undescribed-token"),
    ("S103", "endpoint-output-undefined"),
    ("S104", "unlimited-string"),
    ("S105", "large-string"),
    ("S106", "unlimited-bytes"),
    ("S107", "large-bytes"),
    ("S108", "known-string-local-ref"),
    ("S109", "field-name-syntax"),
    ("S110", "def-name-syntax"),
    ("S111", "defs-main-definition"),
    ("S112", "nullable-and-optional"),
    ("S113", "permissionset-no-title"),
    ("S115", "permissionset-no-permissions"),
    ("S116", "subscription-no-messages"),
    ("S117", "unexpected-field"),
];

#[test]
fn lexlint_examples_give_the_same_verdict() {
    let examples = fixture("lexlint/examples.json");
    let examples = examples["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 3);
    for example in examples {
        let mut expected: Vec<&str> = example["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        expected.sort_unstable();
        let diagnostics = lint_value(&example["schema"]);
        let mut ours: Vec<&str> = diagnostics
            .iter()
            .map(|d| {
                LEXLINT_NAMES
                    .iter()
                    .find(|(code, _)| *code == d.code)
                    .map_or(d.name, |(_, name)| *name)
            })
            .collect();
        ours.sort_unstable();
        ours.dedup();
        assert_eq!(ours, expected, "{}", example["name"]);
    }
}

#[path = "../../../tests/support/corpus.rs"]
mod support;

/// Real defects found in the corpus: (path suffix, rule code, why it is real).
const CORPUS_DEFECTS: &[(&str, &str, &str)] = &[];

#[test]
fn real_world_corpus_loads_without_errors() {
    let Some(root) = support::corpus() else {
        return;
    };
    let files = support::corpus_files(&root, support::CORPUS_SETS);
    // 397 atproto documents (387 of @atproto/api, 10 permission sets of @atproto/pds) and 59 of
    // @hypercerts-org/lexicon.
    assert_eq!(files.len(), 456, "corpus lexicon count changed");
    let mut unexpected = Vec::new();
    let mut warnings: BTreeMap<&str, usize> = BTreeMap::new();
    let mut found_defects = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let loaded = lint_file(FileId(0), &text);
        assert!(loaded.doc.is_some(), "{path:?}");
        for d in &loaded.diagnostics {
            if d.severity != Severity::Error {
                *warnings.entry(d.code).or_default() += 1;
                continue;
            }
            let display = path.display().to_string();
            match CORPUS_DEFECTS
                .iter()
                .find(|(suffix, code, _)| display.ends_with(suffix) && *code == d.code)
            {
                Some(defect) => found_defects.push(defect.0),
                None => unexpected.push(format!("{display}: {} {}: {}", d.code, d.name, d.message)),
            }
        }
    }
    eprintln!("{} files; warnings by rule: {warnings:?}", files.len());
    assert!(
        unexpected.is_empty(),
        "unexpected errors:\n{}",
        unexpected.join("\n")
    );
    for (suffix, code, _) in CORPUS_DEFECTS {
        assert!(
            found_defects.contains(suffix),
            "defect {suffix} {code} no longer reported"
        );
    }
}
