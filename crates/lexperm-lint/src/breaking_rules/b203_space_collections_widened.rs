//! B203 `space-collections-widened`: a `space` declaration lists a collection its before version
//! did not, which widens every `space:` grant of the type that names no collection.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_resolver::CatalogDiff;

use super::grants::{acknowledge_how, bare_grants, scopes};
use super::support::{list, opening};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "B203",
    name: "space-collections-widened",
    severity: Severity::Error,
    summary: "A space declaration lists a new collection, widening every grant of its type that names none",
    doc: r#"## What it does
Compares the `collections` of every `space` declaration present in both versions (under the
permissioned-data reference) and reports the ones added. A `space:<type>` grant that names no
`collection`, in a permission set or requested directly, is issued with the declared
collections; the finding names the scope strings such a grant gains, and lists the permission
sets of the after version that hold one.

Like `permission-set-widened`, it is an error unless acknowledged for the space type's NSID
(`--acknowledge-widening NSID`, or `[breaking] acknowledge-widening = ["NSID"]` in
`lexperm.toml`); an acknowledged one is reported as information.

## Why is this bad?
The authorization server reads the declaration again when it issues or refreshes a token, so
every token with such a grant can write the new collection after its next refresh, and the user
never consents to it.

## Example
`com.example.forum` declares `"collections": ["com.example.post"]`, and a permission set grants
`{"resource": "space", "spaceType": "com.example.forum"}`. Adding `"com.example.reply"` lets every
token of that set write replies. Acknowledge it, or have the set name its collections
(`"collection": ["com.example.post"]`) so that the declaration no longer widens it.
"#,
};

/// Other tools' names for this check (none: indigo cannot read `space` lexicons).
pub const ALIASES: &[&str] = &[];

/// Reports collections added to space declarations.
pub fn check(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for change in diff.space_changes() {
        let Some(first) = change.added.first() else {
            continue;
        };
        let nsid = change.doc.nsid();
        let added: Vec<&str> = change.added.iter().map(|c| c.value.as_str()).collect();
        let sets = bare_grants(&change, true);
        out.push(
            Diagnostic::new(
                &META,
                first.span,
                format!(
                    "space type `{nsid}` declares new collections {}: every `space:{nsid}` grant \
                     that names no collection gains {}",
                    list(&added),
                    scopes(&change.gained)
                ),
            )
            .with_label(opening(change.before_span), "the collections before")
            .with_nsid(nsid)
            .with_help(format!(
                "tokens with such a grant can write there from their next refresh on, without \
                 the user consenting again ({sets}). {}; otherwise declare the new collections \
                 in a new space type, or have the permission sets name their collections \
                 (`collection`) so that the declaration does not widen them",
                acknowledge_how(nsid)
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::breaking_rules::test_support::{expect, set, space};

    #[test]
    fn a_new_collection_names_the_scope_and_the_sets_it_widens() {
        let grant = set(&[
            r#""resource": "space", "spaceType": "com.example.forum", "manage": ["create"]"#,
        ]);
        let before = space(r#""com.example.post""#);
        let after = space(r#""com.example.post", "com.example.reply""#);
        let found = expect(&META, 1, &[&before, &grant], &[&after, &grant]);
        assert_eq!(
            found[0].message,
            "space type `com.example.forum` declares new collections `com.example.reply`: every \
             `space:com.example.forum` grant that names no collection gains \
             `space:com.example.forum?collection=com.example.reply&action=create&action=update&action=delete`"
        );
        let help = found[0].help.as_deref().unwrap();
        assert!(help.contains("`com.example.authFull` (`space:com.example.forum?manage=create`: `space:com.example.forum?collection=com.example.reply&action=create&action=update&action=delete`)"), "{help}");
        assert!(
            help.contains("--acknowledge-widening com.example.forum"),
            "{help}"
        );
    }

    #[test]
    fn reordered_or_fewer_collections_are_clean() {
        let before = space(r#""com.example.post", "com.example.reply""#);
        expect(
            &META,
            0,
            &[&before],
            &[&space(r#""com.example.reply", "com.example.post""#)],
        );
        expect(&META, 0, &[&before], &[&space(r#""com.example.post""#)]);
    }
}
