//! P101 `unsupported-resource`: the reference authorization server drops a permission-set entry for
//! [`DropReason::UnsupportedResource`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P101",
    name: "unsupported-resource",
    severity: Severity::Error,
    summary: "A permission-set entry uses `blob`, `account`, `identity` or `include`, which sets cannot grant",
    doc: r##"## What it does
Reports a permission whose `resource` is `blob`, `account`, `identity` or `include`. Permission
sets may only grant `repo` and `rpc` permissions.

## Why is this bad?
The spec says these resources "should be ignored" in sets, and the reference authorization server
silently drops the entry, so the app never receives the access the set promises (indigo's schema
check rejects them outright). Nested `include` is not supported at all: there are no set hierarchies.

## Example
```json
{"type": "permission", "resource": "blob", "accept": ["image/*"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::UnsupportedResource`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::UnsupportedResource, out);
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
                    r#""resource": "blob", "accept": ["image/*"]"#,
                    Some("\"blob\""),
                ),
                (
                    r#""resource": "account", "attr": "email""#,
                    Some("\"account\""),
                ),
                (
                    r#""resource": "include", "nsid": "com.example.authOther""#,
                    Some("\"include\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
