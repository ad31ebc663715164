//! L205 `known-value-not-token`: a `knownValues` entry written as `nsid#name` does not resolve to
//! a token.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::{SchemaKind, SchemaType};
use crate::file_rules::walk;

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::{a_type, resolve_ref, RefTarget};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L205",
    name: "known-value-not-token",
    severity: Severity::Warning,
    summary: "A `knownValues` entry names a def that is missing or is not a token (or object type)",
    doc: r##"## What it does
Looks at every string `knownValues` entry of the form `nsid#name` whose lexicon is loaded, and
reports it when that lexicon has no def `name`, or when the def is neither a `token` nor an
`object`/`record` (whose `$type` a string may legitimately name, like the event-type filters of
`tools.ozone.moderation.getAccountTimeline`). Plain values (`"en"`, `"spam"`) and values pointing
outside the loaded files are not checked; local `#name` values are `known-string-local-ref`.

## Why
Such values stand for tokens: clients show their descriptions and compare data against the full
`nsid#name` string. A value whose token does not exist is usually a typo or a rename that was not
carried over, and no client will ever send it.

## Example
```json
{"type": "string", "knownValues": ["com.example.defs#reasonSpma"]}
```
while `com.example.defs` defines the token `reasonSpam`.
"##,
};

/// Checks `nsid#name` known values.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        walk(&file.doc, &mut |visit| {
            let SchemaKind::String(s) = &visit.schema.kind else {
                return;
            };
            for value in s.known_values.iter().flat_map(|k| &k.value) {
                let Some((nsid, _)) = value.value.split_once('#') else {
                    continue;
                };
                if nsid.is_empty() {
                    continue;
                }
                let problem = match resolve_ref(catalog, &file.doc, &value.value) {
                    RefTarget::MissingDef { .. } => "no such def".to_owned(),
                    RefTarget::Found { def, .. } => match def.schema.schema_type() {
                        // Objects and records: the value names a `$type` (a real pattern, e.g.
                        // event-type filters in `tools.ozone`).
                        Some(SchemaType::Token | SchemaType::Object | SchemaType::Record)
                        | None => continue,
                        Some(other) => format!("it is {}", a_type(other.as_str())),
                    },
                    RefTarget::External | RefTarget::Invalid => continue,
                };
                out.push(
                    Diagnostic::new(
                        &META,
                        value.span,
                        format!("known value `{}` is not a token: {problem}", value.value),
                    )
                    .with_help(format!(
                        "define `{}` as `{{\"type\": \"token\"}}` in `{nsid}`, or fix the value",
                        value.value.split_once('#').map_or("", |(_, n)| n)
                    )),
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect, text_at};

    #[test]
    fn reports_missing_and_non_token_values() {
        let a = doc(
            "com.example.a",
            r##""main": {"type": "string", "knownValues": [
                "com.example.b#spam", "com.example.b#typo", "com.example.b#view", "com.example.b#name", "plain",
                "org.other.defs#x", "#local", "com.example.a#mine"]},
              "mine": {"type": "token"}"##,
        );
        let b = doc(
            "com.example.b",
            r#""spam": {"type": "token"}, "view": {"type": "object", "properties": {}}, "name": {"type": "string"}"#,
        );
        let found = expect(&META, 2, &[("a.json", &a), ("b.json", &b)]);
        assert_eq!(text_at(&a, &found[0]), "\"com.example.b#typo\"");
        assert!(
            found[1].message.contains("a `string`"),
            "{}",
            found[1].message
        );
    }
}
