//! P120 `undefined-lxm`: a permission set grants an `rpc` method that its (loaded) NSID group does not define.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use lexperm_resolver::catalog::Catalog;
use crate::catalog_rules::permission_sets::{report_grants, GrantProblem};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "P120",
    name: "undefined-lxm",
    severity: Severity::Error,
    summary: "A permission set grants an `rpc` method that its (loaded) NSID group does not define",
    doc: r##"## What it does
Reports a method granted by a surviving `rpc` permission when the catalog holds other lexicons of
the same NSID group (not counting permission sets) but not this one. Methods in groups that are
not loaded are not checked.

## Why is this bad?
The grant names an endpoint that does not exist, and the endpoint that was meant stays ungranted.
Real case: `chat.bsky.authFullChatClient` grants `chat.bsky.convo.exportAccountData`, while the
endpoint is `chat.bsky.actor.exportAccountData`.

## Example
```json
{"type": "permission", "resource": "rpc", "lxm": ["chat.bsky.convo.exportAccountData"], "inheritAud": true}
```
while the catalog has `chat.bsky.convo.getConvo` and `chat.bsky.actor.exportAccountData`.
"##,
};

/// Checks what surviving permission entries grant.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    report_grants(catalog, &META, GrantProblem::UndefinedLxm, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect_grant, expect_no_grant};

    #[test]
    fn reports_the_grant() {
        let target = doc("com.example.getPost", r#""main": {"type": "query"}"#);
        let found = expect_grant(
            &META,
            &target,
            r#""resource": "rpc", "lxm": ["com.example.getPots"], "inheritAud": true"#,
            "\"com.example.getPots\"",
        );
        assert!(
            found
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `com.example.getPost`"),
            "{:?}",
            found.help
        );
    }

    #[test]
    fn matching_and_unknown_groups_are_clean() {
        let target = doc("com.example.getPost", r#""main": {"type": "query"}"#);
        // Also checked alone: the set's own group does not count as loaded.
        expect_no_grant(
            &META,
            &target,
            r#""resource": "rpc", "lxm": ["com.example.getPost", "org.other.getThing"], "inheritAud": true"#,
        );
    }
}
