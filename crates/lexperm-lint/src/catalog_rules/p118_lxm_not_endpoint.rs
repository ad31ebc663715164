//! P118 `lxm-not-endpoint`: a permission set grants an `rpc` method that the catalog defines, but not as a query or procedure.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P118",
    name: "lxm-not-endpoint",
    severity: Severity::Error,
    summary: "A permission set grants an `rpc` method that the catalog defines, but not as a query or procedure",
    doc: r##"## What it does
Looks up every method that a surviving `rpc` permission grants. When the catalog has that lexicon
and its `main` is not a `query` or `procedure` (a record, a subscription, …), the grant is
reported.

## Why is this bad?
Service-auth tokens name a query or procedure in `lxm`; anything else is never called that way,
so the grant is useless, usually a record collection that belongs in a `repo` permission.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.post"], "inheritAud": true}
```
where `com.example.post` is a `record`.
"##,
};

/// Checks what surviving permission entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::LxmNotEndpoint, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect_grant, expect_no_grant, record_doc};

    #[test]
    fn reports_the_grant() {
        let target = record_doc("com.example.post");
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "rpc", "lxm": ["com.example.post"], "inheritAud": true"#,
            "\"com.example.post\"",
        );
        assert!(found.help.is_some());
    }

    #[test]
    fn matching_and_unknown_groups_are_clean() {
        let target = doc("com.example.getPost", r#""main": {"type": "procedure"}"#);
        // Also checked alone: the set's own group does not count as loaded.
        expect_no_grant(
            &META,
            &target,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#,
        );
    }
}
