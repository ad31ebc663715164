//! B113 `string-format-changed`: a string's `format` changed, appeared or went away.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_resolver::CatalogDiff;

use super::support::{new_field_help, text_changed};


/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B113",
    name: "string-format-changed",
    severity: Severity::Error,
    summary: "The `format` of a string changed",
    doc: r#"## What it does
Compares `format` on every string schema present in both versions: a new format, a format added
to a plain string, or one removed.

## Why is this bad?
A format constrains the value (`did`, `at-uri`, `datetime`, …). A new or added format rejects
data written before; a removed one lets through values readers of the old schema reject, and code
generated from the old schema parses the value as the old format.

## Example
`{"type": "string", "format": "handle"}` becomes `"format": "did"`. Add a new optional field
(`subjectDid`) instead.
"#,
};

/// indigo `lexlint`'s name for this check.
pub const ALIASES: &[&str] = &["string-format"];

/// Reports `format` changes.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for pair in diff.schemas() {
        let (SchemaKind::String(before), SchemaKind::String(after)) =
            (&pair.before.kind, &pair.after.kind)
        else {
            continue;
        };
        let formats = (before.format.as_ref(), after.format.as_ref());
        if let Some(found) = text_changed(&META, pair, "`format`", formats) {
            let help = new_field_help(&format!("the format of `{}`", pair.location()));
            out.push(found.with_help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, field};

    #[test]
    fn a_new_format_is_reported() {
        let before = field(r#"{"type": "string", "format": "handle"}"#);
        let after = field(r#"{"type": "string", "format": "did"}"#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert_eq!(
            found[0].message,
            "`format` of `com.example.post#main.field` changed from `handle` to `did`"
        );
        let plain = field(r#"{"type": "string"}"#);
        let found = expect(&META, 1, &[&plain], &[&after]);
        assert!(found[0].message.ends_with("from (none) to `did`"));
    }

    #[test]
    fn the_same_format_is_clean() {
        let text = field(r#"{"type": "string", "format": "did"}"#);
        expect(&META, 0, &[&text], &[&text]);
    }
}
