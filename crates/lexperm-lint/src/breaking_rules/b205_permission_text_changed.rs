//! B205 `permission-text-changed`: what a consent screen shows for a permission set or a space
//! type changed (information only).

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};
use lexperm_parser::lexicon::{LangMap, Spanned};
use lexperm_resolver::diff::DocPair;
use lexperm_resolver::{CatalogDiff, CatalogDoc};

use super::support::{changed, opening};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B205",
    name: "permission-text-changed",
    severity: Severity::Info,
    summary: "The title, detail or name a consent screen shows for a permission set or space type changed",
    doc: r#"## What it does
Lists, for every permission set present in both versions, each change of `title`, `detail` and
of each language of `title:lang` and `detail:lang`, and for every `space` declaration each change
of `name` and `name:lang`, with the old and the new text. Information only: it never fails a run.

## Why is this bad?
It is not, by itself: these texts are what users read when they consent. The finding is there so
that a reviewer checks that the new text still says what the set grants (a wider set whose title
did not change, or a title that promises less than the set grants, misleads users) and that the
translations say the same as the main text.

## Example
`"title": "Post on your behalf"` becomes `"title": "Manage your posts"`.
"#,
};

/// Other tools' names for this check (none: indigo skips permission sets).
pub const ALIASES: &[&str] = &[];

/// Reports changed consent texts.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.documents() {
        if let (Some(before), Some(after)) =
            (pair.before.permission_set(), pair.after.permission_set())
        {
            let what = format!("permission set `{}`", pair.nsid());
            text(
                pair,
                &what,
                "title",
                (before.title.as_ref(), after.title.as_ref()),
                out,
            );
            languages(
                pair,
                &what,
                "title:lang",
                (before.title_lang.as_ref(), after.title_lang.as_ref()),
                out,
            );
            text(
                pair,
                &what,
                "detail",
                (before.detail.as_ref(), after.detail.as_ref()),
                out,
            );
            languages(
                pair,
                &what,
                "detail:lang",
                (before.detail_lang.as_ref(), after.detail_lang.as_ref()),
                out,
            );
        }
        if let (Some(before), Some(after)) = (pair.before.space(), pair.after.space()) {
            let what = format!("space type `{}`", pair.nsid());
            text(
                pair,
                &what,
                "name",
                (before.name.as_ref(), after.name.as_ref()),
                out,
            );
            languages(
                pair,
                &what,
                "name:lang",
                (before.name_lang.as_ref(), after.name_lang.as_ref()),
                out,
            );
        }
    }
}

/// Where to point in `doc` for a text it does not have: the `main` def's `type`.
fn anchor(doc: &CatalogDoc) -> Span {
    doc.main()
        .map_or_else(|| doc.doc.anchor(), |main| main.schema.anchor())
}

/// `"text"` (JSON-like quoting) or `(none)`.
fn quoted(text: Option<&str>) -> String {
    text.map_or_else(|| "(none)".to_owned(), |t| format!("{t:?}"))
}

/// The finding for the text `field` of `what`, when it changed.
fn text(
    pair: &DocPair<'_>,
    what: &str,
    field: &str,
    (before, after): (Option<&Spanned<String>>, Option<&Spanned<String>>),
    out: &mut Vec<Diagnostic>,
) {
    report(
        pair,
        (
            before.map(|t| (t.span, t.value.as_str())),
            after.map(|t| (t.span, t.value.as_str())),
        ),
        (anchor(pair.before), anchor(pair.after)),
        format!("`{field}` of {what}"),
        out,
    );
}

/// The findings for each language of the map `field` of `what` whose text changed, appeared or
/// went away.
fn languages(
    pair: &DocPair<'_>,
    what: &str,
    field: &str,
    (before, after): (Option<&LangMap>, Option<&LangMap>),
    out: &mut Vec<Diagnostic>,
) {
    let old = lang_entries(before);
    let new = lang_entries(after);
    let fallback = |map: Option<&LangMap>, doc: &CatalogDoc| {
        map.map_or_else(|| anchor(doc), |m| opening(m.span))
    };
    let fallbacks = (fallback(before, pair.before), fallback(after, pair.after));
    let mut tags: Vec<&str> = Vec::new();
    for (tag, _) in new.iter().chain(old) {
        if !tags.contains(&tag.value.as_str()) {
            tags.push(&tag.value);
        }
    }
    for tag in tags {
        report(
            pair,
            (lang_text(old, tag), lang_text(new, tag)),
            fallbacks,
            format!("`{field}` `{tag}` of {what}"),
            out,
        );
    }
}

/// The entries of a language map (none when there is no map).
fn lang_entries(map: Option<&LangMap>) -> &[(Spanned<String>, Spanned<String>)] {
    map.map_or(&[], |m| m.entries.as_slice())
}

/// A text with its span, when a version has it.
type Text<'t> = Option<(Span, &'t str)>;

/// The text for `tag` in `entries`.
fn lang_text<'m>(entries: &'m [(Spanned<String>, Spanned<String>)], tag: &str) -> Text<'m> {
    entries
        .iter()
        .find(|(t, _)| t.value == tag)
        .map(|(_, text)| (text.span, text.value.as_str()))
}

/// The finding that the text called `name` changed from `before` to `after` (each with its
/// span), pointing at `fallbacks` on a side without the text.
fn report(
    pair: &DocPair<'_>,
    (before, after): (Text<'_>, Text<'_>),
    fallbacks: (Span, Span),
    name: String,
    out: &mut Vec<Diagnostic>,
) {
    let (old, new) = (before.map(|(_, t)| t), after.map(|(_, t)| t));
    if old == new {
        return;
    }
    out.push(
        changed(
            &META,
            pair.nsid(),
            after.map_or(fallbacks.1, |(span, _)| span),
            before.map_or(fallbacks.0, |(span, _)| span),
            format!("was {}", quoted(old)),
            format!("{name} changed from {} to {}", quoted(old), quoted(new)),
        )
        .with_help(
            "consent screens show the new text from the next authorization on; check that it \
             still says what is granted, and that every translation says the same",
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    fn titled(title: &str, lang: &str) -> String {
        doc(
            "com.example.authFull",
            &format!(
                r#""main": {{"type": "permission-set", "title": "{title}", "title:lang": {{{lang}}}, "permissions": []}}"#
            ),
        )
    }

    #[test]
    fn old_and_new_texts_are_listed() {
        let before = titled("Post", r#""de": "Posten", "fr": "Publier""#);
        let after = titled("Manage posts", r#""fr": "Publier", "es": "Publicar""#);
        let found = expect(&META, 3, &[&before], &[&after]);
        assert_eq!(found[0].severity, Severity::Info);
        let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.contains(&r#"`title` of permission set `com.example.authFull` changed from "Post" to "Manage posts""#), "{messages:#?}");
        assert!(messages.contains(&r#"`title:lang` `es` of permission set `com.example.authFull` changed from (none) to "Publicar""#), "{messages:#?}");
        assert!(messages.contains(&r#"`title:lang` `de` of permission set `com.example.authFull` changed from "Posten" to (none)"#), "{messages:#?}");
    }

    #[test]
    fn reordered_translations_are_clean() {
        let before = titled("Post", r#""de": "Posten", "fr": "Publier""#);
        let after = titled("Post", r#""fr": "Publier", "de": "Posten""#);
        expect(&META, 0, &[&before], &[&after]);
    }
}
