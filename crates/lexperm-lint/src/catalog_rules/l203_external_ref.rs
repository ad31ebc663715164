//! L203 `external-ref`: a ref points into a lexicon that is not loaded.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::{refs, resolve_ref, RefTarget};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L203",
    name: "external-ref",
    severity: Severity::Info,
    summary: "A ref points into a lexicon that is not among the linted files",
    doc: r#"## What it does
Notes every `ref` and union variant whose target NSID is not among the loaded files, so it could
not be checked. Load the target too (lint its folder in the same run) to have it resolved.

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
                out.push(
                    Diagnostic::new(&META, reference.span, message)
                        .with_help(format!("lint `{nsid}` in the same run to resolve this ref")),
                );
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
    fn loaded_targets_are_not_external() {
        let a = doc(
            "com.example.a",
            r#""main": {"type": "ref", "ref": "com.example.b#nope"}"#,
        );
        let b = doc("com.example.b", r#""x": {"type": "token"}"#);
        expect(&META, 0, &[("a.json", &a), ("b.json", &b)]);
    }
}
