//! L105 `unknown-schema-type`: a schema's `type` is not a Lexicon type.

use crate::diagnostics::{Diagnostic, RuleMeta, Severity, Span};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L105",
    name: "unknown-schema-type",
    severity: Severity::Error,
    summary: "A schema's `type` is not a Lexicon type",
    doc: r#"## What it does
Reports a `type` value that is not one of the Lexicon types (boolean, integer, string, bytes,
cid-link, blob, array, object, params, token, ref, union, unknown, record, query, procedure,
subscription, permission-set, permission), including `null` (removed from the language in Nov
2025) and non-string values.

## Why is this bad?
No validator knows what the schema means; both reference validators reject the document.

## Example
```json
{"type": "float"}
```
"#,
};

/// Builds the diagnostic for a `type` value described by `found` (e.g. `"float"`). Called by
/// the loader.
pub fn check(span: Span, found: &str) -> Diagnostic {
    let help = if found == "\"null\"" {
        "the `null` type was removed from the Lexicon language; use `nullable` on the object"
    } else {
        "use one of: boolean, integer, string, bytes, cid-link, blob, array, object, token, ref, union, unknown, record, query, procedure, subscription, permission-set"
    };
    Diagnostic::new(&META, span, format!("unknown schema type {found}")).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{expect, with_def};

    #[test]
    fn reports_unknown_and_null_types() {
        let found = expect(&META, 1, &with_def("x", r#"{"type": "float"}"#));
        assert_eq!(found[0].message, "unknown schema type \"float\"");
        expect(&META, 1, &with_def("x", r#"{"type": "null"}"#));
        expect(&META, 1, &with_def("x", r#"{"type": 3}"#));
    }

    #[test]
    fn known_types_are_clean() {
        expect(&META, 0, &with_def("x", r#"{"type": "cid-link"}"#));
    }
}
