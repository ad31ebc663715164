//! B101 `lexicon-removed`: a lexicon of the before version is gone.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B101",
    name: "lexicon-removed",
    severity: Severity::Error,
    summary: "A lexicon of the before version is gone",
    doc: r#"## What it does
Reports every NSID the before version declares and the after version does not, unless a
lexicon with the same `defs` appears under a new NSID (that is `lexicon-renamed`). The finding is
in the before file.

## Why is this bad?
Records carry their lexicon's NSID in `$type` and clients call endpoints by NSID. Once a lexicon
is published, apps and records depend on it; removing it leaves their data without a schema and
their calls without an endpoint. indigo's `lexlint` ignores whole lexicons.

## Example
`lexicons/com/example/post.json` (`com.example.post`) is deleted. Keep it, and mark it deprecated
in its `description`; a replacement goes next to it as `com.example.postV2`.
"#,
};

/// Other tools' names for this check (none).
pub const ALIASES: &[&str] = &[];

/// Reports removed lexicons.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for doc in diff.removed() {
        let nsid = doc.nsid_str();
        out.push(
            Diagnostic::new(&META, doc.doc.anchor(), format!("lexicon `{nsid}` was removed"))
                .with_help(format!(
                    "keep `{nsid}` and deprecate it in its `description`; a replacement is a new \
                     lexicon next to it (`{nsid}V2`)"
                ))
                .with_nsid(nsid),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{doc, run};

    #[test]
    fn a_missing_nsid_is_reported_in_the_before_file() {
        let a = doc("com.example.a", r#""main": {"type": "token"}"#);
        let b = doc("com.example.b", r#""main": {"type": "object", "properties": {}}"#);
        let found = crate::assert_count(&META, 1, run(&META, &[&a, &b], &[&a]));
        assert!(found[0].span.file.0 >= 1000);
        assert!(found[0].message.contains("`com.example.b`"));
        assert!(found[0].help.as_deref().unwrap().contains("com.example.bV2"));
    }

    #[test]
    fn kept_and_added_lexicons_are_clean() {
        let a = doc("com.example.a", r#""main": {"type": "token"}"#);
        let b = doc("com.example.b", r#""main": {"type": "token"}"#);
        crate::assert_count(&META, 0, run(&META, &[&a], &[&a, &b]));
    }
}
