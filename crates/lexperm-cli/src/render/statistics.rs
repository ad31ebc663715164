//! `--statistics`: how many findings each rule reported, most frequent first, instead of the
//! findings. Human: one aligned line per rule (`count  code  name`), then the summary line;
//! JSON: one object per rule (`version`, `code`, `name`, `count`), one per line.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Findings, Summary};

/// One rule's count; field order is part of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount<'a> {
    /// The rule code, e.g. `S101`.
    pub code: &'a str,
    /// The rule name, e.g. `missing-primary-description`.
    pub name: &'a str,
    /// How many findings it reported.
    pub count: usize,
}

/// The findings counted per rule (code and name), most frequent first, then by code and name.
pub fn count(findings: &Findings) -> Vec<RuleCount<'_>> {
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    for diagnostic in findings.iter().flat_map(|(_, diagnostics)| diagnostics) {
        *counts
            .entry((diagnostic.code, diagnostic.name))
            .or_default() += 1;
    }
    let mut counts: Vec<RuleCount<'_>> = counts
        .into_iter()
        .map(|((code, name), count)| RuleCount { code, name, count })
        .collect();
    counts.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.code.cmp(b.code))
            .then(a.name.cmp(b.name))
    });
    counts
}

/// The human table, then `summary`'s line when given.
pub(super) fn render_human(
    findings: &Findings,
    summary: Option<&Summary>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let counts = count(findings);
    let count_width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = counts.iter().map(|c| c.code.len()).max().unwrap_or(0);
    for rule in &counts {
        writeln!(
            out,
            "{:>count_width$}  {:<code_width$}  {}",
            rule.count, rule.code, rule.name,
        )?;
    }
    if let Some(summary) = summary {
        writeln!(out, "{}", summary.line())?;
    }
    Ok(())
}

/// One JSON line of `--statistics`: the contract's version, then the rule's count.
#[derive(Serialize)]
struct CountLine<'a> {
    version: u32,
    #[serde(flatten)]
    rule: RuleCount<'a>,
}

/// One JSON object per rule, one per line.
pub(super) fn render_json(findings: &Findings, out: &mut dyn Write) -> io::Result<()> {
    for rule in count(findings) {
        let line = CountLine {
            version: crate::JSON_VERSION,
            rule,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::{Diagnostic, FileId, Severity, Span};

    fn finding(code: &'static str, name: &'static str) -> Diagnostic {
        Diagnostic {
            code,
            name,
            severity: Severity::Warning,
            span: Span::new(FileId(0), 0, 1),
            message: String::new(),
            help: None,
            labels: Vec::new(),
            nsid: None,
            fix: None,
        }
    }

    #[test]
    fn most_frequent_first_then_by_code() {
        let findings = vec![
            (FileId(0), vec![finding("S104", "b"), finding("L105", "a")]),
            (
                FileId(1),
                vec![
                    finding("S104", "b"),
                    finding("B107", "c"),
                    finding("S101", "d"),
                ],
            ),
        ];
        let order: Vec<(&str, usize)> = count(&findings)
            .iter()
            .map(|rule| (rule.code, rule.count))
            .collect();
        assert_eq!(order, [("S104", 2), ("B107", 1), ("L105", 1), ("S101", 1)]);
        let mut out = Vec::new();
        render_human(&findings, None, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2  S104  b\n1  B107  c\n1  L105  a\n1  S101  d\n"
        );
    }
}
