//! L109 `non-main-primary`: a primary type is defined under a name other than `main`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L109",
    name: "non-main-primary",
    severity: Severity::Error,
    summary: "A primary type (record, query, procedure, subscription, permission-set, space) is not named `main`",
    doc: r#"## What it does
Reports a `record`, `query`, `procedure`, `subscription`, `permission-set` or `space` definition whose name
is not `main` (indigo lexlint: `non-main-primary`). Since only `main` can hold a primary type, this
also catches a file with two primary definitions.

## Why is this bad?
An NSID names exactly one record type, endpoint, subscription, permission set or space type: the
one in `main`. All three reference implementations reject the document (for `space`, the
permissioned-data one).

## Example
```json
{"lexicon": 1, "id": "com.example.post", "defs": {"post": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}}
```
"#,
};

/// Checks def names of primary types.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let Some(kind) = def.schema.schema_type() else {
            continue;
        };
        if kind.is_primary() && def.name != "main" {
            out.push(
                Diagnostic::new(
                    &META,
                    def.name_span,
                    format!(
                        "`{}` definitions must be named `main`, not `{}`",
                        kind.as_str(),
                        def.name
                    ),
                )
                .with_label(def.schema.anchor(), "primary type here")
                .with_help("rename the definition to `main`, or move it to its own lexicon file"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_non_main_record_and_permission_set() {
        expect(
            &META,
            1,
            &with_def(
                "demo",
                r#"{"type": "record", "key": "any", "record": {"type": "object", "properties": {}}}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "permission-set", "permissions": []}"#),
        );
    }

    #[test]
    fn main_and_non_primary_are_clean() {
        expect(&META, 0, &with_def("main", r#"{"type": "query"}"#));
        expect(
            &META,
            0,
            &with_def("view", r#"{"type": "object", "properties": {}}"#),
        );
    }
}
