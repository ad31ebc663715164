//! L126 `invalid-language-tag`: a `title:lang`/`detail:lang`/`name:lang` key is not a BCP 47
//! language tag.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LangMap, LexiconDoc, SchemaKind};
use lexperm_parser::syntax::LanguageTag;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L126",
    name: "invalid-language-tag",
    severity: Severity::Error,
    summary: "A `title:lang`, `detail:lang` or `name:lang` key is not a BCP 47 language tag",
    doc: r#"## What it does
Checks every key of a permission set's `title:lang` and `detail:lang` maps and of a space type's
`name:lang` map against the well-formed BCP 47 grammar (the `language` string format).

## Why is this bad?
`@atproto/lex-document` rejects the whole document ("Invalid language"), so the authorization
server cannot resolve the set (or the space type) and every authorization request including it
fails.

## Example
```json
{"type": "permission-set", "permissions": [], "title:lang": {"not a lang!": "x"}}
```
"#,
};

/// Checks language map keys.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    let mut maps: Vec<(&str, &Option<LangMap>)> = Vec::new();
    for (_, set) in permission_sets(doc) {
        maps.push(("title:lang", &set.title_lang));
        maps.push(("detail:lang", &set.detail_lang));
    }
    for def in &doc.defs {
        if let SchemaKind::Space(space) = &def.schema.kind {
            maps.push(("name:lang", &space.name_lang));
        }
    }
    for (field, map) in maps {
        for (tag, _) in map.iter().flat_map(|m| &m.entries) {
            if !LanguageTag::is_valid(&tag.value) {
                out.push(
                    Diagnostic::new(
                        &META,
                        tag.span,
                        format!("`{field}` key `{}` is not a language tag", tag.value),
                    )
                    .with_help("use a BCP 47 tag such as `ja`, `pt-BR` or `zh-Hant`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_bad_tags() {
        expect(
            &META,
            2,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [], "title:lang": {"not a lang!": "x"}, "detail:lang": {"JA": "x"}}"#,
            ),
        );
    }

    #[test]
    fn reports_bad_space_name_tags() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "space", "key": "any", "name": "N", "collections": [], "name:lang": {"ja": "x", "en_US": "y"}}"#,
            ),
        );
    }

    #[test]
    fn good_tags_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [], "title:lang": {"ja": "x", "pt-BR": "y"}}"#,
            ),
        );
    }
}
