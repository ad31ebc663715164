//! L111 `invalid-def-name`: a definition name is empty or contains `.` or `#`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L111",
    name: "invalid-def-name",
    severity: Severity::Error,
    summary: "A definition name is empty or contains `.` or `#`",
    doc: r#"## What it does
Reports a definition named `""`, or whose name contains `.` or `#`.

## Why is this bad?
A definition is addressed as `nsid#name`; an empty name or one holding `#` cannot be referenced,
and `.` makes the ref ambiguous with an NSID. Go rejects all three; `@atproto/lex-document` rejects
only the empty name (see `docs/lexicon-divergences.md`). Style problems with names are the warning
`def-name-syntax`.

## Example
```json
{"lexicon": 1, "id": "com.example.thing", "defs": {"a.b": {"type": "token"}}}
```
"#,
};

/// Checks def names.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let problem = if def.name.is_empty() {
            "is empty"
        } else if def.name.contains('#') {
            "contains `#`"
        } else if def.name.contains('.') {
            "contains `.`"
        } else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &META,
                def.name_span,
                format!("definition name `{}` {problem}", def.name),
            )
            .with_help("use a lowerCamelCase name of letters and digits, e.g. `viewBasic`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_empty_dot_and_hash() {
        expect(&META, 1, &with_def("", r#"{"type": "token"}"#));
        expect(&META, 1, &with_def("a.b", r#"{"type": "token"}"#));
        expect(&META, 1, &with_def("#a", r#"{"type": "token"}"#));
    }

    #[test]
    fn snake_case_is_only_a_style_issue() {
        expect(&META, 0, &with_def("formats_v0", r#"{"type": "token"}"#));
    }
}
