//! B116 `closed-union-refs-changed`: the variants of a closed union changed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, differences, list, new_field_help, union_refs, BEFORE};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B116",
    name: "closed-union-refs-changed",
    severity: Severity::Error,
    summary: "A closed union gained or lost variants",
    doc: r##"## What it does
Compares the `refs` of every union that is closed in both versions, as a set of targets: `#view`
and `com.example.defs#view` written in `com.example.defs` are the same variant.

## Why is this bad?
A closed union is frozen: a variant removed makes data holding it invalid, and a variant added
is rejected by readers of the old schema.

## Example
`{"type": "union", "closed": true, "refs": ["#image"]}` gains `"#video"`. Open unions may gain
variants; a closed one needs a new field.
"##,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["union-closed-refs"];

/// Reports changed variants of closed unions.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Union(before), SchemaKind::Union(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        if !(before.is_closed() && after.is_closed()) {
            continue;
        }
        let old = union_refs(pair.nsid(), before);
        let new = union_refs(pair.nsid(), after);
        let (removed, added) = differences(&old, &new, String::as_str);
        if removed.is_empty() && added.is_empty() {
            continue;
        }
        out.push(
            changed(
                &META,
                pair.nsid(),
                after.refs.as_ref().map_or_else(|| pair.after.anchor(), |r| r.span),
                before.refs.as_ref().map_or_else(|| pair.before.anchor(), |r| r.span),
                BEFORE,
                format!(
                    "closed union `{}` changed its variants: removed {}, added {}",
                    pair.location(),
                    list(&removed),
                    list(&added)
                ),
            )
            .with_help(new_field_help(&format!("`{}`", pair.location()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_new_variant_is_reported() {
        let before = field(r##"{"type": "union", "closed": true, "refs": ["#a"]}"##);
        let after = field(r##"{"type": "union", "closed": true, "refs": ["#a", "#b"]}"##);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].message.ends_with("removed (none), added `com.example.post#b`"));
    }

    #[test]
    fn respelled_refs_are_clean() {
        let before = field(r##"{"type": "union", "closed": true, "refs": ["#a"]}"##);
        let after = field(r##"{"type": "union", "closed": true, "refs": ["com.example.post#a"]}"##);
        expect(&META, 0, &[&before], &[&after]);
    }
}
