//! B103 `def-removed`: a def of a lexicon is gone.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::opening;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B103",
    name: "def-removed",
    severity: Severity::Error,
    summary: "A def of a lexicon present in both versions is gone",
    doc: r#"## What it does
Reports every def (`main`, `view`, a token, …) that the before version of a lexicon has and the
after version lacks. The finding is on the def in the before file, with a label on the after
file's `defs`.

## Why is this bad?
Other lexicons ref the def (`com.example.defs#view`), unions list it, data names it in `$type`,
and tokens are used as `knownValues`. All of them stop resolving. indigo's `lexlint` ignores
added and removed defs.

## Example
`com.example.defs#viewBasic` is deleted. Keep it and deprecate it in its `description`; add the
replacement under a new name.
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports removed defs.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.documents() {
        let after_defs = pair
            .after
            .doc
            .defs_span
            .map_or_else(|| pair.after.doc.anchor(), opening);
        for def in pair.removed_defs() {
            let location = pair.location(&def.name);
            out.push(
                Diagnostic::new(&META, def.name_span, format!("def `{location}` was removed"))
                    .with_label(after_defs, format!("no `{}` here", def.name))
                    .with_help(format!(
                        "keep `{location}` and deprecate it in its `description`; refs, unions \
                         and data that name it break without it"
                    ))
                    .with_nsid(pair.nsid()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    #[test]
    fn a_missing_def_is_reported_at_its_old_name() {
        let before = doc(
            "com.example.defs",
            r#""view": {"type": "object", "properties": {}}, "gone": {"type": "token"}"#,
        );
        let after = doc("com.example.defs", r#""view": {"type": "object", "properties": {}}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(found[0].message, "def `com.example.defs#gone` was removed");
        assert!(found[0].span.file.0 >= 1000);
    }

    #[test]
    fn added_defs_are_clean() {
        let before = doc("com.example.defs", r#""view": {"type": "token"}"#);
        let after = doc("com.example.defs", r#""view": {"type": "token"}, "new": {"type": "token"}"#);
        expect(&META, 0, &[&before], &[&after]);
    }
}
