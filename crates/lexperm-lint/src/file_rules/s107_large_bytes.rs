//! S107 `large-bytes`: a bytes field allows more than 20 KiB.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S107",
    name: "large-bytes",
    severity: Severity::Warning,
    summary: "A bytes `maxLength` is larger than 20 KiB",
    doc: r#"## What it does
Reports a `bytes` schema whose `maxLength` exceeds 20480 (indigo lexlint: `large-bytes`).

## Why is this bad?
Large binary data belongs in a blob, not inline in a record or message.

## Example
```json
{"type": "bytes", "maxLength": 1000000}
```
"#,
};

/// Checks bytes limits.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Bytes(b) = &visit.schema.kind {
            if let Some(max) = b.max_length.as_ref().filter(|m| m.value > 20 * 1024) {
                out.push(
                    Diagnostic::new(
                        &META,
                        max.span,
                        format!("bytes `maxLength` {} is larger than 20 KiB", max.value),
                    )
                    .with_help("store large data as a blob and reference it"),
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
    fn reports_large_bytes() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "bytes", "maxLength": 1000000}"#),
        );
    }

    #[test]
    fn small_bytes_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "bytes", "maxLength": 64}"#),
        );
    }
}
