//! The atproto data model as lexperm needs it, shared by record generation and network
//! verification.
//!
//! - [`cbor`]: DAG-CBOR encoder for data model values in their JSON form.
//! - [`cid`]: CIDv1 (dag-cbor, sha2-256) and its base32 string form.
//! - [`proof`]: repository proofs (`com.atproto.sync.getRecord`): CAR reading, the signed commit,
//!   the MST path and the record block.
//!
//! Pure: no IO, no network.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod base;
pub mod cbor;
pub mod cid;
pub mod proof;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
