//! Which findings a change is responsible for (`lexperm lint --changed-since`).
//!
//! The whole catalog is linted, because cross-file and permission-set rules need every file; then
//! [`retain_changed`] keeps a finding when
//!
//! 1. its primary span is in a changed file, or
//! 2. one of its labels points into a changed file, or
//! 3. it comes from a catalog rule (`L2xx`, `P1xx`, the catalog `S` rules) and its lexicon is
//!    linked to a changed lexicon: it names an NSID defined in a changed or removed file, or a
//!    changed file names its NSID.
//!
//! A lexicon *names* an NSID through a `ref` or union variant, a `nsid#name` known value, any
//! NSID in a permission-set entry (collections, methods, space types) and the collections of a
//! space declaration. A removed file stands for the NSID its trailing path segments spell
//! (`…/com/example/post.json`: `com.example.post`), the layout `file-path-mismatch` enforces.

use std::collections::{HashMap, HashSet};

use lexperm_parser::diagnostics::{Diagnostic, FileId};
use lexperm_parser::json::{JsonKind, JsonValue};
use lexperm_parser::lexicon::SchemaKind;
use lexperm_parser::syntax::Nsid;
use lexperm_resolver::{Catalog, CatalogDoc};

use crate::file_rules::{refs, walk};

/// What changed since the base version.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Linted files that are new or differ from the base.
    pub files: HashSet<FileId>,
    /// Paths (with `/` separators) of lexicon files the base had and the working version lacks.
    pub removed: Vec<String>,
}

/// Keeps in `findings` only the diagnostics `changes` is responsible for (see the module
/// documentation for the exact rule). Entries stay in place, possibly emptied.
pub fn retain_changed(
    catalog: &Catalog,
    changes: &Changes,
    findings: &mut [(FileId, Vec<Diagnostic>)],
) {
    let file_rule_codes: HashSet<&str> = crate::file_rules().map(|rule| rule.code).collect();
    let docs: HashMap<FileId, &CatalogDoc> = catalog
        .documents()
        .iter()
        .map(|doc| (doc.file, doc))
        .collect();

    // NSIDs defined in changed or removed files, and NSIDs the changed files name.
    let mut changed_nsids: HashSet<String> = changes
        .removed
        .iter()
        .flat_map(|path| nsids_spelled_by(path))
        .collect();
    let mut named_by_changed: HashSet<String> = HashSet::new();
    for file in &changes.files {
        if let Some(doc) = docs.get(file) {
            if doc.nsid.is_some() {
                changed_nsids.insert(doc.nsid_str().to_owned());
            }
            named_by_changed.extend(named_nsids(doc));
        }
    }

    let mut linked: HashMap<FileId, bool> = HashMap::new();
    let mut is_linked = |file: FileId| {
        *linked.entry(file).or_insert_with(|| {
            docs.get(&file).is_some_and(|doc| {
                (doc.nsid.is_some() && named_by_changed.contains(doc.nsid_str()))
                    || named_nsids(doc)
                        .iter()
                        .any(|nsid| changed_nsids.contains(nsid))
            })
        })
    };
    for (_, diagnostics) in findings.iter_mut() {
        diagnostics.retain(|diagnostic| {
            changes.files.contains(&diagnostic.span.file)
                || diagnostic
                    .labels
                    .iter()
                    .any(|label| changes.files.contains(&label.span.file))
                || (!file_rule_codes.contains(diagnostic.code) && is_linked(diagnostic.span.file))
        });
    }
}

/// The NSIDs `doc` names, other than its own (see the module documentation).
fn named_nsids(doc: &CatalogDoc) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut add = |text: &str| {
        let nsid = text.split(['#', '?']).next().unwrap_or_default();
        if !nsid.is_empty() && nsid != doc.nsid_str() && Nsid::parse(nsid).is_ok() {
            found.insert(nsid.to_owned());
        }
    };
    for (reference, _) in refs(&doc.doc) {
        add(&reference.value);
    }
    walk(&doc.doc, &mut |visit| {
        if let SchemaKind::String(string) = &visit.schema.kind {
            for value in string.known_values.iter().flat_map(|k| &k.value) {
                if value.value.contains('#') {
                    add(&value.value);
                }
            }
        }
    });
    if let Some(entries) = doc
        .permission_set()
        .and_then(|set| set.permissions.as_ref())
    {
        for entry in &entries.value {
            for member in &entry.members {
                strings_in(&member.value, &mut add);
            }
        }
    }
    if let Some(collections) = doc.space().and_then(|space| space.collections.as_ref()) {
        for collection in &collections.value {
            add(&collection.value);
        }
    }
    found
}

/// Calls `f` on every string in `value`, at any depth.
fn strings_in(value: &JsonValue, f: &mut dyn FnMut(&str)) {
    match &value.kind {
        JsonKind::String(text) => f(text),
        JsonKind::Array(items) => items.iter().for_each(|item| strings_in(item, f)),
        JsonKind::Object(object) => object
            .members
            .iter()
            .for_each(|member| strings_in(&member.value, f)),
        JsonKind::Null | JsonKind::Bool(_) | JsonKind::Number(_) => {}
    }
}

/// The dotted forms of the trailing segments of a `.json` path (`a/com/example/post.json`:
/// `com.example.post` and `a.com.example.post`, three segments or more, as NSIDs have).
fn nsids_spelled_by(path: &str) -> Vec<String> {
    let Some(stem) = path.strip_suffix(".json") else {
        return Vec::new();
    };
    let segments: Vec<&str> = stem.split('/').filter(|s| !s.is_empty()).collect();
    (0..segments.len().saturating_sub(2))
        .map(|start| segments[start..].join("."))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, record_doc, set};
    use crate::Source;

    /// Lints `files` (`(path, text)`, ids in order) and keeps what changing the files at
    /// `changed` (indexes) and removing `removed` is responsible for; returns `(file, code)`.
    fn kept(files: &[(&str, &str)], changed: &[u32], removed: &[&str]) -> Vec<(u32, String)> {
        let sources: Vec<Source<'_>> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| Source::new(i as u32, Some(path), text))
            .collect();
        let (mut findings, catalog) = crate::lint_with_catalog(&sources);
        let changes = Changes {
            files: changed.iter().map(|&i| FileId(i)).collect(),
            removed: removed.iter().map(|path| (*path).to_owned()).collect(),
        };
        retain_changed(&catalog, &changes, &mut findings);
        findings
            .into_iter()
            .flat_map(|(file, diagnostics)| {
                diagnostics
                    .into_iter()
                    .map(move |d| (file.0, d.code.to_owned()))
            })
            .collect()
    }

    /// A lexicon with an undescribed token (S102, a per-file warning) and a ref to `target`.
    fn with_ref(nsid: &str, target: &str) -> String {
        doc(
            nsid,
            &format!(
                r#""main": {{"type": "object", "description": "d", "properties": {{"x": {{"type": "ref", "ref": "{target}"}}}}}},
                   "tok": {{"type": "token"}}"#
            ),
        )
    }

    #[test]
    fn findings_in_unchanged_files_are_hidden() {
        let a = with_ref("com.example.a", "#tok");
        let b = with_ref("com.example.b", "#tok");
        let files = [
            ("com/example/a.json", a.as_str()),
            ("com/example/b.json", b.as_str()),
        ];
        assert_eq!(kept(&files, &[], &[]), []);
        assert_eq!(kept(&files, &[1], &[]), [(1, "S102".to_owned())]);
    }

    #[test]
    fn a_catalog_finding_is_kept_when_its_target_changed_or_was_removed() {
        // `a` refs `b#gone`: unresolved (L202, labelled in `b`) while `b` is loaded, undefined
        // in a loaded group (L210) once `b` is removed.
        let a = with_ref("com.example.a", "com.example.b#gone");
        let b = record_doc("com.example.b");
        let c = with_ref("com.example.c", "#tok");
        let files = [
            ("com/example/a.json", a.as_str()),
            ("com/example/b.json", b.as_str()),
            ("com/example/c.json", c.as_str()),
        ];
        // `b` has its own finding (a record without a description).
        assert_eq!(
            kept(&files, &[1], &[]),
            [(0, "L202".to_owned()), (1, "S101".to_owned())]
        );
        assert_eq!(kept(&files, &[2], &[]), [(2, "S102".to_owned())]);
        let without_b = [files[0], files[2]];
        assert_eq!(
            kept(&without_b, &[], &["lexicons/com/example/b.json"]),
            [(0, "L210".to_owned())]
        );
        assert_eq!(
            kept(&without_b, &[], &["lexicons/com/example/other.json"]),
            []
        );
    }

    #[test]
    fn a_catalog_finding_is_kept_when_a_changed_file_names_its_lexicon() {
        // The set grants `com.example.post`, which is not a record (P117, in the set's file). A
        // change to a lexicon the set names shows it; so does a change to a file naming the set.
        let auth = set(
            "com.example.authPost",
            &[r#""resource": "repo", "collection": ["com.example.post"]"#],
        );
        let post = with_ref("com.example.post", "#tok");
        let user = with_ref("com.example.user", "com.example.authPost");
        let files = [
            ("com/example/authPost.json", auth.as_str()),
            ("com/example/post.json", post.as_str()),
            ("com/example/user.json", user.as_str()),
        ];
        let codes = |kept: Vec<(u32, String)>| -> Vec<String> {
            kept.into_iter()
                .filter(|(file, _)| *file == 0)
                .map(|(_, code)| code)
                .collect()
        };
        assert!(codes(kept(&files, &[1], &[])).contains(&"P117".to_owned()));
        assert!(codes(kept(&files, &[2], &[])).contains(&"P117".to_owned()));
        // Per-file findings of the set's file stay hidden: the change did not cause them.
        let per_file = doc(
            "com.example.authPost",
            r#""main": {"type": "permission-set", "permissions": []}"#,
        );
        let files = [
            ("com/example/authPost.json", per_file.as_str()),
            ("com/example/user.json", user.as_str()),
        ];
        assert_eq!(
            kept(&files, &[1], &[])
                .iter()
                .filter(|(file, _)| *file == 0)
                .count(),
            0
        );
    }

    #[test]
    fn removed_paths_spell_nsids_by_their_trailing_segments() {
        assert_eq!(
            nsids_spelled_by("lexicons/com/example/post.json"),
            ["lexicons.com.example.post", "com.example.post"]
        );
        assert!(nsids_spelled_by("com/example.json").is_empty());
        assert!(nsids_spelled_by("README.md").is_empty());
    }
}
