//! P105 `aud-with-inherit-aud`: the reference authorization server drops a permission-set entry for
//! [`DropReason::AudWithInheritAud`].

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::include::DropReason;

use crate::catalog::Catalog;
use crate::rules::permission_sets::report_drops;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P105",
    name: "aud-with-inherit-aud",
    severity: Severity::Error,
    summary: "An `rpc` entry in a permission set has both `aud` and `inheritAud: true`",
    doc: r##"## What it does
Reports an `rpc` permission that sets `aud` (even `"*"`) together with `inheritAud: true`.

## Why is this bad?
Exactly one of the two must be present. The reference only rewrites `inheritAud` when there is
no `aud`; otherwise `inheritAud` is an unknown parameter and the whole entry is dropped.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": true}
```
"##,
};

/// Reports every entry dropped for [`DropReason::AudWithInheritAud`].
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_drops(catalog, DropReason::AudWithInheritAud, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::{expect, set, text_at, CLEAN};

    const NSID: &str = "com.example.authTest";

    #[test]
    fn reports_dropped_entries() {
        let cases: &[(&str, Option<&str>)] = &[(
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*", "inheritAud": true"#,
            Some("true"),
        )];
        for (entry, at) in cases {
            let text = set(NSID, &[entry]);
            let found = expect(&META, 1, &[("com/example/authTest.json", &text)]);
            if let Some(at) = at {
                assert_eq!(text_at(&text, &found[0]), *at, "{entry}");
            }
            assert!(found[0].help.is_some(), "{entry}");
        }
    }

    #[test]
    fn valid_entries_are_clean() {
        let text = set(NSID, CLEAN);
        expect(&META, 0, &[("com/example/authTest.json", &text)]);
    }
}
