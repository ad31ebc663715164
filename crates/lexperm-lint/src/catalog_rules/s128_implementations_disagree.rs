//! S128 `implementations-disagree`: another common permissioned-data implementation reads a
//! `space` permission differently from the reference.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::lexicon::PermissionEntry;
use lexperm_parser::scope::include::DropReason;
use lexperm_parser::scope::{NsidPattern, Scope, SpaceAction, SpaceKey};

use crate::catalog_rules::permission_sets::permissioned_data_sets;
use lexperm_resolver::catalog::{Catalog, SpaceDeclError};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S128",
    name: "implementations-disagree",
    severity: Severity::Warning,
    summary: "Another common permissioned-data implementation reads a `space` permission differently from the reference",
    doc: r##"## What it does
Reports `space` permissions that the reference (`@atproto/oauth-scopes`, permissioned-data build)
and another common implementation treat differently, naming the implementation:

- an unknown field (`description`, `did`, …): the reference drops the entry; rsky, swift-atproto
  and atproto-crates ignore the field and keep it (atproto-crates reads `did` as the authority);
- a `spaceType` outside the set's namespace: the reference drops the entry; rsky does not check
  and grants it; swift-atproto rejects the whole set;
- an NSID, DID or space key the reference rejects: rsky and atproto-crates check little syntax
  and may keep the entry;
- `read_self` with `collection`: the reference lets it read the user's records of every
  collection; rsky only those of the listed collections;
- `read` and `read_self` together: swift-atproto drops `read_self`;
- `~` in `skey`: the reference writes `%7E` in the scope string; swift-atproto and atproto-crates
  write `~`, so the strings differ;
- a grant that names no `collection` of a space type whose loaded declaration the strict
  validator rejects (no `key`, no `name`, a collection that is not an NSID, …): the authorization
  server fills such grants from the declaration when it issues a token; the reference refuses to
  issue the token when it cannot resolve the declaration, cirrus issues it without collections
  (reads work, writes do not). A declaration that is missing or not a `space` is P121's.

## Why is this bad?
Users on different PDSes get different access from the same set: an app tested against one
implementation fails, or gets more than it asked for, on another. Write entries every
implementation reads alike.

## Example
```json
{"type": "permission", "resource": "space", "spaceType": "com.example.board",
 "action": ["read_self"], "collection": ["com.example.note"]}
```
"##,
};

/// Reports every `space` permission another implementation reads differently.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for set in permissioned_data_sets(catalog) {
        let is_space = |entry: &PermissionEntry| {
            entry.resource.as_ref().is_some_and(|r| r.value == "space")
        };
        for dropped in set.dropped {
            let entry = &set.entries[dropped.entry_index];
            if !is_space(entry) {
                continue;
            }
            let member = dropped.field.as_deref().and_then(|f| entry.member(f));
            let (span, text) = match (dropped.reason, member) {
                (DropReason::UnknownField, Some(m)) if m.key == "did" => (
                    m.key_span,
                    "the reference drops this entry for its unknown field `did`; atproto-crates reads `did` as the authority and grants the entry, rsky and swift-atproto ignore the field and grant the rest",
                ),
                (DropReason::UnknownField, Some(m)) => (
                    m.key_span,
                    "the reference drops this entry for its unknown field; rsky, swift-atproto and atproto-crates ignore the field and grant the entry",
                ),
                (DropReason::OutsideNamespace, Some(m)) if m.key == "spaceType" => (
                    m.value.span,
                    "the reference drops this entry for its out-of-namespace `spaceType`; rsky does not check and grants it, swift-atproto rejects the whole set",
                ),
                (DropReason::InvalidNsid | DropReason::InvalidValue, Some(m)) => (
                    m.value.span,
                    "the reference drops this entry for its invalid value; rsky and atproto-crates check little NSID, DID and space key syntax and may grant it",
                ),
                _ => continue,
            };
            out.push(disagreement(span, set.nsid.as_str(), dropped.entry_index, text));
        }
        for granted in set.granted {
            let Scope::Space(space) = &granted.scope else {
                continue;
            };
            let entry = &set.entries[granted.entry_index];
            let read_self = entry
                .member("action")
                .and_then(|m| m.value.as_array())
                .and_then(|items| items.iter().find(|i| i.as_str() == Some("read_self")));
            let has = |a| space.actions.contains(&a);
            if let Some(item) = read_self {
                if !space.collections.is_empty() && !has(SpaceAction::Read) {
                    out.push(disagreement(item.span, set.nsid.as_str(), granted.entry_index,
                        "`read_self` reads the user's records of every collection in the reference (reads ignore `collection`); rsky only lets it read the listed collections"));
                }
                if has(SpaceAction::Read) {
                    out.push(disagreement(item.span, set.nsid.as_str(), granted.entry_index,
                        "`read` and `read_self` are both kept by the reference (`read` implies `read_self`); swift-atproto drops `read_self`"));
                }
            }
            if let (NsidPattern::Nsid(space_type), true, Some(m)) = (
                &space.space_type,
                space.collections.is_empty(),
                entry.member("spaceType"),
            ) {
                if let Err(SpaceDeclError::Invalid { problem, .. }) =
                    catalog.space_decl(space_type.as_str())
                {
                    let text = format!("this grant names no `collection`, so it is filled from the declaration of `{space_type}` when a token is issued, which fails because the declaration is invalid ({problem}); the reference then refuses to issue the token, cirrus issues it without collections (no writes)");
                    out.push(disagreement(m.value.span, set.nsid.as_str(), granted.entry_index, &text));
                }
            }
            if let (SpaceKey::Key(key), Some(m)) = (&space.skey, entry.member("skey")) {
                if key.contains('~') {
                    out.push(disagreement(m.value.span, set.nsid.as_str(), granted.entry_index,
                        "the reference writes `~` in a space key as `%7E` in the scope string; swift-atproto and atproto-crates write `~`, so tokens differ"));
                }
            }
        }
    }
}

fn disagreement(span: Span, set: &str, index: usize, text: &str) -> Diagnostic {
    Diagnostic::new(
        &META,
        span,
        format!("`space` permission #{} of `{set}`: {text}", index + 1),
    )
    .with_help("write the entry so that every implementation reads it alike (see `lexperm explain implementations-disagree`)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect, set, text_at};

    /// A usable declaration of `com.example.board`, which bare grants are filled from.
    const BOARD: &str = r#"{"lexicon": 1, "id": "com.example.board", "defs": {"main": {"type": "space", "key": "any", "name": "Board", "collections": ["com.example.note"]}}}"#;

    fn run(entry: &str) -> (String, Vec<Diagnostic>) {
        let text = set("com.example.authTest", &[entry]);
        let found = crate::catalog_rules::test_support::run(
            &META,
            &[("com/example/authTest.json", &text), ("com/example/board.json", BOARD)],
        );
        (text, found)
    }

    #[test]
    fn bare_grants_of_an_invalid_declaration_name_cirrus() {
        let entry = r#""resource": "space", "spaceType": "com.example.board", "action": ["read"]"#;
        let text = set("com.example.authTest", &[entry]);
        let broken = BOARD.replace(r#""key": "any", "#, "");
        let not_a_space = r#"{"lexicon": 1, "id": "com.example.board", "defs": {"main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#;
        let files = [("com/example/authTest.json", text.as_str()), ("com/example/board.json", &broken)];
        let found = expect(&META, 1, &files);
        assert_eq!(text_at(&text, &found[0]), "\"com.example.board\"");
        assert!(found[0].message.contains("cirrus"), "{}", found[0].message);
        assert!(found[0].message.contains("`key` is missing"), "{}", found[0].message);
        // A declaration that is missing or not a `space` is P121's finding, not this rule's.
        expect(&META, 0, &[("com/example/authTest.json", &text)]);
        expect(&META, 0, &[("com/example/authTest.json", &text), ("com/example/board.json", not_a_space)]);
        // A grant that names its collections is not filled, so nothing differs.
        let named = set(
            "com.example.authTest",
            &[r#""resource": "space", "spaceType": "com.example.board", "collection": ["com.example.note"]"#],
        );
        expect(&META, 0, &[("com/example/authTest.json", &named)]);
    }

    #[test]
    fn names_the_implementation() {
        let cases = [
            (r#""resource": "space", "spaceType": "com.example.board", "description": "x""#, "\"description\"", "rsky"),
            (r#""resource": "space", "spaceType": "com.example.board", "did": "did:plc:abc""#, "\"did\"", "atproto-crates reads `did`"),
            (r#""resource": "space", "spaceType": "org.other.board""#, "\"org.other.board\"", "swift-atproto rejects the whole set"),
            (r#""resource": "space", "spaceType": "com.example.board", "authority": "bob""#, "\"bob\"", "rsky and atproto-crates"),
            (r#""resource": "space", "spaceType": "com.example.board", "action": ["read_self"], "collection": ["com.example.note"]"#, "\"read_self\"", "rsky only"),
            (r#""resource": "space", "spaceType": "com.example.board", "action": ["read", "read_self"]"#, "\"read_self\"", "swift-atproto drops"),
            (r#""resource": "space", "spaceType": "com.example.board", "skey": "a~b""#, "\"a~b\"", "%7E"),
        ];
        for (entry, at, names) in cases {
            let (text, found) = run(entry);
            assert_eq!(found.len(), 1, "{entry}: {found:#?}");
            assert_eq!(text_at(&text, &found[0]), at, "{entry}");
            assert!(found[0].message.contains(names), "{}", found[0].message);
        }
    }

    #[test]
    fn entries_read_alike_are_clean() {
        let text = set(
            "com.example.authTest",
            &[
                r#""resource": "space", "spaceType": "com.example.board", "authority": "*", "skey": "self", "collection": ["com.example.note"], "action": ["read", "create"]"#,
                r#""resource": "space", "spaceType": "com.example.board", "action": ["read_self"]"#,
                r#""resource": "repo", "collection": ["com.example.post"], "description": "x""#,
            ],
        );
        expect(&META, 0, &[("com/example/authTest.json", &text), ("com/example/board.json", BOARD)]);
    }
}
