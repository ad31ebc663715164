//! P112 `missing-field`: the reference authorization server drops a permission-set entry for
//! [`DropReason::MissingField`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P112",
    name: "missing-field",
    severity: Severity::Error,
    summary:
        "A permission-set entry lacks a required field (`collection`, `lxm`, or `aud`/`inheritAud`)",
    doc: r##"## What it does
Reports a `repo` permission without `collection`, or an `rpc` permission without `lxm` or without
any audience (`"aud": "*"` or `"inheritAud": true`).

## Why is this bad?
The reference drops the entry. An `rpc` permission without an audience is the common case: write
`"inheritAud": true` so the audience comes from `include:…?aud=`.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::MissingField`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::MissingField, out);
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
                    r#""resource": "repo", "action": ["create"]"#,
                    Some("\"repo\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.example.getPost"]"#,
                    Some("\"rpc\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
