//! Lints the whole real-world corpus (the five lexicon folders of shared/corpus) through the
//! binary: no crash, deterministic JSON, and exactly the errors listed here as known real defects.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

/// `(file suffix, rule code)` of every error the corpus is known to contain. Each is a real defect,
/// explained in `docs/corpus-defects.md`.
const KNOWN_ERRORS: &[(&str, &str)] = &[
    // Grants `chat.bsky.convo.exportAccountData`; the endpoint is `chat.bsky.actor.exportAccountData`.
    ("atproto-lexicons/chat/bsky/authFullChatClient.json", "P120"),
];

/// Lints each corpus folder on its own (each is one project; linted together, the vendored
/// copies in hypercerts would be duplicate NSIDs) and returns the JSON lines of all runs.
fn lint_each_folder() -> Vec<Value> {
    let corpus = common::corpus_dir();
    let mut lines = Vec::new();
    for dir in common::CORPUS_LEXICON_DIRS {
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
    lines
}

#[test]
fn corpus_lints_with_only_known_errors() {
    let mut errors = Vec::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for value in lint_each_folder() {
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
    let lines = lint_each_folder();
    let count = |folder: &str, code: &str| {
        lines
            .iter()
            .filter(|v| {
                v["file"].as_str().unwrap().starts_with(folder) && v["code"].as_str() == Some(code)
            })
            .count()
    };
    // atcute refers to app.bsky / com.atproto without vendoring them: notes, not errors.
    assert!(count("mary-ext-atcute/", "L203") > 0);
    assert_eq!(count("mary-ext-atcute/", "L202"), 0);
    // The tangled mirror keeps `repo/create.json` for `sh.tangled.repo.create`: every file warns.
    let tangled = lines
        .iter()
        .filter(|v| {
            v["file"]
                .as_str()
                .unwrap()
                .starts_with("mary-ext-tangled.sh-mirror/")
        })
        .map(|v| v["file"].as_str().unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(count("mary-ext-tangled.sh-mirror/", "L206"), 55);
    assert!(tangled <= 55);
    // The official layout mirrors NSIDs; its sets drop nothing.
    assert_eq!(count("atproto-lexicons/", "L206"), 0);
    for code in (101..=116).map(|n| format!("P{n}")) {
        assert_eq!(count("", &code), 0, "{code}");
    }
}
