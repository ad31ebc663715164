//! B125 `body-encoding-changed`: an `input` or `output` changed its `encoding`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::support::{changed, new_nsid_help};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B125",
    name: "body-encoding-changed",
    severity: Severity::Error,
    summary: "An `input` or `output` changed its `encoding`",
    doc: r#"## What it does
Compares the `encoding` (MIME type) of every `input` and `output` present in both versions of a
query or procedure.

## Why is this bad?
Clients send and parse bodies by their content type. A procedure that took `application/json`
and now takes `*/*` or `image/png` rejects every existing client's call, and clients cannot read
an output they do not expect.

## Example
`"output": {"encoding": "application/json"}` becomes `"encoding": "application/cbor"`. Publish
the new endpoint as `com.example.getThingV2`.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["body-encoding"];

/// Reports encoding changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for body in diff.bodies() {
        let (Some(old), Some(new)) = (
            body.before.and_then(|b| b.encoding),
            body.after.and_then(|a| a.encoding),
        ) else {
            continue;
        };
        if old.value == new.value {
            continue;
        }
        out.push(
            changed(
                &META,
                body.doc.nsid(),
                new.span,
                old.span,
                format!("was `{}`", old.value),
                format!(
                    "`encoding` of `{}` changed from `{}` to `{}`",
                    body.location(),
                    old.value,
                    new.value
                ),
            )
            .with_help(new_nsid_help(body.doc.nsid())),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, expect};

    fn procedure(encoding: &str) -> String {
        doc(
            "com.example.upload",
            &format!(r#""main": {{"type": "procedure", "input": {{"encoding": "{encoding}"}}}}"#),
        )
    }

    #[test]
    fn a_new_encoding_is_reported() {
        let found = expect(&META, 1, &[&procedure("application/json")], &[&procedure("*/*")]);
        assert_eq!(
            found[0].message,
            "`encoding` of `com.example.upload#main.input` changed from `application/json` to `*/*`"
        );
    }

    #[test]
    fn the_same_encoding_is_clean() {
        let text = procedure("application/json");
        expect(&META, 0, &[&text], &[&text]);
    }
}
