//! S130 `required-out-of-order`: `required` does not list its properties in the order
//! `properties` defines them.

use std::collections::HashMap;

use lexperm_parser::diagnostics::{Diagnostic, Edit, Fix, RuleMeta, Severity};
use lexperm_parser::json;
use lexperm_parser::lexicon::{LexiconDoc, Properties, SpannedList};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S130",
    name: "required-out-of-order",
    severity: Severity::Info,
    summary: "`required` lists its properties in another order than `properties`",
    doc: r#"## What it does
Reports an object's or params' `required` list whose names are not in the order in which
`properties` defines them. Lists that name an undefined property (`L113`) or a property twice are
left alone.

## Why is this bad?
`required` is a set: the order means nothing to validators. A list in the order of the properties
reads next to them, and a new required property lands in one obvious place, so changes stay small
in review.

## Fix
Fixable (`lexperm lint --fix`): the names are put in the order of `properties`, each in the place
of the one it replaces (the layout of the list is kept).

## Example
```json
{"type": "object", "required": ["createdAt", "text"],
 "properties": {"text": {"type": "string"}, "createdAt": {"type": "string", "format": "datetime"}}}
```
"#,
};

/// The names of `required` in the order of `properties`, when that differs from the written
/// order and every name is a distinct defined property.
fn property_order<'a>(required: &'a SpannedList<String>, properties: &Properties) -> Option<Vec<&'a str>> {
    if required.value.len() < 2 {
        return None;
    }
    let position: HashMap<&str, usize> = properties
        .value
        .iter()
        .enumerate()
        .map(|(index, property)| (property.name.as_str(), index))
        .collect();
    let mut ordered = Vec::with_capacity(required.value.len());
    for name in &required.value {
        ordered.push((*position.get(name.value.as_str())?, name.value.as_str()));
    }
    if ordered.windows(2).all(|pair| pair[0].0 < pair[1].0) {
        return None;
    }
    ordered.sort_unstable();
    if ordered.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return None;
    }
    Some(ordered.into_iter().map(|(_, name)| name).collect())
}

/// Checks the `required` lists of objects and params.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let Some((required, properties)) = visit.required_and_properties() else {
            return;
        };
        let (Some(required), Some(properties)) = (required, properties) else {
            return;
        };
        let Some(ordered) = property_order(required, properties) else {
            return;
        };
        let edits = required
            .value
            .iter()
            .zip(&ordered)
            .filter(|(written, wanted)| written.value != **wanted)
            .map(|(written, wanted)| Edit::replace(written.span, json::quote(wanted)))
            .collect();
        let list: Vec<String> = ordered.iter().map(|name| json::quote(name)).collect();
        out.push(
            Diagnostic::new(
                &META,
                required.span,
                "`required` lists its properties in another order than `properties`",
            )
            .with_help(format!("write `\"required\": [{}]`", list.join(", ")))
            .with_fix(Fix::safe("list `required` in the order of `properties`", edits)),
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_and_reorders() {
        let found = expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "required": ["c", "a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}}"#,
            ),
        );
        let edits = &found[0].fix.as_ref().unwrap().edits;
        let replacements: Vec<_> = edits.iter().map(|e| e.replacement.as_str()).collect();
        assert_eq!(replacements, ["\"a\"", "\"b\"", "\"c\""]);
        assert!(found[0].help.as_deref().unwrap().contains(r#"["a", "b", "c"]"#));
    }

    #[test]
    fn params_are_checked() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "query", "parameters": {"type": "params", "required": ["b", "a"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}}"#,
            ),
        );
    }

    #[test]
    fn ordered_undefined_and_repeated_lists_are_left_alone() {
        for required in [r#"["a", "b"]"#, r#"["b", "z"]"#, r#"["b", "a", "b"]"#, r#"["b"]"#] {
            expect(
                &META,
                0,
                &with_def(
                    "x",
                    &format!(
                        r#"{{"type": "object", "required": {required}, "properties": {{"a": {{"type": "string"}}, "b": {{"type": "string"}}}}}}"#
                    ),
                ),
            );
        }
    }
}
