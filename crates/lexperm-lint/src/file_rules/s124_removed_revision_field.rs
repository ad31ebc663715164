//! S124 `removed-revision-field`: the document has the top-level `revision` field.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S124",
    name: "removed-revision-field",
    severity: Severity::Warning,
    summary: "The document has the top-level `revision` field, removed from the spec",
    doc: r#"## What it does
Reports a top-level `revision` field.

## Why is this bad?
`revision` was removed from the Lexicon spec in Feb 2025. The TypeScript validator still accepts
it as an integer and Go ignores it; nothing uses it, and versioning is done by keeping changes
compatible or by a new NSID.

## Example
```json
{"lexicon": 1, "id": "com.example.post", "revision": 3, "defs": {}}
```
"#,
};

/// Checks for `revision`.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    if let Some(revision) = &doc.revision {
        out.push(
            Diagnostic::new(
                &META,
                revision.span,
                "`revision` was removed from the Lexicon spec",
            )
            .with_help("remove `revision`; evolve schemas compatibly or publish a new NSID"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::expect;

    #[test]
    fn reports_revision() {
        expect(
            &META,
            1,
            r#"{"lexicon": 1, "id": "a.b.c", "revision": 3, "defs": {"x": {"type": "token", "description": "x"}}}"#,
        );
    }

    #[test]
    fn no_revision_is_clean() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token", "description": "x"}}}"#,
        );
    }
}
