//! L204 `union-variant-not-object`: a union variant resolves to something other than an object or
//! a record.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaType;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::{a_type, refs, resolve_ref, RefPlace, RefTarget};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L204",
    name: "union-variant-not-object",
    severity: Severity::Error,
    summary: "A union variant resolves to a def that is not an `object` or a `record`",
    doc: r#"## What it does
Resolves each `refs` entry of every `union` across the loaded files and reports a variant whose
def is not an `object` or a `record` (a token, a string, a query, …).

## Why is this bad?
Union members are told apart by the `$type` field inside the value, so every variant must be an
object (records are objects). Data for any other variant cannot carry `$type`, can never match,
and the validators reject it at runtime.

## Example
```json
{"type": "union", "refs": ["com.example.defs#green"]}
```
where `com.example.defs#green` is a `token`.
"#,
};

/// Checks union variants that resolve.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        for (reference, place) in refs(&file.doc) {
            if place != RefPlace::UnionVariant {
                continue;
            }
            let RefTarget::Found { def, .. } = resolve_ref(catalog, &file.doc, &reference.value)
            else {
                continue;
            };
            let Some(found) = def.schema.schema_type() else {
                continue;
            };
            if matches!(found, SchemaType::Object | SchemaType::Record) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    reference.span,
                    format!(
                        "union variant `{}` is {}, not an object or a record",
                        reference.value,
                        a_type(found.as_str())
                    ),
                )
                .with_label(def.schema.anchor(), "defined here")
                .with_help(if found == SchemaType::Token {
                    "a token belongs in a string's `knownValues`, not in a union".to_owned()
                } else {
                    "point the variant at an `object` def (wrap the value in one if needed)"
                        .to_owned()
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, record_doc, text_at};

    #[test]
    fn reports_tokens_and_scalars_in_unions() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "u": {"type": "union", "refs": ["com.example.b#green", "#name", "com.example.b#view"]}}},
              "name": {"type": "string"}"##,
        );
        let b = doc(
            "com.example.b",
            r#""green": {"type": "token"}, "view": {"type": "object", "properties": {}}"#,
        );
        let found = expect(&META, 2, &[("a.json", &a), ("b.json", &b)]);
        assert_eq!(text_at(&a, &found[0]), "\"com.example.b#green\"");
        assert!(found[0].help.as_deref().unwrap().contains("knownValues"));
        assert!(found[1].message.contains("`string`"));
    }

    #[test]
    fn objects_records_and_plain_refs_are_clean() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "u": {"type": "union", "refs": ["com.example.b", "#obj", "org.external.x"]},
                "t": {"type": "ref", "ref": "#tok"}}},
              "obj": {"type": "object", "properties": {}},
              "tok": {"type": "token"}"##,
        );
        let b = record_doc("com.example.b");
        expect(&META, 0, &[("a.json", &a), ("b.json", &b)]);
    }
}
