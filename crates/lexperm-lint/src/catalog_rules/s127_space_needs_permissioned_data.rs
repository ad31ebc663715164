//! S127 `space-needs-permissioned-data`: a permission set grants `space` permissions, which PDSes
//! without permissioned-data support drop.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::scope::Scope;

use crate::catalog_rules::permission_sets::permissioned_data_sets;
use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S127",
    name: "space-needs-permissioned-data",
    severity: Severity::Warning,
    summary: "A permission set grants `space` permissions, which PDSes without permissioned-data support drop",
    doc: r##"## What it does
Counts the `space` permissions of a set that the permissioned-data reference grants, and reports
the set once, at its first such entry, saying how many scopes remain on a PDS without
permissioned-data support.

## Why is this bad?
Permissioned data is an alpha: the released `@atproto/oauth-scopes` (0.5.12) has no `space`
resource, so authorization servers built on it drop every `space` entry silently, like any
unknown resource. Users of those PDSes sign in with the rest of the set, and the app's space
reads and writes fail. Ship the set when the PDSes your users are on support permissioned data,
or make the app work without spaces.

## Example
```json
{"type": "permission", "resource": "space", "spaceType": "com.example.board", "authority": "*",
 "action": ["read"]}
```
"##,
};

/// Reports every set with granted `space` permissions (under the permissioned-data reference).
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for set in permissioned_data_sets(catalog) {
        let spaces: Vec<usize> = set
            .granted
            .iter()
            .filter(|g| matches!(g.scope, Scope::Space(_)))
            .map(|g| g.entry_index)
            .collect();
        let Some(&first) = spaces.first() else {
            continue;
        };
        let anchor = |index: usize| {
            let entry = &set.entries[index];
            entry.resource.as_ref().map_or(entry.span, |r| r.span)
        };
        let rest = match set.granted.len() - spaces.len() {
            0 => "nothing of the set".to_owned(),
            1 => "only the other scope".to_owned(),
            n => format!("only the other {n} scopes"),
        };
        let (count, them) = match spaces.len() {
            1 => ("1 `space` permission".to_owned(), "it"),
            n => (format!("{n} `space` permissions"), "them"),
        };
        let mut diagnostic = Diagnostic::new(
            &META,
            anchor(first),
            format!(
                "`{}` grants {count}: PDSes without permissioned-data support (released `@atproto/oauth-scopes` 0.5.12) drop {them} and grant {rest}",
                set.nsid
            ),
        );
        for &index in &spaces[1..] {
            diagnostic = diagnostic.with_label(anchor(index), "also dropped there");
        }
        out.push(diagnostic.with_help(
            "check that your users' PDSes support permissioned data, and that the app copes without space access where they do not",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{expect, set, text_at};

    #[test]
    fn counts_the_granted_space_entries() {
        let text = set(
            "com.example.authTest",
            &[
                r#""resource": "repo", "collection": ["com.example.post"]"#,
                r#""resource": "space", "spaceType": "com.example.board""#,
                r#""resource": "space", "spaceType": "com.example.board", "authority": "*", "action": ["read"]"#,
                r#""resource": "space", "spaceType": "org.other.board""#,
            ],
        );
        let found = expect(&META, 1, &[("com/example/authTest.json", &text)]);
        assert_eq!(text_at(&text, &found[0]), "\"space\"");
        assert!(
            found[0].message.contains("grants 2 `space` permissions")
                && found[0].message.contains("drop them and grant only the other scope"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].labels.len(), 1);
    }

    #[test]
    fn sets_without_space_entries_are_clean() {
        let text = set(
            "com.example.authTest",
            &[r#""resource": "repo", "collection": ["com.example.post"]"#],
        );
        expect(&META, 0, &[("com/example/authTest.json", &text)]);
    }
}
