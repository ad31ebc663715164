//! S116 `subscription-without-messages`: a subscription's message union lists no message types.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S116",
    name: "subscription-without-messages",
    severity: Severity::Warning,
    summary: "A subscription's `message.schema` union has no refs",
    doc: r#"## What it does
Reports a subscription whose `message.schema` is a union with an empty `refs` list (indigo
lexlint's `subscription-no-messages`; a subscription with no `message` at all is the error
`missing-required-field`, since the spec made `message` required).

## Why is this bad?
Clients cannot know any message type the stream sends.

## Example
```json
{"type": "subscription", "message": {"schema": {"type": "union", "refs": []}}}
```
"#,
};

/// Checks subscription messages.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if let SchemaKind::Subscription(sub) = &def.schema.kind {
            let schema = sub.message.as_ref().and_then(|m| m.schema.as_ref());
            if let Some(SchemaKind::Union(union)) = schema.map(|s| &s.kind) {
                if let Some(refs) = union.refs.as_ref().filter(|r| r.value.is_empty()) {
                    out.push(
                        Diagnostic::new(&META, refs.span, "no subscription message types defined")
                            .with_help(
                                "list the message defs in `refs`, e.g. `[\"#commit\", \"#info\"]`",
                            ),
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

    #[test]
    fn reports_empty_message_union() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "subscription", "message": {"schema": {"type": "union", "refs": []}}}"#,
            ),
        );
    }

    #[test]
    fn message_types_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r##"{"type": "subscription", "message": {"schema": {"type": "union", "refs": ["#commit"]}}}"##,
            ),
        );
    }
}
