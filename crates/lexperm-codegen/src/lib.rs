//! Generation from AT Protocol lexicons: publishable `com.atproto.lexicon.schema` records with their
//! DAG-CBOR encoding and CID, computed locally.
//!
//! - [`cbor`]: DAG-CBOR encoder for atproto data model values in their JSON form.
//! - [`cid`]: CIDv1 (dag-cbor, sha2-256) and its base32 string form.
//! - [`records`]: the `com.atproto.lexicon.schema` record of a lexicon document, with CID and AT-URI.
//! - [`rust`]: Rust scope constants for `build.rs` ([`Builder`]).
//!
//! No network, no async runtime. Only [`Builder`] touches the file system (it reads lexicon and
//! template folders and writes the generated file).

#![deny(missing_docs)]

mod base;
pub mod cbor;
pub mod cid;
mod generate;
pub mod records;
pub mod rust;

pub use rust::{Builder, GenerateError, LintError, Target};
