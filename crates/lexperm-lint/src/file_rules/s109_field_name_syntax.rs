//! S109 `field-name-syntax`: a field name does not follow the naming guidance.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S109",
    name: "field-name-syntax",
    severity: Severity::Warning,
    summary: "An object or params field name is not a lowerCamelCase name of letters and digits",
    doc: r#"## What it does
Checks object and params property names with indigo lexlint's `field-name-syntax` rule: a letter
followed by up to 255 letters or digits, and not the reserved words `type` or `id`.

## Why is this bad?
Field names become identifiers in generated code for many languages; `snake_case`, dots, hyphens
and a leading `$` (reserved for `$type` and friends) break or complicate code generation.

## Example
```json
{"type": "object", "properties": {"last_commit": {"type": "string", "format": "datetime"}}}
```
"#,
};

/// Why `name` does not follow indigo's schema-name guidance, if it does not.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.len() > 255 {
        return Some("name is too long (255 chars max)");
    }
    if name == "type" || name == "id" {
        return Some("name is a commonly reserved keyword");
    }
    let bytes = name.as_bytes();
    if !bytes[0].is_ascii_alphabetic() || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return Some("name doesn't match recommended syntax/characters");
    }
    None
}

/// How to fix `name`, which [`name_problem`] rejects: the rename for its problem, with the
/// lowerCamelCase spelling of its words when that is a good name (`fsq_place_id` →
/// `fsqPlaceId`).
pub fn name_help(name: &str) -> String {
    match name {
        "" => return "give it a name of ASCII letters and digits".to_owned(),
        "type" => return "rename it (`type` is reserved, e.g. for `$type`): e.g. `kind`".to_owned(),
        "id" => return "rename it (`id` is reserved): e.g. `identifier` or `recordId`".to_owned(),
        _ => {}
    }
    if name.len() > 255 {
        return "shorten it to at most 255 ASCII letters and digits".to_owned();
    }
    let camel = lower_camel_case(name);
    if !camel.is_empty() && camel != name && name_problem(&camel).is_none() {
        format!("write it as `{camel}`: ASCII letters and digits, starting with a letter")
    } else {
        "use ASCII letters and digits, starting with a letter (lowerCamelCase, e.g. `lastCommit`)"
            .to_owned()
    }
}

/// The ASCII letters and digits of `name` as lowerCamelCase words (split at anything else),
/// without leading digits.
fn lower_camel_case(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if out.is_empty() {
                out.push(first.to_ascii_lowercase());
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out.trim_start_matches(|c: char| c.is_ascii_digit()).to_owned()
}

/// Checks property names.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        let properties = match &visit.schema.kind {
            SchemaKind::Object(o) => o.properties.as_ref(),
            SchemaKind::Params(p) => p.properties.as_ref(),
            _ => None,
        };
        for property in properties.iter().flat_map(|p| &p.value) {
            if let Some(problem) = name_problem(&property.name) {
                out.push(
                    Diagnostic::new(
                        &META,
                        property.name_span,
                        format!("{problem}: `{}`", property.name),
                    )
                    .with_help(name_help(&property.name)),
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
    fn reports_dotted_and_snake_names() {
        expect(
            &META,
            2,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"one.two": {"type": "integer"}, "is_conflicted": {"type": "boolean"}}}"#,
            ),
        );
    }

    #[test]
    fn help_fits_the_problem() {
        assert_eq!(
            name_help("fsq_place_id"),
            "write it as `fsqPlaceId`: ASCII letters and digits, starting with a letter"
        );
        assert_eq!(
            name_help("one.two"),
            "write it as `oneTwo`: ASCII letters and digits, starting with a letter"
        );
        // A reserved word is already lowerCamelCase: the help must not ask for that.
        assert!(name_help("type").starts_with("rename it"));
        assert!(!name_help("id").contains("lowerCamelCase"));
        assert!(name_help(&"a".repeat(300)).starts_with("shorten it"));
        assert!(name_help("...").starts_with("use ASCII letters"));
    }

    #[test]
    fn camel_case_is_clean() {
        expect(
            &META,
            0,
            &with_def(
                "x",
                r#"{"type": "object", "properties": {"blahFuncV2": {"type": "integer"}}}"#,
            ),
        );
    }

    #[test]
    fn matches_lexlint_name_examples() {
        for good in ["blahFunc", "blahFuncV2"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "",
            " ",
            "blah Func",
            "blah_Func",
            "blah-Func",
            " blahFunc",
            "one.two",
            ".",
            "2blahFunc",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
