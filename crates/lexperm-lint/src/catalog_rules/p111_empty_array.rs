//! P111 `empty-array`: the reference authorization server drops a permission-set entry for
//! [`DropReason::EmptyArray`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P111",
    name: "empty-array",
    severity: Severity::Error,
    summary: "A permission-set entry has an empty `collection`, `action` or `lxm` array",
    doc: r##"## What it does
Reports an empty array in a permission field.

## Why is this bad?
An empty list is not "everything" and not "nothing": the reference rejects the parameter and
drops the entry. Remove `action` to grant all actions; list at least one collection or method.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": []}
```
"##,
};

/// Reports every entry dropped for [`DropReason::EmptyArray`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::EmptyArray, out);
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
                (r#""resource": "repo", "collection": []"#, Some("[]")),
                (
                    r#""resource": "repo", "collection": ["com.example.post"], "action": []"#,
                    Some("[]"),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
