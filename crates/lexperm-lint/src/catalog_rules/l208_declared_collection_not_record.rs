//! L208 `declared-collection-not-record`: a space type declares a collection that the catalog defines, but not as a `record`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::catalog_rules::permission_sets::{report_declared, GrantProblem};
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L208",
    name: "declared-collection-not-record",
    severity: Severity::Error,
    summary: "A space type declares a collection that the catalog defines, but not as a `record`",
    doc: r##"## What it does
Looks up every NSID in the `collections` of a `space` declaration. When the catalog has that
lexicon and its `main` is not a `record`, the collection is reported.

## Why is this bad?
`collections` are the record types spaces of the type hold, and the write targets the
authorization server fills into every `space:` grant of the type that names none. A query or an
object there can never be written, and every such grant carries it.

## Example
```json
{"type": "space", "key": "any", "name": "Board", "collections": ["com.example.getNotes"]}
```
where `com.example.getNotes` is a `query`.
"##,
};

/// Checks the collections of every space type declaration.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_declared(catalog, &META, GrantProblem::DeclaredCollectionNotRecord, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, record_doc, text_at};

    fn board(collections: &str) -> String {
        doc(
            "com.example.board",
            &format!(r#""main": {{"type": "space", "key": "any", "name": "Board", "collections": [{collections}]}}"#),
        )
    }

    #[test]
    fn reports_non_records() {
        let space = board(r#""com.example.note", "com.example.getNote""#);
        let query = doc("com.example.getNote", r#""main": {"type": "query"}"#);
        let record = record_doc("com.example.note");
        let found = expect(
            &META,
            1,
            &[("b.json", &space), ("q.json", &query), ("n.json", &record)],
        );
        assert_eq!(text_at(&space, &found[0]), "\"com.example.getNote\"");
        expect(&META, 0, &[("b.json", &space), ("n.json", &record)]);
    }
}
