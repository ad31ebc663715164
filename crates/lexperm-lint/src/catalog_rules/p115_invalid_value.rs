//! P115 `invalid-value`: the reference authorization server drops a permission-set entry for
//! [`DropReason::InvalidValue`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P115",
    name: "invalid-value",
    severity: Severity::Error,
    summary: "A permission-set entry has a field value the scope grammar rejects",
    doc: r##"## What it does
Reports a permission value rejected for any reason not covered by a more specific rule. With the
current resources every such value is already `invalid-permission-nsid`, `invalid-action` or
`fixed-aud`, so this rule stands guard for new parameters.

## Why is this bad?
The reference drops the entry, so nothing in it is granted.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:x"}
```
"##,
};

/// Reports every entry dropped for [`DropReason::InvalidValue`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::InvalidValue, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_drop_mapping, expect_only_other_rules};

    #[test]
    fn maps_the_drop_reason_to_this_rule() {
        // No entry reaches this reason today (see the doc), so drive the mapping directly.
        expect_drop_mapping(&META, DropReason::InvalidValue);
    }

    #[test]
    fn the_example_is_reported_by_a_more_specific_rule() {
        expect_only_other_rules(
            &META,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:x""#,
        );
    }
}
