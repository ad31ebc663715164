//! L115 `misplaced-schema-type`: a schema type is used where the Lexicon language forbids it.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaType};
use crate::file_rules::{walk, Place};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L115",
    name: "misplaced-schema-type",
    severity: Severity::Error,
    summary: "A schema type is used in a place where it is not allowed",
    doc: r#"## What it does
Checks where each type may appear:
- object properties: boolean, integer, string, bytes, cid-link, blob, array, object, ref, union,
  unknown;
- array items: the same (inside `parameters`: boolean, integer or string only);
- params properties: boolean, integer, string, or an array of those;
- a record's `record`: object; `parameters`: params;
- a body `schema`: object, ref or union; a subscription `message.schema`: union.

Tokens, primary types, `params` and `permission` never appear nested. (Inline objects in
properties or items and arrays of arrays are allowed, as in Go and the spec; the warning
`nested-type-not-portable` reports them because the TypeScript validators reject them.)

## Why is this bad?
The reference validators reject the document, and code generators cannot map the schema.

## Example
```json
{"type": "query", "output": {"encoding": "text/plain", "schema": {"type": "string"}}}
```
"#,
};

use SchemaType as T;

const FIELD: &[SchemaType] = &[
    T::Boolean,
    T::Integer,
    T::String,
    T::Bytes,
    T::CidLink,
    T::Blob,
    T::Array,
    T::Object,
    T::Ref,
    T::Union,
    T::Unknown,
];
const PARAM: &[SchemaType] = &[T::Boolean, T::Integer, T::String, T::Array];
const PARAM_ITEM: &[SchemaType] = &[T::Boolean, T::Integer, T::String];
const BODY: &[SchemaType] = &[T::Object, T::Ref, T::Union];

fn list(types: &[SchemaType]) -> String {
    let names: Vec<_> = types.iter().map(|t| format!("`{}`", t.as_str())).collect();
    names.join(", ")
}

/// Checks every nested schema's type against its place.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let Some(kind) = visit.schema.schema_type() else {
            return;
        };
        let (allowed, place): (&[SchemaType], &str) = match visit.place {
            Place::Def(_) => return,
            Place::Property(_) => (FIELD, "an object property"),
            Place::Items if visit.in_params => (PARAM_ITEM, "array items in parameters"),
            Place::Items => (FIELD, "array items"),
            Place::ParamsProperty(_) => (PARAM, "a params property"),
            Place::RecordBody => (&[T::Object], "a record's `record`"),
            Place::Parameters => (&[T::Params], "`parameters`"),
            Place::BodySchema => (BODY, "a body `schema`"),
            Place::MessageSchema => (&[T::Union], "a subscription `message.schema`"),
        };
        if !allowed.contains(&kind) {
            out.push(
                Diagnostic::new(
                    &META,
                    visit.schema.anchor(),
                    format!("`{}` is not allowed as {place}", kind.as_str()),
                )
                .with_help(format!("use one of: {}", list(allowed))),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_wrong_places() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "output": {"encoding": "text/plain", "schema": {"type": "string"}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "subscription", "message": {"schema": {"type": "object", "properties": {}}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "parameters": {"type": "params", "properties": {"u": {"type": "unknown"}}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r##"{"type": "query", "parameters": {"type": "params", "properties": {"u": {"type": "ref", "ref": "#x"}}}}"##,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"t": {"type": "token"}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "record", "key": "tid", "record": {"type": "string"}}"#,
            ),
        );
    }

    #[test]
    fn inline_objects_and_param_arrays_are_allowed() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"o": {"type": "object", "properties": {}}}}"#,
            ),
        );
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "query", "parameters": {"type": "params", "properties": {"a": {"type": "array", "items": {"type": "string"}}}}}"#,
            ),
        );
    }
}
