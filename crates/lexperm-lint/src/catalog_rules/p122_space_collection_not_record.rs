//! P122 `space-collection-not-record`: a `space` permission grants writes to a collection that the catalog defines, but not as a `record`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P122",
    name: "space-collection-not-record",
    severity: Severity::Error,
    summary: "A `space` permission grants writes to a collection that the catalog defines, but not as a `record`",
    doc: r##"## What it does
Looks up every collection that a surviving `space` permission lists. When the catalog has that
lexicon and its `main` is not a `record`, the grant is reported.

## Why is this bad?
Spaces hold records; a collection that is not a record type can never be written in a space, so
the grant is useless and usually a mix-up with another NSID.

## Example
```json
{"type": "permission", "resource": "space", "spaceType": "com.example.board",
 "collection": ["com.example.getNotes"]}
```
where `com.example.getNotes` is a `query`.
"##,
};

/// Checks what surviving `space` entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::SpaceCollectionNotRecord, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect_grant, expect_no_grant, record_doc};

    #[test]
    fn reports_the_grant() {
        let target = doc("com.example.getNote", r#""main": {"type": "query"}"#);
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.board", "collection": ["com.example.getNote"]"#,
            "\"com.example.getNote\"",
        );
        assert!(found.help.is_some());
    }

    #[test]
    fn records_and_repo_grants_are_clean() {
        let target = record_doc("com.example.note");
        expect_no_grant(
            &META,
            &target,
            r#""resource": "space", "spaceType": "com.example.board", "collection": ["com.example.note", "*"]"#,
        );
        let query = doc("com.example.getNote", r#""main": {"type": "query"}"#);
        expect_no_grant(
            &META,
            &query,
            r#""resource": "repo", "collection": ["com.example.getNote"]"#,
        );
    }
}
