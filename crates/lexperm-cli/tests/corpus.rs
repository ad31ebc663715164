//! Lints the whole real-world corpus (each set `cargo xtask corpus` extracts) through the binary:
//! no crash, deterministic JSON, and exactly the errors listed here as known real defects. Skipped
//! with a note when the corpus is missing (see `tests/support/corpus.rs`).

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

/// `(file suffix, rule code)` of every error the corpus is known to contain. Each is a real defect,
/// explained in `docs/corpus-defects.md`.
const KNOWN_ERRORS: &[(&str, &str)] = &[
    // Grants `chat.bsky.convo.exportAccountData`; the endpoint is `chat.bsky.actor.exportAccountData`.
    ("atproto/chat/bsky/authFullChatClient.json", "P120"),
];

/// Lints each corpus folder on its own (each is one project; linted together, the vendored
/// copies in hypercerts would be duplicate NSIDs) and returns the JSON lines of all runs, or
/// `None` when the corpus is missing.
fn lint_each_folder() -> Option<Vec<Value>> {
    let corpus = common::corpus()?;
    let mut lines = Vec::new();
    for dir in common::CORPUS_SETS {
        let args = ["lint", "--format", "json", dir];
        let first = common::lexperm(&corpus, &args);
        let second = common::lexperm(&corpus, &args);
        let code = first.status.code().expect("exited normally");
        assert!(
            code == 0 || code == 1,
            "{dir}: exit {code}: {}",
            common::stderr(&first)
        );
        assert_eq!(
            first.stdout, second.stdout,
            "{dir}: output is deterministic"
        );
        for line in common::stdout(&first).lines() {
            lines.push(serde_json::from_str(line).expect("each line is JSON"));
        }
    }
    Some(lines)
}

#[test]
fn corpus_lints_with_only_known_errors() {
    let mut errors = Vec::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let Some(lines) = lint_each_folder() else {
        return;
    };
    for value in lines {
        let code = value["code"].as_str().unwrap().to_string();
        *per_rule
            .entry(format!("{code} {}", value["severity"].as_str().unwrap()))
            .or_default() += 1;
        if value["severity"] == "error" {
            errors.push((value["file"].as_str().unwrap().to_string(), code));
        }
    }
    let expected: Vec<(String, String)> = KNOWN_ERRORS
        .iter()
        .map(|(file, code)| (file.to_string(), code.to_string()))
        .collect();
    assert_eq!(errors, expected, "per rule: {per_rule:#?}");
}

#[test]
fn corpus_catalog_findings_are_the_expected_kinds() {
    let Some(lines) = lint_each_folder() else {
        return;
    };
    let count = |folder: &str, code: &str| {
        lines
            .iter()
            .filter(|v| {
                v["file"].as_str().unwrap().starts_with(folder) && v["code"].as_str() == Some(code)
            })
            .count()
    };
    // hypercerts vendors every lexicon it refers to (its app.bsky, com.atproto and pub.leaflet
    // copies): no unresolved or external refs, no cross-file finding at all.
    assert!(lines.iter().any(|v| v["file"]
        .as_str()
        .unwrap()
        .starts_with("hypercerts/pub/leaflet/")));
    for code in ["L202", "L203", "L204", "L205", "L206"] {
        assert_eq!(count("hypercerts/", code), 0, "hypercerts {code}");
    }
    // Both sets are laid out by NSID path, and the atproto set refers only to itself.
    assert_eq!(count("", "L206"), 0);
    assert_eq!(count("atproto/", "L202"), 0);
    assert_eq!(count("atproto/", "L203"), 0);
    // The permission sets (10 in atproto, 3 in hypercerts) drop nothing; the one P-rule finding is
    // the undefined method of `chat.bsky.authFullChatClient` (P120).
    assert_eq!(
        count("atproto/chat/bsky/authFullChatClient.json", "P120"),
        1
    );
    for code in (101..=116).map(|n| format!("P{n}")) {
        assert_eq!(count("", &code), 0, "{code}");
    }
}
