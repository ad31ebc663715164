//! L131 `invalid-space-collection`: an entry of a space type's `collections` is not an NSID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use lexperm_parser::syntax::Nsid;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L131",
    name: "invalid-space-collection",
    severity: Severity::Error,
    summary: "An entry of a space type's `collections` is not an NSID",
    doc: r#"## What it does
Checks that every entry of a `space` definition's `collections` is a valid NSID (the record types
spaces of this type hold). A wildcard `*` is not allowed here.

## Why is this bad?
The strict reference validator (`@atproto/lex-document`) rejects the whole document. The list is
also what an authorization server fills into a `space:` grant that names no collection, so a
broken entry would leave such grants unable to write anything.

## Example
```json
{"type": "space", "key": "any", "name": "Forum", "collections": ["not-a-valid-nsid"]}
```
"#,
};

/// Checks space collections.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let SchemaKind::Space(space) = &def.schema.kind else {
            continue;
        };
        for collection in space.collections.iter().flat_map(|c| &c.value) {
            if let Err(err) = Nsid::parse(&collection.value) {
                let help = if collection.value == "*" {
                    "list each record type; a space type declares exactly what its spaces hold".to_string()
                } else {
                    format!("use the NSID of a record type, e.g. `{}`", example_nsid(doc))
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        collection.span,
                        format!("`collections` entry `{}` is not an NSID: {}", collection.value, err.message),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

/// A record NSID in the document's own group, for the help text.
fn example_nsid(doc: &LexiconDoc) -> String {
    match doc.id_str().and_then(|id| id.rsplit_once('.')) {
        Some((group, _)) => format!("{group}.post"),
        None => "com.example.post".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    fn space(collections: &str) -> String {
        with_def(
            "main",
            &format!(r#"{{"type": "space", "key": "any", "name": "N", "collections": {collections}}}"#),
        )
    }

    #[test]
    fn reports_non_nsids_and_wildcards() {
        let found = expect(&META, 2, &space(r#"["not-a-valid-nsid", "com.example.post", "*"]"#));
        assert!(found[0].message.starts_with("`collections` entry `not-a-valid-nsid` is not an NSID"));
    }

    #[test]
    fn nsids_and_empty_lists_are_clean() {
        expect(&META, 0, &space(r#"["com.example.post", "org.other.reply"]"#));
        expect(&META, 0, &space("[]"));
    }
}
