//! B202 `permission-set-narrowed`: a permission set no longer grants something its before version
//! did.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::grants::GrantEffect;
use lexperm_resolver::CatalogDiff;

use super::grants::narrowed;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B202",
    name: "permission-set-narrowed",
    severity: Severity::Warning,
    summary: "A permission set no longer grants something its before version did",
    doc: r#"## What it does
Compares what every permission set present in both versions grants, like
`permission-set-widened`, and reports a permission that only lost something: a collection,
action, method, audience, space type, authority, space action or `manage` operation, or the
whole permission. The finding names the exact scope strings lost; it is at the permission in the
after version (labelled with what it granted before), or at the removed permission in the before
version.

## Why is this bad?
The authorization server resolves a set again at every token refresh, so apps that use the set
lose the access at their users' next refresh, with no error until a call is refused. That may be
the intent; it is a warning so that someone checks that no app still needs it.

## Example
`com.example.authPosts` drops `"delete"` from a `repo` permission's `action`: apps that delete
posts start failing after the next refresh.
"#,
};

/// Other tools' names for this check (none: indigo skips permission sets).
pub const ALIASES: &[&str] = &[];

/// Reports permissions that only lose something.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for change in diff.grant_changes() {
        if change.effect() == GrantEffect::Narrowed {
            out.push(narrowed(&META, change));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, set};

    #[test]
    fn a_lost_action_and_a_removed_permission_are_reported() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post"]"#,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*""#,
        ]);
        let after = set(&[
            r#""resource": "repo", "collection": ["com.example.post"], "action": ["create", "update"]"#,
        ]);
        let found = expect(&META, 2, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "permission set `com.example.authFull` grants less: `repo` permission #1 loses `repo:com.example.post?action=delete`"
        );
        assert!(found[0]
            .help
            .as_deref()
            .unwrap()
            .contains("next token refresh"));
        assert_eq!(
            found[1].message,
            "permission set `com.example.authFull` grants less: `rpc` permission #2 is gone, and with it `rpc:com.example.getPost?aud=*`"
        );
        assert!(
            found[1].span.file.0 >= 1000,
            "a removed permission is shown in the before file"
        );
    }

    #[test]
    fn a_wider_or_equal_set_is_clean() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post"], "action": ["create"]"#,
        ]);
        let after = set(&[r#""resource": "repo", "collection": ["com.example.post"]"#]);
        expect(&META, 0, &[&before], &[&after]);
        expect(&META, 0, &[&before], &[&before]);
    }
}
