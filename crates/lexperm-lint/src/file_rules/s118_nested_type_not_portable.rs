//! S118 `nested-type-not-portable`: an inline object or an array of arrays, which the TypeScript
//! validators reject.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaType};
use crate::file_rules::{walk, Place};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S118",
    name: "nested-type-not-portable",
    severity: Severity::Warning,
    summary: "An inline object in properties or items, or an array of arrays",
    doc: r#"## What it does
Reports an `object` schema written inline as an object property or as array items, and an `array`
whose items are an `array`.

## Why is this bad?
The spec and Go allow both, but both TypeScript validators (`@atproto/lexicon` and
`@atproto/lex-document`) reject the document, so the PDS, the authorization server and TypeScript
clients cannot load it. Define the object as a named def and `ref` it.

## Example
```json
{"type": "object", "properties": {"author": {"type": "object", "properties": {}}}}
```
"#,
};

/// Checks nested objects and arrays.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let kind = visit.schema.schema_type();
        let message = match (visit.place, kind) {
            (Place::Property(_), Some(SchemaType::Object)) => {
                "inline object as a property is rejected by the TypeScript validators"
            }
            (Place::Items, Some(SchemaType::Object)) => {
                "inline object as array items is rejected by the TypeScript validators"
            }
            (Place::Items, Some(SchemaType::Array)) => {
                "array of arrays is rejected by the TypeScript validators"
            }
            _ => return,
        };
        out.push(
            Diagnostic::new(&META, visit.schema.anchor(), message)
                .with_help("move the inner schema to a named def and use `{\"type\": \"ref\", \"ref\": \"#name\"}`"),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_inline_object_and_nested_array() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"o": {"type": "object", "properties": {}}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "array", "items": {"type": "object", "properties": {}}}"#,
            ),
        );
    }

    #[test]
    fn refs_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r##"{"type": "array", "items": {"type": "ref", "ref": "#y"}}"##,
            ),
        );
    }
}
