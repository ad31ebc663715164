//! S122 `optional-boolean-defaults-true`: an optional boolean field defaults to `true`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::{name_set, walk};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S122",
    name: "optional-boolean-defaults-true",
    severity: Severity::Warning,
    summary: "An optional boolean field has `default: true`",
    doc: r#"## What it does
Reports an optional (not `required`) boolean property of an object or params with
`"default": true`.

## Why is this bad?
The style guide asks optional booleans to default to `false`: an absent field then reads as
"no", and older clients that do not know the field behave as if it were false. Name the field for
the non-default case instead (`hideReplies` rather than `showReplies`).

## Example
```json
{"type": "object", "properties": {"showReplies": {"type": "boolean", "default": true}}}
```
"#,
};

/// Checks optional boolean defaults.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let (properties, required) = match &visit.schema.kind {
            SchemaKind::Object(o) => (o.properties.as_ref(), o.required.as_ref()),
            SchemaKind::Params(p) => (p.properties.as_ref(), p.required.as_ref()),
            _ => return,
        };
        let required = name_set(required);
        for property in properties.iter().flat_map(|p| &p.value) {
            if let SchemaKind::Boolean(b) = &property.schema.kind {
                if let Some(default) = b.default.as_ref().filter(|d| d.value) {
                    if !required.contains(property.name.as_str()) {
                        out.push(
                            Diagnostic::new(
                                &META,
                                default.span,
                                format!("optional boolean `{}` defaults to `true`", property.name),
                            )
                            .with_help("invert the field's meaning so that it defaults to `false`"),
                        );
                    }
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
    fn reports_true_default() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"show": {"type": "boolean", "default": true}}}"#,
            ),
        );
    }

    #[test]
    fn false_default_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"hide": {"type": "boolean", "default": false}}}"#,
            ),
        );
    }
}
