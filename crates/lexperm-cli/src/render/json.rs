//! The JSON format: one object per diagnostic, one per line (JSON Lines).

use std::io::{self, Write};

use serde::Serialize;

use super::{location, Findings};
use crate::sources::Sources;

/// The exact shape of one line; field order is part of the contract.
#[derive(Serialize)]
struct Line<'a> {
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
}

pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (file, diagnostics) in findings {
        for diagnostic in diagnostics {
            let (path, line, column, end_line, end_column) = location(sources, *file, diagnostic);
            let record = Line {
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
            };
            serde_json::to_writer(&mut *out, &record)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
