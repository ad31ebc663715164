//! P105 `aud-with-inherit-aud`: the reference authorization server drops a permission-set entry for
//! [`DropReason::AudWithInheritAud`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P105",
    name: "aud-with-inherit-aud",
    severity: Severity::Error,
    summary: "An `rpc` entry in a permission set has both `aud` and `inheritAud: true`",
    doc: r##"## What it does
Reports an `rpc` permission that sets `aud` (even `"*"`) together with `inheritAud: true`.

## Why is this bad?
Exactly one of the two must be present. The reference only rewrites `inheritAud` when there is
no `aud`; otherwise `inheritAud` is an unknown parameter and the whole entry is dropped.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": true}
```
"##,
};

/// Reports every entry dropped for [`DropReason::AudWithInheritAud`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::AudWithInheritAud, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect_clean, expect_drops};

    #[test]
    fn reports_dropped_entries() {
        expect_drops(
            &META,
            &[(
                r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": true"#,
                Some("true"),
            )],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
