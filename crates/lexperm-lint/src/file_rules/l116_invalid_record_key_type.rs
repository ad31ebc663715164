//! L116 `invalid-record-key-type`: a record `key` is not `tid`, `nsid`, `any` or `literal:<key>`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::formats::is_valid_record_key_type;
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L116",
    name: "invalid-record-key-type",
    severity: Severity::Error,
    summary: "A record `key` is not `tid`, `nsid`, `any` or `literal:<record-key>`",
    doc: r#"## What it does
Reports a record `key` other than `tid`, `nsid`, `any` or `literal:<value>` where `<value>` is a
valid record key (so `literal:` alone is an error, as in `@atproto/lex-document`).

## Why is this bad?
The key type decides which record keys a PDS accepts; an unknown key type makes the record
unwritable. `@atproto/lex-document` rejects the document.

## Example
```json
{"type": "record", "key": "literal:", "record": {"type": "object", "properties": {}}}
```
"#,
};

/// Checks record keys.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if let SchemaKind::Record(record) = &def.schema.kind {
            if let Some(key) = &record.key {
                if !is_valid_record_key_type(&key.value) {
                    out.push(
                        Diagnostic::new(&META, key.span, format!("invalid record key type `{}`", key.value))
                            .with_help("use `tid`, `nsid`, `any`, or `literal:<record-key>` such as `literal:self`"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    const RECORD: &str =
        r#"{"type": "record", "key": "KEY", "record": {"type": "object", "properties": {}}}"#;

    #[test]
    fn reports_bogus_and_empty_literal() {
        expect(&META, 1, &with_def("main", &RECORD.replace("KEY", "bogus")));
        expect(
            &META,
            1,
            &with_def("main", &RECORD.replace("KEY", "literal:")),
        );
    }

    #[test]
    fn valid_keys_are_clean() {
        for key in ["tid", "nsid", "any", "literal:self"] {
            expect(&META, 0, &with_def("main", &RECORD.replace("KEY", key)));
        }
    }
}
