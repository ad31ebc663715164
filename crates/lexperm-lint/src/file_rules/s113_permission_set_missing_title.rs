//! S113 `permission-set-missing-title`: a permission set has no title.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S113",
    name: "permission-set-missing-title",
    severity: Severity::Warning,
    summary: "A permission set has no `title`",
    doc: r#"## What it does
Reports a permission set without a non-empty `title` (indigo lexlint: `permissionset-no-title`).

## Why is this bad?
The authorization server shows the title to the user on the consent screen; without it the user
sees only an NSID.

## Example
```json
{"type": "permission-set", "permissions": []}
```
"#,
};

/// Checks permission-set titles.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (def, set) in permission_sets(doc) {
        if set.title.as_ref().is_none_or(|t| t.value.is_empty()) {
            out.push(
                Diagnostic::new(&META, def.schema.anchor(), "permission set has no title")
                    .with_help(
                        "add a short, user-facing `title`, and translations in `title:lang`",
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
    fn reports_missing_title() {
        expect(
            &META,
            1,
            &with_def("main", r#"{"type": "permission-set", "permissions": []}"#),
        );
    }

    #[test]
    fn titled_set_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "title": "Post", "permissions": []}"#,
            ),
        );
    }
}
