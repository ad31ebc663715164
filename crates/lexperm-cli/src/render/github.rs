//! The GitHub format: workflow commands that GitHub Actions turns into annotations.
//!
//! Text is [cleaned](crate::terminal::clean) first (the log view draws escape sequences), then
//! escaped by the runner's rules: in the message, `%`, `\r` and `\n` are percent-encoded; in
//! properties, `:` and `,` are too.

use std::io::{self, Write};

use lexperm_parser::diagnostics::Severity;

use super::{before_location, location, Findings};
use crate::sources::Sources;
use crate::terminal::clean;

/// Writes one workflow command per diagnostic; with `comparison`, a `before: path:line:column`
/// line for a finding whose base-version location is elsewhere than the annotated one.
pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    comparison: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (file, diagnostics) in findings {
        for diagnostic in diagnostics {
            let (path, line, column, end_line, end_column) = location(sources, *file, diagnostic);
            let command = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = format!("{} ({})", diagnostic.message, diagnostic.name);
            if let Some(help) = &diagnostic.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            if let Some((before, line, column, ..)) =
                before_location(sources, diagnostic).filter(|before| comparison && before.0 != path)
            {
                message.push_str(&format!("\nbefore: {before}:{line}:{column}"));
            }
            writeln!(
                out,
                "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
                escape_property(&clean(path)),
                escape_property(diagnostic.code),
                escape_data(&clean(&message)),
            )?;
        }
    }
    Ok(())
}

/// Escapes a command's message.
pub(super) fn escape_data(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Escapes a property value (`file=…`, `title=…`).
pub(super) fn escape_property(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '\r' => escaped.push_str("%0D"),
            '\n' => escaped.push_str("%0A"),
            ':' => escaped.push_str("%3A"),
            ',' => escaped.push_str("%2C"),
            c => escaped.push(c),
        }
    }
    escaped
}
