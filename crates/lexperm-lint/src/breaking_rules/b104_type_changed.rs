//! B104 `type-changed`: a def, property, parameter, array item or body schema changed type.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::diff::Place;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, new_field_help, new_nsid_help};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B104",
    name: "type-changed",
    severity: Severity::Error,
    summary: "A schema present in both versions changed its `type`",
    doc: r#"## What it does
Compares the `type` of every schema present in both versions at the same place: defs, record
objects, properties, parameters, array items, `input`/`output` schemas and the subscription
`message` schema. Nothing below a schema whose type changed is compared further.

## Why is this bad?
Data valid under one type is invalid under the other: records written before fail validation,
and clients built on the old schema cannot read what the new one produces. The spec is blunt:
types cannot change.

## Example
```json
"count": {"type": "string"}
```
becomes `{"type": "integer"}`. Add a new optional field (`countValue`) instead, and deprecate the
old one in its `description`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["type-change"];

/// Reports type changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (Some(before), Some(after)) = (pair.before.schema_type(), pair.after.schema_type())
        else {
            continue;
        };
        if before == after {
            continue;
        }
        let help = match pair.place {
            Place::Property | Place::Parameter | Place::Items => {
                new_field_help(&format!("the type of `{}`", pair.location()))
            }
            Place::Def if pair.path != "main" => format!(
                "keep `{}` as it was; add the new shape as a def with another name and \
                 deprecate this one in its `description`",
                pair.location()
            ),
            _ => new_nsid_help(pair.nsid()),
        };
        out.push(
            changed(
                &META,
                pair.nsid(),
                pair.after.anchor(),
                pair.before.anchor(),
                format!("was `{}`", before.as_str()),
                format!(
                    "`{}` changed type from `{}` to `{}`",
                    pair.location(),
                    before.as_str(),
                    after.as_str()
                ),
            )
            .with_help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect, field};

    #[test]
    fn a_property_type_change_is_reported_once() {
        let before = field(r#"{"type": "array", "items": {"type": "string"}}"#);
        let after = field(r#"{"type": "string"}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "`com.example.post#main.field` changed type from `array` to `string`"
        );
        assert_eq!(found[0].labels[0].message, "was `array`");
        assert!(found[0].help.as_deref().unwrap().contains("new optional field"));
    }

    #[test]
    fn a_def_type_change_asks_for_a_new_nsid() {
        let before = doc("com.example.thing", r#""main": {"type": "token"}"#);
        let after = doc("com.example.thing", r#""main": {"type": "object", "properties": {}}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].help.as_deref().unwrap().contains("com.example.thingV2"));
    }

    #[test]
    fn a_named_def_type_change_asks_for_a_new_def() {
        let before = doc("com.example.defs", r#""view": {"type": "token"}"#);
        let after = doc("com.example.defs", r#""view": {"type": "object", "properties": {}}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].help.as_deref().unwrap().contains("a def with another name"));
    }

    #[test]
    fn items_of_arrays_are_compared() {
        let before = field(r#"{"type": "array", "items": {"type": "string"}}"#);
        let after = field(r#"{"type": "array", "items": {"type": "integer"}}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.contains("`com.example.post#main.field[]`"));
    }

    #[test]
    fn same_types_are_clean() {
        let text = field(r#"{"type": "string", "maxLength": 10}"#);
        let other = field(r#"{"type": "string", "maxLength": 20}"#);
        expect(&META, 0, &[&text], &[&other]);
    }
}
