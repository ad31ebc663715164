//! P117 `collection-not-record`: a permission set grants a `repo` collection that the catalog defines, but not as a `record`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P117",
    name: "collection-not-record",
    severity: Severity::Error,
    summary: "A permission set grants a `repo` collection that the catalog defines, but not as a `record`",
    doc: r##"## What it does
Looks up every collection that a surviving `repo` permission grants. When the catalog has that
lexicon and its `main` is not a `record` (a query, an object, a token, …), the grant is reported.

## Why is this bad?
Repo permissions authorize writes of records; a collection that is not a record type can never be
written, so the grant is useless and usually a mix-up with an `rpc` method.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.getPosts"]}
```
where `com.example.getPosts` is a `query`.
"##,
};

/// Checks what surviving permission entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::CollectionNotRecord, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect_grant, expect_no_grant, record_doc};

    #[test]
    fn reports_the_grant() {
        let target = doc(
            "com.example.getPost",
            r#""main": {"type": "query", "output": {"encoding": "application/json"}}"#,
        );
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "repo", "collection": ["com.example.getPost"]"#,
            "\"com.example.getPost\"",
        );
        assert!(found.help.is_some());
    }

    #[test]
    fn matching_and_unknown_groups_are_clean() {
        let target = record_doc("com.example.post");
        // Also checked alone: the set's own group does not count as loaded.
        expect_no_grant(
            &META,
            &target,
            r#""resource": "repo", "collection": ["com.example.post"]"#,
        );
    }
}
