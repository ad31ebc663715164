//! L103 `invalid-field-type`: a field holds the wrong kind of JSON value.

use lexperm_parser::diagnostics::{RuleMeta, Severity};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L103",
    name: "invalid-field-type",
    severity: Severity::Error,
    summary: "A lexicon field holds the wrong kind of JSON value",
    doc: r#"## What it does
Reports a field whose value has the wrong JSON type for the Lexicon language: `maxLength: 1.5`,
`description: 3`, `id: 2`, `lexicon: "one"`, an integer `enum` holding strings, a `default` of the
wrong type, a def that is not an object. Integers follow JavaScript: `1.0` counts as the integer 1.

## Why is this bad?
Both reference validators reject the document, so it cannot be published or resolved.

## Example
```json
{"type": "string", "maxLength": 1.5}
```
"#,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_float_length_and_numeric_description() {
        let found = expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "maxLength": 1.5}"#),
        );
        assert_eq!(
            found[0].message,
            "`maxLength` must be an integer, found number `1.5`"
        );
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "token", "description": 3}"#),
        );
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "integer", "enum": ["a"]}"#),
        );
    }

    #[test]
    fn integral_float_counts_as_integer() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "string", "maxLength": 10.0}"#),
        );
    }
}
