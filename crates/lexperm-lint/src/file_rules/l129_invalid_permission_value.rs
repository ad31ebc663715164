//! L129 `invalid-permission-value`: a permission field is not a scalar or an array of scalars.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::json::{JsonKind, JsonValue};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L129",
    name: "invalid-permission-value",
    severity: Severity::Error,
    summary: "A permission field is not a boolean, integer, string or array of one of those",
    doc: r#"## What it does
Checks each field of a permission-set entry (other than `type` and `resource`): the value must be a
boolean, an integer, a string, or an array whose elements are all booleans, all integers or all
strings. Objects, `null`, floats and mixed arrays are errors.

## Why is this bad?
Permission fields become scope-string parameters, which only carry these shapes.
`@atproto/lex-document` rejects the whole document, so the set cannot be resolved and every
authorization request including it fails with `invalid_scope`.

## Example
```json
{"type": "permission", "resource": "repo", "collection": ["com.example.post"], "x": {"y": 1}}
```
"#,
};

fn scalar_kind(value: &JsonValue) -> Option<&'static str> {
    match &value.kind {
        JsonKind::Bool(_) => Some("boolean"),
        JsonKind::Number(n) if n.as_integer().is_some() => Some("integer"),
        JsonKind::String(_) => Some("string"),
        _ => None,
    }
}

/// Describes what is wrong with a permission field value, if anything.
pub fn value_problem(value: &JsonValue) -> Option<String> {
    if scalar_kind(value).is_some() {
        return None;
    }
    let Some(items) = value.as_array() else {
        return Some(format!("found {}", value.kind_name()));
    };
    let mut first: Option<&'static str> = None;
    for item in items {
        match scalar_kind(item) {
            None => return Some(format!("the array holds {}", item.kind_name())),
            Some(kind) => match first {
                None => first = Some(kind),
                Some(expected) if expected != kind => {
                    return Some(format!("the array mixes {expected} and {kind} values"))
                }
                Some(_) => {}
            },
        }
    }
    None
}

/// Checks field value shapes.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (_, set) in permission_sets(doc) {
        for entry in set.permissions.iter().flat_map(|p| &p.value) {
            for member in entry.parameters() {
                if let Some(problem) = value_problem(&member.value) {
                    out.push(
                        Diagnostic::new(
                            &META,
                            member.value.span,
                            format!("permission field `{}` must be a boolean, integer, string or an array of one of those; {problem}", member.key),
                        )
                        .with_label(member.key_span, "field here")
                        .with_help("permission fields become scope parameters; use a string or an array of strings"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    fn set(entry: &str) -> String {
        with_def(
            "main",
            &format!(r#"{{"type": "permission-set", "permissions": [{entry}]}}"#),
        )
    }

    #[test]
    fn reports_objects_floats_and_mixed_arrays() {
        expect(
            &META,
            1,
            &set(r#"{"type": "permission", "resource": "repo", "x": {"y": 1}}"#),
        );
        expect(
            &META,
            1,
            &set(r#"{"type": "permission", "resource": "repo", "x": 1.5}"#),
        );
        expect(
            &META,
            1,
            &set(r#"{"type": "permission", "resource": "repo", "x": ["a", 1]}"#),
        );
        expect(
            &META,
            1,
            &set(r#"{"type": "permission", "resource": "repo", "x": null}"#),
        );
    }

    #[test]
    fn scalars_and_homogeneous_arrays_are_clean() {
        expect(
            &META,
            0,
            &set(
                r#"{"type": "permission", "resource": "rpc", "lxm": ["a.b.c"], "inheritAud": true, "n": 3, "e": []}"#,
            ),
        );
    }
}
