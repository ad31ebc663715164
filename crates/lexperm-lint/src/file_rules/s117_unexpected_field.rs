//! S117 `unexpected-field`: a key the Lexicon language does not define.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind, UnknownField};
use crate::file_rules::{bodies, error_lists, walk};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S117",
    name: "unexpected-field",
    severity: Severity::Warning,
    summary: "A key the Lexicon language does not define for this place",
    doc: r#"## What it does
Reports keys that the Lexicon language does not define: on the document (other than `lexicon`,
`id`, `revision`, `description`, `defs`, `$type`, and a string `$schema`: the JSON Schema URL
editors use for completion, see `lexperm schema`), on a schema for its type (e.g. `maxlength`
instead of `maxLength`, `format` on an integer), on a body, a subscription message or an error
entry (goat `lex lint`: `unexpected-field`). Permission entries are free-form and checked by the
resolver; `title:langs`/`detail:langs` are reported by `deprecated-lang-map-key`.

## Why is this bad?
Readers ignore unknown keys, so a misspelled constraint is silently not enforced. Some projects
add private keys on purpose (tangled's `needsCbor`/`needsType`); a warning, not an error, because
the document stays valid for every reader.

## Example
```json
{"type": "string", "maxlength": 64}
```
"#,
};

fn report(out: &mut Vec<Diagnostic>, fields: &[UnknownField], place: &str) {
    for field in fields {
        if matches!(field.key.as_str(), "title:langs" | "detail:langs") {
            continue;
        }
        let help = if field.key == "$schema" {
            "`$schema` is allowed as a string (the URL of the JSON Schema editors use); anything else is an unknown field"
        } else {
            "remove it or fix its spelling; readers ignore unknown fields"
        };
        out.push(
            Diagnostic::new(
                &META,
                field.key_span,
                format!("unexpected field `{}` on {place}", field.key),
            )
            .with_help(help),
        );
    }
}

/// Checks for unknown keys.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    report(out, &doc.unknown_fields, "the lexicon document");
    walk(doc, &mut |visit| {
        if visit.schema.unknown_fields.is_empty() {
            return;
        }
        let place = match visit.schema.schema_type() {
            Some(t) => format!("{} schema", lexperm_parser::wording::a_code(t.as_str())),
            None => "a schema".to_string(),
        };
        report(out, &visit.schema.unknown_fields, &place);
        if let SchemaKind::Subscription(sub) = &visit.schema.kind {
            if let Some(message) = &sub.message {
                report(out, &message.unknown_fields, "a subscription message");
            }
        }
    });
    for def in &doc.defs {
        if let SchemaKind::Subscription(sub) = &def.schema.kind {
            if def.schema.unknown_fields.is_empty() {
                if let Some(message) = &sub.message {
                    report(out, &message.unknown_fields, "a subscription message");
                }
            }
        }
    }
    for (_, field, body) in bodies(doc) {
        report(
            out,
            &body.unknown_fields,
            if field == "input" {
                "an `input` body"
            } else {
                "an `output` body"
            },
        );
    }
    for error in error_lists(doc) {
        report(out, &error.unknown_fields, "an `errors` entry");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_misspelled_and_top_level_keys() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "maxlength": 3}"#),
        );
        expect(
            &META,
            1,
            r#"{"lexicon": 1, "id": "a.b.c", "needsCbor": true, "defs": {"x": {"type": "token"}}}"#,
        );
        expect(
            &META,
            2,
            &with_def(
                "main",
                r#"{"type": "query", "output": {"encoding": "application/json", "x": 1}, "errors": [{"name": "A", "y": 2}]}"#,
            ),
        );
    }

    #[test]
    fn a_string_schema_hint_is_clean() {
        expect(
            &META,
            0,
            r#"{"$schema": "https://lexperm.dev/schema/lexicon.schema.json", "lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#,
        );
        // Only at the top: inside a schema `$schema` is as unknown as any other key.
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "string", "$schema": "https://example.com/s.json"}"#,
            ),
        );
        // A `$schema` that is not a string is not an editor hint.
        expect(
            &META,
            1,
            r#"{"$schema": 1, "lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#,
        );
    }

    #[test]
    fn known_keys_are_clean() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "$type": "com.atproto.lexicon.schema", "id": "a.b.c", "description": "d", "defs": {"x": {"type": "string", "description": "s", "maxLength": 3}}}"#,
        );
    }
}
