//! S102 `undescribed-token`: a token has no description.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S102",
    name: "undescribed-token",
    severity: Severity::Warning,
    summary: "A token has no `description`",
    doc: r#"## What it does
Reports a `token` definition without a non-empty `description` (indigo lexlint:
`undescribed-token`).

## Why is this bad?
A token has no content: its name and description are all that says what it means.

## Example
```json
{"lexicon": 1, "id": "com.example.defs", "defs": {"green": {"type": "token"}}}
```
"#,
};

/// Checks tokens for a description.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if matches!(def.schema.kind, SchemaKind::Token)
            && def
                .schema
                .description
                .as_ref()
                .is_none_or(|d| d.value.is_empty())
        {
            out.push(
                Diagnostic::new(
                    &META,
                    def.schema.anchor(),
                    format!("token `{}` has no description", def.name),
                )
                .with_help("add a `description` saying what the token stands for"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_bare_token() {
        expect(&META, 1, &with_def("green", r#"{"type": "token"}"#));
    }

    #[test]
    fn described_token_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "green",
                r#"{"type": "token", "description": "The colour green."}"#,
            ),
        );
    }
}
