//! The breaking-change run: load two versions of the sources, match them ([`CatalogDiff`]) and
//! run every breaking-change rule.

use std::collections::HashMap;

use lexperm_parser::diagnostics::{Diagnostic, FileId, Severity};
use lexperm_parser::lexicon::{self, LoadedLexicon};
use lexperm_parser::scope::Reference;
use lexperm_resolver::{Catalog, CatalogDiff};

use crate::parallel::{map_in_order, threads_for};
use crate::Source;

/// Compares `before` (the base version) with `after` (the changed version) and reports every
/// change that breaks existing data, clients or servers. All sources must have distinct
/// [`FileId`]s across both sides.
///
/// Returns one entry per source, `after` first then `before`, each in input order; each file's
/// diagnostics are sorted by position, then code. A finding is in the after file where the thing
/// it reports still exists, else (a removed lexicon, def or field) in the before file; a label
/// points at the other version. Files are only loaded, not linted: a file the loader cannot read
/// gets the loader's diagnostic (an error on the after side; a warning on the before side, where
/// it only means the comparison of that file is partial) and takes part as far as it loaded.
///
/// ```
/// use lexperm_lint::{breaking, Source};
///
/// let before = r#"{"lexicon": 1, "id": "com.example.post", "defs": {"main": {"type": "record",
///   "key": "tid", "record": {"type": "object", "properties": {}}}}}"#;
/// let after = before.replace("\"tid\"", "\"any\"");
/// let results = breaking(
///     &[Source::new(1, Some("base/post.json"), before)],
///     &[Source::new(0, Some("post.json"), &after)],
/// );
/// let codes: Vec<&str> = results[0].1.iter().map(|d| d.code).collect();
/// assert_eq!(codes, ["B105"]); // record-key-changed
/// assert_eq!(results[0].1[0].labels[0].span.file.0, 1); // the before side
/// ```
pub fn breaking(before: &[Source<'_>], after: &[Source<'_>]) -> Vec<(FileId, Vec<Diagnostic>)> {
    breaking_for(before, after, Reference::default())
}

/// [`breaking`] with both catalogs reading scopes and permission sets as `reference` does (see
/// [`Catalog::set_reference`]).
pub fn breaking_for(
    before: &[Source<'_>],
    after: &[Source<'_>],
    reference: Reference,
) -> Vec<(FileId, Vec<Diagnostic>)> {
    let (before_catalog, before_loaded) = load(before, reference);
    let (after_catalog, after_loaded) = load(after, reference);
    let mut results: Vec<(FileId, Vec<Diagnostic>)> = after
        .iter()
        .zip(after_loaded)
        .chain(
            before
                .iter()
                .zip(before_loaded.into_iter().map(|mut found| {
                    for diagnostic in &mut found {
                        diagnostic.severity = diagnostic.severity.min(Severity::Warning);
                    }
                    found
                })),
        )
        .map(|(source, found)| (source.file, found))
        .collect();

    let texts: HashMap<FileId, &str> = before
        .iter()
        .chain(after)
        .map(|source| (source.file, source.text))
        .collect();
    let diff = CatalogDiff::new(&before_catalog, &after_catalog, &|file| {
        texts.get(&file).copied()
    });
    let mut findings = Vec::new();
    crate::breaking_rules::check_diff(&diff, &mut findings);

    let index: HashMap<FileId, usize> = results
        .iter()
        .enumerate()
        .map(|(i, (file, _))| (*file, i))
        .collect();
    for diagnostic in findings {
        if let Some(&i) = index.get(&diagnostic.span.file) {
            results[i].1.push(diagnostic);
        }
    }
    for (_, diagnostics) in &mut results {
        crate::lint::sort_by_position(diagnostics);
    }
    results
}

/// Loads `sources` (the loader only) into a catalog; returns it and each source's loader
/// diagnostics, with the document's NSID set on them.
fn load(sources: &[Source<'_>], reference: Reference) -> (Catalog, Vec<Vec<Diagnostic>>) {
    let threads = threads_for(sources.len(), 64);
    let loaded: Vec<LoadedLexicon> = map_in_order(sources, threads, |source| {
        let mut loaded = lexicon::load(source.file, source.text);
        if let Some(id) = loaded.doc.as_ref().and_then(|doc| doc.id_str()) {
            let id = id.to_owned();
            for diagnostic in &mut loaded.diagnostics {
                diagnostic.nsid.get_or_insert_with(|| id.clone());
            }
        }
        loaded
    });
    let diagnostics = loaded.iter().map(|l| l.diagnostics.clone()).collect();
    (
        crate::lint::catalog_of(sources, loaded, reference),
        diagnostics,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_files_are_reported_on_both_sides() {
        let good = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "token"}}}"#;
        let results = breaking(
            &[Source::new(2, None, "{"), Source::new(3, None, good)],
            &[Source::new(0, None, "{"), Source::new(1, None, good)],
        );
        let files: Vec<u32> = results.iter().map(|(file, _)| file.0).collect();
        assert_eq!(files, [0, 1, 2, 3]);
        assert_eq!(results[0].1[0].code, "L101");
        assert_eq!(results[0].1[0].severity, Severity::Error);
        assert_eq!(results[2].1[0].code, "L101");
        assert_eq!(results[2].1[0].severity, Severity::Warning);
        assert!(results[1].1.is_empty() && results[3].1.is_empty());
    }

    #[test]
    fn findings_carry_the_nsid() {
        let before = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "token"}, "b": {"type": "token"}}}"#;
        let after = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "token"}}}"#;
        let results = breaking(
            &[Source::new(1, None, before)],
            &[Source::new(0, None, after)],
        );
        let found = &results[1].1;
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, "B103");
        assert_eq!(found[0].nsid.as_deref(), Some("com.example.a"));
    }
}
