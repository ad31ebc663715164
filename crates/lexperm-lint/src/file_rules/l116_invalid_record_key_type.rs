//! L116 `invalid-record-key-type`: a record's or space's `key` is not `tid`, `nsid`, `any` or
//! `literal:<key>`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::formats::is_valid_record_key_type;
use lexperm_parser::lexicon::{LexiconDoc, SchemaKind, Spanned};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L116",
    name: "invalid-record-key-type",
    severity: Severity::Error,
    summary: "A record or space `key` is not `tid`, `nsid`, `any` or `literal:<record-key>`",
    doc: r#"## What it does
Reports a record's or space type's `key` other than `tid`, `nsid`, `any` or `literal:<value>` where
`<value>` is a valid record key (so `literal:` alone is an error, as in `@atproto/lex-document`).

## Why is this bad?
The key type decides which record keys (or space keys) a PDS accepts; an unknown key type makes
the record unwritable or the space impossible to create. `@atproto/lex-document` rejects the
document.

## Example
```json
{"type": "record", "key": "literal:", "record": {"type": "object", "properties": {}}}
```
"#,
};

/// Checks record and space keys.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        let (key, what): (&Option<Spanned<String>>, &str) = match &def.schema.kind {
            SchemaKind::Record(record) => (&record.key, "record"),
            SchemaKind::Space(space) => (&space.key, "space"),
            _ => continue,
        };
        if let Some(key) = key {
            if !is_valid_record_key_type(&key.value) {
                out.push(
                    Diagnostic::new(
                        &META,
                        key.span,
                        format!("invalid {what} key type `{}`", key.value),
                    )
                    .with_help(
                        "use `tid`, `nsid`, `any`, or `literal:<record-key>` such as `literal:self`",
                    ),
                );
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
    fn reports_a_bogus_space_key() {
        let space = r#"{"type": "space", "key": "KEY", "name": "N", "collections": []}"#;
        let found = expect(&META, 1, &with_def("main", &space.replace("KEY", "bogus")));
        assert_eq!(found[0].message, "invalid space key type `bogus`");
        expect(&META, 0, &with_def("main", &space.replace("KEY", "literal:self")));
    }

    #[test]
    fn valid_keys_are_clean() {
        for key in ["tid", "nsid", "any", "literal:self"] {
            expect(&META, 0, &with_def("main", &RECORD.replace("KEY", key)));
        }
    }
}
