//! S103 `endpoint-output-undefined`: a query or procedure has no `output`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S103",
    name: "endpoint-output-undefined",
    severity: Severity::Warning,
    summary: "A query or procedure defines no `output`",
    doc: r#"## What it does
Reports a query or procedure without `output` (indigo lexlint: `endpoint-output-undefined`).

## Why is this bad?
The style guide asks every endpoint to declare its output, even an empty one, so clients know what
the response body is and the endpoint can evolve.

## Example
```json
{"type": "procedure", "description": "Deletes a thing.", "input": {"encoding": "application/json"}}
```
"#,
};

/// Checks endpoints for an output.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let missing = match &def.schema.kind {
            SchemaKind::Query(q) => q.output.is_none(),
            SchemaKind::Procedure(p) => p.output.is_none(),
            _ => false,
        };
        if missing {
            out.push(
                Diagnostic::new(&META, def.schema.anchor(), format!("endpoint `{}` has no `output`", def.name))
                    .with_help("add an `output` with an `encoding` (e.g. `application/json`), even if the body is empty"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_missing_output() {
        expect(&META, 1, &with_def("main", r#"{"type": "procedure"}"#));
    }

    #[test]
    fn output_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "query", "output": {"encoding": "application/json"}}"#,
            ),
        );
    }
}
