//! The human format: miette's graphical report per diagnostic, then a summary line.
//!
//! Everything handed to miette is cleaned for the terminal first ([`crate::terminal`]), and its
//! source is a bounded [`Snippet`], never the file. A report that miette still cannot draw is
//! written as one plain line, and the other reports are still written.

use std::fmt;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lexperm_parser::diagnostics::{Diagnostic, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::snippet::{Snippet, CONTEXT_LINES};
use super::{Findings, HumanOptions, Summary};
use crate::sources::{SourceFile, Sources};
use crate::terminal::clean;

pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    options: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let handler = handler(options);
    let mut text = String::new();
    for (file, diagnostics) in findings {
        for diagnostic in diagnostics {
            let source = sources
                .get(diagnostic.span.file)
                .or_else(|| sources.get(*file));
            let report = Report::new(diagnostic, source, sources);
            write_report(&handler, &report, &mut text, out)?;
            out.write_all(b"\n")?;
        }
    }
    if !options.summary {
        return Ok(());
    }
    let summary = Summary::count(findings, sources.len());
    writeln!(out, "{}", summary.line())?;
    let fixable = findings
        .iter()
        .flat_map(|(_, diagnostics)| diagnostics)
        .filter(|d| d.has_safe_fix())
        .count();
    if fixable > 0 {
        writeln!(
            out,
            "[*] {fixable} fixable with `lexperm lint --fix` (`--fix --dry-run` shows the diff)"
        )?;
    }
    Ok(())
}

/// Writes each diagnostic as a miette report, without the summary line (for commands other than
/// `lint` that show findings with source snippets).
pub(super) fn render_reports(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    options: HumanOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let handler = handler(options);
    let mut text = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, sources.get(diagnostic.span.file), sources);
        write_report(&handler, &report, &mut text, out)?;
    }
    Ok(())
}

/// miette's graphical handler with `options`' colour and width.
fn handler(options: HumanOptions) -> GraphicalReportHandler {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .with_context_lines(CONTEXT_LINES)
        .without_primary_span_start()
}

/// Renders `report` into `text` (a reused buffer) and writes it out. Should miette fail or panic
/// on it, the report is written as one plain line instead.
fn write_report(
    handler: &GraphicalReportHandler,
    report: &Report<'_>,
    text: &mut String,
    out: &mut dyn Write,
) -> io::Result<()> {
    text.clear();
    let rendered = catch_unwind(AssertUnwindSafe(|| handler.render_report(text, report)));
    if !matches!(rendered, Ok(Ok(()))) {
        text.clear();
        report.write_plain(text);
    }
    out.write_all(text.as_bytes())
}

/// One lexperm diagnostic seen through miette's `Diagnostic` trait, its texts cleaned.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<Snippet>,
    /// `path:line:column` of the primary span.
    location: Option<String>,
    message: String,
    labels: Vec<LabeledSpan>,
    code: String,
    help: Option<String>,
    /// Labels in the other version of a comparison, each shown with a snippet of its own.
    other_side: Vec<OtherSide>,
}

/// A label in the other version of a comparison (`lexperm breaking`), drawn after the report
/// from a bounded [`Snippet`] of its file.
struct OtherSide {
    message: String,
    source: Snippet,
    label: LabeledSpan,
}

impl<'a> Report<'a> {
    fn new(diagnostic: &'a Diagnostic, source: Option<&'a SourceFile>, sources: &Sources) -> Self {
        let mut labels = Vec::new();
        let mut elsewhere = Vec::new();
        let mut other_side = Vec::new();
        let mut snippet = None;
        let mut location = None;
        if let Some(file) = source {
            let (line, column) = file.line_col(diagnostic.span.start);
            let name = format!("{}:{line}:{column}", clean(&file.path));
            let mut spans = vec![diagnostic.span];
            let mut messages = vec![None];
            for label in &diagnostic.labels {
                if label.span.file == diagnostic.span.file {
                    spans.push(label.span);
                    messages.push(Some(clean(&label.message).into_owned()));
                } else if let Some(other) = sources.get(label.span.file) {
                    let (line, column) = other.line_col(label.span.start);
                    let location = format!("{}:{line}:{column}", clean(&other.path));
                    if sources.is_base(label.span.file) != sources.is_base(diagnostic.span.file) {
                        let side = if sources.is_base(label.span.file) {
                            "in the base version"
                        } else {
                            "in the changed version"
                        };
                        let built =
                            Snippet::new(location, &other.text, other.line_index(), &[label.span]);
                        other_side.push(OtherSide {
                            message: side.to_owned(),
                            label: LabeledSpan::new_primary_with_span(
                                Some(clean(&label.message).into_owned()),
                                built.span(0),
                            ),
                            source: built,
                        });
                    } else {
                        elsewhere.push(format!("{location}: {}", clean(&label.message)));
                    }
                }
            }
            let built = Snippet::new(name.clone(), &file.text, file.line_index(), &spans);
            for (index, message) in messages.into_iter().enumerate() {
                labels.push(match message {
                    None => LabeledSpan::new_primary_with_span(None, built.span(index)),
                    Some(message) => LabeledSpan::new_with_span(Some(message), built.span(index)),
                });
            }
            snippet = Some(built);
            location = Some(name);
        }
        let mut help = diagnostic
            .help
            .as_deref()
            .map(|help| clean(help).into_owned());
        if !elsewhere.is_empty() {
            let notes = elsewhere.join("\n");
            help = Some(match help {
                Some(help) => format!("{help}\n{notes}"),
                None => notes,
            });
        }
        Report {
            diagnostic,
            source: snippet,
            location,
            message: clean(&diagnostic.message).into_owned(),
            labels,
            code: if diagnostic.has_safe_fix() {
                format!("{}({}) [*]", diagnostic.code, diagnostic.name)
            } else {
                format!("{}({})", diagnostic.code, diagnostic.name)
            },
            help,
            other_side,
        }
    }

    /// The report without miette: `path:line:column: severity[code]: message`, then the help.
    fn write_plain(&self, text: &mut String) {
        use std::fmt::Write as _;
        if let Some(location) = &self.location {
            let _ = write!(text, "{location}: ");
        }
        let _ = writeln!(
            text,
            "{}[{}]: {}",
            self.diagnostic.severity, self.code, self.message
        );
        if let Some(help) = &self.help {
            let _ = writeln!(text, "  help: {help}");
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display + 'b>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.other_side.is_empty() {
            None
        } else {
            Some(Box::new(
                self.other_side
                    .iter()
                    .map(|other| other as &dyn miette::Diagnostic),
            ))
        }
    }
}

impl fmt::Debug for OtherSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for OtherSide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OtherSide {}

impl miette::Diagnostic for OtherSide {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}
