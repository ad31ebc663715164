//! L202 `unresolved-ref`: a ref names a def that a loaded lexicon does not have.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::suggest;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::{refs, resolve_ref, RefTarget};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L202",
    name: "unresolved-ref",
    severity: Severity::Error,
    summary: "A ref points at a def that its (loaded) lexicon does not define",
    doc: r##"## What it does
Resolves every `ref` and union variant across the loaded files. When the target lexicon is loaded
(or the ref is local, `#name`) but has no def of that name, the ref is reported. Refs to lexicons
that are not loaded are `external-ref` (info) instead.

## Why is this bad?
The reference validators only resolve refs when data is validated, so a dangling ref passes
publication and then fails every record or call that reaches it, and code generators stop on it.

## Example
```json
{"type": "ref", "ref": "com.example.defs#viewBasci"}
```
while `com.example.defs` defines `viewBasic`.
"##,
};

/// Checks refs whose lexicon is loaded.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        for (reference, _) in refs(&file.doc) {
            let RefTarget::MissingDef { doc } = resolve_ref(catalog, &file.doc, &reference.value)
            else {
                continue;
            };
            let name = reference.value.split_once('#').map_or("main", |(_, n)| n);
            let nsid = doc.id_str().unwrap_or_default();
            let known: Vec<&str> = doc.defs.iter().map(|d| d.name.as_str()).collect();
            let mut diagnostic = Diagnostic::new(
                &META,
                reference.span,
                format!(
                    "`{}` does not resolve: `{nsid}` has no def `{name}`",
                    reference.value
                ),
            )
            .with_help(def_help(&reference.value, nsid, name, &known));
            if doc.file != file.doc.file {
                diagnostic = diagnostic.with_label(doc.anchor(), "target lexicon");
            }
            out.push(diagnostic);
        }
    }
}

/// The most defs listed by name in a help; more are counted instead.
const MAX_LISTED_DEFS: usize = 8;

/// The help for a ref `reference` to the missing def `name` of `nsid`, which defines `known`:
/// the closest defs written as refs, else the defs (a few) or how many there are.
fn def_help(reference: &str, nsid: &str, name: &str, known: &[&str]) -> String {
    let prefix = reference.split_once('#').map_or(reference, |(n, _)| n);
    let close: Vec<String> = suggest::closest(name, known.iter().copied(), 2)
        .into_iter()
        .map(|def| match (prefix, def) {
            (_, "main") if !prefix.is_empty() => prefix.to_owned(),
            _ => format!("{prefix}#{def}"),
        })
        .collect();
    let close: Vec<&str> = close.iter().map(String::as_str).collect();
    if let Some(did_you_mean) = suggest::did_you_mean(&close) {
        return did_you_mean;
    }
    match known.len() {
        0 => format!("`{nsid}` defines nothing; fix the target or remove the ref"),
        n if n <= MAX_LISTED_DEFS => format!("`{nsid}` defines: {}", known.join(", ")),
        n => format!(
            "`{nsid}` defines {n} defs and none is close to `{name}`; fix the name or add the def"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, text_at};

    #[test]
    fn reports_missing_defs_in_loaded_lexicons() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "com.example.b#nope"},
                "y": {"type": "ref", "ref": "#missing"},
                "z": {"type": "union", "refs": ["com.example.b"]}}}"##,
        );
        let b = doc("com.example.b", r#""other": {"type": "token"}"#);
        let found = expect(&META, 3, &[("a.json", &a), ("b.json", &b)]);
        assert_eq!(text_at(&a, &found[0]), "\"com.example.b#nope\"");
        assert_eq!(found[0].labels.len(), 1);
        assert!(found[0].help.as_deref().unwrap().contains("other"));
        assert_eq!(text_at(&a, &found[1]), "\"#missing\"");
        assert!(found[2].message.contains("no def `main`"));
    }

    #[test]
    fn help_names_the_closest_def_instead_of_every_def() {
        let defs: Vec<String> = (0..40)
            .map(|i| format!(r#""def{i}": {{"type": "token"}}"#))
            .collect();
        let a = doc(
            "com.example.a",
            &format!(
                r##""main": {{"type": "object", "properties": {{
                    "x": {{"type": "ref", "ref": "#statsu"}},
                    "y": {{"type": "ref", "ref": "com.example.a#zzzzzz"}}}}}},
                  "status": {{"type": "token"}}, {}"##,
                defs.join(", ")
            ),
        );
        let found = expect(&META, 2, &[("a.json", &a)]);
        assert_eq!(found[0].help.as_deref(), Some("did you mean `#status`?"));
        assert_eq!(
            found[1].help.as_deref(),
            Some("`com.example.a` defines 42 defs and none is close to `zzzzzz`; fix the name or add the def")
        );
    }

    #[test]
    fn resolved_external_and_malformed_refs_are_not_reported() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "com.example.b#view"},
                "y": {"type": "ref", "ref": "#local"},
                "w": {"type": "ref", "ref": "com.example.a#local"},
                "e": {"type": "ref", "ref": "org.other.defs#view"},
                "m": {"type": "ref", "ref": "com.example.b#"}}},
              "local": {"type": "object", "properties": {}}"##,
        );
        let b = doc(
            "com.example.b",
            r#""view": {"type": "object", "properties": {}}"#,
        );
        expect(&META, 0, &[("a.json", &a), ("b.json", &b)]);
    }
}
