//! `lexperm lockfile verify`: checks offline that every lexicon pinned in `lexicons.json` is at its
//! NSID's path and makes the schema record with the pinned CID. Exit 0 when all do, 1 when one
//! does not (L134 findings), 2 for usage and IO errors (no lockfile, an invalid lockfile).
//!
//! The same check runs in `lexperm lint` and `lexperm gen rust|ts|records` whenever a lockfile
//! is found for the lexicon folder ([`found_for`]: beside the folder, then inside it with a
//! `lexicons/` folder), and in the `build.rs` builder (`lexperm_codegen::Builder`).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use lexperm_codegen::lockfile::{self, LocalFile, Lockfile};
use lexperm_lint::file_rules::l134_lockfile_mismatch as l134;
use lexperm_parser::diagnostics::{Diagnostic, FileId, Severity};

use crate::config::RuleControl;
use crate::engine;
use crate::load::{self, NotLoaded};
use crate::render::{self, Format, HumanOptions};
use crate::sources::{display_path, fold_dots, SourceFile, Sources};
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// `lexperm lockfile` subcommands.
#[derive(Debug, Subcommand)]
pub enum LockfileCommand {
    /// Check offline that every lexicon pinned in lexicons.json is at its NSID's path and has
    /// the pinned record CID.
    ///
    /// The lockfile is `--lockfile`, else `lexicons.json` beside the lexicon folder, else
    /// `lexicons.json` inside it (pinning under its `lexicons/` folder). Exit code 0 when every
    /// pinned lexicon matches, 1 when one does not (L134 findings naming both CIDs), 2 when no
    /// lockfile is found or it is not valid. Nothing is fetched.
    Verify(VerifyArgs),
}

/// Arguments of `lexperm lockfile verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The lexicon folder the pinned paths are under.
    #[arg(long, value_name = "DIR", default_value = "lexicons")]
    pub lexicons: PathBuf,
    /// The lockfile (default: found beside or inside the lexicon folder).
    #[arg(long, value_name = "FILE")]
    pub lockfile: Option<PathBuf>,
}

/// Runs a `lockfile` subcommand and returns the process exit code.
pub fn run(cmd: LockfileCommand) -> u8 {
    match cmd {
        LockfileCommand::Verify(args) => verify(&args),
    }
}

fn verify(args: &VerifyArgs) -> u8 {
    let found = match &args.lockfile {
        Some(path) => Some((path.clone(), args.lexicons.clone())),
        None => found_for(&args.lexicons),
    };
    let Some((path, root)) = found else {
        eprintln!(
            "error: no {name} beside or inside {dir}\n  help: pass --lockfile FILE, or --lexicons DIR for the folder the lockfile pins",
            name = lockfile::LOCKFILE_NAME,
            dir = args.lexicons.display()
        );
        return EXIT_USAGE;
    };
    if !root.is_dir() {
        eprintln!(
            "error: lexicon folder {} does not exist\n  help: pass --lexicons DIR",
            root.display()
        );
        return EXIT_USAGE;
    }
    let mut sources = Sources::new();
    let (pinned, findings) = match check(&path, &root, &mut sources) {
        Ok(checked) => checked,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    if findings.is_empty() {
        println!(
            "{}: {} under {}",
            path.display(),
            lexperm_parser::wording::count(
                pinned,
                "pinned lexicon matches its file",
                "pinned lexicons match their files"
            ),
            root.display()
        );
        return EXIT_OK;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let rendered = render::render(
        Format::Human,
        &sources,
        &findings,
        &engine::registry(),
        crate::commands::lint::human_options(),
        &mut out,
    )
    .and_then(|()| out.flush());
    if let Err(err) = rendered {
        eprintln!("error: cannot write output: {err}");
        return EXIT_USAGE;
    }
    EXIT_FAILURE
}

/// Findings per file, in the order the files were first reported.
pub type Findings = Vec<(FileId, Vec<Diagnostic>)>;

/// The lockfile of the lexicon folder `dir`, with the folder its paths are under, as shown:
/// `lexicons.json` beside the folder, else inside it when it holds a `lexicons/` folder
/// ([`lockfile::candidates`]). `None` when `dir` is not a folder or has no lockfile.
pub fn found_for(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    if !dir.is_dir() {
        return None;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = fold_dots(&cwd.join(dir));
    let shown = |path: PathBuf| {
        path.strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(path)
    };
    lockfile::candidates(&absolute)
        .into_iter()
        .find(|(path, root)| path.is_file() && root.is_dir())
        .map(|(path, root)| (shown(path), shown(root)))
}

/// Reads and parses the lockfile at `path`; the error names the file (and the line and column of
/// what is invalid).
pub fn read_lockfile(path: &Path) -> Result<Lockfile, String> {
    let text = load::read_text(path)
        .map_err(|problem| format!("cannot read {}: {}", path.display(), problem.message()))?;
    Lockfile::parse(&text).map_err(|err| {
        let (line, column) = err.line_col(&text);
        format!(
            "{}:{line}:{column}: invalid lockfile: {}",
            path.display(),
            err.message
        )
    })
}

/// Reads the lockfile at `path` and verifies it against the files under `root`. Files the
/// findings are on are taken from `sources` when loaded there (by real path), else added to it as
/// paths not loaded. Returns how many lexicons are pinned and the L134 findings per file; an
/// error message (with the lockfile's line and column) when it cannot be read or is not valid.
pub fn check(path: &Path, root: &Path, sources: &mut Sources) -> Result<(usize, Findings), String> {
    let pinned = read_lockfile(path)?;
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = |path: &Path| fold_dots(&cwd.join(path));
    let loaded: HashMap<PathBuf, FileId> = sources
        .iter()
        .map(|(id, file)| (absolute(Path::new(&file.path)), id))
        .collect();
    let mismatches = lockfile::verify(&pinned, |relative| {
        let file = root.join(relative);
        if let Some(id) = loaded.get(&absolute(&file)) {
            if let Some(source) = sources.get(*id) {
                return LocalFile::Text(source.text.clone());
            }
        }
        if std::fs::symlink_metadata(&file).is_err() {
            return LocalFile::Missing;
        }
        match load::read_text(&file) {
            Ok(text) => LocalFile::Text(text),
            Err(NotLoaded::TooLarge(_)) => {
                LocalFile::Unreadable("the file is larger than the lexicon size limit".to_owned())
            }
            Err(problem) => LocalFile::Unreadable(problem.message()),
        }
    });
    let shown = display_path(path);
    let mut findings: Findings = Vec::new();
    for found in mismatches {
        let file = root.join(&found.path);
        let id = match loaded.get(&absolute(&file)) {
            Some(id) => *id,
            None => sources.add_unread(SourceFile::new(display_path(&file), "")),
        };
        let diagnostic = l134::diagnostic(id, &found.nsid, &shown, &found.mismatch);
        match findings.iter_mut().find(|(seen, _)| *seen == id) {
            Some((_, diagnostics)) => diagnostics.push(diagnostic),
            None => findings.push((id, vec![diagnostic])),
        }
    }
    Ok((pinned.resolutions.len(), findings))
}

/// The lockfile findings of a run over the lexicon folders `dirs` (each lockfile once), for
/// `lint` and `gen`. An error message when a lockfile found is not valid.
pub fn findings_for(dirs: &[PathBuf], sources: &mut Sources) -> Result<Findings, String> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut findings = Vec::new();
    for (path, root) in dirs.iter().filter_map(|dir| found_for(dir)) {
        if seen.contains(&path) {
            continue;
        }
        crate::verbose(format_args!(
            "verifying {} against the lexicons under {}",
            path.display(),
            root.display()
        ));
        findings.extend(check(&path, &root, sources)?.1);
        seen.push(path);
    }
    Ok(findings)
}

/// The lockfile gate of `gen`: verifies the lockfiles of `dirs` at the levels of `control` and
/// prints the errors on stderr. Returns the exit code to stop with, or `None` to go on.
pub fn gate(dirs: &[PathBuf], sources: &mut Sources, control: &RuleControl) -> Option<u8> {
    let mut findings = match findings_for(dirs, sources) {
        Ok(findings) => findings,
        Err(message) => {
            eprintln!("error: {message}");
            return Some(EXIT_USAGE);
        }
    };
    for (_, diagnostics) in &mut findings {
        control.apply(diagnostics);
        diagnostics.retain(|d| d.severity == Severity::Error);
    }
    findings.retain(|(_, diagnostics)| !diagnostics.is_empty());
    if findings.is_empty() {
        return None;
    }
    eprintln!(
        "error: {} not as pinned in the lockfile; nothing generated:",
        lexperm_parser::wording::count(findings.len(), "lexicon file is", "lexicon files are")
    );
    let mut stderr = std::io::stderr().lock();
    if let Err(err) = render::render(
        Format::Human,
        sources,
        &findings,
        &engine::registry(),
        HumanOptions::default(),
        &mut stderr,
    ) {
        eprintln!("error: cannot write diagnostics: {err}");
    }
    Some(EXIT_FAILURE)
}
