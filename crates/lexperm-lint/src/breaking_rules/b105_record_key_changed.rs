//! B105 `record-key-changed`: a record's `key` type changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{new_nsid_help, text_changed};


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B105",
    name: "record-key-changed",
    severity: Severity::Error,
    summary: "A record's `key` type changed",
    doc: r#"## What it does
Compares the `key` of every record present in both versions (`tid`, `nsid`, `any`,
`literal:<value>`).

## Why is this bad?
Existing records were written under keys of the old type. Under a narrower key type they become
invalid (`any` → `tid`), under a wider one readers that rely on the old shape (a single
`literal:self` record per account, keys that sort by time) break.

## Example
`"key": "literal:self"` becomes `"key": "tid"`. Publish the new shape as a new record type
(`com.example.profileV2`) and keep the old one.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["record-key-type"];

/// Reports record key changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Record(before), SchemaKind::Record(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let keys = (before.key.as_ref(), after.key.as_ref());
        if let Some(found) = text_changed(&META, pair, "record key type", keys) {
            out.push(found.with_help(new_nsid_help(pair.nsid())));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, record};

    #[test]
    fn a_new_key_type_is_reported_at_the_key() {
        let before = record("", "");
        let after = before.replace(r#""key": "tid""#, r#""key": "literal:self""#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "record key type of `com.example.post#main` changed from `tid` to `literal:self`"
        );
        assert_eq!(
            &after[found[0].span.start as usize..found[0].span.end as usize],
            r#""literal:self""#
        );
    }

    #[test]
    fn the_same_key_is_clean() {
        let text = record("", "");
        expect(&META, 0, &[&text], &[&text]);
    }
}
