//! S125 `redundant-main-fragment`: a ref ends in `#main`.

use lexperm_parser::diagnostics::{Diagnostic, Edit, Fix, RuleMeta, Severity};
use lexperm_parser::json;
use lexperm_parser::lexicon::{LexiconDoc, Spanned};
use crate::file_rules::refs;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S125",
    name: "redundant-main-fragment",
    severity: Severity::Warning,
    summary: "A ref to another lexicon ends in `#main`",
    doc: r##"## What it does
Reports a `ref` or union ref written `nsid#main`.

## Why is this bad?
`nsid` already means `nsid#main`. The long form is legal, but in data `$type` must name a main def
as the bare NSID (`#main` is invalid there), so writing refs the same way avoids copying the
wrong form into `$type` values.

## Fix
Fixable (`lexperm lint --fix`): `#main` is dropped.

## Example
```json
{"type": "ref", "ref": "com.atproto.lexicon.schema#main"}
```
"##,
};

fn report(out: &mut Vec<Diagnostic>, reference: &Spanned<String>) {
    if let Some(nsid) = reference.value.strip_suffix("#main") {
        if !nsid.is_empty() {
            out.push(
                Diagnostic::new(
                    &META,
                    reference.span,
                    format!("`{}` can be written `{nsid}`", reference.value),
                )
                .with_help("drop `#main`; a bare NSID refers to the main definition")
                .with_fix(Fix::safe(
                    "drop `#main`",
                    vec![Edit::replace(reference.span, json::quote(nsid))],
                )),
            );
        }
    }
}

/// Checks refs for `#main`.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (reference, _) in refs(doc) {
        report(out, reference);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_main_fragment() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r##"{"type": "object", "properties": {"r": {"type": "ref", "ref": "com.atproto.lexicon.schema#main"}}}"##,
            ),
        );
    }

    #[test]
    fn the_fix_drops_main() {
        let found = expect(
            &META,
            1,
            &with_def(
                "x",
                r##"{"type": "union", "refs": ["com.example.foo#main"]}"##,
            ),
        );
        let edits = &found[0].fix.as_ref().unwrap().edits;
        assert_eq!(edits[0].replacement, "\"com.example.foo\"");
        assert_eq!(edits[0].span, found[0].span);
    }

    #[test]
    fn bare_and_local_refs_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r##"{"type": "object", "properties": {"u": {"type": "union", "refs": ["com.example.post", "#main"]}}}"##,
            ),
        );
    }
}
