//! L122 `negative-limit`: a length or size limit is negative.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind, Spanned};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L122",
    name: "negative-limit",
    severity: Severity::Error,
    summary: "A length or size limit is negative (or a blob `maxSize` is zero)",
    doc: r#"## What it does
Reports a negative `minLength`, `maxLength`, `minGraphemes` or `maxGraphemes`, and a blob
`maxSize` that is zero or negative.

## Why is this bad?
Lengths count bytes, graphemes or elements and cannot be negative; a blob of at most 0 bytes cannot
exist. Go rejects the document; TypeScript accepts it (see `docs/lexicon-divergences.md`).

## Example
```json
{"type": "string", "maxLength": -1}
```
"#,
};

/// Checks limits.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let limits: [(&str, Option<&Spanned<i64>>); 4] = match &visit.schema.kind {
            SchemaKind::String(s) => [
                ("minLength", s.min_length.as_ref()),
                ("maxLength", s.max_length.as_ref()),
                ("minGraphemes", s.min_graphemes.as_ref()),
                ("maxGraphemes", s.max_graphemes.as_ref()),
            ],
            SchemaKind::Bytes(b) => [
                ("minLength", b.min_length.as_ref()),
                ("maxLength", b.max_length.as_ref()),
                ("", None),
                ("", None),
            ],
            SchemaKind::Array(a) => [
                ("minLength", a.min_length.as_ref()),
                ("maxLength", a.max_length.as_ref()),
                ("", None),
                ("", None),
            ],
            SchemaKind::Blob(b) => {
                if let Some(size) = b.max_size.as_ref().filter(|s| s.value <= 0) {
                    out.push(
                        Diagnostic::new(
                            &META,
                            size.span,
                            format!("blob `maxSize` must be positive, found {}", size.value),
                        )
                        .with_help("set the largest accepted size in bytes, e.g. 1000000"),
                    );
                }
                return;
            }
            _ => return,
        };
        for (name, limit) in limits {
            if let Some(limit) = limit.filter(|l| l.value < 0) {
                out.push(
                    Diagnostic::new(
                        &META,
                        limit.span,
                        format!("`{name}` can not be negative, found {}", limit.value),
                    )
                    .with_help("use 0 or a positive number, or remove the limit"),
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
    fn reports_negative_and_zero_blob() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "maxLength": -1}"#),
        );
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "blob", "maxSize": 0}"#),
        );
    }

    #[test]
    fn zero_length_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "bytes", "minLength": 0, "maxLength": 10}"#),
        );
    }
}
