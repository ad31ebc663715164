//! B120 `string-length-changed`: a string's length or grapheme limits changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{limits_changed, Bound};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B120",
    name: "string-length-changed",
    severity: Severity::Warning,
    summary: "A string's `minLength`, `maxLength`, `minGraphemes` or `maxGraphemes` changed",
    doc: r#"## What it does
Compares the length limits (UTF-8 bytes) and grapheme limits on every string present in both
versions, and says whether they got tighter or looser.

## Why is this bad?
A tighter limit makes stored values invalid; a looser one lets through values readers of the old
schema reject (an older app truncates or refuses a longer post). A warning, because raising a
limit is sometimes a deliberate, coordinated change.

## Example
`{"type": "string", "maxLength": 3000, "maxGraphemes": 300}` becomes `"maxGraphemes": 500`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["string-length"];

/// Reports length limit changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::String(b), SchemaKind::String(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let bounds = [
            Bound { name: "minLength", is_max: false, before: b.min_length.as_ref(), after: a.min_length.as_ref() },
            Bound { name: "maxLength", is_max: true, before: b.max_length.as_ref(), after: a.max_length.as_ref() },
            Bound { name: "minGraphemes", is_max: false, before: b.min_graphemes.as_ref(), after: a.min_graphemes.as_ref() },
            Bound { name: "maxGraphemes", is_max: true, before: b.max_graphemes.as_ref(), after: a.max_graphemes.as_ref() },
        ];
        out.extend(limits_changed(&META, pair, "string length limits", &bounds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn every_changed_limit_is_named() {
        let before = field(r#"{"type": "string", "maxLength": 300, "maxGraphemes": 30}"#);
        let after = field(r#"{"type": "string", "maxLength": 600, "maxGraphemes": 20}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.contains("`maxLength` `300` → `600`, `maxGraphemes` `30` → `20`"));
        assert!(found[0].message.contains("some values valid before are now rejected"));
    }

    #[test]
    fn the_same_limits_are_clean() {
        let text = field(r#"{"type": "string", "maxLength": 300}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
