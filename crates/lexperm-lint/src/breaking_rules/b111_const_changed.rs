//! B111 `const-changed`: a boolean, integer or string `const` changed, appeared or went away.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{changed, new_field_help};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B111",
    name: "const-changed",
    severity: Severity::Error,
    summary: "The `const` of a boolean, integer or string changed",
    doc: r#"## What it does
Compares `const` on every boolean, integer and string schema present in both versions: a new
value, a `const` added to a schema that had none, or one removed.

## Why is this bad?
A `const` is the only value the field may hold. Data written with the old value is invalid under
the new one; a `const` added later rejects every other value written before; one removed lets
through values readers of the old schema reject. `default` may change; `const` may not.

## Example
`{"type": "string", "const": "v1"}` becomes `{"type": "string", "const": "v2"}`. Add a new
optional field instead.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["const-value"];

/// Reports `const` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let at = |span: Option<Span>, anchor: Span| span.unwrap_or(anchor);
        let (old, new, before_span, after_span) = match (&pair.before.kind, &pair.after.kind) {
            (SchemaKind::Boolean(b), SchemaKind::Boolean(a)) => (
                b.const_value.as_ref().map(|c| c.value.to_string()),
                a.const_value.as_ref().map(|c| c.value.to_string()),
                b.const_value.as_ref().map(|c| c.span),
                a.const_value.as_ref().map(|c| c.span),
            ),
            (SchemaKind::Integer(b), SchemaKind::Integer(a)) => (
                b.const_value.as_ref().map(|c| c.value.to_string()),
                a.const_value.as_ref().map(|c| c.value.to_string()),
                b.const_value.as_ref().map(|c| c.span),
                a.const_value.as_ref().map(|c| c.span),
            ),
            (SchemaKind::String(b), SchemaKind::String(a)) => (
                b.const_value.as_ref().map(|c| format!("{:?}", c.value)),
                a.const_value.as_ref().map(|c| format!("{:?}", c.value)),
                b.const_value.as_ref().map(|c| c.span),
                a.const_value.as_ref().map(|c| c.span),
            ),
            _ => continue,
        };
        if old == new {
            continue;
        }
        let message = match (&old, &new) {
            (Some(old), Some(new)) => format!("`const` of `{}` changed from {old} to {new}", pair.location()),
            (None, Some(new)) => format!("`{}` gained `const` {new}", pair.location()),
            (Some(old), None) => format!("`{}` lost its `const` {old}", pair.location()),
            (None, None) => continue,
        };
        out.push(
            changed(
                &META,
                pair.nsid(),
                at(after_span, pair.after.anchor()),
                at(before_span, pair.before.anchor()),
                match &old {
                    Some(old) => format!("was {old}"),
                    None => "no `const` before".to_owned(),
                },
                message,
            )
            .with_help(new_field_help(&format!("`{}`", pair.location()))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn changed_added_and_removed_consts_are_reported() {
        let cases = [
            (r#"{"type": "string", "const": "a"}"#, r#"{"type": "string", "const": "b"}"#, "changed from \"a\" to \"b\""),
            (r#"{"type": "integer"}"#, r#"{"type": "integer", "const": 3}"#, "gained `const` 3"),
            (r#"{"type": "boolean", "const": true}"#, r#"{"type": "boolean"}"#, "lost its `const` true"),
        ];
        for (before, after, says) in cases {
            let found = expect(&META, 1, &[&field(before)], &[&field(after)]);
            assert!(found[0].message.contains(says), "{}", found[0].message);
        }
    }

    #[test]
    fn a_changed_default_is_clean() {
        let before = field(r#"{"type": "string", "const": "a", "default": "x"}"#);
        let after = field(r#"{"type": "string", "const": "a", "default": "y"}"#);
        expect(&META, 0, &[&before], &[&after]);
    }
}
