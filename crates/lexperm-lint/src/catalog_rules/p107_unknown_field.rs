//! P107 `unknown-field`: the reference authorization server drops a permission-set entry for
//! [`DropReason::UnknownField`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P107",
    name: "unknown-field",
    severity: Severity::Error,
    summary: "A permission-set entry has a field its resource does not define (e.g. `description`)",
    doc: r##"## What it does
Reports a permission field other than `type`, `resource` and the resource's own parameters
(`collection`/`action` for `repo`; `lxm`/`aud`/`inheritAud` for `rpc`).

## Why is this bad?
Authorization servers must ignore permissions with unexpected parameters, and the reference drops
the whole entry. A `description` on a permission looks harmless (indigo even models it) but makes
the entry grant nothing.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.post"], "description": "Posts"}
```
"##,
};

/// Reports every entry dropped for [`DropReason::UnknownField`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::UnknownField, out);
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
                    r#""resource": "repo", "collection": ["com.example.post"], "description": "Posts""#,
                    Some("\"description\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true, "extra": 1"#,
                    Some("\"extra\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
