//! B123 `blob-accept-changed`: a blob's `accept` list changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, values, new_field_help, set_changes, BEFORE};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B123",
    name: "blob-accept-changed",
    severity: Severity::Warning,
    summary: "A blob's `accept` list changed",
    doc: r#"## What it does
Compares `accept` (MIME types and globs) on every blob present in both versions, as a set. A
missing `accept` accepts any type.

## Why is this bad?
A type removed makes stored blobs of that type invalid; a type added produces blobs that readers
of the old schema reject or cannot show.

## Example
`"accept": ["image/png", "image/jpeg"]` loses `"image/jpeg"`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["blob-accept"];

/// Reports `accept` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Blob(b), SchemaKind::Blob(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let message = match (&b.accept, &a.accept) {
            (None, None) => continue,
            (None, Some(_)) => format!("blob `{}` now limits its types (it accepted any)", pair.location()),
            (Some(_), None) => format!("blob `{}` now accepts any type", pair.location()),
            (Some(old), Some(new)) => {
                let (removed, added) = set_changes(&old.value, &new.value);
                if removed.is_empty() && added.is_empty() {
                    continue;
                }
                format!(
                    "`accept` of blob `{}` changed: removed {}, added {}",
                    pair.location(),
                    values(&removed),
                    values(&added)
                )
            }
        };
        out.push(
            changed(
                &META,
                pair.nsid(),
                a.accept.as_ref().map_or_else(|| pair.after.anchor(), |l| l.span),
                b.accept.as_ref().map_or_else(|| pair.before.anchor(), |l| l.span),
                BEFORE,
                message,
            )
            .with_help(new_field_help(&format!("the types `{}` accepts", pair.location()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_removed_type_is_reported() {
        let before = field(r#"{"type": "blob", "accept": ["image/png", "image/jpeg"]}"#);
        let after = field(r#"{"type": "blob", "accept": ["image/png"]}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.ends_with("removed `image/jpeg`, added (none)"));
    }

    #[test]
    fn the_same_types_in_another_order_are_clean() {
        let before = field(r#"{"type": "blob", "accept": ["image/png", "image/jpeg"]}"#);
        let after = field(r#"{"type": "blob", "accept": ["image/jpeg", "image/png"]}"#);
        expect(&META, 0, &[&before], &[&after]);
    }
}
