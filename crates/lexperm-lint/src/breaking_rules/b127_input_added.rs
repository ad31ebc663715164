//! B127 `input-added`: a procedure now takes an input (or an input schema) it did not.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::diff::Place;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, new_nsid_help, opening};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B127",
    name: "input-added",
    severity: Severity::Error,
    summary: "A procedure now requires an `input`, or an input `schema`, it did not have",
    doc: r#"## What it does
Reports a procedure whose after version has an `input` where the before version had none, and
an `input` that gained a `schema` where it had only an `encoding`.

## Why is this bad?
Existing clients call the procedure without a body, or with a body the server did not check.
The new server expects a body in the new shape and rejects their calls.

## Example
`{"type": "procedure", "output": {…}}` gains
`"input": {"encoding": "application/json", "schema": {…}}`. Publish the new call as a new
procedure (`com.example.doThingV2`).
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports new inputs.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for body in diff.bodies() {
        if body.place != Place::Input {
            continue;
        }
        let Some(after) = body.after else {
            continue;
        };
        let (label, label_note, message) = match body.before {
            None => (
                body.before_def.anchor(),
                "no `input` before",
                format!(
                    "`{}` now takes an `input`; existing clients send none",
                    body.def_location()
                ),
            ),
            Some(before) if before.schema.is_none() && after.schema.is_some() => (
                opening(before.span),
                "no `schema` before",
                format!(
                    "`{}` gained a `schema`; existing clients send bodies it may reject",
                    body.location()
                ),
            ),
            Some(_) => continue,
        };
        out.push(
            changed(&META, body.doc.nsid(), opening(after.span), label, label_note, message)
                .with_help(new_nsid_help(body.doc.nsid())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    fn procedure(input: &str) -> String {
        doc(
            "com.example.doThing",
            &format!(r#""main": {{"type": "procedure"{input}}}"#),
        )
    }

    #[test]
    fn a_new_input_and_a_new_input_schema_are_reported() {
        let bare = r#", "input": {"encoding": "application/json"}"#;
        let full = r#", "input": {"encoding": "application/json", "schema": {"type": "object", "properties": {}}}"#;
        let found = expect(&META, 1, &[&procedure("")], &[&procedure(full)]);
        assert_eq!(
            found[0].message,
            "`com.example.doThing#main` now takes an `input`; existing clients send none"
        );
        let found = expect(&META, 1, &[&procedure(bare)], &[&procedure(full)]);
        assert!(found[0].message.contains("gained a `schema`"));
    }

    #[test]
    fn a_kept_input_is_clean() {
        let text = procedure(r#", "input": {"encoding": "*/*"}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
