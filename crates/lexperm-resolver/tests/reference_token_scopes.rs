//! Token scopes checked against the reference authorization server: `fixtures/resolver/token-scopes.json`
//! was produced by `xtask/reference/token-scope.mjs`, which runs `@atproto/oauth-provider`'s own
//! `LexiconManager` on the client scopes of `token-scope-cases.json` with the same lexicon
//! directories this test loads into a catalog.

use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::{Catalog, TokenScopeError};
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/resolver")
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("json")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The reference's error name for the first error (it stops at the first one).
fn reference_error(error: &TokenScopeError) -> &'static str {
    match error {
        TokenScopeError::MissingAtproto => "missing-atproto",
        TokenScopeError::OpenId => "openid",
        TokenScopeError::Include { .. } => "unresolvable-include",
        _ => "other",
    }
}

#[test]
fn token_scopes_match_the_reference_authorization_server() {
    let cases = read_json(&fixtures().join("token-scope-cases.json"));
    let expected = read_json(&fixtures().join("token-scopes.json"));
    let mut files = Vec::new();
    for dir in cases["lexicons"].as_array().expect("lexicons") {
        walk(&fixtures().join(dir.as_str().unwrap()), &mut files);
    }
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(p).expect("read"),
            )
        })
        .collect();
    let (catalog, _) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (p, t))| (FileId(i as u32), p.as_str(), t.as_str())),
    );
    assert!(catalog.permission_sets().count() >= 15);

    let results = expected["cases"].as_array().expect("cases");
    assert_eq!(results.len(), cases["scopes"].as_array().unwrap().len());
    let mut failures = Vec::new();
    for case in results {
        let scope = case["scope"].as_str().unwrap();
        let token = catalog.token_scope(scope);
        let actual_scope = token.token_scope();
        let actual_error = token.errors.first().map(reference_error);
        let want_scope = case["token_scope"].as_str().map(str::to_owned);
        let want_error = case["error"].as_str();
        if actual_scope != want_scope || actual_error != want_error {
            failures.push(format!(
                "{scope:?}\n  reference: {want_scope:?} {want_error:?}\n  lexperm:   {actual_scope:?} {actual_error:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
