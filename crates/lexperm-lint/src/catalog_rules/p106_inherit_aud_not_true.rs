//! P106 `inherit-aud-not-true`: the reference authorization server drops a permission-set entry for
//! [`DropReason::InheritAudNotTrue`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P106",
    name: "inherit-aud-not-true",
    severity: Severity::Error,
    summary:
        "An `rpc` entry in a permission set has `inheritAud` set to something other than `true`",
    doc: r##"## What it does
Reports an `rpc` permission whose `inheritAud` is present but not the boolean `true`
(`false`, `"true"`, `1`, …).

## Why is this bad?
The spec and indigo accept `"inheritAud": false` next to `"aud": "*"`, but the reference
authorization server only knows `inheritAud: true` and drops any entry where the key is left over,
so the methods are silently not granted. Remove the key (and keep `aud: "*"`) or set it to `true`.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": false}
```
"##,
};

/// Reports every entry dropped for [`DropReason::InheritAudNotTrue`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::InheritAudNotTrue, out);
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
                    r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": false"#,
                    Some("false"),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": "yes""#,
                    None,
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
