//! L119 `closed-empty-union`: a closed union has no refs.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L119",
    name: "closed-empty-union",
    severity: Severity::Error,
    summary: "A closed union has an empty `refs` list",
    doc: r#"## What it does
Reports a `union` with `closed: true` and `refs: []`.

## Why is this bad?
No value can ever match it, and a closed union can never gain refs later. The spec calls it
invalid and Go rejects it; TypeScript accepts it (see `docs/lexicon-divergences.md`). An open empty
union is fine: it accepts any object with a `$type`.

## Example
```json
{"type": "union", "refs": [], "closed": true}
```
"#,
};

/// Checks unions.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Union(union) = &visit.schema.kind {
            if let (Some(refs), Some(closed)) = (&union.refs, &union.closed) {
                if closed.value && refs.value.is_empty() {
                    out.push(
                        Diagnostic::new(
                            &META,
                            refs.span,
                            "a closed union must list at least one ref",
                        )
                        .with_label(closed.span, "closed here")
                        .with_help(
                            "add the allowed refs, or remove `closed` to make the union open",
                        ),
                    );
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_closed_empty() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "object", "properties": {"u": {"type": "union", "refs": [], "closed": true}}}"#,
            ),
        );
    }

    #[test]
    fn open_empty_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "object", "properties": {"u": {"type": "union", "refs": []}}}"#,
            ),
        );
    }
}
