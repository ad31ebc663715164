//! L114 `nullable-property-undefined`: `nullable` names a property that is not defined.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::l113_required_property_undefined::undefined;
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L114",
    name: "nullable-property-undefined",
    severity: Severity::Error,
    summary: "`nullable` names a property missing from `properties`",
    doc: r#"## What it does
Reports an entry of an object's `nullable` list that is not a key of its `properties`.

## Why is this bad?
It is almost always a typo or a leftover after a rename, and the field it meant is then not
nullable. Go rejects the document; TypeScript does not check it (see
`docs/lexicon-divergences.md`).

## Example
```json
{"type": "object", "nullable": ["z"], "properties": {}}
```
"#,
};

/// Checks `nullable` lists of objects.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::Object(o) = &visit.schema.kind {
            for name in undefined(o.nullable.as_ref(), o.properties.as_ref()) {
                out.push(
                    Diagnostic::new(
                        &META,
                        name.span,
                        format!(
                            "nullable property `{}` is not defined in `properties`",
                            name.value
                        ),
                    )
                    .with_help("add the property to `properties`, or fix the spelling"),
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_unknown_nullable() {
        expect(
            &META,
            1,
            &with_def(
                "x",
                r#"{"type": "object", "nullable": ["z"], "properties": {}}"#,
            ),
        );
    }

    #[test]
    fn defined_nullable_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "nullable": ["z"], "required": ["z"], "properties": {"z": {"type": "integer"}}}"#,
            ),
        );
    }
}
