//! B128 `error-removed`: an endpoint or subscription no longer lists an error name.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::diff::errors_of;
use lexperm_resolver::CatalogDiff;

use super::support::changed;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B128",
    name: "error-removed",
    severity: Severity::Warning,
    summary: "A query, procedure or subscription no longer lists an error name",
    doc: r#"## What it does
Reports every `errors[].name` that the before version of a query, procedure or subscription
lists and the after version does not. indigo's `lexlint` does not compare errors.

## Why is this bad?
Clients branch on error names (`RecordNotFound` → show "deleted"). When the server stops
sending it, or sends something else in its place, that handling silently stops working. A
warning, because a server that can no longer fail that way breaks nothing.

## Example
`"errors": [{"name": "EventNotFound"}]` becomes `"errors": []`. Keep listing the name while the
server may still send it, and deprecate it in its `description`.
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports removed error names.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for def in diff.defs() {
        let (before, after) = (&def.before.schema, &def.after.schema);
        if before.schema_type() != after.schema_type() {
            continue;
        }
        let kept = errors_of(after);
        for error in errors_of(before) {
            let Some(name) = &error.name else {
                continue;
            };
            if kept.iter().any(|e| e.name.as_ref().is_some_and(|n| n.value == name.value)) {
                continue;
            }
            let location = def.doc.location(&def.after.name);
            out.push(
                changed(
                    &META,
                    def.doc.nsid(),
                    name.span,
                    after.anchor(),
                    format!("`{}` no longer listed", name.value),
                    format!("`{location}` no longer lists the error `{}`", name.value),
                )
                .with_help(format!(
                    "keep `{}` in `errors` while the server may send it, and deprecate it in its \
                     `description`",
                    name.value
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    fn query(errors: &str) -> String {
        doc(
            "com.example.getThing",
            &format!(r#""main": {{"type": "query", "errors": [{errors}]}}"#),
        )
    }

    #[test]
    fn a_removed_error_is_reported_at_its_old_name() {
        let found = expect(
            &META,
            1,
            &[&query(r#"{"name": "NotFound"}, {"name": "Gone"}"#)],
            &[&query(r#"{"name": "NotFound"}"#)],
        );
        assert_eq!(found[0].message, "`com.example.getThing#main` no longer lists the error `Gone`");
        assert!(found[0].span.file.0 >= 1000);
    }

    #[test]
    fn an_added_error_is_clean() {
        expect(&META, 0, &[&query("")], &[&query(r#"{"name": "NotFound"}"#)]);
    }
}
