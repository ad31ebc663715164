//! `lexperm explain CODE|NAME` and `lexperm explain --list`: rule documentation.

use clap::Args;
use lexperm_parser::diagnostics::RuleMeta;

use crate::config;
use crate::render::{rule_doc, rule_list};

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
        print!("{}", rule_list(rules));
        return crate::EXIT_OK;
    }
    let key = args.rule.unwrap_or_default();
    match config::lookup(rules, &key) {
        Ok(rule) => {
            print!(
                "{}",
                rule_doc(
                    rule,
                    crate::engine::aliases(rule.code),
                    crate::engine::is_fixable(rule.code)
                )
            );
            crate::EXIT_OK
        }
        Err(message) => {
            eprintln!("error: {message}");
            crate::EXIT_USAGE
        }
    }
}
