//! `lexperm schema`: prints the JSON Schema (draft 2020-12) of lexicon documents, for editors.

use std::io::Write;

/// The checked-in schema; `tests/schema.rs` validates the real-world corpus against it.
pub const LEXICON_SCHEMA: &str = include_str!("../lexicon.schema.json");

/// Prints the schema and returns the exit code.
pub fn run() -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(LEXICON_SCHEMA.as_bytes()) {
        Ok(()) => crate::EXIT_OK,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => crate::EXIT_OK,
        Err(err) => {
            eprintln!("error: cannot write to stdout: {err}");
            crate::EXIT_USAGE
        }
    }
}
