//! P110 `expected-string`: the reference authorization server drops a permission-set entry for
//! [`DropReason::ExpectedString`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P110",
    name: "expected-string",
    severity: Severity::Error,
    summary: "A permission-set entry has a non-string value where NSIDs or actions are expected",
    doc: r##"## What it does
Reports a `collection`, `action` or `lxm` array holding numbers or booleans.

## Why is this bad?
Scope parameters are strings; the reference drops the entry, so nothing in it is granted.

## Example
```json
{"type": "permission", "resource": "repo", "collection": [1, 2]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::ExpectedString`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::ExpectedString, out);
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
                (r#""resource": "repo", "collection": [1, 2]"#, Some("1")),
                (
                    r#""resource": "repo", "collection": ["com.example.post"], "action": [true]"#,
                    Some("true"),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
