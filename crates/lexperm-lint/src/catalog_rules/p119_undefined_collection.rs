//! P119 `undefined-collection`: a permission set grants a `repo` collection that its (loaded) NSID group does not define.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P119",
    name: "undefined-collection",
    severity: Severity::Error,
    summary:
        "A permission set grants a `repo` collection that its (loaded) NSID group does not define",
    doc: r##"## What it does
Reports a collection granted by a surviving `repo` permission when the catalog holds other
lexicons of the same NSID group (`com.example.feed.` for `com.example.feed.post`, not counting
permission sets) but not this one. Collections in groups that are not loaded are not checked.

## Why is this bad?
A typo or a stale name grants access to a collection nobody writes, while the real one stays
ungranted: the app fails at runtime with a scope error.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.feed.psot"]}
```
while the catalog has `com.example.feed.post` and `com.example.feed.like`.
"##,
};

/// Checks what surviving permission entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::UndefinedCollection, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_grant, expect_no_grant, record_doc};

    #[test]
    fn reports_the_grant() {
        let target = record_doc("com.example.post");
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "repo", "collection": ["com.example.psot"]"#,
            "\"com.example.psot\"",
        );
        assert!(
            found
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `com.example.post`"),
            "{:?}",
            found.help
        );
    }

    #[test]
    fn matching_and_unknown_groups_are_clean() {
        let target = record_doc("com.example.post");
        // Also checked alone: the set's own group does not count as loaded.
        expect_no_grant(
            &META,
            &target,
            r#""resource": "repo", "collection": ["com.example.post", "com.example.sub.thing"]"#,
        );
    }
}
