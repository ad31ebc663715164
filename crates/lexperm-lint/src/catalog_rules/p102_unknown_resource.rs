//! P102 `unknown-resource`: the reference authorization server drops a permission-set entry for
//! [`DropReason::UnknownResource`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P102",
    name: "unknown-resource",
    severity: Severity::Error,
    summary: "A permission-set entry names a resource that does not exist",
    doc: r##"## What it does
Reports a permission whose `resource` is not a known resource at all (resources are
case-sensitive: `Repo` is unknown).

## Why is this bad?
Authorization servers must ignore permissions with an unknown resource, so the entry grants
nothing; it is almost always a typo of `repo` or `rpc`.

## Example
```json
{"type": "permission", "resource": "record", "collection": ["com.example.post"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::UnknownResource`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::UnknownResource, out);
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
                    r#""resource": "frobnicate", "collection": ["com.example.post"]"#,
                    Some("\"frobnicate\""),
                ),
                (
                    r#""resource": "Repo", "collection": ["com.example.post"]"#,
                    Some("\"Repo\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
