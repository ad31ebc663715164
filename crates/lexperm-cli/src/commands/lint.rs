//! `lexperm lint [PATH…]`: walk, read, lint, filter by rule settings, render, exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity};

use super::reference_args::ReferenceArgs;
use super::remote::RemoteArgs;
use crate::config::{self, RuleControl};
use crate::engine;
use crate::render::{self, Format, HumanOptions, Summary};
use crate::sources::{collect_json, display_path, io_message, SourceFile, Sources};

/// Directory linted when no path is given.
pub const DEFAULT_PATH: &str = "lexicons";

/// Arguments of `lexperm lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Lexicon files or directories (walked for `*.json`). Default: `lexicons/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Turn a rule off (by code or name); repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    ignore: Vec<String>,
    /// Fail on warnings too.
    #[arg(long, value_enum, value_name = "warnings")]
    deny: Vec<Deny>,
    /// Rule settings file (default: `lexperm.toml` in the current directory, when present).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    reference: ReferenceArgs,
    /// With --resolve: fetch at most this many lexicons.
    #[arg(long, value_name = "N", default_value_t = 100)]
    resolve_limit: usize,
}

/// What `--deny` can turn into failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Warnings fail the run.
    Warnings,
}

/// Runs `lint` and returns the exit code.
pub fn run(args: LintArgs) -> u8 {
    let Some(control) = rule_control(args.config.as_deref(), &args.ignore, &args.deny) else {
        return crate::EXIT_USAGE;
    };
    let paths = paths_or_default(args.paths);
    let (files, io_failed) = read_paths(&paths);
    let mut sources = Sources::new();
    for file in files {
        sources.add(file);
    }

    let mut remote = match args.remote.remote() {
        Ok(remote) => remote,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    };
    // The catalog of a plain run is only freed when the process ends (see the end of `run`).
    let mut catalog = None;
    let mut findings = match remote.as_mut() {
        None => {
            let (findings, linted) =
                engine::lint_with_catalog(&layout_files(&sources), args.reference.get());
            catalog = Some(linted);
            findings
        }
        Some(remote) => {
            let files = layout_files(&sources);
            let report = engine::lint_with_source(
                &files,
                remote.source(),
                args.resolve_limit,
                args.reference.get(),
            );
            drop(files);
            for resolved in &report.fetched {
                remote.added(&mut sources, resolved);
                let nsid = resolved.location.rsplit('/').next().unwrap_or_default();
                if let Some((uri, cid, fetched)) = remote.provenance(nsid) {
                    eprintln!("note: fetched {nsid}: {uri}, cid {cid}, from the {fetched}");
                }
            }
            if !report.skipped.is_empty() {
                eprintln!(
                    "note: --resolve-limit {} reached; not fetched: {}",
                    args.resolve_limit,
                    report.skipped.join(", ")
                );
            }
            report.results
        }
    };
    for (_, diagnostics) in &mut findings {
        control.apply(diagnostics);
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
    }

    let summary = Summary::count(&findings, sources.len());
    let code = write_report(io_failed, &control, &summary, |out| {
        render::render(
            args.format,
            &sources,
            &findings,
            &engine::lint_registry(),
            human_options(),
            out,
        )
    });
    // The process ends right after this: let the OS take the documents back instead of
    // freeing every node of every tree (about a tenth of a lint run's instructions).
    std::mem::forget((catalog, findings, sources));
    code
}

/// Writes a run's report to stdout with `render` and returns the exit code: 2 when it cannot be
/// written (a closed pipe aside) or `io_failed`, 1 when `control` fails the run's `summary`,
/// else 0.
pub fn write_report(
    io_failed: bool,
    control: &RuleControl,
    summary: &Summary,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> u8 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = render(&mut out).and_then(|()| out.flush());
    if let Err(err) = written {
        if err.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {err}");
            return crate::EXIT_USAGE;
        }
    }
    if io_failed {
        crate::EXIT_USAGE
    } else if control.fails(summary) {
        crate::EXIT_FAILURE
    } else {
        crate::EXIT_OK
    }
}

/// The rule settings of a run: the config file (`explicit`, else `lexperm.toml` when present),
/// then `ignore`, then `deny`; a setting may name any rule. `None` (the error printed) when a
/// setting is wrong.
pub fn rule_control(
    explicit: Option<&Path>,
    ignore: &[String],
    deny: &[Deny],
) -> Option<RuleControl> {
    let rules = engine::registry();
    let control = config::load(explicit, &rules).and_then(|config| {
        RuleControl::new(&rules, &config, ignore, deny.contains(&Deny::Warnings))
    });
    control
        .map_err(|message| eprintln!("error: {message}"))
        .ok()
}

/// `paths`, or [`DEFAULT_PATH`] when none is given.
pub fn paths_or_default(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_PATH)]
    } else {
        paths
    }
}

/// Reads every file of `paths` (a file as given, every `*.json` under a directory, sorted),
/// each once, where it was first found. Problems are printed as they come; the flag is true when
/// any path or file could not be read (exit code 2), and the files that could are returned.
pub fn read_paths(paths: &[PathBuf]) -> (Vec<SourceFile>, bool) {
    let mut io_failed = false;
    let mut files = Vec::new();
    for path in paths {
        if let Err(message) = collect(path, &mut files) {
            eprintln!("error: {message}");
            io_failed = true;
        }
    }

    // A file reached twice (`lint a a/b.json`) is read once, where it was first found.
    let mut seen = std::collections::HashSet::new();
    files.retain(|path| seen.insert(path.clone()));

    let mut read_files = Vec::new();
    for (path, text) in parallel_map(&files, |path| read(path)) {
        match text {
            Ok(text) => read_files.push(SourceFile::new(display_path(path), text)),
            Err(message) => {
                eprintln!("error: {message}");
                io_failed = true;
            }
        }
    }
    (read_files, io_failed)
}

/// The human format's settings for stdout: colour unless `NO_COLOR` is set or stdout is not a
/// terminal, and [`terminal_width`].
pub fn human_options() -> HumanOptions {
    HumanOptions {
        // https://no-color.org: a non-empty NO_COLOR turns colour off.
        color: std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            && io::stdout().is_terminal(),
        width: terminal_width(),
    }
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
    let mut folded = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    display_path(&folded)
}

/// Adds `path` (a file, or every `*.json` under a directory, sorted) to `files`; an unreadable
/// entry is reported and the walk goes on.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut first_error = None;
    let before = files.len();
    collect_json(path, files, |err| {
        let at = err
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| path.display().to_string());
        eprintln!("error: cannot read {at}: {err}");
        first_error.get_or_insert(format!("could not walk all of {}", path.display()));
        Ok(())
    })?;
    if files.len() == before && first_error.is_none() {
        eprintln!("warning: no .json files under {}", path.display());
    }
    match first_error {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|err| format!("cannot read {}: {}", path.display(), io_message(&err)))?;
    String::from_utf8(bytes).map_err(|err| {
        format!(
            "cannot read {}: not UTF-8 (invalid byte at offset {})",
            path.display(),
            err.utf8_error().valid_up_to()
        )
    })
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

/// Applies `work` to every item on up to `available_parallelism` threads (about 64 items a
/// thread); results keep item order, each next to its item.
fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<(&T, R)> {
    let threads = engine::threads_for(items.len(), 64);
    items
        .iter()
        .zip(engine::map_in_order(items, threads, work))
        .collect()
}

/// The lint gate of commands that write or publish artefacts (`gen records`, `publish`): runs the
/// full lint pipeline with `control` applied and returns, in file order, the error-level
/// diagnostics of every file that has any. When some file is blocked, the errors are printed to
/// stderr in the human format.
pub fn gate(
    sources: &Sources,
    control: &RuleControl,
    rules: &[&'static RuleMeta],
) -> Vec<(FileId, Vec<Diagnostic>)> {
    let mut blocked = Vec::new();
    for (id, mut diagnostics) in lint(sources) {
        control.apply(&mut diagnostics);
        diagnostics.retain(|d| d.severity == Severity::Error);
        if !diagnostics.is_empty() {
            blocked.push((id, diagnostics));
        }
    }
    if !blocked.is_empty() {
        eprintln!("error: {} lexicon file(s) have lint errors:", blocked.len());
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
    fn parallel_map_keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        let doubled = parallel_map(&items, |n| n * 2);
        assert!(doubled.iter().all(|(n, d)| **n * 2 == *d));
        assert_eq!(doubled.len(), 1000);
        assert_eq!(*doubled[999].0, 999);
    }

    #[test]
    fn registry_rules_are_unique() {
        let rules: Vec<&RuleMeta> = engine::registry();
        let mut codes: Vec<&str> = rules.iter().map(|rule| rule.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), rules.len());
    }
}
