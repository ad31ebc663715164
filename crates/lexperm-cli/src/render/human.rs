//! The human format: miette's graphical report per diagnostic, then a summary line.

use std::fmt;
use std::io::{self, Write};

use lexperm_parser::diagnostics::{Diagnostic, Severity, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Findings, HumanOptions, Summary};
use crate::sources::{SourceFile, Sources};

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
    let summary = Summary::count(findings, sources.len());
    writeln!(out, "{}", summary.line())
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
        .without_primary_span_start()
}

/// Renders `report` into `text` (a reused buffer) and writes it out.
fn write_report(
    handler: &GraphicalReportHandler,
    report: &Report<'_>,
    text: &mut String,
    out: &mut dyn Write,
) -> io::Result<()> {
    text.clear();
    handler
        .render_report(text, report)
        .map_err(|err| io::Error::other(err.to_string()))?;
    out.write_all(text.as_bytes())
}

/// A source text with the name miette shows in the snippet header: `path:line:column` of the
/// primary span (columns in Unicode scalar values, as in every other format).
struct NamedText<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for NamedText<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// One lexperm diagnostic seen through miette's `Diagnostic` trait.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedText<'a>>,
    labels: Vec<LabeledSpan>,
    code: String,
    help: Option<String>,
    /// Labels in the other version of a comparison, each shown with its own snippet.
    other_side: Vec<Snippet<'a>>,
}

/// A label in another file, rendered after the report as a snippet of its own.
struct Snippet<'a> {
    message: String,
    source: NamedText<'a>,
    label: LabeledSpan,
}

impl<'a> Report<'a> {
    fn new(
        diagnostic: &'a Diagnostic,
        source: Option<&'a SourceFile>,
        sources: &'a Sources,
    ) -> Self {
        let mut labels = Vec::new();
        let mut elsewhere = Vec::new();
        let mut other_side = Vec::new();
        if let Some(source) = source {
            labels.push(LabeledSpan::new_primary_with_span(
                None,
                clamp(diagnostic.span, source),
            ));
            for label in &diagnostic.labels {
                if label.span.file == diagnostic.span.file {
                    labels.push(LabeledSpan::new_with_span(
                        Some(label.message.clone()),
                        clamp(label.span, source),
                    ));
                } else if let Some(other) = sources.get(label.span.file) {
                    let (line, column) = other.line_col(label.span.start);
                    let location = format!("{}:{line}:{column}", other.path);
                    if sources.is_base(label.span.file) != sources.is_base(diagnostic.span.file) {
                        let side = if sources.is_base(label.span.file) {
                            "in the base version"
                        } else {
                            "in the changed version"
                        };
                        other_side.push(Snippet {
                            message: side.to_owned(),
                            label: LabeledSpan::new_primary_with_span(
                                Some(label.message.clone()),
                                clamp(label.span, other),
                            ),
                            source: NamedText {
                                name: location,
                                text: &other.text,
                            },
                        });
                    } else {
                        elsewhere.push(format!("{location}: {}", label.message));
                    }
                }
            }
        }
        let mut help = diagnostic.help.clone();
        if !elsewhere.is_empty() {
            let notes = elsewhere.join("\n");
            help = Some(match help {
                Some(help) => format!("{help}\n{notes}"),
                None => notes,
            });
        }
        Report {
            diagnostic,
            source: source.map(|file| {
                let (line, column) = file.line_col(diagnostic.span.start);
                NamedText {
                    name: format!("{}:{line}:{column}", file.path),
                    text: &file.text,
                }
            }),
            labels,
            code: format!("{}({})", diagnostic.code, diagnostic.name),
            help,
            other_side,
        }
    }
}

/// A span as miette wants it, kept inside the text so a stale span can never make rendering fail.
fn clamp(span: Span, source: &SourceFile) -> SourceSpan {
    let len = source.text.len();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diagnostic, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
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
                    .map(|snippet| snippet as &dyn miette::Diagnostic),
            ))
        }
    }
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Snippet<'_> {}

impl miette::Diagnostic for Snippet<'_> {
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
