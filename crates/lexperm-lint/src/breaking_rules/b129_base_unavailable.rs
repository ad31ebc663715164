//! B129 `base-unavailable`: the published version of a lexicon group could not be fetched, so
//! it was not compared.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity, Span};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B129",
    name: "base-unavailable",
    severity: Severity::Warning,
    summary: "The published version of a lexicon group could not be fetched, so it was not compared",
    doc: r#"## What it does
`lexperm breaking --base published` fetches the published version of every NSID group of the
working tree (DNS `_lexicon` TXT → DID → PDS → records, through the resolution cache). When a
group does not resolve (no TXT record, an unknown DID, a PDS that does not answer, a record that
fails verification), that group is reported here, at its first lexicon, instead of being
skipped in silence. An NSID that resolves to "no such record" is new, not unavailable.

## Why is this bad?
Nothing in the group was compared, so a breaking change there would go unnoticed. It is a
warning: before the first publication no group resolves. `--deny warnings` makes it fail.

## Example
`com.example.post` is in `lexicons/`, but `_lexicon.example.com` has no TXT record.
"#,
};

/// A finding for the group `group` (`com.example.`), none of whose `nsids` could be compared,
/// at `span` (the `id` of its first lexicon in the after version).
pub fn diagnostic(span: Span, group: &str, nsids: usize, detail: &str) -> Diagnostic {
    let what = if nsids == 1 {
        "its lexicon was".to_owned()
    } else {
        format!("its {nsids} lexicons were")
    };
    Diagnostic::new(
        &META,
        span,
        format!("the published version of `{group}*` could not be fetched; {what} not compared: {detail}"),
    )
    .with_help(
        "check the group's `_lexicon` TXT record and its PDS (`lexperm resolve NSID`), or compare \
         against a git ref or a directory with `--base`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_group_and_what_was_skipped() {
        let d = diagnostic(Span::default(), "com.example.", 2, "no TXT record");
        assert_eq!(
            d.message,
            "the published version of `com.example.*` could not be fetched; its 2 lexicons were not compared: no TXT record"
        );
        assert_eq!(d.severity, Severity::Warning);
    }
}
