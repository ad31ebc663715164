//! S123 `unknown-in-record`: a record schema contains an `unknown` field.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S123",
    name: "unknown-in-record",
    severity: Severity::Warning,
    summary: "A record schema contains an `unknown` field",
    doc: r#"## What it does
Reports an `unknown` schema inside a record's `record` object.

## Why is this bad?
The style guide asks to avoid `unknown` in records: the data is stored forever but nothing
validates it, and other apps cannot rely on its shape. An open `union` keeps extensibility while
typing each variant.

## Example
```json
{"type": "record", "key": "tid", "record": {"type": "object", "properties": {"extra": {"type": "unknown"}}}}
```
"#,
};

/// Checks records for unknown fields.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if visit.in_record && matches!(visit.schema.kind, SchemaKind::Unknown) {
            out.push(
                Diagnostic::new(&META, visit.schema.anchor(), "`unknown` field in a record")
                    .with_help("use an open `union` of typed objects instead"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_unknown_in_record() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "record", "key": "tid", "record": {"type": "object", "properties": {"x": {"type": "unknown"}}}}"#,
            ),
        );
    }

    #[test]
    fn unknown_outside_records_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"x": {"type": "unknown"}}}"#,
            ),
        );
    }
}
