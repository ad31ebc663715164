//! L125 `invalid-error-name`: an `errors[]` name is empty or contains whitespace.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::error_lists;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L125",
    name: "invalid-error-name",
    severity: Severity::Error,
    summary: "An `errors[]` name is empty or contains whitespace",
    doc: r#"## What it does
Reports an entry of an endpoint's `errors` whose `name` is empty or contains whitespace.

## Why is this bad?
Error names are sent on the wire as the `error` field of an XRPC error response; the spec forbids
whitespace and `@atproto/lex-document` rejects an empty name.

## Example
```json
{"type": "query", "errors": [{"name": "Not Found"}]}
```
"#,
};

/// Checks error names.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for error in error_lists(doc) {
        if let Some(name) = &error.name {
            let problem = if name.value.is_empty() {
                "is empty"
            } else if name.value.chars().any(char::is_whitespace) {
                "contains whitespace"
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    name.span,
                    format!("error name `{}` {problem}", name.value),
                )
                .with_help("use an UpperCamelCase name such as `NotFound`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_empty_and_spaced() {
        expect(
            &META,
            2,
            &with_def(
                "main",
                r#"{"type": "query", "errors": [{"name": ""}, {"name": "Not Found"}]}"#,
            ),
        );
    }

    #[test]
    fn camel_case_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "procedure", "errors": [{"name": "NotFound"}]}"#,
            ),
        );
    }
}
