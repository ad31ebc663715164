//! P108 `expected-array`: the reference authorization server drops a permission-set entry for
//! [`DropReason::ExpectedArray`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P108",
    name: "expected-array",
    severity: Severity::Error,
    summary: "A permission-set entry gives `collection`, `action` or `lxm` as a single value instead of an array",
    doc: r##"## What it does
Reports a multi-valued permission field (`collection`, `action`, `lxm`) whose value is not an
array.

## Why is this bad?
The reference reads these fields only as arrays and drops the entry otherwise, so
`"collection": "com.example.post"` grants nothing. Wrap the value: `["com.example.post"]`.

## Example
```json
{"type": "permission", "resource": "repo", "collection": "com.example.post"}
```
"##,
};

/// Reports every entry dropped for [`DropReason::ExpectedArray`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::ExpectedArray, out);
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
                    r#""resource": "repo", "collection": "com.example.post""#,
                    Some("\"com.example.post\""),
                ),
                (
                    r#""resource": "repo", "collection": ["com.example.post"], "action": "create""#,
                    Some("\"create\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
