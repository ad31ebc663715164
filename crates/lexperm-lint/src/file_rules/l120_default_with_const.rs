//! L120 `default-with-const`: a schema sets both `default` and `const`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L120",
    name: "default-with-const",
    severity: Severity::Error,
    summary: "A boolean, integer or string schema sets both `default` and `const`",
    doc: r#"## What it does
Reports a boolean, integer or string schema with both `default` and `const`.

## Why is this bad?
The spec makes them mutually exclusive: a constant has no default. Go rejects the document;
TypeScript accepts it (see `docs/lexicon-divergences.md`).

## Example
```json
{"type": "string", "default": "a", "const": "b"}
```
"#,
};

/// Checks `default`/`const` pairs.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let spans: Option<(Span, Span)> = match &visit.schema.kind {
            SchemaKind::Boolean(b) => b
                .default
                .as_ref()
                .zip(b.const_value.as_ref())
                .map(|(d, c)| (d.span, c.span)),
            SchemaKind::Integer(i) => i
                .default
                .as_ref()
                .zip(i.const_value.as_ref())
                .map(|(d, c)| (d.span, c.span)),
            SchemaKind::String(s) => s
                .default
                .as_ref()
                .zip(s.const_value.as_ref())
                .map(|(d, c)| (d.span, c.span)),
            _ => None,
        };
        if let Some((default, constant)) = spans {
            out.push(
                Diagnostic::new(
                    &META,
                    default,
                    "a schema can not have both `default` and `const`",
                )
                .with_label(constant, "`const` here")
                .with_help("remove `default`; a constant needs no default"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_both() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "default": "a", "const": "b"}"#),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "boolean", "default": false, "const": true}"#,
            ),
        );
    }

    #[test]
    fn one_of_them_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "integer", "default": 3}"#),
        );
    }
}
