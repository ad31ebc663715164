//! B102 `lexicon-renamed`: a lexicon's content reappears under a new NSID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B102",
    name: "lexicon-renamed",
    severity: Severity::Error,
    summary: "A lexicon moved to a new NSID and the old NSID is gone",
    doc: r#"## What it does
Reports an NSID of the before version that the after version lacks when a lexicon with the same
`defs` (descriptions aside) appears under an NSID the before version did not have: the lexicon
was renamed. The finding is on the new `id`, with a label on the old one.

## Why is this bad?
An NSID is the lexicon's identity: records name it in `$type`, clients call it, permission sets
grant it. Renaming breaks every one of them exactly like removing it would. A new NSID is the
right way to make a breaking change, but the old one has to stay.

## Example
`com.example.post` becomes `com.example.postV2` in the same file. Keep `com.example.post` (mark
it deprecated in its `description`) and add `com.example.postV2` as a new file.
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports renamed lexicons.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.renamed() {
        let old = pair.before.nsid_str();
        let new = pair.after.nsid_str();
        out.push(
            Diagnostic::new(
                &META,
                pair.after.doc.anchor(),
                format!("lexicon `{old}` was renamed to `{new}`: `{old}` is gone"),
            )
            .with_label(pair.before.doc.anchor(), format!("was `{old}`"))
            .with_help(format!(
                "keep `{old}` as it was (deprecate it in its `description`) and add `{new}` \
                 next to it"
            ))
            .with_nsid(new),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    const DEFS: &str = r#""main": {"type": "object", "description": "A.", "properties": {"a": {"type": "ref", "ref": "com.example.a#b"}}}, "b": {"type": "token"}"#;

    #[test]
    fn the_same_defs_under_a_new_nsid_are_a_rename() {
        let before = doc("com.example.a", DEFS);
        // Descriptions may change, and refs to the lexicon itself follow its new NSID.
        let defs = DEFS
            .replace("\"A.\"", "\"Renamed.\"")
            .replace("com.example.a#b", "com.example.aV2#b");
        let after = doc("com.example.aV2", &defs);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "lexicon `com.example.a` was renamed to `com.example.aV2`: `com.example.a` is gone"
        );
        // The rename is not also a removal.
        crate::assert_count(
            &crate::breaking_rules::b101_lexicon_removed::META,
            0,
            crate::breaking_rules::test_support::run(
                &crate::breaking_rules::b101_lexicon_removed::META,
                &[&before],
                &[&after],
            ),
        );
    }

    #[test]
    fn different_defs_or_a_kept_old_nsid_are_no_rename() {
        let before = doc("com.example.a", DEFS);
        let other = doc("com.example.aV2", r#""main": {"type": "token"}"#);
        expect(&META, 0, &[&before], &[&other]);
        let copy = doc("com.example.aV2", DEFS);
        expect(&META, 0, &[&before], &[&before, &copy]);
    }
}
