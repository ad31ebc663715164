//! S101 `missing-primary-description`: a record, query, procedure or subscription has no
//! description.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{LexiconDoc, SchemaType};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S101",
    name: "missing-primary-description",
    severity: Severity::Warning,
    summary: "A record, query, procedure or subscription has no `description`",
    doc: r#"## What it does
Reports a record, query, procedure or subscription definition without a non-empty `description`
(indigo lexlint: `missing-primary-description`; like lexlint, permission sets are exempt because
they carry `title` and `detail`).

## Why is this bad?
The description is the documentation of the record type or endpoint; generated docs and clients
show it.

## Example
```json
{"type": "query", "output": {"encoding": "application/json"}}
```
"#,
};

/// Checks primary defs for a description.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let Some(kind) = def.schema.schema_type() else {
            continue;
        };
        if kind.is_primary()
            && kind != SchemaType::PermissionSet
            && def
                .schema
                .description
                .as_ref()
                .is_none_or(|d| d.value.is_empty())
        {
            out.push(
                Diagnostic::new(
                    &META,
                    def.schema.anchor(),
                    format!("{} `{}` has no description", kind.as_str(), def.name),
                )
                .with_help("add a `description` saying what it is for"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_undescribed_query() {
        expect(&META, 1, &with_def("main", r#"{"type": "query"}"#));
        expect(
            &META,
            1,
            &with_def("main", r#"{"type": "procedure", "description": ""}"#),
        );
    }

    #[test]
    fn described_and_permission_sets_are_clean() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "query", "description": "Gets a thing."}"#,
            ),
        );
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "title": "T", "permissions": []}"#,
            ),
        );
    }
}
