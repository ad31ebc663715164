//! B107 `required-property-removed`: a required property or parameter is gone.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::removed_fields;


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B107",
    name: "required-property-removed",
    severity: Severity::Error,
    summary: "A property or parameter that was required is gone",
    doc: r#"## What it does
Reports every property and query parameter that the before version lists in `required` and the
after version no longer defines. The finding is on the field in the before file.

## Why is this bad?
Readers of the old schema rely on the field being there; data written under the new schema lacks
it and fails their validation. The spec: non-optional fields cannot be removed; deprecate them.

## Example
`"required": ["text", "createdAt"]` loses `createdAt` and its property. Keep the property
required and describe it as deprecated instead.
"#,
};

/// Other tools' names for this check (none; indigo's `object-required` flags the changed list).
pub const ALIASES: &[&str] = &[];

/// Reports removed required fields.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    removed_fields(
        &META,
        diff,
        |was_required| was_required,
        |set, field| {
            (
                format!(
                    "required {} `{}` was removed",
                    set.kind.noun(),
                    set.field_location(&field.name)
                ),
                format!(
                    "keep `{}` and deprecate it in its `description`; readers of the old version \
                     require it",
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
    use crate::breaking_rules::test_support::{expect, record};

    #[test]
    fn a_removed_required_property_is_reported_in_the_before_file() {
        let before = record(
            r#""text": {"type": "string"}, "at": {"type": "string"}"#,
            r#""required": ["text", "at"]"#,
        );
        let after = record(r#""text": {"type": "string"}"#, r#""required": ["text"]"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(found[0].message, "required property `com.example.post#main.at` was removed");
        assert!(found[0].span.file.0 >= 1000);
    }

    #[test]
    fn a_removed_optional_property_is_not_this_rule() {
        let before = record(r#""text": {"type": "string"}, "at": {"type": "string"}"#, "");
        let after = record(r#""text": {"type": "string"}"#, "");
        expect(&META, 0, &[&before], &[&after]);
    }
}
