//! L210 `undefined-ref-lexicon`: a ref names an NSID of a loaded NSID group that no loaded
//! lexicon defines.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::suggest;

use crate::catalog_rules::{close_nsids, ref_group_loaded, refs, resolve_ref, RefTarget};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L210",
    name: "undefined-ref-lexicon",
    severity: Severity::Error,
    summary: "A ref points at an NSID of a loaded group that no loaded lexicon defines",
    doc: r##"## What it does
Reports a `ref` or union variant whose target NSID is not loaded while other lexicons of its NSID
group are (`com.example.feed.` of `com.example.feed.post`; the referencing lexicon itself,
permission sets and space type declarations do not count, so linting one file alone leaves its
refs to siblings as `external-ref`). Lint the whole folder, or use `--changed-since`, so that a
group is either complete or absent. The help names the closest loaded NSIDs. Refs into groups of which
nothing is loaded stay `external-ref` (L203, info): lexperm cannot tell a typo from a lexicon
that lives elsewhere.

## Why is this bad?
When the group is linted, the target would be among the files; that it is not is almost always a
typo (`bookmrk` for `bookmark`) or a lexicon that was renamed or removed. Nothing checks refs
until data is validated, so the mistake passes publication and then fails every record or call
that reaches it; code generators stop on it.

## Example
```json
{"type": "ref", "ref": "com.example.feed.pots"}
```
while `com.example.feed.post` and other `com.example.feed.*` lexicons are linted.
"##,
};

/// Reports refs to undefined NSIDs of loaded groups.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        for (reference, _) in refs(&file.doc) {
            if !matches!(
                resolve_ref(catalog, &file.doc, &reference.value),
                RefTarget::External
            ) {
                continue;
            }
            let (nsid, fragment) = match reference.value.split_once('#') {
                Some((nsid, name)) => (nsid, Some(name)),
                None => (reference.value.as_str(), None),
            };
            if !ref_group_loaded(catalog, nsid, &file.doc) {
                continue;
            }
            let group = &nsid[..=nsid.rfind('.').unwrap_or(0)];
            let close: Vec<String> = close_nsids(catalog, nsid)
                .into_iter()
                .map(|n| match fragment {
                    Some(name) => format!("{n}#{name}"),
                    None => n.to_owned(),
                })
                .collect();
            let close: Vec<&str> = close.iter().map(String::as_str).collect();
            let help = match suggest::did_you_mean(&close) {
                Some(did_you_mean) => {
                    format!("{did_you_mean} Otherwise add the lexicon `{nsid}` to the linted files")
                }
                None => format!(
                    "fix the NSID, or add the lexicon `{nsid}` to the linted files"
                ),
            };
            let mut diagnostic = Diagnostic::new(
                &META,
                reference.span,
                format!(
                    "`{}` does not resolve: no loaded lexicon is `{nsid}`, though other `{group}*` lexicons are loaded",
                    reference.value
                ),
            )
            .with_help(help);
            if let Some(target) = close.first().and_then(|c| catalog.get(c.split('#').next().unwrap_or(c))) {
                diagnostic = diagnostic.with_label(target.doc.anchor(), "closest loaded lexicon");
            }
            out.push(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, set, text_at};

    #[test]
    fn reports_typos_in_loaded_groups_with_the_closest_nsid() {
        let a = doc(
            "com.example.feed.list",
            r##""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "com.example.feed.psot"},
                "y": {"type": "union", "refs": ["com.example.feed.post#view"]},
                "z": {"type": "ref", "ref": "com.example.feed.nothingLikeIt"},
                "w": {"type": "ref", "ref": "com.example.fed.post"}}}"##,
        );
        let post = doc("com.example.feed.post", r#""main": {"type": "token"}"#);
        let found = expect(&META, 2, &[("list.json", &a), ("post.json", &post)]);
        assert_eq!(text_at(&a, &found[0]), "\"com.example.feed.psot\"");
        assert_eq!(found[0].severity, Severity::Error);
        let help = found[0].help.as_deref().unwrap();
        assert!(help.starts_with("did you mean `com.example.feed.post`?"), "{help}");
        assert_eq!(found[0].labels.len(), 1);
        assert_eq!(text_at(&a, &found[1]), "\"com.example.feed.nothingLikeIt\"");
        assert!(found[1].help.as_deref().unwrap().starts_with("fix the NSID"));
    }

    #[test]
    fn groups_with_only_sets_or_nothing_loaded_are_external() {
        let a = doc(
            "com.example.a",
            r#""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "app.bsky.actor.defs#profileView"},
                "y": {"type": "ref", "ref": "org.other.post"}}}"#,
        );
        let auth = set("org.other.authAll", &[]);
        expect(&META, 0, &[("a.json", &a), ("auth.json", &auth)]);
    }

    #[test]
    fn a_file_linted_alone_does_not_make_its_group_loaded() {
        let bookmark = doc(
            "com.example.feed.bookmark",
            r#""main": {"type": "ref", "ref": "com.example.feed.post"}"#,
        );
        expect(&META, 0, &[("bookmark.json", &bookmark)]);
    }
}
