//! B126 `body-removed`: an `input`, `output` or `message`, or its `schema`, is gone.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::{changed, new_nsid_help, opening};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B126",
    name: "body-removed",
    severity: Severity::Error,
    summary: "An `input`, `output` or subscription `message`, or its `schema`, is gone",
    doc: r##"## What it does
Reports an `input` or `output` of a query or procedure, or the `message` of a subscription, that
the before version has and the after version lacks, and a body or message that keeps its place
but drops its `schema`. Changes inside a schema kept on both sides are reported by the other
rules (`type-changed`, `required-property-added`, `open-union-ref-removed`, …), with paths such as
`com.example.getThing#main.output.items`. indigo's `lexlint` skips bodies added or removed as a
whole, and subscriptions altogether.

## Why is this bad?
Clients read the output (or send the input) the old schema describes. Without an output, or
without its schema, they get nothing they can decode; a subscription without its message schema
leaves every consumer without the types of the stream.

## Example
```json
"output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "#view"}}
```
is deleted. Keep the output; a different response shape is a new endpoint with a `V2` suffix.
"##,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports removed bodies and body schemas.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for body in diff.bodies() {
        let Some(before) = body.before else {
            continue;
        };
        let name = body.name();
        let (primary, label, label_note, message) = match body.after {
            None => (
                opening(before.span),
                body.after_def.anchor(),
                format!("no `{name}` here"),
                format!("`{}` was removed", body.location()),
            ),
            Some(after) if before.schema.is_some() && after.schema.is_none() => (
                opening(after.span),
                before.schema_anchor(),
                "schema before".to_owned(),
                format!("`{}` lost its `schema`", body.location()),
            ),
            Some(_) => continue,
        };
        out.push(
            changed(&META, body.doc.nsid(), primary, label, label_note, message)
                .with_help(new_nsid_help(body.doc.nsid())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    const OUTPUT: &str = r##", "output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "#view"}}"##;
    const VIEW: &str = r#", "view": {"type": "object", "properties": {}}"#;

    fn query(output: &str) -> String {
        doc(
            "com.example.getThing",
            &format!(r#""main": {{"type": "query"{output}}}{VIEW}"#),
        )
    }

    #[test]
    fn a_removed_output_is_reported_in_the_before_file() {
        let found = expect(&META, 1, &[&query(OUTPUT)], &[&query("")]);
        assert_eq!(found[0].message, "`com.example.getThing#main.output` was removed");
        assert!(found[0].span.file.0 >= 1000);
    }

    #[test]
    fn a_removed_schema_is_reported() {
        let bare = r#", "output": {"encoding": "application/json"}"#;
        let found = expect(&META, 1, &[&query(OUTPUT)], &[&query(bare)]);
        assert_eq!(found[0].message, "`com.example.getThing#main.output` lost its `schema`");
    }

    #[test]
    fn a_removed_subscription_message_is_reported() {
        let sub = |message: &str| {
            doc(
                "com.example.subscribeThings",
                &format!(r#""main": {{"type": "subscription"{message}}}"#),
            )
        };
        let message = r##", "message": {"schema": {"type": "union", "refs": []}}"##;
        let found = expect(&META, 1, &[&sub(message)], &[&sub("")]);
        assert!(found[0].message.contains("#main.message` was removed"));
    }

    #[test]
    fn an_added_output_is_clean() {
        expect(&META, 0, &[&query("")], &[&query(OUTPUT)]);
    }
}
