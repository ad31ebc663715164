//! B124 `blob-size-changed`: a blob's `maxSize` changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{limits_changed, Bound};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B124",
    name: "blob-size-changed",
    severity: Severity::Warning,
    summary: "A blob's `maxSize` changed",
    doc: r#"## What it does
Compares `maxSize` (bytes) on every blob present in both versions.

## Why is this bad?
A smaller limit makes stored blobs invalid; a larger one produces blobs that readers of the old
schema (and PDSes enforcing it) reject.

## Example
`{"type": "blob", "maxSize": 1000000}` becomes `"maxSize": 500000`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["blob-size"];

/// Reports `maxSize` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Blob(b), SchemaKind::Blob(a)) = (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let bounds = [Bound {
            name: "maxSize",
            is_max: true,
            before: b.max_size.as_ref(),
            after: a.max_size.as_ref(),
        }];
        out.extend(limits_changed(&META, pair, "blob size limit", &bounds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_smaller_limit_is_reported() {
        let before = field(r#"{"type": "blob", "maxSize": 1000}"#);
        let after = field(r#"{"type": "blob", "maxSize": 500}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.contains("`maxSize` `1000` → `500`"));
    }

    #[test]
    fn the_same_limit_is_clean() {
        let text = field(r#"{"type": "blob", "maxSize": 1000}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
