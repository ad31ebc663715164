//! Every case of the reference expansion files reproduced through the catalog: documents are
//! loaded as files, looked up by NSID and expanded. `fixtures/resolver/permission-set-expansions.json`
//! holds the permission sets written for lexperm (`fixtures/resolver/sources/`) and synthetic
//! ones; `fixtures/resolver/corpus-expansions.json` every permission set of the real-world corpus.
//! Both were measured with `@atproto/oauth-scopes` `IncludeScope.toScopes`
//! (`fixtures/resolver/expansions.mjs`).

use std::path::{Path, PathBuf};

#[path = "../../../tests/support/corpus.rs"]
mod corpus;

use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::Catalog;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/resolver")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The document text a case's `source` names under `root` (`file` or `file#name` inside a
/// `[{name, lexicon}]` array).
fn source_text(root: &Path, source: &str) -> String {
    let (file, name) = match source.split_once('#') {
        Some((file, name)) => (file, Some(name)),
        None => (source, None),
    };
    let text = read(&root.join(file));
    match name {
        None => text,
        Some(name) => {
            let list: Value = serde_json::from_str(&text).expect("json");
            let item = list
                .as_array()
                .expect("array of named lexicons")
                .iter()
                .find(|item| item["name"] == name)
                .unwrap_or_else(|| panic!("{name} not in {file}"));
            serde_json::to_string_pretty(&item["lexicon"]).expect("serialize")
        }
    }
}

/// A synthetic case's document: a permission set with the case's NSID and permissions.
fn synthetic_text(include: &str, permissions: &Value) -> String {
    let nsid = include
        .strip_prefix("include:")
        .and_then(|rest| rest.split('?').next())
        .expect("include:<nsid>");
    serde_json::to_string_pretty(&serde_json::json!({
        "lexicon": 1,
        "id": nsid,
        "defs": {"main": {"type": "permission-set", "permissions": permissions}}
    }))
    .expect("serialize")
}

/// Expands one case through `catalog`; returns a mismatch description.
fn check(catalog: &Catalog, case: &Value) -> Option<String> {
    let include = case["include"].as_str().expect("include");
    let expected: Vec<String> =
        serde_json::from_value(case["expandedScopes"].clone()).expect("expandedScopes");
    let expansion = match catalog.expand_str(include) {
        Ok(expansion) => expansion,
        Err(e) => return Some(format!("{include}: {e}")),
    };
    let entries = expansion
        .schema
        .permissions
        .as_ref()
        .map_or(0, |p| p.value.len());
    if expansion.granted.len() + expansion.dropped.len() != entries {
        return Some(format!("{include}: entries not all accounted for"));
    }
    let actual = expansion.granted_strings();
    (actual != expected).then(|| {
        format!(
            "{} {include}: expected {expected:?}, got {actual:?}",
            case["source"]
        )
    })
}

/// Checks every case of the expansion file `cases_file`, whose `source`s are files under `root`;
/// returns the number of cases checked.
fn check_file(cases_file: &Path, root: &Path) -> usize {
    let doc: Value = serde_json::from_str(&read(cases_file)).expect("json");
    let cases = doc["cases"].as_array().expect("cases");

    // Every file-backed set in one catalog, as `lexperm expand --lexicons` would load them.
    let mut texts: Vec<(String, String)> = Vec::new();
    for case in cases.iter().filter(|c| c.get("permissions").is_none()) {
        let source = case["source"].as_str().expect("source");
        if !texts.iter().any(|(s, _)| s == source) {
            texts.push((source.to_owned(), source_text(root, source)));
        }
    }
    let (shared, diagnostics) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (path, text))| (FileId(i as u32), path.as_str(), text.as_str())),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(shared.permission_sets().count(), texts.len());

    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let failure = match case.get("permissions") {
            None => check(&shared, case),
            Some(permissions) => {
                let text = synthetic_text(case["include"].as_str().unwrap(), permissions);
                let (catalog, _) = Catalog::load([(FileId(0), "synthetic.json", text.as_str())]);
                check(&catalog, case)
            }
        };
        failures.extend(failure);
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    checked
}

#[test]
fn reference_expansions_through_the_catalog() {
    let checked = check_file(
        &fixtures().join("permission-set-expansions.json"),
        &fixtures().join("sources"),
    );
    assert_eq!(checked, 78);
}

/// Every permission set of the real-world corpus, without and with `?aud=`.
#[test]
fn corpus_expansions_through_the_catalog() {
    let Some(root) = corpus::corpus() else { return };
    let checked = check_file(&fixtures().join("corpus-expansions.json"), &root);
    // Two cases per permission set of the corpus.
    let sets = corpus::corpus_files(&root, corpus::CORPUS_SETS)
        .iter()
        .filter(|path| {
            let doc: Value = serde_json::from_str(&read(path)).expect("json");
            doc["defs"]["main"]["type"] == "permission-set"
        })
        .count();
    assert_eq!(checked, 2 * sets);
}

/// Dropped entries point into the file: the span of a blamed field starts at its key.
#[test]
fn dropped_entries_carry_spans_and_codes() {
    let text = r#"{"lexicon": 1, "id": "com.example.calendar.auth", "defs": {"main": {
  "type": "permission-set",
  "permissions": [
    {"type": "permission", "resource": "rpc", "aud": "did:web:x.com#svc", "lxm": ["com.example.calendar.list"]},
    {"type": "permission", "resource": "repo", "collection": ["com.example.calendar.event"]},
    {"type": "permission", "resource": "blob", "accept": ["image/*"]}
  ]}}}"#;
    let (catalog, _) = Catalog::load([(FileId(7), "auth.json", text)]);
    let expansion = catalog
        .expand_str("include:com.example.calendar.auth")
        .unwrap();
    assert_eq!(
        expansion.granted_strings(),
        ["repo:com.example.calendar.event"]
    );
    assert_eq!(expansion.granted[0].entry_index, 1);
    let codes: Vec<(usize, &str, Option<&str>)> = expansion
        .dropped
        .iter()
        .map(|d| (d.entry_index, d.code(), d.field.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            (0, "fixed-aud", Some("aud")),
            (2, "unsupported-resource", Some("resource"))
        ]
    );
    let aud = &expansion.dropped[0];
    assert_eq!(aud.span.file, FileId(7));
    let snippet = &text[aud.span.start as usize..aud.span.end as usize];
    assert_eq!(snippet, r#""aud": "did:web:x.com#svc""#);
    let entry = &text[aud.entry_span.start as usize..aud.entry_span.end as usize];
    assert!(entry.starts_with('{') && entry.ends_with('}'));
}

#[test]
fn errors_for_missing_and_non_set_documents() {
    let text =
        r#"{"lexicon": 1, "id": "com.example.getThing", "defs": {"main": {"type": "query"}}}"#;
    let (catalog, _) = Catalog::load([(FileId(0), "q.json", text)]);
    let err = catalog
        .expand_str("include:com.example.getThing")
        .unwrap_err();
    assert_eq!(err.code(), "not-a-permission-set");
    assert!(err.to_string().contains("a query"), "{err}");
    let err = catalog
        .expand_str("include:com.example.nothing")
        .unwrap_err();
    assert_eq!(err.code(), "not-found");
    let err = catalog.expand_str("include:com.example.*").unwrap_err();
    assert_eq!(err.code(), "invalid-scope");
    let err = catalog.expand_str("repo:com.example.post").unwrap_err();
    assert_eq!(err.code(), "invalid-scope");
}
