//! S108 `known-string-local-ref`: a `knownValues` entry looks like a local ref.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S108",
    name: "known-string-local-ref",
    severity: Severity::Warning,
    summary: "A `knownValues` entry starts with `#` (a local token ref)",
    doc: r##"## What it does
Reports a string `knownValues` entry starting with `#` (indigo lexlint: `known-string-local-ref`).

## Why is this bad?
Known values are compared as plain strings in data. A token value in data is always written fully
qualified (`com.example.defs#green`), so `#green` never matches what clients send.

## Example
```json
{"type": "string", "knownValues": ["#green"]}
```
"##,
};

/// Checks knownValues entries.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    let id = doc.id_str().unwrap_or("<nsid>");
    walk(doc, &mut |visit| {
        if let SchemaKind::String(s) = &visit.schema.kind {
            for value in s.known_values.iter().flat_map(|k| &k.value) {
                if value.value.starts_with('#') {
                    out.push(
                        Diagnostic::new(
                            &META,
                            value.span,
                            format!("known value `{}` looks like a local ref", value.value),
                        )
                        .with_help(format!(
                            "write the token fully qualified: `{id}{}`",
                            value.value
                        )),
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
    fn reports_local_ref() {
        let found = expect(
            &META,
            1,
            &with_def(
                "x",
                r##"{"type": "string", "knownValues": ["#green", "blue"]}"##,
            ),
        );
        assert_eq!(
            found[0].help.as_deref(),
            Some("write the token fully qualified: `com.example.thing#green`")
        );
    }

    #[test]
    fn qualified_values_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "string", "knownValues": ["com.example.thing#green"]}"#,
            ),
        );
    }
}
