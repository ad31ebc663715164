//! L128 `invalid-permission-entry`: a permission-set entry is not a `permission` object with a
//! non-empty `resource`.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::permission_sets;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L128",
    name: "invalid-permission-entry",
    severity: Severity::Error,
    summary: "A permission-set entry lacks `type: \"permission\"` or has an empty `resource`",
    doc: r#"## What it does
Checks the shape of each entry of a permission set's `permissions`: it must have
`"type": "permission"` and a non-empty string `resource`. (Non-object entries and a missing
`resource` are reported as `invalid-field-type` and `missing-required-field`.) What the entry
grants is checked by the resolver.

## Why is this bad?
`@atproto/lex-document` rejects the whole document, so the authorization server cannot resolve the
set and every authorization request that includes it fails with `invalid_scope`.

## Example
```json
{"type": "permission-set", "permissions": [{"resource": "repo", "collection": ["com.example.post"]}]}
```
"#,
};

/// Checks entry shapes.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for (_, set) in permission_sets(doc) {
        for entry in set.permissions.iter().flat_map(|p| &p.value) {
            match entry.member("type") {
                None => out.push(
                    Diagnostic::new(
                        &META,
                        lexperm_parser::diagnostics::Span::new(
                            entry.span.file,
                            entry.span.start,
                            entry.span.start + 1,
                        ),
                        "permission entry is missing `\"type\": \"permission\"`",
                    )
                    .with_help("add `\"type\": \"permission\"`"),
                ),
                Some(member) if member.value.as_str() != Some("permission") => out.push(
                    Diagnostic::new(
                        &META,
                        member.value.span,
                        "permission entry `type` must be \"permission\"",
                    )
                    .with_help("set `\"type\": \"permission\"`"),
                ),
                Some(_) => {}
            }
            if let Some(resource) = entry.resource.as_ref().filter(|r| r.value.is_empty()) {
                out.push(
                    Diagnostic::new(&META, resource.span, "permission `resource` is empty")
                        .with_help("use `repo` or `rpc`, the resources a permission set can grant"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_missing_type_and_empty_resource() {
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [{"resource": "repo"}]}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [{"type": "permission", "resource": ""}]}"#,
            ),
        );
        expect(
            &META,
            1,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [{"type": "perm", "resource": "rpc"}]}"#,
            ),
        );
    }

    #[test]
    fn unknown_resources_are_the_resolvers_business() {
        expect(
            &META,
            0,
            &with_def(
                "main",
                r#"{"type": "permission-set", "permissions": [{"type": "permission", "resource": "frobnicate", "x": 1}]}"#,
            ),
        );
    }
}
