//! S119 `error-name-not-upper-camel-case`: an `errors[]` name is not UpperCamelCase.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::error_lists;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S119",
    name: "error-name-not-upper-camel-case",
    severity: Severity::Warning,
    summary: "An `errors[]` name is not UpperCamelCase",
    doc: r#"## What it does
Reports an endpoint error name that does not start with an upper-case ASCII letter followed by
ASCII letters and digits. (Empty names and names with whitespace are the error
`invalid-error-name`.)

## Why is this bad?
The style guide asks for `UpperCamelCase` error names (`RecordNotFound`); clients match them as
constants and generated code turns them into type names.

## Example
```json
{"type": "query", "errors": [{"name": "record_not_found"}]}
```
"#,
};

/// Checks error name style.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for error in error_lists(doc) {
        let Some(name) = &error.name else {
            continue;
        };
        let bytes = name.value.as_bytes();
        if bytes.is_empty() || name.value.chars().any(char::is_whitespace) {
            continue;
        }
        if !bytes[0].is_ascii_uppercase() || !bytes.iter().all(u8::is_ascii_alphanumeric) {
            out.push(
                Diagnostic::new(
                    &META,
                    name.span,
                    format!("error name `{}` is not UpperCamelCase", name.value),
                )
                .with_help("use UpperCamelCase, e.g. `RecordNotFound`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_snake_and_lower_case() {
        expect(
            &META,
            2,
            &with_def(
                "main",
                r#"{"type": "query", "errors": [{"name": "record_not_found"}, {"name": "notFound"}]}"#,
            ),
        );
    }

    #[test]
    fn upper_camel_case_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "query", "errors": [{"name": "RecordNotFound"}, {"name": "Error2"}]}"#,
            ),
        );
    }
}
