//! The whole lint: per-file rules on every file, then the catalog rules over all of them.

use lexperm_parser::scope::Reference;
use std::collections::{HashMap, HashSet};

use lexperm_parser::diagnostics::{Diagnostic, FileId, Span};
use lexperm_parser::lexicon::LoadedLexicon;

use crate::catalog_rules::{self, l207_remote_lexicon_unavailable as l207};
use crate::parallel::{map_in_order, threads_for};
use lexperm_resolver::catalog::{Catalog, Resolved};
use lexperm_resolver::source::{LexiconSource, ResolveError};

/// One file to lint.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The caller's id for the file (diagnostic spans carry it).
    pub file: FileId,
    /// Where the file lives, with `/` separators, when known. Only its trailing segments matter:
    /// `file-path-mismatch` checks that they spell the NSID (`…/com/example/post.json` for
    /// `com.example.post`), so give the path as fully as possible (absolute is best). `None` skips
    /// that rule. It becomes the catalog document's [`lexperm_resolver::CatalogDoc::path`].
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
    lint_inner(sources, None, Reference::default()).0.results
}

/// Like [`lint`], and also hands back the catalog the rules ran on, so that a caller that goes on
/// to expand or generate from the same files does not load them again.
pub fn lint_with_catalog(sources: &[Source<'_>]) -> (Vec<(FileId, Vec<Diagnostic>)>, Catalog) {
    lint_with_catalog_for(sources, Reference::default())
}

/// [`lint_with_catalog`] with the catalog reading scopes and permission sets as `reference`
/// does (see [`Catalog::set_reference`]).
pub fn lint_with_catalog_for(
    sources: &[Source<'_>],
    reference: Reference,
) -> (Vec<(FileId, Vec<Diagnostic>)>, Catalog) {
    let (report, catalog) = lint_inner(sources, None, reference);
    (report.results, catalog)
}

/// What [`lint_with_source`] found and fetched.
#[derive(Debug, Clone)]
pub struct RemoteLint {
    /// One entry per source, in input order, as [`lint`] returns them (plus L207 warnings).
    pub results: Vec<(FileId, Vec<Diagnostic>)>,
    /// The documents fetched, in fetch order, with the [`FileId`]s their spans use (ids after
    /// every source's). Their own findings are not reported; labels may point into them.
    pub fetched: Vec<Resolved>,
    /// The NSIDs that could not be fetched and why.
    pub failed: Vec<ResolveError>,
    /// NSIDs that were needed but not fetched because `limit` was reached.
    pub skipped: Vec<String>,
}

/// Like [`lint`], but first fetches, through `remote`, the lexicons the sources name and do not
/// hold: targets of refs and collections/methods granted by permission sets (one level: what the
/// fetched documents name is not fetched). At most `limit` fetches are made. The fetched
/// documents join the catalog so that the cross-file rules check the sources against them (a ref
/// to a def the fetched lexicon lacks is `unresolved-ref`); findings inside fetched documents
/// are dropped. Each failed fetch becomes an L207 `remote-lexicon-unavailable` warning at every
/// place naming the NSID (instead of L203 `external-ref`), except where P119/P120 already
/// report an undefined grant, or L210 a ref to an undefined NSID of a loaded group, that the
/// authority confirmed missing.
pub fn lint_with_source(
    sources: &[Source<'_>],
    remote: &mut dyn LexiconSource,
    limit: usize,
) -> RemoteLint {
    lint_with_source_for(sources, remote, limit, Reference::default())
}

/// [`lint_with_source`] following `reference` (see [`lint_with_catalog_for`]).
pub fn lint_with_source_for(
    sources: &[Source<'_>],
    remote: &mut dyn LexiconSource,
    limit: usize,
    reference: Reference,
) -> RemoteLint {
    lint_inner(sources, Some((remote, limit)), reference).0
}

/// [`lint_with_source_for`], also handing back the catalog the rules ran on (the fetched
/// documents included).
pub fn lint_with_source_and_catalog_for(
    sources: &[Source<'_>],
    remote: &mut dyn LexiconSource,
    limit: usize,
    reference: Reference,
) -> (RemoteLint, Catalog) {
    lint_inner(sources, Some((remote, limit)), reference)
}

fn lint_inner(
    sources: &[Source<'_>],
    remote: Option<(&mut dyn LexiconSource, usize)>,
    reference: Reference,
) -> (RemoteLint, Catalog) {
    let loaded: Vec<LoadedLexicon> = parallel_map(sources, |source| {
        crate::file_rules::lint_file(source.file, source.text)
    });
    let mut results: Vec<(FileId, Vec<Diagnostic>)> = sources
        .iter()
        .zip(&loaded)
        .map(|(source, loaded)| (source.file, loaded.diagnostics.clone()))
        .collect();
    let mut catalog = catalog_of(sources, loaded, reference);

    // Remote resolution: fetch what the local documents name, remember failures by site.
    let mut fetched = Vec::new();
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    let mut failed_sites: Vec<(Span, usize)> = Vec::new();
    if let Some((remote, limit)) = remote {
        for target in l207::targets(&catalog) {
            if fetched.len() + failed.len() >= limit {
                skipped.push(target.nsid.as_str().to_owned());
                continue;
            }
            match catalog.resolve(&target.nsid, remote) {
                Ok(Some(resolved)) => fetched.push(resolved),
                Ok(None) => {}
                Err(error) => {
                    failed_sites.extend(target.sites.iter().map(|&span| (span, failed.len())));
                    failed.push(error);
                }
            }
        }
    }

    let mut catalog_findings = Vec::new();
    catalog_rules::lint_catalog(&catalog, &mut catalog_findings);
    if !failed_sites.is_empty() {
        // Sets, so that many refs to a lexicon that failed stay linear.
        let missing_targets: HashSet<Span> = catalog_findings
            .iter()
            .filter(|d| matches!(d.code, "P119" | "P120" | "L210"))
            .map(|d| d.span)
            .collect();
        let mut warnings = Vec::new();
        for &(span, index) in &failed_sites {
            let confirmed_missing = matches!(failed[index], ResolveError::NotFound { .. });
            if confirmed_missing && missing_targets.contains(&span) {
                continue;
            }
            warnings.push(l207::diagnostic(span, &failed[index]));
        }
        // The failure says more than "not among the linted files".
        let failed_spans: HashSet<Span> = failed_sites.iter().map(|&(span, _)| span).collect();
        catalog_findings.retain(|d| !(d.code == "L203" && failed_spans.contains(&d.span)));
        catalog_findings.extend(warnings);
    }

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
        // Findings in fetched documents (not among the sources) are not the user's.
        let Some(&i) = index.get(&diagnostic.span.file) else {
            continue;
        };
        if diagnostic.nsid.is_none() {
            diagnostic.nsid = nsids.get(&diagnostic.span.file).map(|id| (*id).to_owned());
        }
        results[i].1.push(diagnostic);
    }
    for (_, diagnostics) in &mut results {
        sort_by_position(diagnostics);
    }
    let report = RemoteLint {
        results,
        fetched,
        failed,
        skipped,
    };
    (report, catalog)
}

/// The catalog of `sources`, each already `loaded` (in the same order), reading scopes as
/// `reference` does.
pub(crate) fn catalog_of(
    sources: &[Source<'_>],
    loaded: Vec<LoadedLexicon>,
    reference: Reference,
) -> Catalog {
    let mut catalog = Catalog::from_loaded(
        sources
            .iter()
            .zip(loaded)
            .map(|(source, loaded)| (source.file, source.path.unwrap_or("").to_owned(), loaded)),
    );
    catalog.set_reference(reference);
    catalog
}

/// Sorts one file's diagnostics by position, then code, then message.
pub(crate) fn sort_by_position(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code, &a.message).cmp(&(
            b.span.start,
            b.span.end,
            b.code,
            &b.message,
        ))
    });
}

/// [`map_in_order`] on as many threads as `items` is worth (about 64 items a thread).
fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_in_order(items, threads_for(items.len(), 64), work)
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

    /// A source serving fixed documents; anything else is not found.
    struct Fake(Vec<(&'static str, String)>, Vec<String>);

    impl LexiconSource for Fake {
        fn fetch(
            &mut self,
            nsid: &lexperm_parser::syntax::Nsid,
        ) -> Result<lexperm_resolver::FetchedLexicon, ResolveError> {
            self.1.push(nsid.as_str().to_owned());
            match self.0.iter().find(|(id, _)| *id == nsid.as_str()) {
                Some((_, text)) => Ok(lexperm_resolver::FetchedLexicon {
                    location: format!("at://did:plc:x/com.atproto.lexicon.schema/{nsid}"),
                    text: text.clone(),
                }),
                None => Err(ResolveError::NotFound {
                    nsid: nsid.as_str().to_owned(),
                    detail: Some("no record".into()),
                }),
            }
        }
    }

    fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
        diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn fetched_lexicons_resolve_refs_and_their_own_findings_are_dropped() {
        let local = r##"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "object", "description": "A.", "properties": {
            "x": {"type": "ref", "ref": "org.remote.defs#view"},
            "y": {"type": "ref", "ref": "org.remote.defs#nope"},
            "z": {"type": "ref", "ref": "org.gone.defs#view"}}}}}"##;
        // The remote document has a dangling ref of its own: not the user's finding.
        let remote = r##"{"lexicon": 1, "id": "org.remote.defs", "defs": {
            "view": {"type": "object", "properties": {"q": {"type": "ref", "ref": "#missing"}}}}}"##;
        let sources = [Source::new(0, Some("com/example/a.json"), local)];
        let mut fake = Fake(vec![("org.remote.defs", remote.to_owned())], Vec::new());
        let report = lint_with_source(&sources, &mut fake, 10);
        assert_eq!(fake.1, ["org.remote.defs", "org.gone.defs"]);
        assert_eq!(report.fetched.len(), 1);
        assert_eq!(report.fetched[0].file, FileId(1));
        assert_eq!(report.failed.len(), 1);
        let found = &report.results[0].1;
        assert_eq!(codes(found), ["L202", "L207"], "{found:#?}");
        assert!(found[0]
            .message
            .contains("`org.remote.defs` has no def `nope`"));
        assert_eq!(found[0].labels[0].span.file, FileId(1));
        assert!(
            found[1].message.contains("no record"),
            "{}",
            found[1].message
        );
        // Without a source the same file only gets external-ref notes.
        let plain = lint(&sources);
        assert_eq!(codes(&plain[0].1), ["L203", "L203", "L203"]);
    }

    #[test]
    fn the_limit_leaves_the_rest_unchecked() {
        let local = r##"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "object", "description": "A.", "properties": {
            "x": {"type": "ref", "ref": "org.one.defs#view"},
            "y": {"type": "ref", "ref": "org.two.defs#view"}}}}}"##;
        let sources = [Source::new(0, Some("com/example/a.json"), local)];
        let mut fake = Fake(Vec::new(), Vec::new());
        let report = lint_with_source(&sources, &mut fake, 1);
        assert_eq!(fake.1, ["org.one.defs"]);
        assert_eq!(report.skipped, ["org.two.defs"]);
        assert_eq!(codes(&report.results[0].1), ["L207", "L203"]);
    }

    #[test]
    fn fetched_grant_targets_are_checked() {
        let set = r#"{"lexicon": 1, "id": "com.example.authTest", "defs": {"main": {"type": "permission-set", "title": "T", "detail": "D", "permissions": [
            {"type": "permission", "resource": "repo", "collection": ["com.example.post", "com.example.psot"]},
            {"type": "permission", "resource": "rpc", "lxm": ["com.example.like"], "inheritAud": true}]}}}"#;
        let record = |id: &str| {
            format!(
                r#"{{"lexicon": 1, "id": "{id}", "defs": {{"main": {{"type": "record", "key": "tid", "record": {{"type": "object", "properties": {{}}}}}}}}}}"#
            )
        };
        let sources = [Source::new(0, Some("com/example/authTest.json"), set)];
        let mut fake = Fake(
            vec![
                ("com.example.post", record("com.example.post")),
                ("com.example.like", record("com.example.like")),
            ],
            Vec::new(),
        );
        let report = lint_with_source(&sources, &mut fake, 10);
        // `psot` is confirmed missing by the authority, and the group is now known: P119 says
        // so (no extra L207); `like` is a record granted as a method: P118.
        assert_eq!(codes(&report.results[0].1), ["P119", "P118"]);
        assert!(report.results[0].1[0]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `com.example.post`"));
    }

    #[test]
    fn a_confirmed_missing_ref_into_a_loaded_group_is_l210_only() {
        let local = r#"{"lexicon": 1, "id": "com.example.a", "defs": {"main": {"type": "object", "description": "A.", "properties": {
            "x": {"type": "ref", "ref": "com.example.b"},
            "y": {"type": "ref", "ref": "com.example.bb"}}}}}"#;
        let b = r#"{"lexicon": 1, "id": "com.example.b", "defs": {"main": {"type": "token", "description": "B."}}}"#;
        let sources = [
            Source::new(0, Some("com/example/a.json"), local),
            Source::new(1, Some("com/example/b.json"), b),
        ];
        let mut fake = Fake(Vec::new(), Vec::new());
        let report = lint_with_source(&sources, &mut fake, 10);
        assert_eq!(fake.1, ["com.example.bb"]);
        assert_eq!(codes(&report.results[0].1), ["L210"]);
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
