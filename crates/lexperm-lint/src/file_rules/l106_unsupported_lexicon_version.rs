//! L106 `unsupported-lexicon-version`: `lexicon` is not 1.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L106",
    name: "unsupported-lexicon-version",
    severity: Severity::Error,
    summary: "The `lexicon` version is not 1",
    doc: r#"## What it does
Reports a document whose `lexicon` field is an integer other than `1` (indigo lexlint:
`lexicon-version`).

## Why is this bad?
Version 1 is the only version of the Lexicon language; readers reject anything else.

## Example
```json
{"lexicon": 2, "id": "com.example.post", "defs": {}}
```
"#,
};

/// Checks the `lexicon` field.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    if let Some(version) = &doc.lexicon {
        if version.value != 1 {
            out.push(
                Diagnostic::new(
                    &META,
                    version.span,
                    format!("unsupported Lexicon language version {}", version.value),
                )
                .with_help("set `\"lexicon\": 1`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::expect;

    #[test]
    fn reports_version_two() {
        expect(
            &META,
            1,
            r#"{"lexicon": 2, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#,
        );
    }

    #[test]
    fn version_one_is_clean() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#,
        );
    }
}
