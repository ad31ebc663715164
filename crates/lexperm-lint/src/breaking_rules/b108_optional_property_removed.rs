//! B108 `optional-property-removed`: an optional property or parameter is gone.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::removed_fields;


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B108",
    name: "optional-property-removed",
    severity: Severity::Warning,
    summary: "An optional property or parameter is gone",
    doc: r#"## What it does
Reports every optional property and query parameter that the before version defines and the
after version does not. The finding is on the field in the before file.

## Why is this bad?
Old data still carries the field, and old clients still send the parameter; after the removal
nothing says what it means, and the name is free to come back with another type, which would
make that old data invalid. Clients that show the field lose it without notice.

## Example
The optional `langs` property is deleted. Keep it and mark it deprecated in its `description`.
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports removed optional fields.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    removed_fields(
        &META,
        diff,
        |was_required| !was_required,
        |set, field| {
            (
                format!(
                    "optional {} `{}` was removed",
                    set.kind.noun(),
                    set.field_location(&field.name)
                ),
                format!(
                    "keep `{}` and deprecate it in its `description`, so the name is never reused \
                     with another meaning",
                    field.name
                ),
            )
        },
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect, record};

    #[test]
    fn a_removed_optional_property_is_reported() {
        let before = record(r#""text": {"type": "string"}, "langs": {"type": "string"}"#, "");
        let after = record(r#""text": {"type": "string"}"#, "");
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(found[0].message, "optional property `com.example.post#main.langs` was removed");
    }

    #[test]
    fn removed_parameters_count() {
        let before = doc(
            "com.example.get",
            r#""main": {"type": "query", "parameters": {"type": "params", "properties": {"limit": {"type": "integer"}}}}"#,
        );
        let after = doc("com.example.get", r#""main": {"type": "query"}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.starts_with("optional parameter"));
    }

    #[test]
    fn kept_properties_are_clean() {
        let text = record(r#""text": {"type": "string"}"#, "");
        expect(&META, 0, &[&text], &[&text]);
    }
}
