//! `lexperm lint [PATH…]`: walk, read, lint, filter by rule settings, render, exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity};

use super::changed_since::{changed_files, ChangedFiles};
use super::fix;
use super::output_args::OutputArgs;
use super::reference_args::ReferenceArgs;
use super::remote::RemoteArgs;
use super::rule_args::RuleArgs;
use super::walk_args::WalkArgs;
use crate::config::{RuleControl, Settings};
use crate::engine;
use crate::load::{self, LoadedFiles};
use crate::render::{self, Format, HumanOptions, MarkdownReport, Summary};
use crate::sources::{display_path, fold_dots, Sources};

/// Directory linted when no path is given.
pub const DEFAULT_PATH: &str = "lexicons";

/// Arguments of `lexperm lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Lexicon files or directories (walked for `*.json`). Default: `lexicons/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    report: ReportArgs,
    #[command(flatten)]
    walk: WalkArgs,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    reference: ReferenceArgs,
    /// With --resolve: fetch at most this many lexicons.
    #[arg(long, value_name = "N", default_value_t = 100)]
    resolve_limit: usize,
    /// Lint everything, report only findings in files changed since the git revision REF
    /// (untracked files included) and the cross-file findings linked to them.
    #[arg(long, value_name = "REF")]
    changed_since: Option<String>,
    /// Apply the safe fixes of the findings marked `[*]` to the files (a diff of each changed
    /// file on stderr), then report what remains.
    #[arg(long)]
    fix: bool,
    /// With --fix: show the diff and what would remain, write nothing.
    #[arg(long, requires = "fix")]
    dry_run: bool,
}

/// The options `lint` and `breaking` share: how findings are reported and which fail the run.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl ReportArgs {
    /// The configuration of a run over `paths` and its rule settings: the config file, then
    /// `--select`, `--warn`, `--deny`, `--ignore`; a setting may name any rule. `None` (the error
    /// printed) when a setting is wrong.
    pub fn settings(&self, paths: &[PathBuf]) -> Option<(Settings, RuleControl)> {
        self.rules
            .settings(paths)
            .map_err(|message| eprintln!("error: {message}"))
            .ok()
    }
}

/// Runs `lint` and returns the exit code.
pub fn run(args: LintArgs) -> u8 {
    if let Err(message) = args.report.output.check(args.report.format) {
        eprintln!("error: {message}");
        return crate::EXIT_USAGE;
    }
    let quiet = args.report.output.quiet;
    let paths = paths_or_default(args.paths);
    let Some((settings, control)) = args.report.settings(&paths) else {
        return crate::EXIT_USAGE;
    };
    let Some(options) = args.walk.options_or_report(&settings) else {
        return crate::EXIT_USAGE;
    };
    // Asked before reading anything, so that a missing git or revision fails fast.
    let changed = match args
        .changed_since
        .as_deref()
        .map(|reference| changed_files(reference, &paths[0]))
        .transpose()
    {
        Ok(changed) => changed,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    };
    let loaded = load::load(&paths, &options);
    for path in &loaded.empty {
        eprintln!("warning: no .json files under {}", path.display());
    }
    let LoadedFiles {
        mut sources,
        problems,
        ..
    } = loaded;
    let fixed = args.fix.then(|| {
        // With --changed-since, only the changed files are fixed.
        let ids: Vec<FileId> = match &changed {
            Some(changed) => {
                let files = changed.changes(&sources).files;
                let mut ids: Vec<FileId> = files.into_iter().collect();
                ids.sort_unstable();
                ids
            }
            None => sources.iter().map(|(id, _)| id).collect(),
        };
        fix::run(&mut sources, &ids, &paths, &control, args.dry_run)
    });
    // The lexicons pinned by a `lexicons.json` beside the folder (L134), checked offline.
    let pinned = match super::lockfile::findings_for(&paths[..1], &mut sources) {
        Ok(pinned) => pinned,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    };

    let mut remote = match args.remote.remote(settings.config.network_deadline) {
        Ok(remote) => remote,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    };
    // The catalog is only freed when the process ends (see the end of `run`).
    let (mut findings, catalog) = match remote.as_mut() {
        None => engine::lint_with_catalog(&layout_files(&sources), args.reference.get()),
        Some(remote) => {
            let files = layout_files(&sources);
            let (report, catalog) = engine::lint_with_source(
                &files,
                remote.source(),
                args.resolve_limit,
                args.reference.get(),
            );
            drop(files);
            remote.print_cache_warnings();
            for resolved in &report.fetched {
                remote.added(&mut sources, resolved);
                let nsid = resolved.location.rsplit('/').next().unwrap_or_default();
                if let Some((uri, cid, fetched)) = remote.provenance(nsid).filter(|_| !quiet) {
                    eprintln!("note: fetched {nsid}: {uri}, cid {cid}, from the {fetched}");
                }
            }
            if !report.skipped.is_empty() && !quiet {
                eprintln!(
                    "note: --resolve-limit {} reached; not fetched: {}",
                    args.resolve_limit,
                    report.skipped.join(", ")
                );
            }
            (report.results, catalog)
        }
    };
    // Paths that were not loaded come last, in walk order, each with its one diagnostic.
    findings.extend(problems.into_iter().map(|d| (d.span.file, vec![d])));
    for (id, diagnostics) in pinned {
        match findings.iter_mut().find(|(seen, _)| *seen == id) {
            Some((_, found)) => found.extend(diagnostics),
            None => findings.push((id, diagnostics)),
        }
    }
    for (_, diagnostics) in &mut findings {
        control.apply(diagnostics);
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
    }
    let note = changed.as_ref().map(|changed| {
        let changes = changed.changes(&sources);
        engine::retain_changed(&catalog, &changes, &mut findings);
        changed_note(changed, changes.files.len())
    });
    if let Some(note) = note.as_ref().filter(|_| !quiet) {
        eprintln!("note: {note}");
    }

    let summary = Summary::count(&findings, sources.len());
    let human = args.report.output.human(human_options());
    let code = write_report(&findings, &control, &summary, |out| {
        match (args.report.format, &note) {
            (format, _) if args.report.output.statistics => {
                render::render_statistics(format, &findings, sources.len(), human, out)
            }
            (Format::Markdown, Some(note)) => {
                let mut chars = note.chars();
                let sentence: String = chars
                    .next()
                    .into_iter()
                    .flat_map(char::to_uppercase)
                    .chain(chars)
                    .chain(['.'])
                    .collect();
                let report = MarkdownReport {
                    title: "lexperm lint",
                    files_checked: sources.len(),
                    note: Some(&sentence),
                };
                render::render_markdown(&sources, &findings, &report, out)
            }
            (format, _) => render::render(
                format,
                &sources,
                &findings,
                &engine::lint_registry(),
                human,
                out,
            ),
        }
    });
    let code = match fixed {
        Some(fixed) => {
            eprintln!(
                "{}",
                fixed.line(summary.errors + summary.warnings + summary.infos)
            );
            if fixed.not_written > 0 {
                crate::EXIT_USAGE
            } else {
                code
            }
        }
        None => code,
    };
    // The process ends right after this: let the OS take the documents back instead of
    // freeing every node of every tree (about a tenth of a lint run's instructions).
    std::mem::forget((catalog, findings, sources));
    code
}

/// Writes a run's report to stdout with `render` and returns the exit code: 2 when it cannot be
/// written (a closed pipe aside) or when `findings` say a path could not be loaded (L132, L133;
/// the rest of the run was still reported), 1 when `control` fails the run's `summary`, else 0.
pub fn write_report(
    findings: &[(FileId, Vec<Diagnostic>)],
    control: &RuleControl,
    summary: &Summary,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> u8 {
    let not_loaded = findings
        .iter()
        .flat_map(|(_, diagnostics)| diagnostics)
        .filter(|d| engine::is_load_failure(d))
        .count();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = render(&mut out).and_then(|()| out.flush());
    if let Err(err) = written {
        if err.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {err}");
            return crate::EXIT_USAGE;
        }
    }
    if not_loaded > 0 {
        let paths = lexperm_parser::wording::count(not_loaded, "path", "paths");
        let others = match summary.files {
            0 => String::new(),
            1 => "; the other file was checked".to_owned(),
            n => format!("; the other {n} files were checked"),
        };
        eprintln!("error: {paths} could not be loaded{others} (see the L132/L133 findings)");
        crate::EXIT_USAGE
    } else if control.fails(summary.errors, summary.warnings) {
        crate::EXIT_FAILURE
    } else {
        crate::EXIT_OK
    }
}

/// `paths`, or [`DEFAULT_PATH`] when none is given.
pub fn paths_or_default(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_PATH)]
    } else {
        paths
    }
}

/// The human format's settings for stdout: colour as [`crate::terminal::color_stdout`] decides,
/// and [`terminal_width`].
pub fn human_options() -> HumanOptions {
    HumanOptions {
        color: crate::terminal::color_stdout(),
        width: terminal_width(),
        summary: true,
    }
}

/// What `--changed-since` reported, for the Markdown report and standard error.
fn changed_note(changed: &ChangedFiles, files: usize) -> String {
    format!(
        "only findings in the {} changed since `{}` and the cross-file findings linked to them are reported",
        if files == 1 {
            "1 linted file".to_owned()
        } else {
            format!("{files} linted files")
        },
        changed.reference
    )
}

/// The lint pipeline: every loaded file is linted on its own and as part of one catalog
/// (cross-file and permission-set rules); findings come back in file order.
///
/// The path given to the `file-path-mismatch` rule is the file's absolute path, so
/// linting `lexicons/com/example` or a single file judges the layout the same way as linting
/// `lexicons/`; the output still shows the path as given.
pub fn lint(sources: &Sources) -> Vec<(FileId, Vec<Diagnostic>)> {
    engine::lint(&layout_files(sources))
}

/// `(id, absolute layout path, text)` of every source, for the engine.
fn layout_files(sources: &Sources) -> Vec<(FileId, String, &str)> {
    let cwd = std::env::current_dir().ok();
    sources
        .iter()
        .map(|(id, file)| {
            (
                id,
                layout_path(cwd.as_deref(), &file.path),
                file.text.as_str(),
            )
        })
        .collect()
}

/// The absolute form of `path` (joined to `cwd` when relative, `.` and `..` folded lexically) with
/// `/` separators. Lexical on purpose: resolving every file's path through the file system cost more
/// than the whole lint of a large folder, and the layout rule judges the path as the user laid it out.
fn layout_path(cwd: Option<&Path>, path: &str) -> String {
    let path = Path::new(path);
    let joined = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    display_path(&fold_dots(&joined))
}

/// Wrapping width of the human format: `$COLUMNS`, else the terminal's width, else 100 (so piped
/// output does not depend on where it was produced).
fn terminal_width() -> usize {
    if let Some(width) = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|width| *width >= 40)
    {
        return width;
    }
    if io::stdout().is_terminal() {
        if let Some((terminal_size::Width(width), _)) = terminal_size::terminal_size() {
            return usize::from(width).max(40);
        }
    }
    100
}

/// The lint gate of commands that write or publish artefacts (`gen records`, `publish`): runs the
/// full lint pipeline over the files read with `control` applied and returns, in file order, the
/// error-level diagnostics of every file that has any, then those of the paths that were not
/// loaded. When some file is blocked, the errors are printed to stderr in the human format.
pub fn gate(
    files: &LoadedFiles,
    control: &RuleControl,
    rules: &[&'static RuleMeta],
) -> Vec<(FileId, Vec<Diagnostic>)> {
    let sources = &files.sources;
    let not_loaded = files
        .problems
        .iter()
        .map(|d| (d.span.file, vec![d.clone()]));
    let mut blocked = Vec::new();
    for (id, mut diagnostics) in lint(sources).into_iter().chain(not_loaded) {
        control.apply(&mut diagnostics);
        diagnostics.retain(|d| d.severity == Severity::Error);
        if !diagnostics.is_empty() {
            blocked.push((id, diagnostics));
        }
    }
    if !blocked.is_empty() {
        eprintln!(
            "error: {} lint errors:",
            lexperm_parser::wording::count(blocked.len(), "lexicon file has", "lexicon files have")
        );
        let mut stderr = std::io::stderr().lock();
        let rendered = render::render(
            Format::Human,
            sources,
            &blocked,
            rules,
            HumanOptions::default(),
            &mut stderr,
        );
        if let Err(err) = rendered {
            eprintln!("error: cannot write diagnostics: {err}");
        }
    }
    blocked
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::RuleMeta;

    #[test]
    fn registry_rules_are_unique() {
        let rules: Vec<&RuleMeta> = engine::registry();
        let mut codes: Vec<&str> = rules.iter().map(|rule| rule.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
    }
}
