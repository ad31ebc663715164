//! Every output format of `lexperm lint`: human (miette), JSON lines, SARIF 2.1.0, GitHub
//! workflow commands and Markdown, plus the rule docs of `lexperm explain`. Nothing outside this
//! module formats a diagnostic.

use std::io::{self, Write};

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity};

use crate::sources::Sources;

mod github;
mod human;
mod json;
mod markdown;
mod rules;
mod sarif;

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
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
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
    /// Files linted.
    pub files: usize,
    /// Files with at least one diagnostic.
    pub files_with_findings: usize,
}

impl Summary {
    /// Counts the diagnostics in `findings` over `files` linted files.
    pub fn count(findings: &Findings, files: usize) -> Summary {
        let mut summary = Summary {
            files,
            ..Summary::default()
        };
        for (_, diagnostics) in findings {
            if !diagnostics.is_empty() {
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
        line
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
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
    match format {
        Format::Human => human::render(sources, findings, human, out),
        Format::Json => json::render(sources, findings, out),
        Format::Sarif => sarif::render(sources, findings, rules, out),
        Format::Github => github::render(sources, findings, out),
        Format::Markdown => {
            let report = MarkdownReport {
                title: "lexperm lint",
                files_checked: sources.len(),
                note: None,
            };
            markdown::render(sources, findings, &report, out)
        }
    }
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
