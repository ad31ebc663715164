//! The permissioned-data authority `fixtures/resolver/space/`: expansions and token scopes
//! against the outputs measured with the permissioned-data reference
//! (`fixtures/resolver/space-expansions.jsonl`, `space-token-scopes.jsonl`).

use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::FileId;
use lexperm_parser::scope::{RepoAction, ScopeRequest, SpaceManageOp, SpaceOp};
use lexperm_resolver::Catalog;
use serde_json::Value;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/resolver")
}

fn files(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

fn catalog() -> Catalog {
    let mut texts = Vec::new();
    files(&fixtures().join("space"), &mut texts);
    let (catalog, diagnostics) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (p, t))| (FileId(i as u32), p.as_str(), t.as_str())),
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    catalog
}

fn lines(name: &str) -> Vec<Value> {
    std::fs::read_to_string(fixtures().join(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn catalog_indexes_the_space_declaration() {
    let catalog = catalog();
    let (doc, space) = catalog
        .space_decl("com.example.corkboard.board")
        .expect("declared");
    assert_eq!(doc.nsid_str(), "com.example.corkboard.board");
    assert_eq!(space.name.as_ref().unwrap().value, "Cork Board");
    assert_eq!(catalog.spaces().count(), 1);
    let missing = catalog
        .space_decl("com.example.corkboard.nothing")
        .unwrap_err();
    assert_eq!(missing.code(), "space-not-found");
    let record = catalog
        .space_decl("com.example.corkboard.note")
        .unwrap_err();
    assert_eq!(record.code(), "not-a-space");
    assert!(record.to_string().contains("a record"), "{record}");
}

/// A declaration the strict validator rejects cannot be resolved when a token is issued, so a
/// bare grant of its type is refused, and the error says which rule it breaks.
#[test]
fn invalid_declarations_refuse_bare_grants() {
    let board = |main: &str| {
        format!(r#"{{"lexicon": 1, "id": "com.example.board", "defs": {{"main": {main}}}}}"#)
    };
    let cases = [
        (
            r#"{"type": "space", "name": "Board", "collections": []}"#,
            "`key` is missing",
        ),
        (
            r#"{"type": "space", "key": "literal:", "name": "Board", "collections": []}"#,
            "`key` `literal:`",
        ),
        (
            r#"{"type": "space", "key": "any", "collections": []}"#,
            "`name` is missing",
        ),
        (
            r#"{"type": "space", "key": "any", "name": "", "collections": []}"#,
            "0 UTF-8 bytes",
        ),
        (
            r#"{"type": "space", "key": "any", "name": "Board"}"#,
            "`collections` is missing",
        ),
        (
            r#"{"type": "space", "key": "any", "name": "Board", "collections": ["nope"]}"#,
            "`nope` is not an NSID",
        ),
    ];
    for (main, cause) in cases {
        let text = board(main);
        let (catalog, _) = Catalog::load([(FileId(0), "com/example/board.json", text.as_str())]);
        let error = catalog.space_decl("com.example.board").unwrap_err();
        assert_eq!(error.code(), "invalid-space", "{main}");
        assert!(error.to_string().contains(cause), "{main}: {error}");
        let token = catalog.token_scope("atproto space:com.example.board");
        assert_eq!(token.token_scope(), None, "{main}");
        assert_eq!(token.errors[0].code(), "invalid-space", "{main}");
    }
    let valid = board(
        r#"{"type": "space", "key": "any", "name": "Board", "collections": ["com.example.note"]}"#,
    );
    let (catalog, _) = Catalog::load([(FileId(0), "com/example/board.json", valid.as_str())]);
    assert_eq!(
        catalog
            .token_scope("atproto space:com.example.board")
            .token_scope()
            .as_deref(),
        Some("atproto space:com.example.board?collection=com.example.note")
    );
}

#[test]
fn expansions_match_the_reference() {
    let catalog = catalog();
    for case in lines("space-expansions.jsonl") {
        let input = case["input"].as_str().unwrap();
        let expansion = catalog.expand_str(input).unwrap();
        let want: Vec<&str> = case["granted"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(expansion.granted_strings(), want, "{input}");
        assert_eq!(expansion.dropped.len(), 1, "{input}");
        assert_eq!(expansion.dropped[0].code(), "unknown-field");
    }
}

#[test]
fn token_scopes_match_the_reference() {
    let catalog = catalog();
    let cases = lines("space-token-scopes.jsonl");
    assert!(cases.len() >= 6);
    for case in cases {
        let scope = case["scope"].as_str().unwrap();
        let user = case["user"].as_str();
        let token = catalog.token_scope_for_user(scope, user);
        assert_eq!(
            token.token_scope().as_deref(),
            case["token"].as_str(),
            "{scope} for {user:?}: {:?}",
            token.errors
        );
        match case["refused"].as_str() {
            Some(space_type) => {
                let error = &token.errors[0];
                assert!(matches!(error.code(), "space-not-found" | "not-a-space"));
                assert!(error.to_string().contains(space_type), "{error}");
                assert!(error.to_string().contains("refuses to issue"), "{error}");
            }
            None => assert!(token.errors.is_empty(), "{:?}", token.errors),
        }
        if user.is_some() {
            assert_eq!(token.unresolved_self().count(), 0, "{scope}");
        }
    }
}

#[test]
fn self_grants_match_nothing_until_the_user_is_known() {
    let catalog = catalog();
    let scope = "atproto include:com.example.corkboard.authBoard";
    let alice = "did:plc:alice2xs6mhgztb3jbkyrpmr";
    let read_self = ScopeRequest::Space {
        space_type: "com.example.corkboard.board".into(),
        authority: alice.into(),
        skey: "self".into(),
        op: SpaceOp::ReadSelf,
    };
    let without = catalog.token_scope(scope);
    assert_eq!(without.unresolved_self().count(), 1);
    // entry #0 (authority=*) reads everything, so read_self is allowed through it
    let hit = without.checker(false).check(&read_self).unwrap();
    assert_eq!(hit.provenance.as_ref().unwrap().entry_index, 0);
    let remove = ScopeRequest::Space {
        space_type: "com.example.corkboard.board".into(),
        authority: alice.into(),
        skey: "other".into(),
        op: SpaceOp::ReadSelf,
    };
    assert!(without.checker(false).check(&remove).is_none());
    let with = catalog.token_scope_for_user(scope, Some(alice));
    assert_eq!(with.unresolved_self().count(), 0);
    let hit = with
        .checker(false)
        .check(&remove)
        .expect("allowed through entry #1");
    let provenance = hit.provenance.as_ref().unwrap();
    assert_eq!(provenance.entry_index, 1);
    assert_eq!(
        hit.requested_as.as_deref(),
        Some("space:com.example.corkboard.board?action=read_self")
    );
    // The filled collections are write targets only with a write action: entry #1 has none.
    let write = ScopeRequest::Space {
        space_type: "com.example.corkboard.board".into(),
        authority: alice.into(),
        skey: "other".into(),
        op: SpaceOp::Write {
            action: RepoAction::Create,
            collection: "com.example.corkboard.removal".into(),
        },
    };
    assert!(with.checker(false).check(&write).is_none());
    let manage = ScopeRequest::Space {
        space_type: "com.example.corkboard.board".into(),
        authority: "did:plc:bob".into(),
        skey: "self".into(),
        op: SpaceOp::Manage(SpaceManageOp::Update),
    };
    assert_eq!(
        with.checker(false)
            .check(&manage)
            .and_then(|v| v.provenance.as_ref())
            .map(|p| p.entry_index),
        Some(0)
    );
}
