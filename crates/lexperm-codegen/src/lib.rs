//! Generation from AT Protocol lexicons: OAuth scope constants (Rust for `build.rs`, or
//! TypeScript), and publishable `com.atproto.lexicon.schema` records with their DAG-CBOR encoding
//! and CID, computed locally (through `lexperm_datamodel`).
//!
//! - [`rust`]: scope constants ([`Builder`], [`Target`]): `repo:` scopes per record, `rpc:` scopes
//!   per endpoint, `include:` scopes and their exact expansions per permission set, behind the full
//!   lint of `lexperm_resolver`.
//! - [`records`]: the `com.atproto.lexicon.schema` record of a lexicon document, with CID and AT-URI.
//! - [`lockfile`]: `lexicons.json` (the `@atproto/lex install` lockfile) read, written and verified
//!   offline against the local files.
//!
//! ```no_run
//! // build.rs
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?);
//! lexperm_codegen::Builder::new()
//!     .lexicons("lexicons")
//!     .generate_to(out.join("scopes.rs"))?;
//! # Ok(())
//! # }
//! ```
//!
//! No network, no async runtime. Only [`Builder`] touches the file system (it reads lexicon and
//! template folders and `lexperm.toml`, and writes the generated file).

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod generate;
pub mod lockfile;
pub mod records;
pub mod rust;

pub use rust::{lint_report, Builder, GenerateError, LintError, Target};
