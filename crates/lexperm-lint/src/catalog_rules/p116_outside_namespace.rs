//! P116 `outside-namespace`: the reference authorization server drops a permission-set entry for
//! [`DropReason::OutsideNamespace`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P116",
    name: "outside-namespace",
    severity: Severity::Error,
    summary: "A permission-set entry grants a collection or method outside the set's namespace",
    doc: r##"## What it does
Reports a `collection` or `lxm` value that does not start with the set's group: the set NSID up
to its last dot (`com.example.` for `com.example.authFull`). Sub-groups are fine; siblings,
parents and other authorities are not. The comparison is byte-exact, like the reference.

## Why is this bad?
The reference drops the whole entry when any one value is outside, so the in-namespace NSIDs
listed with it are lost too. A set's own depth limits its reach: `com.example.feed.authPosts`
cannot grant `com.example.actor.profile`; move the set up to `com.example.authPosts` or split it.

## Example
```json
{"id": "com.example.feed.authPosts", "defs": {"main": {"type": "permission-set", "permissions": [
  {"type": "permission", "resource": "repo", "collection": ["com.example.actor.profile"]}]}}}
```
"##,
};

/// Reports every entry dropped for [`DropReason::OutsideNamespace`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::OutsideNamespace, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_clean, expect_drops};

    #[test]
    fn reports_dropped_entries() {
        expect_drops(
            &META,
            &[
                (
                    r#""resource": "repo", "collection": ["com.example.post", "org.other.post"]"#,
                    Some("\"org.other.post\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.examplefoo.getPost"], "inheritAud": true"#,
                    Some("\"com.examplefoo.getPost\""),
                ),
            ],
        );
    }

    #[test]
    fn space_types_outside_the_namespace_name_the_target() {
        let text = crate::catalog_rules::test_support::set(
            "com.example.feed.authBoards",
            &[r#""resource": "space", "spaceType": "com.example.board""#],
        );
        let found = crate::catalog_rules::test_support::expect(
            &META,
            1,
            &[("com/example/feed/authBoards.json", &text)],
        );
        assert_eq!(
            crate::catalog_rules::test_support::text_at(&text, &found[0]),
            "\"com.example.board\""
        );
        let help = found[0].help.as_deref().unwrap();
        assert!(help.contains("`com.example.authBoards`"), "{help}");
    }

    #[test]
    fn reported_behind_another_reason_of_the_same_entry() {
        use crate::catalog_rules::test_support::{expect, set, text_at};
        let text = set(
            "com.example.authTest",
            &[r#""resource": "repo", "collection": ["com.example.*", "org.other.post"]"#],
        );
        let files = [("com/example/authTest.json", text.as_str())];
        let found = expect(&META, 1, &files);
        assert_eq!(text_at(&text, &found[0]), "\"org.other.post\"");
        let first = expect(&crate::catalog_rules::p113_invalid_permission_nsid::META, 1, &files);
        assert_eq!(text_at(&text, &first[0]), "\"com.example.*\"");
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
