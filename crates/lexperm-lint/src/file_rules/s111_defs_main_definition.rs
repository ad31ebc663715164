//! S111 `defs-main-definition`: a `*.defs` lexicon has a `main` definition.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S111",
    name: "defs-main-definition",
    severity: Severity::Warning,
    summary: "A lexicon whose NSID name is `defs` has a `main` definition",
    doc: r#"## What it does
Reports a `main` definition in a lexicon whose NSID ends in `.defs` (indigo lexlint:
`defs-main-definition`).

## Why is this bad?
By convention a `defs` lexicon only holds shared definitions; a `main` there reads as a record or
endpoint called `defs`.

## Example
```json
{"lexicon": 1, "id": "com.example.defs", "defs": {"main": {"type": "object", "properties": {}}}}
```
"#,
};

/// Checks `*.defs` lexicons.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    let Some(id) = doc.id_str() else {
        return;
    };
    if id.rsplit('.').next() != Some("defs") {
        return;
    }
    if let Some(main) = doc.main() {
        out.push(
            Diagnostic::new(
                &META,
                main.name_span,
                "defs schemas should not have a `main` definition",
            )
            .with_help("give the definition a descriptive name"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::expect;

    #[test]
    fn reports_main_in_defs() {
        expect(
            &META,
            1,
            r#"{"lexicon": 1, "id": "com.example.defs", "defs": {"main": {"type": "token", "description": "x"}}}"#,
        );
    }

    #[test]
    fn named_defs_are_clean() {
        expect(
            &META,
            0,
            r#"{"lexicon": 1, "id": "com.example.defs", "defs": {"view": {"type": "token", "description": "x"}}}"#,
        );
    }
}
