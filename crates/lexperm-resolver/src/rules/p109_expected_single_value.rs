//! P109 `expected-single-value`: the reference authorization server drops a permission-set entry for
//! [`DropReason::ExpectedSingleValue`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use crate::catalog::Catalog;
use crate::rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P109",
    name: "expected-single-value",
    severity: Severity::Error,
    summary: "A permission-set entry gives a single-valued field as an array",
    doc: r##"## What it does
Reports a single-valued permission field given as an array. In sets the only single-valued field
is `aud`, and an array `aud` is already `fixed-aud` (the reference checks that first), so this
rule stands guard for the expansion's own table: it fires only if a future resource or parameter
reaches it.

## Why is this bad?
The reference drops the entry: a single value is expected, so nothing is granted.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": ["*"]}
```
"##,
};

/// Reports every entry dropped for [`DropReason::ExpectedSingleValue`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::ExpectedSingleValue, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expand::DroppedEntry;
    use crate::rules::permission_sets::drop_diagnostic;
    use crate::rules::test_support::{expect, run_all, set, text_at};
    use crate::Catalog;
    use lexperm_parser::diagnostics::FileId;

    const NSID: &str = "com.example.authTest";

    #[test]
    fn maps_the_drop_reason_to_this_rule() {
        // No entry reaches this reason today (see the doc), so drive the mapping directly.
        let text = set(
            NSID,
            &[r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#],
        );
        let (catalog, _) = Catalog::load([(FileId(0), "x.json", text.as_str())]);
        let doc = &catalog.documents()[0];
        let entry = &doc
            .permission_set()
            .unwrap()
            .permissions
            .as_ref()
            .unwrap()
            .value[0];
        let dropped = DroppedEntry {
            entry_index: 0,
            reason: DropReason::ExpectedSingleValue,
            message: "bad value (hint: fix it)".to_owned(),
            span: entry.span,
            entry_span: entry.span,
            field: Some("lxm".to_owned()),
        };
        let rule = crate::rules::drop_rule(DropReason::ExpectedSingleValue).unwrap();
        assert_eq!(rule, &META);
        let d = drop_diagnostic(rule, doc.nsid.as_ref().unwrap(), entry, &dropped);
        assert_eq!(d.code, "P109");
        assert_eq!(text_at(&text, &d), "[\"com.example.getPost\"]");
        assert_eq!(d.help.as_deref(), Some("fix it"));
        assert!(d.message.contains("bad value"));
    }

    #[test]
    fn the_example_is_reported_by_a_more_specific_rule() {
        let text = set(
            NSID,
            &[r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": ["*"]"#],
        );
        expect(&META, 0, &[("com/example/authTest.json", &text)]);
        assert!(!run_all(&text).is_empty());
    }
}
