//! S106 `unlimited-bytes`: a bytes field has no `maxLength`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S106",
    name: "unlimited-bytes",
    severity: Severity::Warning,
    summary: "A bytes field has no `maxLength`",
    doc: r#"## What it does
Reports a `bytes` schema without `maxLength` (indigo lexlint: `unlimited-bytes`).

## Why is this bad?
Unbounded binary data in records or messages; large data belongs in blobs.

## Example
```json
{"type": "bytes"}
```
"#,
};

/// Checks bytes limits.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Bytes(b) = &visit.schema.kind {
            if b.max_length.is_none() {
                out.push(
                    Diagnostic::new(
                        &META,
                        visit.schema.anchor(),
                        "bytes field has no `maxLength`",
                    )
                    .with_help("add `maxLength` in bytes"),
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
    fn reports_unbounded_bytes() {
        expect(&META, 1, &with_def("x", r#"{"type": "bytes"}"#));
    }

    #[test]
    fn bounded_bytes_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "bytes", "maxLength": 64}"#),
        );
    }
}
