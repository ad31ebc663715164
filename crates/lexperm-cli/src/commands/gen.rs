//! `lexperm gen …`: generate artefacts from lexicons.

use clap::Subcommand;

use super::gen_records;

/// `lexperm gen` subcommands.
#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// Write publishable `com.atproto.lexicon.schema` records and their CIDs.
    Records(gen_records::GenRecordsArgs),
}

/// Runs a `gen` subcommand and returns the process exit code.
pub fn run(cmd: GenCommand) -> u8 {
    match cmd {
        GenCommand::Records(args) => gen_records::run(&args),
    }
}
