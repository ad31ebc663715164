//! `lexperm scope …`: placeholder replaced by the scope-core work.

use clap::Subcommand;

/// `lexperm scope` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Print the canonical form of scope strings.
    Normalize,
}

/// Runs a `scope` subcommand and returns the process exit code.
pub fn run(cmd: ScopeCommand) -> u8 {
    match cmd {
        ScopeCommand::Normalize => {
            eprintln!("error: scope normalization is not built yet");
            crate::EXIT_USAGE
        }
    }
}
