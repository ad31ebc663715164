//! The atproto data model as lexperm needs it, shared by record generation and network
//! verification.
//!
//! - [`cbor`]: DAG-CBOR encoder for data model values in their JSON form, and the decoder the
//!   proofs use; one owner of the CBOR head.
//! - [`cid`]: CIDv1 (dag-cbor, sha2-256) and its base32 string form.
//! - [`varint`]: the multiformats unsigned varint of CIDs and CAR files.
//! - [`car`]: CAR v1 reading, every block checked against its CID.
//! - [`proof`]: repository proofs (`com.atproto.sync.getRecord`): the signed commit, the MST path
//!   and the record block.
//!
//! Pure: no IO, no network.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod base;
pub mod car;
pub mod cbor;
pub mod cid;
pub mod proof;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod varint;
