//! S104 `unlimited-string`: a record string has no format and no length limit.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S104",
    name: "unlimited-string",
    severity: Severity::Warning,
    summary: "A record string has no `format`, `maxLength` or `maxGraphemes`",
    doc: r#"## What it does
Reports a string inside a record schema with no `format`, no `maxLength` and no `maxGraphemes`,
and no `enum` or `const` that bounds it (indigo lexlint: `unlimited-string`). Unlike lexlint, which
checks every string and reports about 850 strings in the official lexicons, lexperm checks only
record data, as the style guide asks ("Record strings without a `format` should have
`maxLength`").

## Why is this bad?
Records are stored and replicated forever; an unbounded string lets one record grow as large as the
repository allows.

## Example
```json
{"type": "record", "key": "tid", "record": {"type": "object", "properties": {"text": {"type": "string"}}}}
```
"#,
};

/// Checks strings inside records.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if !visit.in_record {
            return;
        }
        if let SchemaKind::String(s) = &visit.schema.kind {
            if s.format.is_none()
                && s.max_length.is_none()
                && s.max_graphemes.is_none()
                && s.enum_values.is_none()
                && s.const_value.is_none()
            {
                out.push(
                    Diagnostic::new(
                        &META,
                        visit.schema.anchor(),
                        "record string has no `format` and no maximum length",
                    )
                    .with_help("add `maxLength` (bytes) and usually `maxGraphemes`, or a `format`"),
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    fn record(prop: &str) -> String {
        with_def(
            "main",
            &format!(
                r#"{{"type": "record", "key": "tid", "record": {{"type": "object", "properties": {{"p": {prop}}}}}}}"#
            ),
        )
    }

    #[test]
    fn reports_unbounded_record_string() {
        expect(&META, 1, &record(r#"{"type": "string"}"#));
        expect(
            &META,
            1,
            &record(r#"{"type": "array", "items": {"type": "string"}}"#),
        );
    }

    #[test]
    fn bounded_or_non_record_strings_are_clean() {
        expect(&META, 0, &record(r#"{"type": "string", "maxLength": 10}"#));
        expect(&META, 0, &record(r#"{"type": "string", "format": "did"}"#));
        expect(&META, 0, &with_def("x", r#"{"type": "string"}"#));
    }
}
