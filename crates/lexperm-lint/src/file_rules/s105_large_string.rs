//! S105 `large-string`: a string allows more than 20 KiB.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S105",
    name: "large-string",
    severity: Severity::Warning,
    summary: "A string `maxLength` is larger than 20 KiB",
    doc: r#"## What it does
Reports a string whose `maxLength` exceeds 20480 bytes (indigo lexlint: `large-string`).

## Why is this bad?
Large text belongs in a blob: records and responses are meant to stay small.

## Example
```json
{"type": "string", "maxLength": 100000}
```
"#,
};

/// Checks string limits.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::String(s) = &visit.schema.kind {
            if let Some(max) = s.max_length.as_ref().filter(|m| m.value > 20 * 1024) {
                out.push(
                    Diagnostic::new(
                        &META,
                        max.span,
                        format!("string `maxLength` {} is larger than 20 KiB", max.value),
                    )
                    .with_help("store large content as a blob and reference it"),
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
    fn reports_large_string() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "maxLength": 100000}"#),
        );
    }

    #[test]
    fn twenty_kib_is_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "string", "maxLength": 20480}"#),
        );
    }
}
