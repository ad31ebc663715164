//! L113 `required-property-undefined`: `required` names a property that is not defined.

use std::collections::HashSet;

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, Properties, SpannedList};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L113",
    name: "required-property-undefined",
    severity: Severity::Error,
    summary: "`required` names a property missing from `properties`",
    doc: r#"## What it does
Reports an entry of an object's or params' `required` list that is not a key of its `properties`.

## Why is this bad?
No data can satisfy the schema: a required field with no schema. Both reference validators reject
the document ("Required field \"z\" not defined").

## Example
```json
{"type": "object", "required": ["text"], "properties": {"txt": {"type": "string"}}}
```
"#,
};

/// The entries of `list` that name no property (looked up in a set: linear in both lists).
pub(crate) fn undefined<'a>(
    list: Option<&'a SpannedList<String>>,
    properties: Option<&'a Properties>,
) -> impl Iterator<Item = &'a lexperm_parser::lexicon::Spanned<String>> {
    let defined: HashSet<&str> = match list {
        Some(list) if !list.value.is_empty() => properties
            .iter()
            .flat_map(|p| &p.value)
            .map(|p| p.name.as_str())
            .collect(),
        _ => HashSet::new(),
    };
    list.into_iter()
        .flat_map(|l| &l.value)
        .filter(move |name| !defined.contains(name.value.as_str()))
}

/// Checks `required` lists of objects and params.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let Some((required, properties)) = visit.required_and_properties() else {
            return;
        };
        for name in undefined(required, properties) {
            out.push(
                Diagnostic::new(
                    &META,
                    name.span,
                    format!(
                        "required property `{}` is not defined in `properties`",
                        name.value
                    ),
                )
                .with_help("add the property to `properties`, or fix the spelling"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_unknown_required() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "required": ["z"], "properties": {}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "parameters": {"type": "params", "required": ["q"], "properties": {}}}"#,
            ),
        );
    }

    #[test]
    fn defined_required_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "required": ["z"], "properties": {"z": {"type": "integer"}}}"#,
            ),
        );
    }
}
