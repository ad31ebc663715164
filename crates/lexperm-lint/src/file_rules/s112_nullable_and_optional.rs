//! S112 `nullable-and-optional`: an object field is both nullable and optional.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::{name_set, walk};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S112",
    name: "nullable-and-optional",
    severity: Severity::Warning,
    summary: "An object field is listed in `nullable` but not in `required`",
    doc: r#"## What it does
Reports a field listed in an object's `nullable` but not in its `required` (indigo lexlint:
`nullable-and-optional`).

## Why is this bad?
The field then has two ways to say "no value" (absent and `null`), which code generators and
clients must tell apart for no benefit.

## Example
```json
{"type": "object", "nullable": ["swapRecord"], "properties": {"swapRecord": {"type": "string", "format": "cid"}}}
```
"#,
};

/// Checks nullable fields.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Object(o) = &visit.schema.kind {
            let required = name_set(o.required.as_ref());
            for name in o.nullable.iter().flat_map(|n| &n.value) {
                if !required.contains(name.value.as_str()) {
                    out.push(
                        Diagnostic::new(
                            &META,
                            name.span,
                            format!("field is both nullable and optional: `{}`", name.value),
                        )
                        .with_help("make the field required, or drop it from `nullable`"),
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
    fn reports_optional_nullable() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "nullable": ["a"], "properties": {"a": {"type": "integer"}}}"#,
            ),
        );
    }

    #[test]
    fn required_nullable_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "nullable": ["a"], "required": ["a"], "properties": {"a": {"type": "integer"}}}"#,
            ),
        );
    }
}
