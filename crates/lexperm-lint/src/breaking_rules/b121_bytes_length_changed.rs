//! B121 `bytes-length-changed`: a bytes field's length limits changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{limits_changed, Bound};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B121",
    name: "bytes-length-changed",
    severity: Severity::Warning,
    summary: "A `bytes` field's `minLength` or `maxLength` changed",
    doc: r#"## What it does
Compares `minLength` and `maxLength` on every `bytes` schema present in both versions.

## Why is this bad?
A tighter limit makes stored values invalid; a looser one lets through values readers of the old
schema reject.

## Example
`{"type": "bytes", "maxLength": 64}` becomes `"maxLength": 32`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["bytes-length"];

/// Reports length limit changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Bytes(b), SchemaKind::Bytes(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let bounds = [
            Bound { name: "minLength", is_max: false, before: b.min_length.as_ref(), after: a.min_length.as_ref() },
            Bound { name: "maxLength", is_max: true, before: b.max_length.as_ref(), after: a.max_length.as_ref() },
        ];
        out.extend(limits_changed(&META, pair, "bytes length limits", &bounds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_new_limit_is_reported() {
        let before = field(r#"{"type": "bytes"}"#);
        let after = field(r#"{"type": "bytes", "maxLength": 32}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.contains("`maxLength` (none) → `32`"));
    }

    #[test]
    fn the_same_limits_are_clean() {
        let text = field(r#"{"type": "bytes", "maxLength": 32}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
