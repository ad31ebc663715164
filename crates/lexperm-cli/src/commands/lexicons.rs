//! Shared by `expand`, `check`, `coverage` and `preview`: the `--lexicons DIR` option, loading
//! the directories into a [`Catalog`] (through [`crate::load`]), stdin lines, and dropped entries
//! as diagnostics.

use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use lexperm_parser::diagnostics::{Diagnostic, Severity};
use lexperm_resolver::{Catalog, DroppedEntry};

use super::walk_args::WalkArgs;
use crate::config;
use crate::engine;
use crate::lines::{self, Line, LineError};
use crate::load::{self, LoadedFiles};
use crate::render::HumanOptions;
use crate::sources::Sources;

/// Directory read when no `--lexicons` is given.
pub const DEFAULT_LEXICONS: &str = "lexicons";

/// The `--lexicons` option.
#[derive(Debug, Args)]
pub struct LexiconDirs {
    /// Lexicon directory or file (walked for `*.json`); repeatable. Default: `lexicons/`.
    #[arg(long = "lexicons", value_name = "DIR|FILE")]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub walk: WalkArgs,
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
    /// How many paths could not be loaded (reported on stderr); the catalog lacks them.
    pub failed: usize,
}

impl Loaded {
    /// The exit code of a run that would end with `code`: the usage and IO error code when some
    /// path could not be loaded (the answer is incomplete, as for `lexperm lint`), else `code`.
    pub fn exit_code(&self, code: u8) -> u8 {
        if self.failed > 0 {
            crate::EXIT_USAGE
        } else {
            code
        }
    }
}

impl LexiconDirs {
    /// The walk settings of `lexperm.toml` found from `dirs` upward (see [`crate::config`]); a
    /// config that cannot be read or a glob that does not compile is warned about and the
    /// defaults are used (these commands apply no rule settings).
    fn walk_options(&self, dirs: &[PathBuf]) -> load::WalkOptions {
        let default = config::Settings::default();
        let options = config::load(None, dirs, &engine::registry())
            .and_then(|settings| self.walk.options(&settings));
        match options {
            Ok(options) => options,
            Err(message) => {
                eprintln!("warning: {message}; the folders are walked with the default settings");
                self.walk.options(&default).unwrap_or_default()
            }
        }
    }

    /// Reads every `*.json` under the directories into a catalog. Never fails: a path that cannot
    /// be loaded is reported on stderr and counted in [`Loaded::failed`]; loader errors are
    /// summarized on stderr, and a broken file is still in the catalog as far as it could be read.
    pub fn load(&self) -> Loaded {
        self.load_for(false)
    }

    /// [`LexiconDirs::load`]; with `remote` (`--resolve`), a missing default `lexicons/`
    /// directory is not an error: everything may come from the network.
    pub fn load_for(&self, remote: bool) -> Loaded {
        let dirs = if !self.dirs.is_empty() {
            self.dirs.clone()
        } else if remote && !Path::new(DEFAULT_LEXICONS).exists() {
            Vec::new()
        } else {
            vec![PathBuf::from(DEFAULT_LEXICONS)]
        };
        let files = load::load(&dirs, &self.walk_options(&dirs));
        print_not_loaded(&files);
        let failed = files.failed();
        let sources = files.sources;
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
        Loaded {
            sources,
            catalog,
            failed,
        }
    }
}

/// Prints each path of `files` that was not loaded on stderr: `error: PATH: MESSAGE [CODE name]`
/// and its help for a path that could not be loaded at all (L132, L133; exit code 2), and like
/// the other loader errors, as a warning, for a file over the size limit (L101).
pub fn print_not_loaded(files: &LoadedFiles) {
    for diagnostic in &files.problems {
        let path = files
            .sources
            .get(diagnostic.span.file)
            .map_or("", |file| file.path.as_str());
        if !engine::is_load_failure(diagnostic) {
            eprintln!(
                "warning: {path}: {} [{}] (run `lexperm lint` for details)",
                diagnostic.message, diagnostic.code
            );
            continue;
        }
        eprintln!(
            "error: {path}: {} [{} {}]",
            diagnostic.message, diagnostic.code, diagnostic.name
        );
        if let Some(help) = &diagnostic.help {
            eprintln!("  help: {help}");
        }
    }
}

/// Calls `each` with every line of stdin that is not blank, without its line end, streamed (see
/// [`crate::lines`]); a line longer than `MAX_LINE_LENGTH` comes as [`Line::TooLong`]. Errors
/// are printed; `Err(())` means stdin could not be read to its end (exit code 2).
pub fn for_each_stdin_line(mut each: impl FnMut(Line<'_>) -> io::Result<()>) -> Result<(), ()> {
    let read = lines::for_each_line(io::stdin().lock(), |line| match line {
        Line::Text(text) if text.trim().is_empty() => Ok(()),
        line => each(line),
    });
    match read {
        Ok(()) => Ok(()),
        Err(LineError::Stopped(err)) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(LineError::Stopped(err)) => {
            eprintln!("error: cannot write output: {err}");
            Err(())
        }
        Err(LineError::Io(err)) => {
            eprintln!("error: cannot read stdin: {err}");
            Err(())
        }
        Err(LineError::NotUtf8 { line }) => {
            eprintln!("error: stdin line {line} is not UTF-8; the lines before it were read");
            Err(())
        }
    }
}

/// Human output settings: colour as [`crate::terminal::color_stdout`] decides, the width from
/// `COLUMNS`.
pub fn human_options() -> HumanOptions {
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.parse::<usize>().ok())
        .filter(|width| *width >= 40)
        .unwrap_or(100);
    HumanOptions {
        color: crate::terminal::color_stdout(),
        width,
        summary: true,
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
        fix: None,
    }
}
