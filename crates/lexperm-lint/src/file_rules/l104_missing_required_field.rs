//! L104 `missing-required-field`: a field the Lexicon language requires is absent.

use lexperm_parser::diagnostics::{RuleMeta, Severity};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L104",
    name: "missing-required-field",
    severity: Severity::Error,
    summary: "A field the Lexicon language requires is missing",
    doc: r#"## What it does
Reports a missing required field: `lexicon`, `id` or `defs` on the document; `type` on a schema;
`properties` on an object; `items` on an array; `key` and `record` on a record; `encoding` on a
body; `message` (and its `schema`) on a subscription; `permissions` on a permission set; `ref` on a ref; `refs` on a
union; `name` on an error; `resource` on a permission.

## Why is this bad?
The reference validators reject the document. (indigo's lexlint reports a missing body `encoding`
as the warning `unspecified-encoding`; TypeScript rejects it, so lexperm does too.)

## Example
```json
{"type": "array", "maxLength": 10}
```
"#,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_missing_items_and_encoding() {
        let found = expect(&META, 1, &with_def("x", r#"{"type": "array"}"#));
        assert_eq!(
            found[0].message,
            "array schema is missing the required field `items`"
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "output": {"schema": {"type": "object", "properties": {}}}}"#,
            ),
        );
        expect(&META, 1, r#"{"lexicon": 1, "id": "a.b.c"}"#);
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "subscription", "message": {"description": "x"}}"#,
            ),
        );
    }

    #[test]
    fn complete_schemas_are_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "array", "items": {"type": "integer"}}"#),
        );
    }
}
