//! L110 `non-definable-type`: a definition has a type that cannot be a named definition.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L110",
    name: "non-definable-type",
    severity: Severity::Error,
    summary: "A definition has type ref, union, unknown, params or permission",
    doc: r#"## What it does
Reports a named definition (including `main`) of type `ref`, `union`, `unknown`, `params` or
`permission`. These only exist inside other schemas.

## Why is this bad?
The spec does not allow them as definitions; Go and `@atproto/lex-document` reject them. (The old
`@atproto/lexicon` package accepts `unknown` as a definition; that is a bug not to copy.)

## Example
```json
{"lexicon": 1, "id": "com.example.thing", "defs": {"demo": {"type": "unknown"}}}
```
"#,
};

/// Checks def types.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let Some(kind) = def.schema.schema_type() else {
            continue;
        };
        if !kind.is_definable() {
            out.push(
                Diagnostic::new(
                    &META,
                    def.schema.anchor(),
                    format!(
                        "`{}` can not be a named definition (`{}`)",
                        kind.as_str(),
                        def.name
                    ),
                )
                .with_help("use the schema inline where it is needed, e.g. as an object property"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_ref_unknown_params() {
        expect(
            &META,
            1,
            &with_def(
                "demo",
                r#"{"type": "ref", "ref": "com.atproto.repo.strongRef"}"#,
            ),
        );
        expect(&META, 1, &with_def("demo", r#"{"type": "unknown"}"#));
        expect(
            &META,
            1,
            &with_def("main", r#"{"type": "params", "properties": {}}"#),
        );
    }

    #[test]
    fn token_and_object_are_clean() {
        expect(&META, 0, &with_def("main", r#"{"type": "token"}"#));
    }
}
