//! Rule documentation as `lexperm explain` prints it.

use std::fmt::Write as _;

use lexperm_parser::diagnostics::RuleMeta;

/// The full text for one rule, with its other names (`also known as: type-change`) when it has
/// any, and a `fixable` line when its findings can carry a fix.
pub fn rule_doc(rule: &RuleMeta, aliases: &[&str], fixable: bool) -> String {
    let mut text = format!(
        "{} {}\ndefault severity: {}\n",
        rule.code, rule.name, rule.severity
    );
    if !aliases.is_empty() {
        let _ = writeln!(text, "also known as: {}", aliases.join(", "));
    }
    if fixable {
        let _ = writeln!(
            text,
            "fixable: yes, with `lexperm lint --fix` (see \"Fix\" below for which findings)"
        );
    }
    let _ = write!(text, "\n{}\n", rule.summary);
    let doc = rule.doc.trim();
    if !doc.is_empty() {
        let _ = write!(text, "\n{doc}\n");
    }
    text
}

/// One aligned line per rule.
pub fn rule_list(rules: &[&RuleMeta]) -> String {
    let name_width = rules.iter().map(|rule| rule.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for rule in rules {
        let _ = writeln!(
            text,
            "{:<6} {:<name_width$} {:<7} {}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.summary
        );
    }
    text
}
