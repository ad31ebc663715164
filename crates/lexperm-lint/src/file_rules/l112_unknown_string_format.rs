//! L112 `unknown-string-format`: a string `format` is not one of the Lexicon formats.

use lexperm_parser::diagnostics::{Diagnostic, Edit, Fix, RuleMeta, Severity};
use lexperm_parser::formats::StringFormat;
use lexperm_parser::json;
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};
use lexperm_parser::suggest;
use crate::file_rules::walk;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L112",
    name: "unknown-string-format",
    severity: Severity::Error,
    summary: "A string `format` is not a Lexicon string format",
    doc: r#"## What it does
Reports a string schema whose `format` is not one of `at-identifier`, `at-uri`, `cid`, `datetime`,
`did`, `handle`, `language`, `nsid`, `record-key`, `tid`, `uri`.

## Why is this bad?
Both reference validators reject the document; validators could not check the data.

## Fix
Fixable (`lexperm lint --fix`) when the value is a Lexicon format spelled with other case or
separators: `date-time` becomes `datetime`, `recordKey` becomes `record-key`.

## Example
```json
{"type": "string", "format": "email"}
```
"#,
};

/// The format `name` spells with other case or separators (`date-time`, `DateTime`,
/// `record_key`): the same word, so writing it the Lexicon way keeps the meaning.
fn spelled_differently(name: &str) -> Option<StringFormat> {
    let letters = |text: &str| -> String {
        text.chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = letters(name);
    StringFormat::ALL
        .iter()
        .copied()
        .find(|format| letters(format.as_str()) == wanted)
}

/// Checks every string format.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    walk(doc, &mut |visit| {
        if let SchemaKind::String(s) = &visit.schema.kind {
            if let Some(format) = &s.format {
                if StringFormat::from_name(&format.value).is_none() {
                    let names: Vec<_> = StringFormat::ALL.iter().map(|f| f.as_str()).collect();
                    let close = suggest::closest(&format.value, names.iter().copied(), 2);
                    let help = match suggest::did_you_mean(&close) {
                        Some(did_you_mean) => format!(
                            "{did_you_mean} (the formats are: {})",
                            names.join(", ")
                        ),
                        None => format!(
                            "use one of: {}; or drop `format` and describe the value",
                            names.join(", ")
                        ),
                    };
                    let mut diagnostic = Diagnostic::new(
                        &META,
                        format.span,
                        format!("unknown string format `{}`", format.value),
                    )
                    .with_help(help);
                    if let Some(known) = spelled_differently(&format.value) {
                        diagnostic = diagnostic.with_fix(Fix::safe(
                            format!("write the format `{}`", known.as_str()),
                            vec![Edit::replace(format.span, json::quote(known.as_str()))],
                        ));
                    }
                    out.push(diagnostic);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_email() {
        expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "format": "email"}"#),
        );
    }

    #[test]
    fn other_spellings_of_a_format_are_fixed() {
        let found = expect(
            &META,
            1,
            &with_def("x", r#"{"type": "string", "format": "date-time"}"#),
        );
        let fix = found[0].fix.as_ref().unwrap();
        assert_eq!(fix.edits[0].replacement, "\"datetime\"");
        assert_eq!(fix.edits[0].span, found[0].span);
        assert_eq!(
            spelled_differently("Record_Key"),
            Some(StringFormat::RecordKey)
        );
        assert_eq!(spelled_differently("email"), None);
    }

    #[test]
    fn a_near_miss_is_suggested() {
        for (wrong, right) in [("date-time", "datetime"), ("recordKey", "record-key"), ("atUri", "at-uri")] {
            let found = expect(
                &META,
                1,
                &with_def("x", &format!(r#"{{"type": "string", "format": "{wrong}"}}"#)),
            );
            let help = found[0].help.as_deref().unwrap();
            assert!(help.starts_with(&format!("did you mean `{right}`?")), "{help}");
        }
    }

    #[test]
    fn known_formats_are_clean() {
        expect(
            &META,
            0,
            &with_def("x", r#"{"type": "string", "format": "record-key"}"#),
        );
    }
}
