//! Lints the whole real-world corpus (the five lexicon folders of shared/corpus) through the
//! binary: no crash, deterministic JSON, and exactly the errors listed here as known real defects.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

/// `(file suffix, rule code)` of every error the corpus is known to contain, with the reason.
const KNOWN_ERRORS: &[(&str, &str)] = &[];

#[test]
fn corpus_lints_with_only_known_errors() {
    let corpus = common::corpus_dir();
    let mut args = vec![
        "lint".to_string(),
        "--format".to_string(),
        "json".to_string(),
    ];
    args.extend(
        common::CORPUS_LEXICON_DIRS
            .iter()
            .map(|dir| corpus.join(dir).to_string_lossy().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = common::lexperm(&corpus, &args);
    let second = common::lexperm(&corpus, &args);
    let code = first.status.code().expect("exited normally");
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        common::stderr(&first)
    );
    assert_eq!(first.stdout, second.stdout, "output is deterministic");

    let mut errors = Vec::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for line in common::stdout(&first).lines() {
        let value: Value = serde_json::from_str(line).expect("each line is JSON");
        let code = value["code"].as_str().unwrap().to_string();
        *per_rule
            .entry(format!("{code} {}", value["severity"].as_str().unwrap()))
            .or_default() += 1;
        if value["severity"] == "error" {
            errors.push((value["file"].as_str().unwrap().to_string(), code));
        }
    }
    let unexpected: Vec<&(String, String)> = errors
        .iter()
        .filter(|(file, code)| {
            !KNOWN_ERRORS
                .iter()
                .any(|(suffix, known)| file.ends_with(suffix) && code == known)
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected errors: {unexpected:#?}\nper rule: {per_rule:#?}"
    );
    assert_eq!(
        errors.len(),
        KNOWN_ERRORS.len(),
        "known errors: {errors:#?}"
    );
}
