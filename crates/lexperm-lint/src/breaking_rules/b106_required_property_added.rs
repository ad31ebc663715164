//! B106 `required-property-added`: a new property or parameter is required.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::diff::FieldKind;
use lexperm_resolver::CatalogDiff;

use super::support::changed;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B106",
    name: "required-property-added",
    severity: Severity::Error,
    summary: "A property or parameter the before version did not have is required",
    doc: r#"## What it does
Reports every property (of a record, object or body schema) and every query parameter that is
new in the after version and listed in `required`. Endpoint `parameters` added as a whole count:
their required parameters are new.

## Why is this bad?
Data written before the change lacks the field, so it becomes invalid, and clients built on the
old schema do not send the parameter, so their calls fail. The spec: new fields must be optional.

## Example
```json
"required": ["text", "lang"],
"properties": {"text": {"type": "string"}, "lang": {"type": "string"}}
```
where `lang` is new. Leave `lang` out of `required`; readers treat a missing value as unknown.
"#,
};

/// Other tools' names for this check (none: indigo's `object-required` and `params-required`
/// flag any change of the `required` list; see `required-changed`).
pub const ALIASES: &[&str] = &[];

/// Reports new required fields.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for set in diff.field_sets() {
        for property in set.after.properties {
            if set.before.property(&property.name).is_some()
                || set.after.required(&property.name).is_none()
            {
                continue;
            }
            let noun = set.kind.noun();
            let lacking = match set.kind {
                FieldKind::Property => "data written before lacks it",
                FieldKind::Parameter => "existing clients do not send it",
            };
            out.push(
                changed(
                    &META,
                    set.doc.nsid(),
                    property.name_span,
                    set.before.anchor,
                    format!("no `{}` before", property.name),
                    format!(
                        "new {noun} `{}` is required: {lacking}",
                        set.field_location(&property.name)
                    ),
                )
                .with_help(format!(
                    "make `{}` optional (leave it out of `required`); a new required {noun} needs \
                     a new NSID with a `V2` suffix",
                    property.name
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect, record};

    #[test]
    fn a_new_required_property_is_reported() {
        let before = record(r#""text": {"type": "string"}"#, r#""required": ["text"]"#);
        let after = record(
            r#""text": {"type": "string"}, "lang": {"type": "string"}"#,
            r#""required": ["text", "lang"]"#,
        );
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "new property `com.example.post#main.lang` is required: data written before lacks it"
        );
    }

    #[test]
    fn new_required_parameters_count_even_when_parameters_are_new() {
        let before = doc("com.example.get", r#""main": {"type": "query"}"#);
        let after = doc(
            "com.example.get",
            r#""main": {"type": "query", "parameters": {"type": "params", "required": ["uri"], "properties": {"uri": {"type": "string"}}}}"#,
        );
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.starts_with("new parameter `com.example.get#main.parameters.uri`"));
    }

    #[test]
    fn a_new_optional_property_is_clean() {
        let before = record(r#""text": {"type": "string"}"#, "");
        let after = record(r#""text": {"type": "string"}, "lang": {"type": "string"}"#, "");
        expect(&META, 0, &[&before], &[&after]);
    }
}
