//! S114 `permission-set-missing-detail`: a permission set has no detail.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S114",
    name: "permission-set-missing-detail",
    severity: Severity::Warning,
    summary: "A permission set has no `detail`",
    doc: r#"## What it does
Reports a permission set without a non-empty `detail` (a TODO in indigo lexlint).

## Why is this bad?
The detail is the paragraph the consent screen shows to explain what the app may do.

## Example
```json
{"type": "permission-set", "title": "Post", "permissions": []}
```
"#,
};

/// Checks permission-set details.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (def, set) in permission_sets(doc) {
        if set.detail.as_ref().is_none_or(|t| t.value.is_empty()) {
            out.push(
                Diagnostic::new(&META, def.schema.anchor(), "permission set has no detail")
                    .with_help(
                        "add a user-facing `detail` paragraph, and translations in `detail:lang`",
                    ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_missing_detail() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "permission-set", "title": "T", "permissions": []}"#,
            ),
        );
    }

    #[test]
    fn detailed_set_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "detail": "Lets the app post.", "permissions": []}"#,
            ),
        );
    }
}
