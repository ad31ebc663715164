//! L201 `duplicate-nsid`: two loaded files declare the same NSID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L201",
    name: "duplicate-nsid",
    severity: Severity::Error,
    summary: "Two files declare the same lexicon `id`",
    doc: r#"## What it does
Reports every file whose `id` was already declared by an earlier file of the same run, with a
label on the first declaration.

## Why is this bad?
An NSID names exactly one lexicon. With two candidates, refs, code generators and publication
pick one of them depending on load order, and the other is silently ignored. A vendored copy of a
foreign lexicon next to the original is the usual cause.

## Example
`lexicons/com/example/post.json` and `lexicons/com/example/post-v2.json` both contain
```json
{"lexicon": 1, "id": "com.example.post", "defs": {"main": {"type": "token"}}}
```
"#,
};

/// Checks for repeated NSIDs.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for duplicate in catalog.duplicates() {
        out.push(
            Diagnostic::new(
                &META,
                duplicate.span,
                format!(
                    "lexicon `{}` is already declared by another file",
                    duplicate.nsid
                ),
            )
            .with_label(duplicate.first_span, "first declared here")
            .with_help("keep one file per NSID; delete or rename the other copy"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect};

    #[test]
    fn reports_the_second_file_with_a_label_on_the_first() {
        let a = doc("com.example.post", r#""main": {"type": "token"}"#);
        let found = expect(&META, 2, &[("a.json", &a), ("b.json", &a), ("c.json", &a)]);
        assert_eq!(found[0].span.file.0, 1);
        assert_eq!(found[1].span.file.0, 2);
        assert_eq!(found[0].labels[0].span.file.0, 0);
    }

    #[test]
    fn distinct_nsids_are_clean() {
        let a = doc("com.example.a", r#""main": {"type": "token"}"#);
        let b = doc("com.example.b", r#""main": {"type": "token"}"#);
        expect(&META, 0, &[("a.json", &a), ("b.json", &b)]);
    }
}
