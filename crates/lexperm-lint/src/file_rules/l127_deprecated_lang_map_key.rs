//! L127 `deprecated-lang-map-key`: a permission set uses `title:langs`/`detail:langs`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L127",
    name: "deprecated-lang-map-key",
    severity: Severity::Error,
    summary:
        "A permission set uses `title:langs`/`detail:langs` instead of `title:lang`/`detail:lang`",
    doc: r#"## What it does
Reports the keys `title:langs` and `detail:langs` on a permission set.

## Why is this bad?
The spec briefly used these names and renamed them to `title:lang` and `detail:lang` (Jan 2026);
goat's template still emits the old ones. Readers ignore the old keys, so the translations are
silently lost. The reference validators accept the document; lexperm makes it an error because the
author's intent is certainly lost (see `docs/lexicon-divergences.md`).

## Example
```json
{"type": "permission-set", "permissions": [], "title:langs": {"ja": "..."}}
```
"#,
};

/// Checks permission-set keys.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if let SchemaKind::PermissionSet(_) = &def.schema.kind {
            for field in &def.schema.unknown_fields {
                let replacement = match field.key.as_str() {
                    "title:langs" => "title:lang",
                    "detail:langs" => "detail:lang",
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        field.key_span,
                        format!("`{}` is not a permission-set field", field.key),
                    )
                    .with_help(format!("rename it to `{replacement}`")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_old_names() {
        let found = expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [], "title:langs": {"ja": "x"}}"#,
            ),
        );
        assert_eq!(found[0].help.as_deref(), Some("rename it to `title:lang`"));
    }

    #[test]
    fn current_names_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [], "title:lang": {}, "detail:lang": {}}"#,
            ),
        );
    }
}
