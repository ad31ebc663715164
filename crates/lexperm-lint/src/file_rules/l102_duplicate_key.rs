//! L102 `duplicate-key`: an object has the same key twice.

use lexperm_parser::diagnostics::{RuleMeta, Severity};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L102",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "A JSON object has the same key twice",
    doc: r#"## What it does
Reports the second occurrence of a key in one JSON object, with a label on the first. lexperm keeps
the first occurrence.

## Why is this bad?
JSON leaves duplicate keys undefined: JavaScript keeps the last value, other parsers the first or
reject the file. The same lexicon then means different things to different tools.

## Example
```json
{"type": "string", "maxLength": 100, "maxLength": 300}
```
"#,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::json_findings;

    #[test]
    fn reports_second_key_and_labels_first() {
        let found = json_findings(&META, r#"{"a": 1, "b": 2, "a": 3}"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "duplicate key `a` in object");
        assert_eq!(found[0].labels[0].message, "first defined here");
    }

    #[test]
    fn same_key_in_different_objects_is_fine() {
        assert!(json_findings(&META, r#"{"a": {"a": 1}, "b": {"a": 2}}"#).is_empty());
    }
}
