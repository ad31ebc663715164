//! S126 `handle-in-record`: a record stores a handle instead of a DID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::formats::StringFormat;
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S126",
    name: "handle-in-record",
    severity: Severity::Warning,
    summary: "A record field has format `handle` or `at-identifier`",
    doc: r#"## What it does
Reports a string with format `handle` or `at-identifier` inside a record schema (a TODO in indigo
lexlint).

## Why is this bad?
Handles change; DIDs do not. A record that stores a handle breaks the link when the account
renames. The style guide asks for DIDs in records (and `at-identifier` only for endpoint
parameters).

## Example
```json
{"type": "record", "key": "tid", "record": {"type": "object", "properties": {"author": {"type": "string", "format": "handle"}}}}
```
"#,
};

/// Checks record strings for handle formats.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if !visit.in_record {
            return;
        }
        if let SchemaKind::String(s) = &visit.schema.kind {
            if let (
                Some(kind @ (StringFormat::Handle | StringFormat::AtIdentifier)),
                Some(format),
            ) = (s.format_kind(), &s.format)
            {
                out.push(
                    Diagnostic::new(
                        &META,
                        format.span,
                        format!("record field with format `{kind}`"),
                    )
                    .with_help("store the account's DID (`format: did`); handles can change"),
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
    fn reports_handle_in_record() {
        expect(
            &META,
            1,
            &record(r#"{"type": "string", "format": "handle"}"#),
        );
        expect(
            &META,
            1,
            &record(r#"{"type": "string", "format": "at-identifier"}"#),
        );
    }

    #[test]
    fn did_and_non_record_handles_are_clean() {
        expect(&META, 0, &record(r#"{"type": "string", "format": "did"}"#));
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "string", "format": "handle"}"#),
        );
    }
}
