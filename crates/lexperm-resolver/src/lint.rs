//! The whole lint: per-file rules on every file, then the catalog rules over all of them.

use std::collections::HashMap;

use lexperm_parser::diagnostics::{Diagnostic, FileId};
use lexperm_parser::lexicon::LoadedLexicon;

use crate::catalog::Catalog;
use crate::rules;

/// One file to lint.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The caller's id for the file (diagnostic spans carry it).
    pub file: FileId,
    /// Where the file lives, with `/` separators, when known. Only its trailing segments matter:
    /// `file-path-mismatch` checks that they spell the NSID (`…/com/example/post.json` for
    /// `com.example.post`), so give the path as fully as possible (absolute is best). `None` skips
    /// that rule. It becomes the catalog document's [`crate::CatalogDoc::path`].
    pub path: Option<&'a str>,
    /// The file's text.
    pub text: &'a str,
}

impl<'a> Source<'a> {
    /// A source with id `FileId(file)`.
    pub fn new(file: u32, path: Option<&'a str>, text: &'a str) -> Self {
        Source {
            file: FileId(file),
            path,
            text,
        }
    }
}

/// Lints `sources` (with distinct [`FileId`]s) as one catalog: every per-file rule on each file, then the cross-file and
/// permission-set rules over all of them. Returns one entry per source, in input order; each
/// file's diagnostics are sorted by position, then code. Files that do not parse take part in no
/// catalog rule. Work is spread over the available cores; the result does not depend on it.
pub fn lint(sources: &[Source<'_>]) -> Vec<(FileId, Vec<Diagnostic>)> {
    let loaded: Vec<LoadedLexicon> = parallel_map(sources, |source| {
        lexperm_parser::rules::lint_file(source.file, source.text)
    });
    let mut results: Vec<(FileId, Vec<Diagnostic>)> = sources
        .iter()
        .zip(&loaded)
        .map(|(source, loaded)| (source.file, loaded.diagnostics.clone()))
        .collect();
    let catalog = Catalog::from_loaded(
        sources
            .iter()
            .zip(loaded)
            .map(|(source, loaded)| (source.file, source.path.unwrap_or("").to_owned(), loaded)),
    );
    let mut catalog_findings = Vec::new();
    rules::lint_catalog(&catalog, &mut catalog_findings);

    let index: HashMap<FileId, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, source)| (source.file, i))
        .collect();
    let nsids: HashMap<FileId, &str> = catalog
        .documents()
        .iter()
        .filter_map(|doc| doc.doc.id_str().map(|id| (doc.file, id)))
        .collect();
    for mut diagnostic in catalog_findings {
        let Some(&i) = index.get(&diagnostic.span.file) else {
            continue;
        };
        if diagnostic.nsid.is_none() {
            diagnostic.nsid = nsids.get(&diagnostic.span.file).map(|id| (*id).to_owned());
        }
        results[i].1.push(diagnostic);
    }
    for (_, diagnostics) in &mut results {
        diagnostics.sort_by(|a, b| {
            (a.span.start, a.span.end, a.code, &a.message).cmp(&(
                b.span.start,
                b.span.end,
                b.code,
                &b.message,
            ))
        });
    }
    results
}

/// Applies `work` to every item on up to `available_parallelism` threads; results keep item order.
fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len() / 64 + 1);
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&work).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_follow_input_order_and_carry_catalog_findings() {
        let a = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "object", "description": "A.", "properties": {"b": {"type": "ref", "ref": "com.example.b#nope"}}}}}"#;
        let b = r#"{"lexicon": 1, "id": "com.example.b", "defs": {"x": {"type": "token", "description": "X."}}}"#;
        let sources = [
            Source::new(7, Some("com/example/a.json"), a),
            Source::new(3, Some("com/example/b.json"), b),
            Source::new(5, None, "{"),
        ];
        let results = lint(&sources);
        let ids: Vec<u32> = results.iter().map(|(id, _)| id.0).collect();
        assert_eq!(ids, [7, 3, 5]);
        let codes: Vec<&str> = results[0].1.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["L202"]);
        assert_eq!(results[0].1[0].nsid.as_deref(), Some("com.example.a"));
        assert!(results[1].1.is_empty(), "{:#?}", results[1].1);
        assert_eq!(results[2].1[0].code, "L101");
    }

    #[test]
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            parallel_map(&items, |n| n * 2),
            items.iter().map(|n| n * 2).collect::<Vec<_>>()
        );
    }
}
