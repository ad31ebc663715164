//! B122 `array-length-changed`: an array's length limits changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{limits_changed, Bound};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B122",
    name: "array-length-changed",
    severity: Severity::Warning,
    summary: "An array's `minLength` or `maxLength` changed",
    doc: r#"## What it does
Compares `minLength` and `maxLength` (element counts) on every array present in both versions.

## Why is this bad?
A tighter limit makes stored lists invalid; a looser one lets through lists that readers of the
old schema reject.

## Example
`{"type": "array", "items": {"type": "string"}, "maxLength": 10}` becomes `"maxLength": 5`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["array-length"];

/// Reports length limit changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Array(b), SchemaKind::Array(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let bounds = [
            Bound { name: "minLength", is_max: false, before: b.min_length.as_ref(), after: a.min_length.as_ref() },
            Bound { name: "maxLength", is_max: true, before: b.max_length.as_ref(), after: a.max_length.as_ref() },
        ];
        out.extend(limits_changed(&META, pair, "array length limits", &bounds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_lower_maximum_is_reported() {
        let before = field(r#"{"type": "array", "items": {"type": "string"}, "maxLength": 10}"#);
        let after = field(r#"{"type": "array", "items": {"type": "string"}, "maxLength": 5}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.contains("`maxLength` `10` → `5`"));
    }

    #[test]
    fn the_same_limits_are_clean() {
        let text = field(r#"{"type": "array", "items": {"type": "string"}, "minLength": 1}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
