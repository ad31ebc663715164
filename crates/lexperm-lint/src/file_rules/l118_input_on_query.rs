//! L118 `input-on-query`: a query declares an `input` body.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L118",
    name: "input-on-query",
    severity: Severity::Error,
    summary: "A query declares an `input` body",
    doc: r#"## What it does
Reports `input` on a `query` definition.

## Why is this bad?
Queries are HTTP GET requests and have no request body; the `input` is silently ignored by every
implementation (TypeScript and Go accept and drop it). Use a `procedure` for requests with a body.

## Example
```json
{"type": "query", "input": {"encoding": "application/json"}}
```
"#,
};

/// Checks queries.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if let SchemaKind::Query(query) = &def.schema.kind {
            if let Some(input) = &query.input {
                out.push(
                    Diagnostic::new(&META, input.span, "a query can not have an `input` body")
                        .with_help(
                            "move the fields to `parameters`, or make the endpoint a `procedure`",
                        ),
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
    fn reports_input_on_query() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "input": {"encoding": "application/json"}}"#,
            ),
        );
    }

    #[test]
    fn input_on_procedure_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "procedure", "input": {"encoding": "application/json"}}"#,
            ),
        );
    }
}
