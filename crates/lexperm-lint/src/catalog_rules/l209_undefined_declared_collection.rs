//! L209 `undefined-declared-collection`: a space type declares a collection that its (loaded) NSID group does not define.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::catalog_rules::permission_sets::{report_declared, GrantProblem};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L209",
    name: "undefined-declared-collection",
    severity: Severity::Error,
    summary: "A space type declares a collection that its (loaded) NSID group does not define",
    doc: r##"## What it does
Reports an NSID in the `collections` of a `space` declaration when the catalog holds other
lexicons of the same NSID group (not counting permission sets and space declarations) but not
this one. Collections in groups that are not loaded are not checked.

## Why is this bad?
Every `space:` grant of the type that names no collection gets the declared collections when a
token is issued: a typo there grants writes to a collection nobody uses while the real one stays
unwritable.

## Example
```json
{"type": "space", "key": "any", "name": "Board", "collections": ["com.example.ntoe"]}
```
while the catalog has `com.example.note`.
"##,
};

/// Checks the collections of every space type declaration.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_declared(catalog, &META, GrantProblem::UndefinedDeclaredCollection, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, record_doc, text_at};

    #[test]
    fn reports_undefined_collections_of_loaded_groups() {
        let space = doc(
            "com.example.board",
            r#""main": {"type": "space", "key": "any", "name": "Board", "collections": ["com.example.ntoe", "org.other.note"]}"#,
        );
        let record = record_doc("com.example.note");
        let found = expect(&META, 1, &[("b.json", &space), ("n.json", &record)]);
        assert_eq!(text_at(&space, &found[0]), "\"com.example.ntoe\"");
        assert!(found[0].help.as_deref().unwrap().contains("did you mean `com.example.note`"));
        // The declaration alone does not make its group known.
        expect(&META, 0, &[("b.json", &space)]);
    }
}
