//! L124 `invalid-ref-syntax`: a `ref` or union ref is not `#name`, `nsid` or `nsid#name`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::syntax::Nsid;
use lexperm_parser::lexicon::{LexiconDoc, Spanned};
use crate::file_rules::refs;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L124",
    name: "invalid-ref-syntax",
    severity: Severity::Error,
    summary: "A ref is not `#name`, `nsid` or `nsid#name`",
    doc: r#"## What it does
Checks the syntax of `ref` values and union `refs` entries: `#name` (local), `nsid` (meaning
`nsid#main`) or `nsid#name`, with exactly one `#` at most, a valid NSID and a non-empty name.
Whether the target exists is a cross-file question for the resolver.

## Why is this bad?
A malformed ref can never resolve, so every validation through it fails at runtime. The reference
validators only notice when data is validated (see `docs/lexicon-divergences.md`).

## Example
```json
{"type": "ref", "ref": "com.example.post#"}
```
"#,
};

/// Describes what is wrong with `value` as a ref, if anything.
pub fn ref_problem(value: &str) -> Option<String> {
    let (nsid, name) = match value.split_once('#') {
        Some((nsid, name)) => (nsid, Some(name)),
        None => (value, None),
    };
    if let Some(name) = name {
        if name.is_empty() {
            return Some("the name after `#` is empty".into());
        }
        if name.contains('#') {
            return Some("a ref can have only one `#`".into());
        }
    }
    if nsid.is_empty() {
        return match name {
            Some(_) => None,
            None => Some("the ref is empty".into()),
        };
    }
    Nsid::problem(nsid).map(|(problem, _)| format!("`{nsid}` is not a valid NSID: {problem}"))
}

fn report(out: &mut Vec<Diagnostic>, reference: &Spanned<String>) {
    if let Some(problem) = ref_problem(&reference.value) {
        out.push(
            Diagnostic::new(
                &META,
                reference.span,
                format!("invalid ref `{}`: {problem}", reference.value),
            )
            .with_help(
                "write `#name` for a def in this file, `nsid` for a main def, or `nsid#name`",
            ),
        );
    }
}

/// Checks refs and union refs.
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
    fn reports_malformed_refs() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"r": {"type": "ref", "ref": ""}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"r": {"type": "ref", "ref": "not a ref!!"}}}"#,
            ),
        );
        expect(
            &META,
            2,
            &with_def(
                "x",
                r##"{"type": "object", "properties": {"u": {"type": "union", "refs": ["a.b.c#", "#a#b"]}}}"##,
            ),
        );
    }

    #[test]
    fn valid_refs_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r##"{"type": "object", "properties": {"u": {"type": "union", "refs": ["#local", "com.example.post", "com.example.defs#view", "com.atproto.lexicon.schema#main"]}}}"##,
            ),
        );
    }
}
