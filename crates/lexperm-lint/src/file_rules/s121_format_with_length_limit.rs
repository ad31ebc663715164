//! S121 `format-with-length-limit`: a string combines `format` with length limits.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S121",
    name: "format-with-length-limit",
    severity: Severity::Warning,
    summary: "A string combines `format` with `maxLength`, `minLength` or grapheme limits",
    doc: r#"## What it does
Reports a string schema that sets a `format` together with `minLength`, `maxLength`,
`minGraphemes` or `maxGraphemes`.

## Why is this bad?
Each format already bounds its values (a DID is at most 2 KB, a URI 8 KB, a handle 253
characters). The style guide says not to combine them: an extra limit can reject valid
identifiers.

## Example
```json
{"type": "string", "format": "uri", "maxLength": 100}
```
"#,
};

/// Checks formatted strings.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::String(s) = &visit.schema.kind {
            let Some(format) = &s.format else {
                return;
            };
            let limit = [
                &s.min_length,
                &s.max_length,
                &s.min_graphemes,
                &s.max_graphemes,
            ]
            .into_iter()
            .flatten()
            .next();
            if let Some(limit) = limit {
                out.push(
                    Diagnostic::new(
                        &META,
                        limit.span,
                        format!("length limit on a string with format `{}`", format.value),
                    )
                    .with_label(format.span, "format here")
                    .with_help("drop the length limit; the format bounds the value"),
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_format_and_limit() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "string", "format": "uri", "maxLength": 100}"#,
            ),
        );
    }

    #[test]
    fn format_alone_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "string", "format": "uri"}"#),
        );
    }
}
