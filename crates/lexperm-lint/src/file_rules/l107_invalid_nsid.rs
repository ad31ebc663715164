//! L107 `invalid-nsid`: the document `id` is not a valid NSID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::syntax::Nsid;
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L107",
    name: "invalid-nsid",
    severity: Severity::Error,
    summary: "The document `id` is not a valid NSID",
    doc: r#"## What it does
Checks the `id` with exactly the NSID syntax of `@atproto/syntax` `isValidNsid`: at least three
`.`-separated segments, ASCII letters, digits and `-`, first segment starting with a letter, a name
segment of letters and digits not starting with a digit, segments of at most 63 and a total of at
most 317 characters. A `#fragment` is not allowed. (indigo lexlint: `invalid-nsid`.)

## Why is this bad?
The `id` names the lexicon everywhere: in refs, DNS resolution and the publication record key. An
invalid NSID cannot be resolved or published.

## Example
```json
{"lexicon": 1, "id": "one-two-three", "defs": {"main": {"type": "token"}}}
```
"#,
};

/// Checks the `id` field.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    if let Some(id) = &doc.id {
        if let Some((problem, _)) = Nsid::problem(&id.value) {
            let help = if id.value.contains('#') {
                "the `id` is a bare NSID; fragments belong in refs"
            } else {
                "an NSID is a reversed domain name plus a name, e.g. `com.example.getPost`"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    id.span,
                    format!("invalid NSID `{}`: {problem}", id.value),
                )
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::expect;

    #[test]
    fn reports_bad_ids() {
        let found = expect(
            &META,
            1,
            r#"{"lexicon": 1, "id": "one-two-three", "defs": {"x": {"type": "token"}}}"#,
        );
        assert_eq!(
            found[0].message,
            "invalid NSID `one-two-three`: NSID needs at least three parts"
        );
        expect(
            &META,
            1,
            r#"{"lexicon": 1, "id": "a.b.c#main", "defs": {"x": {"type": "token"}}}"#,
        );
    }

    #[test]
    fn accepts_mixed_case_authority() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "id": "COM.Example.foo", "defs": {"x": {"type": "token"}}}"#,
        );
    }
}
