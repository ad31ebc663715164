//! S115 `empty-permission-set`: a permission set grants nothing.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S115",
    name: "empty-permission-set",
    severity: Severity::Warning,
    summary: "A permission set has an empty `permissions` list",
    doc: r#"## What it does
Reports a permission set whose `permissions` array is empty (indigo lexlint:
`permissionset-no-permissions`).

## Why is this bad?
Including the set grants nothing, which is almost never what the author meant.

## Example
```json
{"type": "permission-set", "title": "Post", "permissions": []}
```
"#,
};

/// Checks permission lists.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (_, set) in permission_sets(doc) {
        if let Some(permissions) = set.permissions.as_ref().filter(|p| p.value.is_empty()) {
            out.push(
                Diagnostic::new(&META, permissions.span, "permission set has no permissions")
                    .with_help("add `repo` or `rpc` permission entries"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_empty_set() {
        expect(
            &META,
            1,
            &with_def("main", r#"{"type": "permission-set", "permissions": []}"#),
        );
    }

    #[test]
    fn non_empty_set_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [{"type": "permission", "resource": "repo", "collection": ["com.example.post"]}]}"#,
            ),
        );
    }
}
