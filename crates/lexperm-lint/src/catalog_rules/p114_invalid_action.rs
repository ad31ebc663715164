//! P114 `invalid-action`: the reference authorization server drops a permission-set entry for
//! [`DropReason::InvalidAction`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P114",
    name: "invalid-action",
    severity: Severity::Error,
    summary:
        "A `repo` entry in a permission set lists an action other than create, update or delete",
    doc: r##"## What it does
Reports an `action` value outside `create`, `update`, `delete` (case-sensitive).

## Why is this bad?
The reference drops the whole entry, so none of its collections are granted.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": ["write"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::InvalidAction`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::InvalidAction, out);
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
                    r#""resource": "repo", "collection": ["com.example.post"], "action": ["create", "Publish"]"#,
                    Some("\"Publish\""),
                ),
                // A space entry's `action` accepts `read` and `read_self`; `manage` does not.
                (
                    r#""resource": "space", "spaceType": "com.example.board", "action": ["read", "read_self", "write"]"#,
                    Some("\"write\""),
                ),
                (
                    r#""resource": "space", "spaceType": "com.example.board", "manage": ["create", "read"]"#,
                    Some("\"read\""),
                ),
            ],
        );
    }

    #[test]
    fn valid_entries_are_clean() {
        expect_clean(&META);
    }
}
