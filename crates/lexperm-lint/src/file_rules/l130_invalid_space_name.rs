//! L130 `invalid-space-name`: a space type's `name` is empty or longer than 64 UTF-8 bytes.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// The longest `name` the reference accepts, in UTF-8 bytes.
const MAX_NAME_BYTES: usize = lexperm_parser::lexicon::SpaceSchema::MAX_NAME_BYTES;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L130",
    name: "invalid-space-name",
    severity: Severity::Error,
    summary: "A space type's `name` is empty or longer than 64 UTF-8 bytes",
    doc: r#"## What it does
Reports a `space` definition whose `name` is the empty string or longer than 64 bytes in UTF-8
(not characters: `é` counts two, most CJK characters three).

## Why is this bad?
The `name` is what consent screens show for grants of this space type. The strict reference
validator (`@atproto/lex-document`) rejects the whole document, so the space type cannot be
resolved and authorization servers refuse to issue tokens that name it. The older
`@atproto/lexicon` counts UTF-16 units instead, so a name can pass there and fail here: the strict
count is the one that decides.

## Example
```json
{"type": "space", "key": "any", "name": "", "collections": []}
```
"#,
};

/// Checks space names.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let SchemaKind::Space(space) = &def.schema.kind else {
            continue;
        };
        let Some(name) = &space.name else {
            continue;
        };
        let bytes = name.value.len();
        if bytes == 0 {
            out.push(
                Diagnostic::new(&META, name.span, "the space `name` is empty")
                    .with_help("give the name users see on consent screens, e.g. \"Bulletin Board\""),
            );
        } else if bytes > MAX_NAME_BYTES {
            out.push(
                Diagnostic::new(
                    &META,
                    name.span,
                    format!("the space `name` is {bytes} UTF-8 bytes long; at most {MAX_NAME_BYTES} are allowed"),
                )
                .with_help("shorten the name; put the longer text in `description`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    fn space(name: &str) -> String {
        with_def(
            "main",
            &format!(r#"{{"type": "space", "key": "any", "name": "{name}", "collections": []}}"#),
        )
    }

    #[test]
    fn reports_empty_and_long_names() {
        expect(&META, 1, &space(""));
        let found = expect(&META, 1, &space(&"é".repeat(33)));
        assert!(found[0].message.contains("66 UTF-8 bytes"), "{}", found[0].message);
    }

    #[test]
    fn names_up_to_64_bytes_are_clean() {
        expect(&META, 0, &space("Bulletin Board"));
        expect(&META, 0, &space(&"a".repeat(64)));
        expect(&META, 0, &space(&"é".repeat(32)));
    }
}
