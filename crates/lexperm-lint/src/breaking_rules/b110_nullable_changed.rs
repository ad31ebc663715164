//! B110 `nullable-changed`: a property in both versions became nullable or stopped being so.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::{list_membership_changed, FieldList};


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B110",
    name: "nullable-changed",
    severity: Severity::Error,
    summary: "A property present in both versions entered or left the `nullable` list",
    doc: r#"## What it does
Reports every object property defined in both versions that entered or left `nullable`.

## Why is this bad?
Made nullable: data written now may hold `null`, which readers of the old schema reject. No
longer nullable: data written before may hold `null` and becomes invalid.

## Example
`"nullable": ["endsAt"]` is added to an object whose `endsAt` was not nullable. Add a new
optional field, or leave the value out instead of writing `null`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["object-nullable"];

/// Reports nullability changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    list_membership_changed(&META, diff, FieldList::Nullable, ("nullable", "non-nullable"), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, record};

    const PROPERTIES: &str = r#""text": {"type": "string"}, "at": {"type": "string"}"#;

    #[test]
    fn entering_and_leaving_nullable_are_reported() {
        let before = record(PROPERTIES, r#""nullable": ["text"]"#);
        let after = record(PROPERTIES, r#""nullable": ["at"]"#);
        let found = expect(&META, 2, &[&before], &[&after]);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"property `com.example.post#main.at` became nullable"));
        assert!(messages.contains(&"property `com.example.post#main.text` became non-nullable"));
    }

    #[test]
    fn an_unchanged_list_is_clean() {
        let text = record(PROPERTIES, r#""nullable": ["text"]"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
