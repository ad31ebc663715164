//! P115 `invalid-value`: the reference authorization server drops a permission-set entry for
//! [`DropReason::InvalidValue`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use crate::catalog::Catalog;
use crate::rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P115",
    name: "invalid-value",
    severity: Severity::Error,
    summary: "A permission-set entry has a field value the scope grammar rejects",
    doc: r##"## What it does
Reports a permission value rejected for any reason not covered by a more specific rule. With the
current resources every such value is already `invalid-permission-nsid`, `invalid-action` or
`fixed-aud`, so this rule stands guard for new parameters.

## Why is this bad?
The reference drops the entry, so nothing in it is granted.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:x"}
```
"##,
};

/// Reports every entry dropped for [`DropReason::InvalidValue`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::InvalidValue, out);
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
            reason: DropReason::InvalidValue,
            message: "bad value (hint: fix it)".to_owned(),
            span: entry.span,
            entry_span: entry.span,
            field: Some("lxm".to_owned()),
        };
        let rule = crate::rules::drop_rule(DropReason::InvalidValue).unwrap();
        assert_eq!(rule, &META);
        let d = drop_diagnostic(rule, doc.nsid.as_ref().unwrap(), entry, &dropped);
        assert_eq!(d.code, "P115");
        assert_eq!(text_at(&text, &d), "[\"com.example.getPost\"]");
        assert_eq!(d.help.as_deref(), Some("fix it"));
        assert!(d.message.contains("bad value"));
    }

    #[test]
    fn the_example_is_reported_by_a_more_specific_rule() {
        let text = set(
            NSID,
            &[r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "did:web:x""#],
        );
        expect(&META, 0, &[("com/example/authTest.json", &text)]);
        assert!(!run_all(&text).is_empty());
    }
}
