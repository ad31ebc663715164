//! The SARIF format: one SARIF 2.1.0 log with one run whose driver lists every rule.

use std::collections::HashMap;
use std::io::{self, Write};

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::{location, Findings};
use crate::sources::Sources;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

pub(super) fn render(
    sources: &Sources,
    findings: &Findings,
    rules: &[&RuleMeta],
    out: &mut dyn Write,
) -> io::Result<()> {
    let rule_index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.code, index))
        .collect();
    let driver_rules: Vec<Value> = rules.iter().map(|rule| rule_descriptor(rule)).collect();
    let mut results = Vec::new();
    for (file, diagnostics) in findings {
        for diagnostic in diagnostics {
            let (path, line, column, end_line, end_column) = location(sources, *file, diagnostic);
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            // A finding only the base version has (a removed lexicon or def) is placed where
            // code scanning can show it: the same file in the working tree, at its top, or the
            // file's path in the repository when it was deleted; the base place is in the text.
            let base_place = sources
                .base_tree_path(diagnostic.span.file)
                .map(|tree_path| {
                    text.push_str(&format!("\n(base version: {path}:{line}:{column})"));
                    match sources.find_current(tree_path) {
                        Some(_) => (tree_path, 1, 1, 1, 1),
                        None => (tree_path, line, column, end_line, end_column),
                    }
                });
            let (path, line, column, end_line, end_column) =
                base_place.unwrap_or((path, line, column, end_line, end_column));
            let mut result = json!({
                "ruleId": diagnostic.code,
                "level": level(diagnostic.severity),
                "message": { "text": text },
                "locations": [physical_location(path, line, column, end_line, end_column)],
            });
            if let Some(index) = rule_index.get(diagnostic.code) {
                result["ruleIndex"] = json!(index);
            }
            let related: Vec<Value> = diagnostic
                .labels
                .iter()
                .enumerate()
                .filter_map(|(id, label)| {
                    let source = sources.get(label.span.file)?;
                    let (line, column, end_line, end_column) = source.region(label.span);
                    let mut message = label.message.clone();
                    let mut location = match sources.base_tree_path(label.span.file) {
                        // In the base version: named by its path in the repository.
                        Some(tree_path) => {
                            message.push_str(&format!(
                                " (base version: {}:{line}:{column})",
                                source.path
                            ));
                            match sources.find_current(tree_path) {
                                Some(_) => physical_location(tree_path, 1, 1, 1, 1),
                                None => {
                                    physical_location(tree_path, line, column, end_line, end_column)
                                }
                            }
                        }
                        None => physical_location(&source.path, line, column, end_line, end_column),
                    };
                    location["id"] = json!(id);
                    location["message"] = json!({ "text": message });
                    Some(location)
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            if let Some(fixes) = fixes(sources, diagnostic, path) {
                result["fixes"] = fixes;
            }
            if let Some(nsid) = &diagnostic.nsid {
                result["properties"] = json!({ "nsid": nsid });
            }
            results.push(result);
        }
    }
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "lexperm",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// A finding's fix as SARIF `fixes`: one `fix` with one `artifactChange` holding a replacement
/// per edit.
fn fixes(sources: &Sources, diagnostic: &Diagnostic, path: &str) -> Option<Value> {
    let fix = diagnostic.fix.as_deref()?;
    let source = sources.get(diagnostic.span.file)?;
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            let (line, column, end_line, end_column) = source.region(edit.span);
            json!({
                "deletedRegion": {
                    "startLine": line,
                    "startColumn": column,
                    "endLine": end_line,
                    "endColumn": end_column,
                },
                "insertedContent": { "text": edit.replacement },
            })
        })
        .collect();
    Some(json!([{
        "description": { "text": fix.description },
        "artifactChanges": [{
            "artifactLocation": { "uri": uri(path) },
            "replacements": replacements,
        }],
    }]))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_descriptor(rule: &RuleMeta) -> Value {
    let full = first_paragraph(rule.doc).unwrap_or(rule.summary);
    json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": full },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "defaultConfiguration": { "level": level(rule.severity) },
    })
}

/// The first non-heading paragraph of a markdown doc, joined into one line.
fn first_paragraph(doc: &str) -> Option<&str> {
    doc.split("\n\n")
        .map(str::trim)
        .find(|paragraph| !paragraph.is_empty() && !paragraph.starts_with('#'))
}

fn physical_location(path: &str, line: u32, column: u32, end_line: u32, end_column: u32) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(path) },
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            }
        }
    })
}

/// Bytes percent-encoded in a SARIF artifact URI: everything but RFC 3986 unreserved
/// characters, sub-delims, `/` and `@` (what a URI path keeps as it is).
const URI_PATH_ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b'@');

/// A relative URI reference for a relative path, a `file://` URI for an absolute one; separators
/// become `/` and characters that are not allowed in a URI path are percent-encoded.
pub(super) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let scheme = if path.starts_with('/') { "file://" } else { "" };
    format!("{scheme}{}", utf8_percent_encode(&path, URI_PATH_ESCAPED))
}
