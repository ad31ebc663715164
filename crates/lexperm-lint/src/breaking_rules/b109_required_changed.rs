//! B109 `required-changed`: a property or parameter in both versions became required or optional.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::{list_membership_changed, FieldList};


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B109",
    name: "required-changed",
    severity: Severity::Error,
    summary: "A property or parameter present in both versions changed between required and optional",
    doc: r#"## What it does
Reports every property and query parameter defined in both versions that entered or left the
`required` list. New required fields are `required-property-added`, removed ones
`required-property-removed`; together the three report what indigo's `object-required` and
`params-required` report as one changed list.

## Why is this bad?
Made required: data and calls written before may lack the field and become invalid. Made
optional: data written now may lack it, and readers of the old schema reject it.

## Example
`"required": ["text"]` becomes `"required": ["text", "langs"]` with `langs` defined before.
Keep the list as it was.
"#,
};

/// indigo `lexlint`'s names for this check.
pub const ALIASES: &[&str] = &["object-required", "params-required"];

/// Reports requiredness changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    list_membership_changed(&META, diff, FieldList::Required, ("required", "optional"), out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, record};

    const PROPERTIES: &str = r#""text": {"type": "string"}, "langs": {"type": "string"}"#;

    #[test]
    fn made_required_and_made_optional_are_reported() {
        let before = record(PROPERTIES, r#""required": ["text"]"#);
        let after = record(PROPERTIES, r#""required": ["langs"]"#);
        let found = expect(&META, 2, &[&before], &[&after]);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&"property `com.example.post#main.langs` became required"));
        assert!(messages.contains(&"property `com.example.post#main.text` became optional"));
    }

    #[test]
    fn a_reordered_list_is_clean() {
        let before = record(PROPERTIES, r#""required": ["text", "langs"]"#);
        let after = record(PROPERTIES, r#""required": ["langs", "text"]"#);
        expect(&META, 0, &[&before], &[&after]);
    }

    #[test]
    fn explain_finds_it_by_indigo_name() {
        assert_eq!(crate::lookup("object-required").unwrap().code, META.code);
    }
}
