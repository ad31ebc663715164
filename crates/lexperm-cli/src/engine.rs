//! The CLI's only door into the rule crates: the one rule registry and the catalog lint.

use lexperm_lint::changed::Changes;
pub use lexperm_lint::parallel::{map_in_order, threads_for};
use lexperm_lint::{RemoteLint, Source};
use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta};
use lexperm_parser::scope::Reference;
use lexperm_resolver::{Catalog, LexiconSource};

/// Every rule the CLI knows (per-file and catalog rules), sorted by code (for `explain`, SARIF
/// and rule settings).
pub fn registry() -> Vec<&'static RuleMeta> {
    lexperm_lint::registry().to_vec()
}

/// Lints `files` (`(id, layout path, text)`) as one catalog: per-file rules, then cross-file and
/// permission-set rules. One entry per file, in input order.
pub fn lint(files: &[(FileId, String, &str)]) -> Vec<(FileId, Vec<Diagnostic>)> {
    lexperm_lint::lint(&sources(files))
}

/// [`lint`] with scopes read as `reference` does, handing back the catalog the rules ran on.
pub fn lint_with_catalog(
    files: &[(FileId, String, &str)],
    reference: Reference,
) -> (Vec<(FileId, Vec<Diagnostic>)>, Catalog) {
    lexperm_lint::lint_with_catalog_for(&sources(files), reference)
}

/// Like [`lint_with_catalog`], fetching the lexicons the files name but do not hold through
/// `remote` first (at most `limit`); see [`lexperm_lint::lint_with_source`].
pub fn lint_with_source(
    files: &[(FileId, String, &str)],
    remote: &mut dyn LexiconSource,
    limit: usize,
    reference: Reference,
) -> (RemoteLint, Catalog) {
    lexperm_lint::lint_with_source_and_catalog_for(&sources(files), remote, limit, reference)
}

/// Keeps in `findings` what `changes` accounts for; see [`lexperm_lint::changed`].
pub fn retain_changed(
    catalog: &Catalog,
    changes: &Changes,
    findings: &mut [(FileId, Vec<Diagnostic>)],
) {
    lexperm_lint::changed::retain_changed(catalog, changes, findings);
}

fn sources<'a>(files: &'a [(FileId, String, &'a str)]) -> Vec<Source<'a>> {
    files
        .iter()
        .map(|(id, path, text)| Source {
            file: *id,
            path: Some(path.as_str()),
            text,
        })
        .collect()
}
