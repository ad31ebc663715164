//! Lints the whole real-world corpus (the five lexicon folders of shared/corpus) through the
//! binary: no crash, deterministic JSON, and exactly the errors listed here as known real defects.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

/// `(file suffix, rule code, why it is a real defect)` of every error the corpus is known to
/// contain. The per-file rules find none (the parser's corpus test agrees); the one known real
/// defect, `chat.bsky.authFullChatClient` granting the nonexistent
/// `chat.bsky.convo.exportAccountData`, is cross-file and joins this list with the resolver's lint.
const KNOWN_ERRORS: &[(&str, &str, &str)] = &[];

#[test]
fn corpus_lints_with_only_known_errors() {
    let corpus = common::corpus_dir();
    let dirs: Vec<String> = common::CORPUS_LEXICON_DIRS
        .iter()
        .map(|dir| corpus.join(dir).to_string_lossy().to_string())
        .collect();
    let mut args = vec!["lint", "--format", "json"];
    args.extend(dirs.iter().map(String::as_str));
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
        let severity = value["severity"].as_str().unwrap();
        *per_rule.entry(format!("{code} {severity}")).or_default() += 1;
        if severity == "error" {
            errors.push((value["file"].as_str().unwrap().to_string(), code));
        }
    }
    let unexpected: Vec<&(String, String)> = errors
        .iter()
        .filter(|(file, code)| {
            !KNOWN_ERRORS
                .iter()
                .any(|(suffix, known, _)| file.ends_with(suffix) && code == known)
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
    assert!(
        per_rule.keys().any(|key| key.ends_with(" warning")),
        "the corpus has style findings; none were reported"
    );

    let mut human_args = vec!["lint"];
    human_args.extend(dirs.iter().map(String::as_str));
    let human = common::lexperm(&corpus, &human_args);
    let summary = common::stdout(&human);
    let last = summary.lines().last().unwrap_or_default();
    let errors_part = match KNOWN_ERRORS.len() {
        1 => "1 error, ".to_string(),
        n => format!("{n} errors, "),
    };
    assert!(
        last.starts_with(&errors_part) && last.contains(" in 551 files"),
        "{last}"
    );
}
