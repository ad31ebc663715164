//! `lexperm gen …`: generate artefacts from lexicons.

use clap::Subcommand;
use lexperm_codegen::Target;

use super::{gen_records, gen_rust};

/// `lexperm gen` subcommands.
#[derive(Debug, Subcommand)]
pub enum GenCommand {
    /// Write publishable `com.atproto.lexicon.schema` records and their CIDs.
    ///
    /// For every lexicon that lints without errors: `<out>/<nsid>.json`, the record as `putRecord`
    /// would write it (the document plus `"$type": "com.atproto.lexicon.schema"`), and one
    /// `<out>/cids.json` mapping each NSID to its record's CID (CIDv1, dag-cbor, sha2-256), to compare
    /// with the CIDs of the published records. Exit code 1 when some lexicon produced no record, 2
    /// when some lexicon path could not be loaded (the other records are still written).
    Records(gen_records::GenRecordsArgs),
    /// Write Rust scope constants (collections, `repo:`, `rpc:` and `include:` scopes, permission-set
    /// expansions) for the lexicons.
    ///
    /// The same code `lexperm_codegen::Builder` writes from a `build.rs`: one module per NSID segment,
    /// depending on `core` only. Exit code 1 when a lexicon has lint errors (the full `lexperm lint`)
    /// or, with `--check`, when the file is stale; 2 when a lexicon path could not be loaded (no
    /// code is generated).
    Rust(gen_rust::GenCodeArgs),
    /// Write TypeScript scope constants: the same content as `gen rust`, as nested `as const` objects.
    ///
    /// Exit code 1 when a lexicon has lint errors or, with `--check`, when the file is stale; 2 when
    /// a lexicon path could not be loaded.
    Ts(gen_rust::GenCodeArgs),
}

/// Runs a `gen` subcommand and returns the process exit code.
pub fn run(cmd: GenCommand) -> u8 {
    match cmd {
        GenCommand::Records(args) => gen_records::run(&args),
        GenCommand::Rust(args) => gen_rust::run(&args, Target::Rust),
        GenCommand::Ts(args) => gen_rust::run(&args, Target::TypeScript),
    }
}
