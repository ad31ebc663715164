//! Every output format of `lexperm lint` and `lexperm breaking`: human (miette), JSON lines,
//! SARIF 2.1.0, GitHub workflow commands and Markdown, plus the rule docs of `lexperm explain`.
//! Nothing outside this module formats a diagnostic.
//!
//! A comparison (`lexperm breaking`) has files on two sides: the base version's files are
//! marked in [`Sources`] ([`Sources::add_base`]). Its findings point at one side and carry a label
//! on the other; [`before_location`] is where a finding is in the base version. Every format
//! shows it: the human format with a second snippet, JSON lines with `before_*` fields (see
//! [`render_comparison`]), SARIF as a related location, GitHub annotations in the message, and
//! Markdown with a snippet of each file.

use std::io::{self, Write};

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity};

use crate::sources::Sources;
use crate::terminal::CleanWriter;

mod github;
mod human;
mod json;
mod markdown;
mod rules;
mod sarif;
mod snippet;
mod statistics;

pub use json::versioned;
pub use markdown::MarkdownReport;
pub use rules::{rule_doc, rule_list};

/// The diagnostics of one run: per file (by id), in the order they are to be printed.
pub type Findings = [(FileId, Vec<Diagnostic>)];

/// Output format of `lexperm lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical diagnostics with source snippets, then a summary line.
    Human,
    /// One JSON object per diagnostic, one per line.
    Json,
    /// One SARIF 2.1.0 log with a single run.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::message`).
    Github,
    /// A Markdown report for a pull-request comment or a job summary: a summary table, then
    /// each finding with its snippet.
    Markdown,
}

/// How the human format draws.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Terminal width used for wrapping.
    pub width: usize,
    /// End with the summary line (not with `--quiet`).
    pub summary: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            summary: true,
        }
    }
}

/// Counts over one run, for the summary line and the exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Diagnostics with severity error.
    pub errors: usize,
    /// Diagnostics with severity warning.
    pub warnings: usize,
    /// Diagnostics with severity info.
    pub infos: usize,
    /// Files linted (read and checked).
    pub files: usize,
    /// Files with at least one diagnostic.
    pub files_with_findings: usize,
    /// Paths given or found that were not read (L132, L133): not among [`Self::files`].
    pub unread: usize,
}

impl Summary {
    /// Counts the diagnostics in `findings` over `paths` paths (files read and paths that could
    /// not be: those have an L132 or L133 finding).
    pub fn count(findings: &Findings, paths: usize) -> Summary {
        let mut summary = Summary::default();
        for (_, diagnostics) in findings {
            if diagnostics.iter().any(crate::engine::is_load_failure) {
                summary.unread += 1;
            } else if !diagnostics.is_empty() {
                summary.files_with_findings += 1;
            }
            for diagnostic in diagnostics {
                match diagnostic.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Info => summary.infos += 1,
                }
            }
        }
        summary.files = paths.saturating_sub(summary.unread);
        summary
    }

    /// The closing line of the human format, e.g. `2 errors, 1 warning in 5 files`.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        );
        if self.infos > 0 {
            line.push_str(&format!(", {} info", self.infos));
        }
        line.push_str(&format!(" in {}", plural(self.files, "file")));
        if self.files_with_findings > 0 && self.files_with_findings < self.files {
            line.push_str(&format!(" ({} with findings)", self.files_with_findings));
        }
        match self.unread {
            0 => {}
            1 => line.push_str("; 1 path was not read"),
            n => line.push_str(&format!("; {n} paths were not read")),
        }
        line
    }
}

/// `n` and `word`, with an `s` unless `n` is 1.
pub(crate) fn plural(n: usize, word: &str) -> String {
    lexperm_parser::wording::count(n, word, &format!("{word}s"))
}

/// Writes `findings` in `format` to `out`. `rules` is the full rule registry (SARIF lists every
/// rule, not only those that fired).
pub fn render(
    format: Format,
    sources: &Sources,
    findings: &Findings,
    rules: &[&RuleMeta],
    human: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    write(format, sources, findings, rules, human, false, out)
}

/// Writes the findings of a comparison (`lexperm breaking`) in `format`: as [`render`] does, and
/// JSON lines also get the base version's location of each finding (`before_file`,
/// `before_line`, `before_column`, `before_end_line`, `before_end_column`, all `null` when the
/// finding has none), GitHub annotations a `before:` line.
pub fn render_comparison(
    format: Format,
    sources: &Sources,
    findings: &Findings,
    rules: &[&RuleMeta],
    human: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    write(format, sources, findings, rules, human, true, out)
}

/// The findings of a comparison as the JSON objects `render_comparison` writes in the JSON
/// format (one per diagnostic, `version` first), to embed in another command's JSON output
/// (`lexperm diff`). Callers print them through the terminal-safe `println!`.
pub fn comparison_json(sources: &Sources, findings: &Findings) -> Vec<serde_json::Value> {
    json::comparison_values(sources, findings)
}

/// [`render`] or, with `comparison`, [`render_comparison`].
fn write(
    format: Format,
    sources: &Sources,
    findings: &Findings,
    rules: &[&RuleMeta],
    human: HumanOptions,
    comparison: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(sources, findings, human, out),
        Format::Github => github::render(sources, findings, comparison, out),
        // serde escapes C0 controls only; the writer escapes DEL, C1, bidirectional controls and
        // line separators the same JSON way, so the output stays valid and equal.
        Format::Json | Format::Sarif => {
            let mut out = CleanWriter::new(out);
            if format == Format::Json {
                json::render(sources, findings, comparison, &mut out)?;
            } else {
                sarif::render(sources, findings, rules, &mut out)?;
            }
            out.flush()
        }
        Format::Markdown => {
            let report = MarkdownReport {
                title: if comparison {
                    "lexperm breaking"
                } else {
                    "lexperm lint"
                },
                files_checked: sources.len(),
                note: None,
            };
            markdown::render(sources, findings, &report, out)
        }
    }
}

/// Writes how many findings each rule reported (`--statistics`), most frequent first: in the
/// human format one `count  code  name` line per rule, then the summary line over `files` files
/// (unless `human.summary` is off); in the JSON format one `{"code", "name", "count"}` object per
/// line. The other formats have no statistics form ([`has_statistics`]): an `InvalidInput`
/// error.
pub fn render_statistics(
    format: Format,
    findings: &Findings,
    files: usize,
    human: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => {
            let summary = human.summary.then(|| Summary::count(findings, files));
            statistics::render_human(findings, summary.as_ref(), out)
        }
        Format::Json => statistics::render_json(findings, out),
        Format::Sarif | Format::Github | Format::Markdown => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "statistics are written in the human and JSON formats only",
        )),
    }
}

/// True for the formats [`render_statistics`] writes.
pub fn has_statistics(format: Format) -> bool {
    matches!(format, Format::Human | Format::Json)
}

/// Where a finding of a comparison is in the base version: its primary span when that is in a
/// base file (something removed), else its first label in a base file. Path, 1-based start and
/// exclusive end, as [`location`] gives them.
pub fn before_location<'a>(
    sources: &'a Sources,
    diagnostic: &Diagnostic,
) -> Option<(&'a str, u32, u32, u32, u32)> {
    let span = std::iter::once(diagnostic.span)
        .chain(diagnostic.labels.iter().map(|label| label.span))
        .find(|span| sources.is_base(span.file))?;
    let source = sources.get(span.file)?;
    let (line, column, end_line, end_column) = source.region(span);
    Some((source.path.as_str(), line, column, end_line, end_column))
}

/// Writes `findings` as a Markdown report described by `report`. Labels pointing into other
/// files of `sources` (such as the before version of a lexicon) get a snippet of their own.
pub fn render_markdown(
    sources: &Sources,
    findings: &Findings,
    report: &MarkdownReport<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    markdown::render(sources, findings, report, out)
}

/// Writes `diagnostics` as graphical reports with source snippets (the human format without the
/// summary line).
pub fn render_reports(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    human: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    human::render_reports(sources, diagnostics, human, out)
}

/// Path, 1-based start and exclusive end of a diagnostic's primary span; `(path, 1, 1, 1, 1)` when
/// the span's file is not in `sources`.
fn location<'a>(
    sources: &'a Sources,
    file: FileId,
    diagnostic: &Diagnostic,
) -> (&'a str, u32, u32, u32, u32) {
    match sources
        .get(diagnostic.span.file)
        .or_else(|| sources.get(file))
    {
        Some(source) => {
            let (line, column, end_line, end_column) = source.region(diagnostic.span);
            (source.path.as_str(), line, column, end_line, end_column)
        }
        None => ("", 1, 1, 1, 1),
    }
}

#[cfg(test)]
mod tests;
