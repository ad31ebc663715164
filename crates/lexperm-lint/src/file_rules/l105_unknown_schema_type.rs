//! L105 `unknown-schema-type`: a schema's `type` is not a Lexicon type.

use lexperm_parser::diagnostics::{RuleMeta, Severity};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_unknown_and_null_types() {
        let found = expect(&META, 1, &with_def("x", r#"{"type": "float"}"#));
        assert_eq!(found[0].message, "unknown schema type \"float\"");
        expect(&META, 1, &with_def("x", r#"{"type": "null"}"#));
        expect(&META, 1, &with_def("x", r#"{"type": 3}"#));
    }

    #[test]
    fn a_near_miss_gets_one_suggestion_instead_of_the_list() {
        let found = expect(&META, 1, &with_def("x", r#"{"type": "strng"}"#));
        assert_eq!(found[0].help.as_deref(), Some("did you mean `string`?"));
        let found = expect(&META, 1, &with_def("x", r#"{"type": "cid_link"}"#));
        assert_eq!(found[0].help.as_deref(), Some("did you mean `cid-link`?"));
        let found = expect(&META, 1, &with_def("x", r#"{"type": "float"}"#));
        assert!(found[0].help.as_deref().unwrap().starts_with("use one of: boolean"));
    }

    #[test]
    fn known_types_are_clean() {
        expect(&META, 0, &with_def("x", r#"{"type": "cid-link"}"#));
    }
}
