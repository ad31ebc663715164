//! B118 `ref-changed`: a `ref` points at another def.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::diff::absolute_ref;
use lexperm_resolver::CatalogDiff;

use super::support::{changed_field, new_field_help};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B118",
    name: "ref-changed",
    severity: Severity::Warning,
    summary: "A `ref` points at another def",
    doc: r##"## What it does
Compares the target of every `ref` present in both versions. Targets are compared in full form,
so `#view` and `com.example.defs#view` written in `com.example.defs` are the same target (indigo's
`ref-change` compares the strings).

## Why is this bad?
The data at that place now follows another schema. When the new def is a copy of the old one
nothing breaks, which is why this is a warning; otherwise it is a type change in disguise.

## Example
`{"type": "ref", "ref": "com.example.defs#viewBasic"}` becomes `"#viewDetailed"`. Add a new
optional field for the new view.
"##,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["ref-change"];

/// Reports changed ref targets.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Ref(before), SchemaKind::Ref(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let (Some(old), Some(new)) = (&before.reference, &after.reference) else {
            continue;
        };
        let old_target = absolute_ref(pair.nsid(), &old.value);
        let new_target = absolute_ref(pair.nsid(), &new.value);
        if old_target == new_target {
            continue;
        }
        out.push(
            changed_field(
                &META,
                pair,
                (Some(old), Some(new)),
                format!("was `{old_target}`"),
                format!(
                    "ref `{}` changed from `{old_target}` to `{new_target}`",
                    pair.location()
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
    fn a_new_target_is_reported() {
        let before = field(r##"{"type": "ref", "ref": "#a"}"##);
        let after = field(r##"{"type": "ref", "ref": "com.example.other#a"}"##);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "ref `com.example.post#main.field` changed from `com.example.post#a` to `com.example.other#a`"
        );
    }

    #[test]
    fn a_respelled_target_is_clean() {
        let before = field(r##"{"type": "ref", "ref": "#main"}"##);
        let after = field(r##"{"type": "ref", "ref": "com.example.post"}"##);
        expect(&META, 0, &[&before], &[&after]);
    }
}
