//! B115 `union-closed-changed`: a union switched between open and closed.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{changed_field, new_field_help};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B115",
    name: "union-closed-changed",
    severity: Severity::Error,
    summary: "A union switched between open and closed",
    doc: r##"## What it does
Compares whether each union present in both versions is closed (`"closed": true`). A missing
`closed` and `"closed": false` are the same (open); indigo's `union-open-closed` also reports a
change between those two spellings, lexperm does not.

## Why is this bad?
Closing an open union makes data with variants outside `refs` invalid. Opening a closed union
lets through variants that readers of the old schema reject (and that code generated from it
cannot represent).

## Example
`{"type": "union", "refs": ["#a", "#b"]}` gains `"closed": true`. Keep unions as they were; an
open union can take new variants safely.
"##,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["union-open-closed"];

/// Reports open/closed changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::Union(before), SchemaKind::Union(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        if before.is_closed() == after.is_closed() {
            continue;
        }
        let state = |closed: bool| if closed { "closed" } else { "open" };
        out.push(
            changed_field(
                &META,
                pair,
                (before.closed.as_ref(), after.closed.as_ref()),
                format!("{} before", state(before.is_closed())),
                format!(
                    "union `{}` changed from {} to {}",
                    pair.location(),
                    state(before.is_closed()),
                    state(after.is_closed())
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
    fn closing_an_open_union_is_reported() {
        let before = field(r##"{"type": "union", "refs": ["#a"]}"##);
        let after = field(r##"{"type": "union", "refs": ["#a"], "closed": true}"##);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "union `com.example.post#main.field` changed from open to closed"
        );
    }

    #[test]
    fn spelling_open_explicitly_is_clean() {
        let before = field(r##"{"type": "union", "refs": ["#a"]}"##);
        let after = field(r##"{"type": "union", "refs": ["#a"], "closed": false}"##);
        expect(&META, 0, &[&before], &[&after]);
    }
}
