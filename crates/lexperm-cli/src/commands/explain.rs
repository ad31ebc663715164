//! `lexperm explain CODE|NAME` and `lexperm explain --list`: rule documentation.

use std::fmt::Write as _;

use clap::Args;
use lexperm_parser::diagnostics::RuleMeta;

use crate::config;

/// Arguments of `lexperm explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Rule code (e.g. L101) or kebab-case name.
    #[arg(value_name = "CODE|NAME", required_unless_present = "list")]
    rule: Option<String>,
    /// List every rule: code, name, default severity, summary.
    #[arg(long, conflicts_with = "rule")]
    list: bool,
}

/// Runs `explain` against `rules` and returns the exit code.
pub fn run(args: ExplainArgs, rules: &[&'static RuleMeta]) -> u8 {
    if args.list {
        print!("{}", list(rules));
        return crate::EXIT_OK;
    }
    let key = args.rule.unwrap_or_default();
    match config::lookup(rules, &key) {
        Ok(rule) => {
            print!("{}", explain(rule));
            crate::EXIT_OK
        }
        Err(message) => {
            eprintln!("error: {message}");
            crate::EXIT_USAGE
        }
    }
}

/// The full text for one rule.
pub fn explain(rule: &RuleMeta) -> String {
    let mut text = format!(
        "{} {}\ndefault severity: {}\n\n{}\n",
        rule.code, rule.name, rule.severity, rule.summary
    );
    let doc = rule.doc.trim();
    if !doc.is_empty() {
        let _ = write!(text, "\n{doc}\n");
    }
    text
}

/// One aligned line per rule.
pub fn list(rules: &[&RuleMeta]) -> String {
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
