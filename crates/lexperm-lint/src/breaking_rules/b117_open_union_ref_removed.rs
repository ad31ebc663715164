//! B117 `open-union-ref-removed`: an open union lost a variant.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::diff::absolute_ref;
use lexperm_resolver::CatalogDiff;

use std::collections::HashSet;

use super::support::{changed, union_refs};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B117",
    name: "open-union-ref-removed",
    severity: Severity::Error,
    summary: "An open union lost a variant",
    doc: r##"## What it does
Reports every ref that an open union (in both versions) had before and no longer lists, compared
as targets (`#view` is `nsid#view`). Adding refs to an open union is fine and not reported. A
subscription's `message` union is checked the same way: a message type dropped from it is
reported here. indigo's `lexlint` does not check open unions.

## Why is this bad?
Data holding the removed variant is still around, and readers of the new schema now treat it as
an unknown variant: code generated from the new schema no longer has a type for it. Open unions
may gain refs but never lose them.

## Example
`"refs": ["#image", "#video"]` loses `"#video"`. Keep the ref; describe the variant as deprecated
in its def's `description`.
"##,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports refs removed from open unions.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Union(before), SchemaKind::Union(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        if before.is_closed() || after.is_closed() {
            continue;
        }
        let new: HashSet<String> = union_refs(pair.nsid(), after).into_iter().collect();
        let Some(refs) = &before.refs else {
            continue;
        };
        let mut reported: HashSet<String> = HashSet::new();
        for reference in &refs.value {
            let target = absolute_ref(pair.nsid(), &reference.value);
            if new.contains(&target) || reported.contains(&target) {
                continue;
            }
            out.push(
                changed(
                    &META,
                    pair.nsid(),
                    after.refs.as_ref().map_or_else(|| pair.after.anchor(), |r| r.span),
                    reference.span,
                    "removed variant",
                    format!("open union `{}` lost its variant `{target}`", pair.location()),
                )
                .with_help(format!(
                    "keep `{}` in `refs` (an open union may gain variants, never lose them); \
                     deprecate the variant in its def's `description`",
                    reference.value
                )),
            );
            reported.insert(target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect, field};

    #[test]
    fn a_removed_variant_is_reported_added_ones_are_not() {
        let before = field(r##"{"type": "union", "refs": ["#a", "#b"]}"##);
        let after = field(r##"{"type": "union", "refs": ["#a", "#c"]}"##);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "open union `com.example.post#main.field` lost its variant `com.example.post#b`"
        );
    }

    #[test]
    fn a_subscription_message_type_dropped_is_reported() {
        let sub = |refs: &str| {
            doc(
                "com.example.subscribeThings",
                &format!(r##""main": {{"type": "subscription", "message": {{"schema": {{"type": "union", "refs": [{refs}]}}}}}}, "a": {{"type": "object", "properties": {{}}}}, "b": {{"type": "object", "properties": {{}}}}"##),
            )
        };
        let found = expect(&META, 1, &[&sub(r##""#a", "#b""##)], &[&sub(r##""#a""##)]);
        assert!(found[0].message.contains("`com.example.subscribeThings#main.message`"));
    }

    #[test]
    fn added_variants_are_clean() {
        let before = field(r##"{"type": "union", "refs": ["#a"]}"##);
        let after = field(r##"{"type": "union", "refs": ["#a", "#b"]}"##);
        expect(&META, 0, &[&before], &[&after]);
    }
}
