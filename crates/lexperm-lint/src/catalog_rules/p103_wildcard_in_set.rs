//! P103 `wildcard-in-set`: the reference authorization server drops a permission-set entry for
//! [`DropReason::WildcardInSet`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P103",
    name: "wildcard-in-set",
    severity: Severity::Error,
    summary: "A permission-set entry grants `*` as a collection or method",
    doc: r##"## What it does
Reports `*` in a permission's `collection` or `lxm` list, and an `rpc` permission with both
`lxm: ["*"]` and `aud: "*"`.

## Why is this bad?
A set may only grant NSIDs inside its own namespace, and `*` is never inside one: the reference
drops the whole entry (not just the `*`), so the other NSIDs listed with it are lost too.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["*"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::WildcardInSet`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::WildcardInSet, out);
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
                    r#""resource": "repo", "collection": ["com.example.post", "*"]"#,
                    Some("\"*\""),
                ),
                (
                    r#""resource": "rpc", "lxm": ["*"], "inheritAud": true"#,
                    Some("\"*\""),
                ),
                (r#""resource": "rpc", "lxm": ["*"], "aud": "*""#, None),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
