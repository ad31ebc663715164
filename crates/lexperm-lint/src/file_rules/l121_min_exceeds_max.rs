//! L121 `min-exceeds-max`: a lower bound is greater than its upper bound.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind, Spanned};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L121",
    name: "min-exceeds-max",
    severity: Severity::Error,
    summary: "A minimum is greater than the matching maximum",
    doc: r#"## What it does
Reports `minimum > maximum` (integer), `minLength > maxLength` (string, bytes, array) and
`minGraphemes > maxGraphemes` (string).

## Why is this bad?
No value satisfies the schema. Go rejects the document ("schema max < min"); TypeScript accepts it
(see `docs/lexicon-divergences.md`).

## Example
```json
{"type": "string", "minLength": 5, "maxLength": 1}
```
"#,
};

type Bound<'a> = Option<&'a Spanned<i64>>;

/// Checks every min/max pair.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let pairs: [(&str, &str, Bound, Bound); 2] = match &visit.schema.kind {
            SchemaKind::Integer(i) => [
                ("minimum", "maximum", i.minimum.as_ref(), i.maximum.as_ref()),
                ("", "", None, None),
            ],
            SchemaKind::String(s) => [
                (
                    "minLength",
                    "maxLength",
                    s.min_length.as_ref(),
                    s.max_length.as_ref(),
                ),
                (
                    "minGraphemes",
                    "maxGraphemes",
                    s.min_graphemes.as_ref(),
                    s.max_graphemes.as_ref(),
                ),
            ],
            SchemaKind::Bytes(b) => [
                (
                    "minLength",
                    "maxLength",
                    b.min_length.as_ref(),
                    b.max_length.as_ref(),
                ),
                ("", "", None, None),
            ],
            SchemaKind::Array(a) => [
                (
                    "minLength",
                    "maxLength",
                    a.min_length.as_ref(),
                    a.max_length.as_ref(),
                ),
                ("", "", None, None),
            ],
            _ => return,
        };
        for (min_name, max_name, min, max) in pairs {
            if let (Some(min), Some(max)) = (min, max) {
                if min.value > max.value {
                    out.push(
                        Diagnostic::new(
                            &META,
                            min.span,
                            format!(
                                "`{min_name}` ({}) is greater than `{max_name}` ({})",
                                min.value, max.value
                            ),
                        )
                        .with_label(max.span, format!("`{max_name}` here"))
                        .with_help("swap the values or fix the one that is wrong"),
                    );
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_inverted_bounds() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "minLength": 5, "maxLength": 1}"#),
        );
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "integer", "minimum": 5, "maximum": 1}"#),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "array", "items": {"type": "integer"}, "minLength": 5, "maxLength": 1}"#,
            ),
        );
    }

    #[test]
    fn equal_bounds_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "string", "minGraphemes": 1, "maxGraphemes": 1}"#,
            ),
        );
    }
}
