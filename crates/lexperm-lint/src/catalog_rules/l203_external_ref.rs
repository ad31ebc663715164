//! L203 `external-ref`: a ref points into a lexicon that is not loaded.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::{close_nsids, ref_group_loaded, refs, resolve_ref, RefTarget};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L203",
    name: "external-ref",
    severity: Severity::Info,
    summary: "A ref points into a lexicon that is not among the linted files",
    doc: r#"## What it does
Notes every `ref` and union variant whose target NSID is not among the loaded files, so it could
not be checked. Load the target too (lint its folder in the same run) to have it resolved. When
another lexicon of the target's NSID group (not the referencing one) is loaded, the ref is `undefined-ref-lexicon` (L210,
an error) instead; when a loaded NSID is close to the target, the help names it.

## Why
Nothing is wrong yet, but nothing was checked either: a typo in an external ref shows up only when
data is validated against the resolved lexicon. Lexicons that build on `app.bsky` or `com.atproto`
without vendoring them get one note per such ref.

## Example
```json
{"type": "ref", "ref": "app.bsky.actor.defs#profileViewBasic"}
```
linted without `app.bsky.actor.defs`.
"#,
};

/// Notes refs whose lexicon is not loaded.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        for (reference, _) in refs(&file.doc) {
            if let RefTarget::External = resolve_ref(catalog, &file.doc, &reference.value) {
                let nsid = reference.value.split('#').next().unwrap_or_default();
                if ref_group_loaded(catalog, nsid, &file.doc) {
                    // `undefined-ref-lexicon` reports it.
                    continue;
                }
                let message = if nsid == reference.value {
                    format!(
                        "ref `{nsid}` was not checked: that lexicon is not among the linted files"
                    )
                } else {
                    format!(
                        "ref `{}` was not checked: lexicon `{nsid}` is not among the linted files",
                        reference.value
                    )
                };
                let close = close_nsids(catalog, nsid);
                let help = match lexperm_parser::suggest::did_you_mean(&close) {
                    Some(did_you_mean) => format!(
                        "{did_you_mean} Otherwise lint `{nsid}` in the same run to resolve this ref"
                    ),
                    None => format!("lint `{nsid}` in the same run to resolve this ref"),
                };
                out.push(Diagnostic::new(&META, reference.span, message).with_help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, text_at};

    #[test]
    fn notes_refs_to_unloaded_lexicons() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "app.bsky.actor.defs#profileView"},
                "y": {"type": "union", "refs": ["com.atproto.repo.strongRef", "#local"]}}},
              "local": {"type": "object", "properties": {}}"##,
        );
        let found = expect(&META, 2, &[("a.json", &a)]);
        assert_eq!(found[0].severity, Severity::Info);
        assert_eq!(text_at(&a, &found[1]), "\"com.atproto.repo.strongRef\"");
    }

    #[test]
    fn refs_into_loaded_groups_are_left_to_l210_and_close_nsids_are_named() {
        let a = doc(
            "com.example.feed.list",
            r#""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "com.example.feed.psot"},
                "y": {"type": "ref", "ref": "com.example.fed.post"}}}"#,
        );
        let post = doc("com.example.feed.post", r#""main": {"type": "token"}"#);
        let found = expect(&META, 1, &[("list.json", &a), ("post.json", &post)]);
        assert_eq!(text_at(&a, &found[0]), "\"com.example.fed.post\"");
        let help = found[0].help.as_deref().unwrap();
        assert!(help.starts_with("did you mean `com.example.feed.post`?"), "{help}");
    }

    #[test]
    fn loaded_targets_are_not_external() {
        let a = doc(
            "com.example.a",
            r#""main": {"type": "ref", "ref": "com.example.b#nope"}"#,
        );
        let b = doc("com.example.b", r#""x": {"type": "token"}"#);
        expect(&META, 0, &[("a.json", &a), ("b.json", &b)]);
    }
}
