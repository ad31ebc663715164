//! P104 `fixed-aud`: the reference authorization server drops a permission-set entry for
//! [`DropReason::FixedAud`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P104",
    name: "fixed-aud",
    severity: Severity::Error,
    summary: "An `rpc` entry in a permission set names a specific `aud`",
    doc: r##"## What it does
Reports an `rpc` permission whose `aud` is anything but the string `"*"` (a DID service
reference, an array, …).

## Why is this bad?
Sets must not pin a service: the audience comes from the request (`include:…?aud=`) through
`inheritAud: true`, or is `*`. The reference drops entries with any other `aud`, so the methods
are never granted.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:api.example.com#svc"}
```
"##,
};

/// Reports every entry dropped for [`DropReason::FixedAud`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::FixedAud, out);
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
                    r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:api.example.com#svc""#,
                    Some("\"did:web:api.example.com#svc\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": ["*"]"#,
                    Some("[\"*\"]"),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
