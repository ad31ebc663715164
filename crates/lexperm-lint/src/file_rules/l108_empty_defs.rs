//! L108 `empty-defs`: the document defines nothing.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L108",
    name: "empty-defs",
    severity: Severity::Error,
    summary: "The document has no definitions",
    doc: r#"## What it does
Reports a document whose `defs` object is empty.

## Why is this bad?
The spec requires at least one definition; a lexicon without defs describes nothing. The
TypeScript and Go validators accept it, so this is a deliberate divergence (see
`docs/lexicon-divergences.md`).

## Example
```json
{"lexicon": 1, "id": "com.example.nothing", "defs": {}}
```
"#,
};

/// Checks that `defs` is not empty. A `defs` whose members all failed to load is not reported
/// here: the loader already reported each member.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    if let Some(span) = doc.defs_span {
        if doc.defs.is_empty() && doc.defs_members == 0 {
            out.push(
                Diagnostic::new(&META, span, "`defs` is empty")
                    .with_help("add at least one definition, usually `main`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::expect;

    #[test]
    fn reports_empty_defs() {
        expect(&META, 1, r#"{"lexicon": 1, "id": "a.b.c", "defs": {}}"#);
    }

    #[test]
    fn one_def_is_enough() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#,
        );
    }
}
