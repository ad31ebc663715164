//! B204 `space-collections-narrowed`: a `space` declaration no longer lists a collection, which
//! narrows every `space:` grant of the type that names no collection.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::grants::{bare_grants, scopes};
use super::support::opening;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B204",
    name: "space-collections-narrowed",
    severity: Severity::Warning,
    summary: "A space declaration no longer lists a collection, narrowing every grant of its type that names none",
    doc: r#"## What it does
Compares the `collections` of every `space` declaration present in both versions (under the
permissioned-data reference) and reports each one removed, in the before version, with the scope
strings a `space:<type>` grant that names no `collection` loses and the permission sets of the
after version that hold such a grant.

## Why is this bad?
Such grants are issued with the declared collections, so apps lose writes to the removed
collection at their users' next token refresh. Records already written stay where they are.

## Example
`com.example.forum` drops `"com.example.reply"` from its `collections`: apps that post replies
through a bare `space:com.example.forum` grant start failing after the next refresh.
"#,
};

/// Other tools' names for this check (none: indigo cannot read `space` lexicons).
pub const ALIASES: &[&str] = &[];

/// Reports collections removed from space declarations.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for change in diff.space_changes() {
        let nsid = change.doc.nsid();
        let sets = bare_grants(&change, false);
        for removed in &change.removed {
            out.push(
                Diagnostic::new(
                    &META,
                    removed.span,
                    format!(
                        "space type `{nsid}` no longer declares `{}`: every `space:{nsid}` grant \
                         that names no collection loses {}",
                        removed.value,
                        scopes(&change.lost)
                    ),
                )
                .with_label(opening(change.after_span), "the collections now")
                .with_nsid(nsid)
                .with_help(format!(
                    "apps lose these writes at their users' next token refresh ({sets}); check \
                     that none still needs them, or keep the collection declared"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, space};

    #[test]
    fn a_removed_collection_is_reported_in_the_before_file() {
        let before = space(r#""com.example.post", "com.example.reply""#);
        let after = space(r#""com.example.post""#);
        let found = expect(&META, 1, &[&before], &[&after]);
        assert!(found[0].span.file.0 >= 1000);
        assert!(found[0].message.ends_with(
            "loses `space:com.example.forum?collection=com.example.reply&action=create&action=update&action=delete`"
        ), "{}", found[0].message);
    }

    #[test]
    fn the_same_collections_are_clean() {
        let before = space(r#""com.example.post", "com.example.post""#);
        expect(&META, 0, &[&before], &[&space(r#""com.example.post""#)]);
    }
}
