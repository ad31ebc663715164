//! The JSON format: one object per diagnostic, one per line (JSON Lines); docs/json.md.

use std::io::{self, Write};

use serde::Serialize;

use lexperm_parser::diagnostics::{Diagnostic, FileId};

use super::{before_location, location, Findings};
use crate::sources::Sources;

/// A JSON object with `version` first, then the members `value` serializes to (a value that is
/// not an object adds none): the line of the commands whose results are library types.
pub fn versioned(value: &impl Serialize) -> serde_json::Map<String, serde_json::Value> {
    let mut line = serde_json::Map::new();
    line.insert("version".to_owned(), crate::JSON_VERSION.into());
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(value) {
        line.extend(fields);
    }
    line
}

/// The exact shape of one line; field order is part of the contract.
#[derive(Serialize)]
struct Line<'a> {
    version: u32,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    nsid: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
    /// Present only on findings with a fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixJson<'a>>,
}

/// Another location a finding points at (SARIF's `relatedLocations`): a first declaration, the
/// other version of a changed lexicon, the field that conflicts.
#[derive(Serialize)]
struct Related<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

/// A finding's fix: what it does, whether `--fix` applies it, and its edits.
#[derive(Serialize)]
struct FixJson<'a> {
    description: &'a str,
    applicability: &'a str,
    edits: Vec<EditJson<'a>>,
}

/// One edit of a fix: the range replaced (byte offsets and line/column, end exclusive) and the
/// replacement.
#[derive(Serialize)]
struct EditJson<'a> {
    start: u32,
    end: u32,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    replacement: &'a str,
}

fn fix_json<'a>(sources: &Sources, diagnostic: &'a Diagnostic) -> Option<FixJson<'a>> {
    let fix = diagnostic.fix.as_deref()?;
    let source = sources.get(diagnostic.span.file)?;
    let edits = fix
        .edits
        .iter()
        .map(|edit| {
            let (line, column, end_line, end_column) = source.region(edit.span);
            EditJson {
                start: edit.span.start,
                end: edit.span.end,
                line,
                column,
                end_line,
                end_column,
                replacement: &edit.replacement,
            }
        })
        .collect();
    Some(FixJson {
        description: &fix.description,
        applicability: fix.applicability.as_str(),
        edits,
    })
}

/// A line of a comparison: the lint fields, then where the finding is in the base version.
#[derive(Serialize)]
struct ComparisonLine<'a> {
    #[serde(flatten)]
    line: Line<'a>,
    before_file: Option<&'a str>,
    before_line: Option<u32>,
    before_column: Option<u32>,
    before_end_line: Option<u32>,
    before_end_column: Option<u32>,
}

fn line<'a>(sources: &'a Sources, file: FileId, diagnostic: &'a Diagnostic) -> Line<'a> {
    let (path, line, column, end_line, end_column) = location(sources, file, diagnostic);
    let related = diagnostic
        .labels
        .iter()
        .filter_map(|label| {
            let source = sources.get(label.span.file)?;
            let (line, column, end_line, end_column) = source.region(label.span);
            Some(Related {
                file: &source.path,
                line,
                column,
                end_line,
                end_column,
                message: &label.message,
            })
        })
        .collect();
    Line {
        version: crate::JSON_VERSION,
        code: diagnostic.code,
        name: diagnostic.name,
        severity: diagnostic.severity.as_str(),
        file: path,
        line,
        column,
        end_line,
        end_column,
        nsid: diagnostic.nsid.as_deref(),
        message: &diagnostic.message,
        help: diagnostic.help.as_deref(),
        related,
        fix: fix_json(sources, diagnostic),
    }
}

fn comparison_line<'a>(
    sources: &'a Sources,
    file: FileId,
    diagnostic: &'a Diagnostic,
) -> ComparisonLine<'a> {
    let before = before_location(sources, diagnostic);
    ComparisonLine {
        line: line(sources, file, diagnostic),
        before_file: before.map(|b| b.0),
        before_line: before.map(|b| b.1),
        before_column: before.map(|b| b.2),
        before_end_line: before.map(|b| b.3),
        before_end_column: before.map(|b| b.4),
    }
}

/// Writes one line per diagnostic; with `comparison`, each line also says where the finding is
/// in the base version.
pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    comparison: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (file, diagnostics) in findings {
        for diagnostic in diagnostics {
            if comparison {
                serde_json::to_writer(&mut *out, &comparison_line(sources, *file, diagnostic))?;
            } else {
                serde_json::to_writer(&mut *out, &line(sources, *file, diagnostic))?;
            }
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The objects [`render`] writes for a comparison, as values (to embed in another output).
pub(super) fn comparison_values(sources: &Sources, findings: &Findings) -> Vec<serde_json::Value> {
    findings
        .iter()
        .flat_map(|(file, diagnostics)| {
            diagnostics.iter().filter_map(move |diagnostic| {
                serde_json::to_value(comparison_line(sources, *file, diagnostic)).ok()
            })
        })
        .collect()
}
