//! B119 `integer-range-changed`: an integer's `minimum` or `maximum` changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{limits_changed, Bound};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B119",
    name: "integer-range-changed",
    severity: Severity::Warning,
    summary: "An integer's `minimum` or `maximum` changed",
    doc: r#"## What it does
Compares `minimum` and `maximum` on every integer present in both versions, and says for each
change whether the range got narrower or wider.

## Why is this bad?
A narrower range makes stored values outside it invalid; a wider one lets through values that
readers of the old schema reject. Whether that matters depends on the data, so this is a
warning.

## Example
`{"type": "integer", "maximum": 100}` becomes `"maximum": 50`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["integer-range"];

/// Reports range changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Integer(b), SchemaKind::Integer(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let bounds = [
            Bound { name: "minimum", is_max: false, before: b.minimum.as_ref(), after: a.minimum.as_ref() },
            Bound { name: "maximum", is_max: true, before: b.maximum.as_ref(), after: a.maximum.as_ref() },
        ];
        out.extend(limits_changed(&META, pair, "integer range", &bounds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn narrower_and_wider_ranges_are_reported() {
        let before = field(r#"{"type": "integer", "minimum": 0, "maximum": 100}"#);
        let narrower = field(r#"{"type": "integer", "minimum": 0, "maximum": 50}"#);
        let found = expect(&META, 1, &[&before], &[&narrower]);
        assert_eq!(
            found[0].message,
            "integer range of `com.example.post#main.field` changed: `maximum` `100` → `50` (values valid before may now be rejected)"
        );
        let wider = field(r#"{"type": "integer"}"#);
        let found = expect(&META, 1, &[&before], &[&wider]);
        assert!(found[0].message.contains("rejected by readers of the old schema"));
    }

    #[test]
    fn the_same_range_is_clean() {
        let text = field(r#"{"type": "integer", "minimum": 1}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
