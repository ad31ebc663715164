//! B201 `permission-set-widened`: a permission set grants something its before version did not.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::grants::GrantEffect;
use lexperm_resolver::CatalogDiff;

use super::grants::widened;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B201",
    name: "permission-set-widened",
    severity: Severity::Error,
    summary: "A permission set grants something its before version did not",
    doc: r#"## What it does
Expands every permission set present in both versions the way the authorization server does
(under the selected `--reference`), once as `include:<nsid>` and once with an audience
(`?aud=did:web:api.example.com#svc`, so that `inheritAud` permissions count), and compares what
the two versions let a token do, request by request, with the resource servers' scope matching.
A widening is anything the new set allows that the old one did not: a new collection, repo
action or method (`lxm`), `aud=*` where one service was allowed, a new space type, `authority=*`
or a new `skey` where the grant was narrower, a new space action or `manage` operation, an
`inheritAud` permission that starts granting. Rewording, reordering or splitting permissions
without granting more is not reported. A permission that gains something and loses something
else is reported here too, with both.

The finding is at the permission in the after version, labelled with what it was in the before
version, and names the exact scope strings gained (and lost). It is an error unless the widening
is acknowledged for the set's NSID (`--acknowledge-widening NSID`, or `[breaking]
acknowledge-widening = ["NSID"]` in `lexperm.toml`); an acknowledged widening is reported as
information.

## Why is this bad?
The authorization server resolves a set again every time a token is refreshed. Every token
already issued with `include:<nsid>` gains the new access at its next refresh, and the user never
sees a consent screen for it. A set that grows silently is a permission escalation for every app
and user already using it.

## Example
`com.example.authPosts` grants `repo:com.example.post?action=create`; the change adds `"update"`
to its `action` list. Acknowledge it if that is the intent and announce it, or publish the wider
set as a new NSID that apps ask users for.
"#,
};

/// Other tools' names for this check (none: indigo skips permission sets).
pub const ALIASES: &[&str] = &[];

/// Reports permissions that gain something.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for change in diff.grant_changes() {
        if change.effect() != GrantEffect::Narrowed {
            out.push(widened(&META, change));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, set};

    #[test]
    fn a_new_collection_is_reported_with_the_scope_gained() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post"], "action": ["create"]"#,
        ]);
        let after = set(&[
            r#""resource": "repo", "collection": ["com.example.post", "com.example.like"], "action": ["create"]"#,
        ]);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "permission set `com.example.authFull` grants more: `repo` permission #1 gains `repo:com.example.like?action=create`"
        );
        assert_eq!(
            found[0].labels[0].message,
            "granted `repo:com.example.post?action=create`"
        );
        assert!(found[0]
            .help
            .as_deref()
            .unwrap()
            .contains("--acknowledge-widening com.example.authFull"));
    }

    #[test]
    fn a_new_permission_and_a_changed_one_are_reported() {
        let before = set(&[r#""resource": "repo", "collection": ["com.example.post"]"#]);
        let after = set(&[
            r#""resource": "repo", "collection": ["com.example.like"]"#,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#,
        ]);
        let found = expect(&META, 2, &[&before], &[&after]);
        assert!(
            found[0]
                .message
                .contains("gains `repo:com.example.like` and loses `repo:com.example.post`"),
            "{}",
            found[0].message
        );
        assert!(found[1].message.contains("`rpc` permission #2 gains `rpc:com.example.getPost?aud=did:web:api.example.com%23svc` (counting `inheritAud`"), "{}", found[1].message);
        assert_eq!(found[1].labels[0].message, "no such permission before");
    }

    #[test]
    fn the_same_grants_written_differently_are_clean() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post", "com.example.like"], "action": ["create", "update", "delete"]"#,
        ]);
        let after = set(&[
            r#""resource": "repo", "collection": ["com.example.like"]"#,
            r#""resource": "repo", "collection": ["com.example.post", "com.example.post"]"#,
        ]);
        expect(&META, 0, &[&before], &[&after]);
    }

    #[test]
    fn a_narrower_set_and_a_new_set_are_not_widenings() {
        let before =
            set(&[r#""resource": "repo", "collection": ["com.example.post", "com.example.like"]"#]);
        let after = set(&[r#""resource": "repo", "collection": ["com.example.post"]"#]);
        expect(&META, 0, &[&before], &[&after]);
        expect(&META, 0, &[], &[&after]);
    }
}
