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

## Fix
Fixable (`lexperm lint --fix`) when a single value stands where a list of such values is required
(`"required": "text"`, `"refs": "com.example.post"`, `"accept": "image/png"`, `"enum": 3`): the value
becomes the one element of an array, `["text"]`.

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
    fn a_single_string_for_a_list_is_fixable() {
        let found = expect(
            &META,
            1,
            &with_def("x", r#"{"type": "blob", "accept": "image/png"}"#),
        );
        let edits = &found[0].fix.as_ref().unwrap().edits;
        let replacements: Vec<_> = edits.iter().map(|e| e.replacement.as_str()).collect();
        assert_eq!(replacements, ["[", "]"]);
        assert_eq!(edits[0].span.start, found[0].span.start);
        assert_eq!(edits[1].span.start, found[0].span.end);
    }

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
