//! L123 `invalid-blob-accept`: a blob `accept` entry is not a MIME type or a valid glob.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::formats::is_valid_accept;
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L123",
    name: "invalid-blob-accept",
    severity: Severity::Error,
    summary: "A blob `accept` entry is not a MIME type, `type/*` or `*/*`",
    doc: r#"## What it does
Reports a blob `accept` entry that is not `type/subtype`, `type/*` or `*/*`: partial globs such as
`text/ht*`, a bare `*`, `*/png`, missing parts, whitespace.

## Why is this bad?
The spec allows only whole-subtype globs; a malformed pattern never matches an upload (or matches
differently across implementations). The reference validators do not check it (see
`docs/lexicon-divergences.md`).

## Example
```json
{"type": "blob", "accept": ["*"]}
```
"#,
};

/// Checks blob accept lists.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Blob(blob) = &visit.schema.kind {
            for pattern in blob.accept.iter().flat_map(|a| &a.value) {
                if !is_valid_accept(&pattern.value) {
                    out.push(
                        Diagnostic::new(
                            &META,
                            pattern.span,
                            format!("invalid blob accept pattern `{}`", pattern.value),
                        )
                        .with_help(
                            "use a MIME type (`image/png`), a type glob (`image/*`) or `*/*`",
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
    fn reports_bad_globs() {
        expect(
            &META,
            2,
            &with_def("x", r#"{"type": "blob", "accept": ["*", "text/ht*"]}"#),
        );
    }

    #[test]
    fn valid_patterns_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "blob", "accept": ["image/png", "video/*", "*/*"]}"#,
            ),
        );
    }
}
