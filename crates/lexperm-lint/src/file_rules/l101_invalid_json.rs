//! L101 `invalid-json`: the file is not valid JSON.

use lexperm_parser::diagnostics::{RuleMeta, Severity};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L101",
    name: "invalid-json",
    severity: Severity::Error,
    summary: "The file is not valid JSON, is too large or is nested too deeply",
    doc: r#"## What it does
Reports a file that strict JSON (RFC 8259) cannot read: trailing commas, comments, single quotes,
unquoted keys, bad escapes, content after the value, a byte order mark. Also reports files larger
than 16 MiB and nesting deeper than 128 levels. The message says what was expected and where.

## Why is this bad?
Every lexicon reader (the TypeScript and Go validators, the PDS, the authorization server) uses a
strict JSON parser: the file cannot be loaded, published or resolved. goat calls this
`schema-json-parse`.

## Fix
Fixable (`lexperm lint --fix`): a byte order mark and trailing commas are removed. Other syntax
errors are left for you; a file that would still not be valid JSON after its fixes is not written.

## Example
```json
{"lexicon": 1, "id": "com.example.post", "defs": {},}
```
"#,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::json_findings;

    #[test]
    fn reports_trailing_comma_with_location() {
        let found = json_findings(&META, r#"{"lexicon": 1,}"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "trailing comma is not allowed in JSON");
        assert_eq!((found[0].span.start, found[0].span.end), (13, 14));
    }

    #[test]
    fn valid_json_is_clean() {
        assert!(json_findings(&META, r#"{"lexicon": 1}"#).is_empty());
    }
}
