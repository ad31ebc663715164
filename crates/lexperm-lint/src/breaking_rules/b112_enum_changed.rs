//! B112 `enum-changed`: the `enum` of an integer or string changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{SchemaKind, SpannedList};
use lexperm_resolver::diff::SchemaPair;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, values, new_field_help, set_changes};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B112",
    name: "enum-changed",
    severity: Severity::Error,
    summary: "The `enum` set of an integer or string changed",
    doc: r#"## What it does
Compares `enum` on every integer and string schema present in both versions as a set (order
does not matter): values added or removed, or an `enum` that appeared or went away.

## Why is this bad?
An `enum` is closed: a value removed makes data that holds it invalid, and a value added is
rejected by readers of the old schema. That is why the style guide prefers `knownValues`, which
may change.

## Example
`"enum": ["draft", "published"]` gains `"archived"`. Use `knownValues` for sets that grow, or add
a new optional field.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["enum-values"];

/// Reports `enum` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let found = match (&pair.before.kind, &pair.after.kind) {
            (SchemaKind::Integer(b), SchemaKind::Integer(a)) => {
                compare(pair, b.enum_values.as_ref(), a.enum_values.as_ref())
            }
            (SchemaKind::String(b), SchemaKind::String(a)) => {
                compare(pair, b.enum_values.as_ref(), a.enum_values.as_ref())
            }
            _ => None,
        };
        out.extend(found);
    }
}

fn compare<T: Eq + std::hash::Hash + ToString>(
    pair: &SchemaPair<'_>,
    before: Option<&SpannedList<T>>,
    after: Option<&SpannedList<T>>,
) -> Option<Diagnostic> {
    let message = match (before, after) {
        (None, None) => return None,
        (None, Some(_)) => format!("`{}` gained an `enum`", pair.location()),
        (Some(_), None) => format!("`{}` lost its `enum`", pair.location()),
        (Some(b), Some(a)) => {
            let (removed, added) = set_changes(&b.value, &a.value);
            if removed.is_empty() && added.is_empty() {
                return None;
            }
            format!(
                "`enum` of `{}` changed: removed {}, added {}",
                pair.location(),
                values(&removed),
                values(&added)
            )
        }
    };
    Some(
        changed(
            &META,
            pair.nsid(),
            after.map_or_else(|| pair.after.anchor(), |l| l.span),
            before.map_or_else(|| pair.before.anchor(), |l| l.span),
            super::support::BEFORE,
            message,
        )
        .with_help(new_field_help(&format!("the `enum` of `{}`", pair.location()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn added_and_removed_values_are_listed() {
        let before = field(r#"{"type": "string", "enum": ["a", "b"]}"#);
        let after = field(r#"{"type": "string", "enum": ["b", "c"]}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "`enum` of `com.example.post#main.field` changed: removed `a`, added `c`"
        );
        let ints = (field(r#"{"type": "integer", "enum": [1]}"#), field(r#"{"type": "integer"}"#));
        let found = expect(&META, 1, &[&ints.0], &[&ints.1]);
        assert!(found[0].message.ends_with("lost its `enum`"));
    }

    #[test]
    fn the_same_set_in_another_order_is_clean() {
        let before = field(r#"{"type": "integer", "enum": [1, 2]}"#);
        let after = field(r#"{"type": "integer", "enum": [2, 1]}"#);
        expect(&META, 0, &[&before], &[&after]);
    }
}
