//! Shared by `expand`, `check`, `coverage` and `preview`: the `--lexicons DIR` option, reading
//! the directories into a [`Catalog`], stdin lines, and dropped entries as diagnostics.

use std::io::{self, BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use lexperm_parser::diagnostics::{Diagnostic, Severity};
use lexperm_resolver::{Catalog, DroppedEntry};

use crate::render::HumanOptions;
use crate::sources::{collect_json, display_path, io_message, SourceFile, Sources};

/// Directory read when no `--lexicons` is given.
pub const DEFAULT_LEXICONS: &str = "lexicons";

/// The `--lexicons` option.
#[derive(Debug, Args)]
pub struct LexiconDirs {
    /// Lexicon directory or file (walked for `*.json`); repeatable. Default: `lexicons/`.
    #[arg(long = "lexicons", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

/// Output format of `expand`, `check` and `coverage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Readable text.
    #[default]
    Human,
    /// JSON.
    Json,
}

/// The loaded lexicons of one run.
pub struct Loaded {
    /// The files, for source snippets.
    pub sources: Sources,
    /// The catalog.
    pub catalog: Catalog,
}

impl LexiconDirs {
    /// Reads every `*.json` under the directories into a catalog. IO errors are printed and
    /// returned as `Err(())` (exit code 2). Loader errors are summarized on stderr: a broken
    /// file is still in the catalog as far as it could be read.
    pub fn load(&self) -> Result<Loaded, ()> {
        self.load_for(false)
    }

    /// [`LexiconDirs::load`]; with `remote` (`--resolve`), a missing default `lexicons/`
    /// directory is not an error: everything may come from the network.
    pub fn load_for(&self, remote: bool) -> Result<Loaded, ()> {
        let dirs = if !self.dirs.is_empty() {
            self.dirs.clone()
        } else if remote && !Path::new(DEFAULT_LEXICONS).exists() {
            Vec::new()
        } else {
            vec![PathBuf::from(DEFAULT_LEXICONS)]
        };
        let mut files = Vec::new();
        let mut failed = false;
        for dir in &dirs {
            let walked = collect_json(dir, &mut files, |err| {
                Err(format!("cannot read {}: {err}", dir.display()))
            });
            if let Err(message) = walked {
                eprintln!("error: {message}");
                failed = true;
            }
        }
        let mut sources = Sources::new();
        for path in &files {
            match read(path) {
                Ok(text) => {
                    sources.add(SourceFile::new(display_path(path), text));
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    failed = true;
                }
            }
        }
        if failed {
            return Err(());
        }
        let (catalog, diagnostics) = Catalog::load(
            sources
                .iter()
                .map(|(id, file)| (id, file.path.as_str(), file.text.as_str())),
        );
        for diagnostic in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            if let Some(file) = sources.get(diagnostic.span.file) {
                let (line, column) = file.line_col(diagnostic.span.start);
                eprintln!(
                    "warning: {}:{line}:{column}: {} [{}] (run `lexperm lint` for details)",
                    file.path, diagnostic.message, diagnostic.code
                );
            }
        }
        for duplicate in catalog.duplicates() {
            let docs = catalog.documents();
            eprintln!(
                "warning: {} is declared by both {} and {}; using the first",
                duplicate.nsid, docs[duplicate.first].path, docs[duplicate.duplicate].path
            );
        }
        Ok(Loaded { sources, catalog })
    }
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|err| format!("cannot read {}: {}", path.display(), io_message(&err)))?;
    String::from_utf8(bytes).map_err(|_| format!("cannot read {}: not UTF-8", path.display()))
}

/// Lines of stdin without their line ends; blank lines are skipped.
pub fn stdin_lines() -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if !line.trim().is_empty() {
            lines.push(line.to_owned());
        }
    }
    Ok(lines)
}

/// Human output settings from the environment (`NO_COLOR`, `COLUMNS`, terminal or not).
pub fn human_options() -> HumanOptions {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|width| *width >= 40)
        .unwrap_or(100);
    HumanOptions {
        color: std::env::var_os("NO_COLOR").is_none() && io::stdout().is_terminal(),
        width,
    }
}

/// A dropped set entry as a warning diagnostic pointing at the blamed field (or the entry),
/// coded `dropped(<reason>)`.
pub fn dropped_diagnostic(dropped: &DroppedEntry, nsid: &str) -> Diagnostic {
    let consequence = dropped.consequence.unwrap_or("");
    Diagnostic {
        code: "dropped",
        name: dropped.code(),
        severity: Severity::Warning,
        span: dropped.span,
        message: format!(
            "entry #{} is dropped: {}{consequence}",
            dropped.entry_index, dropped.message
        ),
        help: dropped.hint.clone(),
        labels: Vec::new(),
        nsid: Some(nsid.to_owned()),
    }
}
