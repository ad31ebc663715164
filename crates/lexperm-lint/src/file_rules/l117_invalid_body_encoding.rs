//! L117 `invalid-body-encoding`: a body `encoding` is not a single MIME type.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::formats::is_valid_encoding;
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::bodies;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L117",
    name: "invalid-body-encoding",
    severity: Severity::Error,
    summary: "A body `encoding` is not a single MIME type without parameters",
    doc: r#"## What it does
Reports an `input`/`output` `encoding` that is empty, has parameters (`; charset=utf-8`), lists
several types, contains whitespace, or is not `type/subtype`.

## Why is this bad?
`@atproto/lex-document` rejects the document ("Invalid encoding string (must be a single MIME type
without parameters)"). An empty encoding is indigo lexlint's `unspecified-encoding`.

## Example
```json
{"type": "query", "output": {"encoding": "application/json; charset=utf-8"}}
```
"#,
};

/// Checks body encodings.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (_, field, body) in bodies(doc) {
        if let Some(encoding) = &body.encoding {
            if !is_valid_encoding(&encoding.value) {
                out.push(
                    Diagnostic::new(&META, encoding.span, format!("invalid `{field}` encoding `{}`", encoding.value))
                        .with_help("use one MIME type without parameters, e.g. `application/json`, or `*/*` for any"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_parameters_and_empty() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "output": {"encoding": "application/json; charset=utf-8"}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "procedure", "input": {"encoding": ""}}"#,
            ),
        );
    }

    #[test]
    fn plain_types_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "procedure", "input": {"encoding": "*/*"}, "output": {"encoding": "application/json"}}"#,
            ),
        );
    }
}
