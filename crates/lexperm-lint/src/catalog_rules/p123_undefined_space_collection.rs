//! P123 `undefined-space-collection`: a `space` permission grants writes to a collection that its (loaded) NSID group does not define.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P123",
    name: "undefined-space-collection",
    severity: Severity::Error,
    summary: "A `space` permission grants writes to a collection that its (loaded) NSID group does not define",
    doc: r##"## What it does
Reports a collection listed by a surviving `space` permission when the catalog holds other
lexicons of the same NSID group (not counting permission sets and space declarations) but not
this one. Collections in groups that are not loaded are not checked.

## Why is this bad?
A typo or a stale name grants writes to a collection nobody uses, while the real one stays
ungranted: the app fails at runtime with a scope error.

## Example
```json
{"type": "permission", "resource": "space", "spaceType": "com.example.board",
 "collection": ["com.example.ntoe"]}
```
while the catalog has `com.example.note`.
"##,
};

/// Checks what surviving `space` entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::UndefinedSpaceCollection, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_grant, expect_no_grant, record_doc};

    #[test]
    fn reports_the_grant() {
        let target = record_doc("com.example.note");
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.board", "collection": ["com.example.ntoe"]"#,
            "\"com.example.ntoe\"",
        );
        assert!(
            found.help.as_deref().unwrap().contains("did you mean `com.example.note`"),
            "{:?}",
            found.help
        );
    }

    #[test]
    fn defined_and_unknown_groups_are_clean() {
        let target = record_doc("com.example.note");
        expect_no_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.board", "collection": ["com.example.note", "org.other.thing"]"#,
        );
    }
}
