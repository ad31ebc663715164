//! The CLI's only door into the rule crates: the one rule registry, the catalog lint and the
//! breaking-change comparison.

use lexperm_lint::changed::Changes;
pub use lexperm_lint::parallel::{map_in_order, threads_for};
use lexperm_lint::{RemoteLint, Source};
use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Span};
use lexperm_parser::scope::Reference;
use lexperm_resolver::{Catalog, LexiconSource};

pub use lexperm_lint::file_rules::l132_unreadable_file::Unreadable;
use lexperm_lint::file_rules::{l132_unreadable_file as l132, l133_link_outside_root as l133};

/// The L132 `unreadable-file` diagnostic for the path with id `file`.
pub fn unreadable_file(file: FileId, reason: &Unreadable) -> Diagnostic {
    l132::diagnostic(file, reason)
}

/// The L133 `link-outside-root` diagnostic for the link with id `file` (see
/// [`l133::diagnostic`]).
pub fn link_outside_root(
    file: FileId,
    target: &str,
    resolved: Option<&str>,
    root: &str,
) -> Diagnostic {
    l133::diagnostic(file, target, resolved, root)
}

/// True for a diagnostic saying a path was not loaded at all (L132, L133): a run with one has
/// an incomplete answer and exits with code 2.
pub fn is_load_failure(diagnostic: &Diagnostic) -> bool {
    diagnostic.code == l132::META.code || diagnostic.code == l133::META.code
}

/// Every rule the CLI knows (per-file, catalog and breaking-change rules), sorted by code (for
/// `explain` and rule settings: one `lexperm.toml` serves `lint` and `breaking`).
pub fn registry() -> Vec<&'static RuleMeta> {
    lexperm_lint::registry().to_vec()
}

/// The rules `lexperm lint` can report, sorted by code (the rules its SARIF log lists).
pub fn lint_registry() -> Vec<&'static RuleMeta> {
    lexperm_lint::lint_registry().collect()
}

/// The rules `lexperm breaking` can report, sorted by code (the rules its SARIF log lists).
pub fn breaking_registry() -> Vec<&'static RuleMeta> {
    lexperm_lint::breaking_registry().collect()
}

/// The other names of a rule (indigo's names of the breaking checks).
pub fn aliases(code: &str) -> &'static [&'static str] {
    lexperm_lint::aliases(code)
}

/// Compares `before` with `after` (`(id, path, text)` each, ids distinct across both), reading
/// scopes as `reference` does, and returns the breaking-change findings, one entry per file,
/// after files first.
pub fn breaking(
    before: &[(FileId, String, &str)],
    after: &[(FileId, String, &str)],
    reference: Reference,
) -> Vec<(FileId, Vec<Diagnostic>)> {
    lexperm_lint::breaking_for(&sources(before), &sources(after), reference)
}

/// The acknowledged NSIDs that no widening finding names.
pub fn unused_acknowledgements<'a>(
    findings: impl IntoIterator<Item = &'a Diagnostic>,
    acknowledged: &'a [String],
) -> Vec<&'a str> {
    lexperm_lint::breaking_rules::grants::unused_acknowledgements(findings, acknowledged)
}

/// The finding for a group whose published version could not be fetched (`--base published`).
pub fn base_unavailable(span: Span, group: &str, nsids: usize, detail: &str) -> Diagnostic {
    lexperm_lint::breaking_rules::b129_base_unavailable::diagnostic(span, group, nsids, detail)
}

/// The per-file rules' findings on one text (the loader's and the document rules'), sorted by
/// position.
pub fn lint_file(file: FileId, text: &str) -> Vec<Diagnostic> {
    lexperm_lint::lint_file(file, text).diagnostics
}

/// True when findings of the rule with code `code` can carry a fix (`lexperm lint --fix`).
pub fn is_fixable(code: &str) -> bool {
    lexperm_lint::is_fixable(code)
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
