//! P121 `undeclared-space-type`: a `space` permission names a space type that no loaded lexicon declares, though its NSID group is loaded.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P121",
    name: "undeclared-space-type",
    severity: Severity::Error,
    summary: "A `space` permission names a space type that no loaded lexicon declares, though its NSID group is loaded",
    doc: r##"## What it does
Looks up the `spaceType` of every surviving `space` permission. When the catalog defines that NSID
as something other than a `space`, or holds other lexicons of its NSID group (not counting
permission sets and space declarations) but not this one, the entry is reported, with the
closest declared space type when there is one.

## Why is this bad?
When the authorization server issues a token for a `space:` grant that names no collection, it
fills in the collections of the space type's declaration, and refuses to issue the token when the
declaration cannot be resolved. A typo in `spaceType` therefore breaks sign-in for every user of
the set, and a grant that lists collections reaches spaces nobody creates.

## Example
```json
{"type": "permission", "resource": "space", "spaceType": "com.example.baord"}
```
while the catalog declares the space type `com.example.board`.
"##,
};

/// Checks what surviving `space` entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::UndeclaredSpaceType, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect_grant, expect_no_grant, record_doc};

    const BOARD: &str = r#""main": {"type": "space", "key": "any", "name": "Board", "collections": []}"#;

    #[test]
    fn reports_undeclared_and_wrong_types() {
        let target = doc("com.example.board", BOARD);
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.baord""#,
            "\"com.example.baord\"",
        );
        assert!(
            found.help.as_deref().unwrap().contains("did you mean `com.example.board`"),
            "{:?}",
            found.help
        );
        let record = record_doc("com.example.post");
        let found = expect_grant(
            &META,
            &record,
            r#""resource": "space", "spaceType": "com.example.post""#,
            "\"com.example.post\"",
        );
        assert!(found.message.contains("is not a `space`"), "{}", found.message);
    }

    #[test]
    fn declared_and_unknown_groups_are_clean() {
        let target = doc("com.example.board", BOARD);
        expect_no_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.board""#,
        );
        expect_no_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.sub.board""#,
        );
    }
}
