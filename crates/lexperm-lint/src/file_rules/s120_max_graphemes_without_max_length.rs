//! S120 `max-graphemes-without-max-length`: a string limits graphemes but not bytes.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S120",
    name: "max-graphemes-without-max-length",
    severity: Severity::Warning,
    summary: "A string sets `maxGraphemes` without `maxLength`",
    doc: r#"## What it does
Reports a string with `maxGraphemes` but no `maxLength`.

## Why is this bad?
One grapheme cluster can be arbitrarily many bytes (emoji sequences, combining marks), so a
grapheme limit alone does not bound the size. The style guide asks for `maxLength` as well, at
10–20 bytes per grapheme.

## Example
```json
{"type": "string", "maxGraphemes": 300}
```
"#,
};

/// Checks grapheme-limited strings.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::String(s) = &visit.schema.kind {
            if let (Some(graphemes), None) = (&s.max_graphemes, &s.max_length) {
                out.push(
                    Diagnostic::new(
                        &META,
                        graphemes.span,
                        "`maxGraphemes` without `maxLength` does not bound the size",
                    )
                    .with_help(format!(
                        "add `maxLength` of about {} bytes (10 per grapheme)",
                        graphemes.value.saturating_mul(10)
                    )),
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_graphemes_alone() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "maxGraphemes": 300}"#),
        );
    }

    #[test]
    fn both_limits_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "string", "maxGraphemes": 300, "maxLength": 3000}"#,
            ),
        );
    }
}
