//! P113 `invalid-permission-nsid`: the reference authorization server drops a permission-set entry for
//! [`DropReason::InvalidNsid`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P113",
    name: "invalid-permission-nsid",
    severity: Severity::Error,
    summary: "A permission-set entry lists a collection or method that is not a valid NSID",
    doc: r##"## What it does
Reports a `collection` or `lxm` value that is not an NSID, including partial wildcards like
`com.example.*`. (The parser's drop reason is `invalid-nsid`; that name belongs to the per-file
rule for a lexicon `id`, `L107`.)

## Why is this bad?
The reference drops the whole entry, so every other NSID listed with the bad one is lost too.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.*"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::InvalidNsid`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::InvalidNsid, out);
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
                    r#""resource": "repo", "collection": ["com.example.post", "not an nsid"]"#,
                    Some("\"not an nsid\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["com.example.*"], "inheritAud": true"#,
                    Some("\"com.example.*\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
