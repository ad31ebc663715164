//! `lexperm gen …`: generate artefacts from lexicons.

use clap::Subcommand;

use super::{gen_records, gen_rust};

/// `lexperm gen` subcommands.
#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// Write publishable `com.atproto.lexicon.schema` records and their CIDs.
    Records(gen_records::GenRecordsArgs),
    /// Write Rust scope constants (collections, `repo:` and `rpc:` scopes) for the lexicons.
    Rust(gen_rust::GenRustArgs),
}

/// Runs a `gen` subcommand and returns the process exit code.
pub fn run(cmd: GenCommand) -> u8 {
    match cmd {
        GenCommand::Records(args) => gen_records::run(&args),
        GenCommand::Rust(args) => gen_rust::run(&args),
    }
}
