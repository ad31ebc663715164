//! S129 `control-character-in-text`: a description, title or detail holds a control character or
//! a bidirectional formatting character.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LangMap, LexiconDoc, SchemaKind, Spanned};
use lexperm_parser::text::{describe, is_hidden_format};

use crate::file_rules::{bodies, error_lists, walk};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S129",
    name: "control-character-in-text",
    severity: Severity::Warning,
    summary: "A description, title or detail holds a control or bidirectional formatting character",
    doc: r#"## What it does
Reports a `description` (of the document, a def, a property, a body, an error or a message), a
permission set's `title`, `detail`, `title:lang` or `detail:lang` text, or a space type's `name` or
`name:lang` text that holds a control character other than line feed and tab (C0, DEL, C1: a
carriage return, an escape sequence), a bidirectional formatting character (U+202A–U+202E,
U+2066–U+2069, U+200E, U+200F, U+061C) or a Unicode line separator (U+2028, U+2029).

## Why is this bad?
These characters change how text is shown, not what it says. On a terminal an escape sequence can
rewrite the screen; a right-to-left override makes the consent screen or the generated code read
differently from what is stored ("Trojan Source"). Generated Rust must escape them (rustc rejects
bidirectional characters and bare carriage returns in comments), and editors hide them.

## Example
```json
{"type": "token", "description": "Grants read access\u202e ssecca etirw dna"}
```
"#,
};

/// Checks the human-readable texts of the document.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    let mut report = |field: &str, text: &Spanned<String>| {
        let mut hidden = text
            .value
            .chars()
            .enumerate()
            .filter(|(_, c)| is_hidden_format(*c) && *c != '\n' && *c != '\t');
        let Some((position, first)) = hidden.next() else {
            return;
        };
        let more = hidden.count();
        let others = match more {
            0 => String::new(),
            1 => " and 1 more".to_owned(),
            _ => format!(" and {more} more"),
        };
        out.push(
            Diagnostic::new(
                &META,
                text.span,
                format!(
                    "`{field}` holds {} at character {}{others}",
                    describe(first),
                    position + 1
                ),
            )
            .with_help(
                "remove it: it changes how the text is shown, not what it says (write line breaks as `\\n`)",
            ),
        );
    };
    let mut texts: Vec<(&str, &Spanned<String>)> = Vec::new();
    texts.extend(doc.description.iter().map(|t| ("description", t)));
    let mut maps: Vec<(&str, &LangMap)> = Vec::new();
    walk(doc, &mut |visit| {
        let schema = visit.schema;
        if let Some(description) = &schema.description {
            texts.push(("description", description));
        }
        match &schema.kind {
            SchemaKind::PermissionSet(set) => {
                texts.extend(set.title.iter().map(|t| ("title", t)));
                texts.extend(set.detail.iter().map(|t| ("detail", t)));
                maps.extend(set.title_lang.iter().map(|m| ("title:lang", m)));
                maps.extend(set.detail_lang.iter().map(|m| ("detail:lang", m)));
            }
            SchemaKind::Space(space) => {
                texts.extend(space.name.iter().map(|t| ("name", t)));
                maps.extend(space.name_lang.iter().map(|m| ("name:lang", m)));
            }
            SchemaKind::Subscription(subscription) => {
                let message = subscription.message.as_ref();
                texts.extend(
                    message
                        .and_then(|m| m.description.as_ref())
                        .map(|t| ("description", t)),
                );
            }
            _ => {}
        }
    });
    for (_, _, body) in bodies(doc) {
        texts.extend(body.description.iter().map(|t| ("description", t)));
    }
    for error in error_lists(doc) {
        texts.extend(error.description.iter().map(|t| ("description", t)));
    }
    for (field, text) in texts {
        report(field, text);
    }
    for (field, map) in maps {
        for (_, text) in &map.entries {
            report(field, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_controls_and_bidi_in_texts() {
        let found = expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "token", "description": "read\u202e etirw"}"#,
            ),
        );
        assert_eq!(
            found[0].message,
            "`description` holds U+202E (RIGHT-TO-LEFT OVERRIDE) at character 5"
        );
        expect(
            &META,
            4,
            &with_def(
                "main",
                r#"{"type": "permission-set", "title": "a\rb", "detail": "\u001b[2J",
                    "title:lang": {"en": "x\u2028y"}, "detail:lang": {"en": "\u0085"},
                    "permissions": []}"#,
            ),
        );
        expect(
            &META,
            2,
            &with_def(
                "main",
                r#"{"type": "procedure", "input": {"encoding": "*/*", "description": "\u0000"},
                    "errors": [{"name": "Bad", "description": "\u2066x\u2069"}]}"#,
            ),
        );
    }

    #[test]
    fn line_feeds_tabs_and_other_text_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "token", "description": "Line one.\nLine two:\tétoile, 東京, emoji 😀."}"#,
            ),
        );
    }
}
