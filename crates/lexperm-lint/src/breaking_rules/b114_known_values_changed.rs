//! B114 `known-values-changed`: the `knownValues` of a string changed (information only).

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, values, set_changes, BEFORE};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B114",
    name: "known-values-changed",
    severity: Severity::Info,
    summary: "The `knownValues` of a string changed (allowed; listed for review)",
    doc: r#"## What it does
Lists values added to and removed from `knownValues` on every string schema present in both
versions. Information only: it never fails a run.

## Why is this bad?
It is not: `knownValues` is an open set, and readers must accept values they do not know. The
finding is there so that a reviewer sees a value that disappeared (data may still hold it) or a
new one (older apps show it as unknown).

## Example
`"knownValues": ["scheduled", "cancelled"]` gains `"postponed"`.
"#,
};

/// Other tools' names for this check (none: indigo lets `knownValues` change silently).
pub const ALIASES: &[&str] = &[];

/// Reports `knownValues` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::String(before), SchemaKind::String(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let old = before.known_values.as_ref().map_or(&[][..], |k| &k.value);
        let new = after.known_values.as_ref().map_or(&[][..], |k| &k.value);
        let (removed, added) = set_changes(old, new);
        if removed.is_empty() && added.is_empty() {
            continue;
        }
        out.push(
            changed(
                &META,
                pair.nsid(),
                after.known_values.as_ref().map_or_else(|| pair.after.anchor(), |k| k.span),
                before.known_values.as_ref().map_or_else(|| pair.before.anchor(), |k| k.span),
                BEFORE,
                format!(
                    "`knownValues` of `{}` changed: removed {}, added {}",
                    pair.location(),
                    values(&removed),
                    values(&added)
                ),
            )
            .with_help(
                "no change needed: `knownValues` is open; check that readers handle values they \
                 do not know, and describe a retired value as deprecated rather than dropping it",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn added_and_removed_values_are_listed() {
        let before = field(r#"{"type": "string", "knownValues": ["a", "b"]}"#);
        let after = field(r#"{"type": "string", "knownValues": ["b", "c"]}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(found[0].severity, Severity::Info);
        assert!(found[0].message.ends_with("removed `a`, added `c`"));
    }

    #[test]
    fn the_same_values_are_clean() {
        let text = field(r#"{"type": "string", "knownValues": ["a", "b"]}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
