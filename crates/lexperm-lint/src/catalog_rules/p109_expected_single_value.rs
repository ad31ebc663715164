//! P109 `expected-single-value`: the reference authorization server drops a permission-set entry for
//! [`DropReason::ExpectedSingleValue`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P109",
    name: "expected-single-value",
    severity: Severity::Error,
    summary: "A permission-set entry gives a single-valued field as an array",
    doc: r##"## What it does
Reports a single-valued permission field given as an array. In sets the only single-valued field
is `aud`, and an array `aud` is already `fixed-aud` (the reference checks that first), so this
rule stands guard for the expansion's own table: it fires only if a future resource or parameter
reaches it.

## Why is this bad?
The reference drops the entry: a single value is expected, so nothing is granted.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": ["*"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::ExpectedSingleValue`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::ExpectedSingleValue, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_drop_mapping, expect_only_other_rules};

    #[test]
    fn maps_the_drop_reason_to_this_rule() {
        // No entry reaches this reason today (see the doc), so drive the mapping directly.
        expect_drop_mapping(&META, DropReason::ExpectedSingleValue);
    }

    #[test]
    fn the_example_is_reported_by_a_more_specific_rule() {
        expect_only_other_rules(
            &META,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": ["*"]"#,
        );
    }
}
