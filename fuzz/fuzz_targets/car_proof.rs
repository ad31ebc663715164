//! Fuzz target: the repository proof reader (`lexperm_datamodel::{car, proof}` and the DAG-CBOR
//! decoder under them). Errors are expected; panics, hangs and runaway allocation are not.
//!
//! The first byte picks what the rest is (see `docs/fuzzing.md` for the seed layout):
//! - `0`: a whole CAR file, verified as the proof of the example record (`proof_example`);
//! - `1`: a CAR header (the DAG-CBOR decoder on any bytes), then CIDs and varints read from it;
//! - `2`: the record path, then MST node blocks, each after [`SEPARATOR`]: the harness signs a
//!   commit over the first node and hashes every block, so the MST walk sees the nodes as given;
//! - `3`: a signing key, `type` and `publicKeyMultibase` split at the first zero byte, checked
//!   against the example proof; the multibase is also read as a CID string.
#![no_main]

use std::sync::OnceLock;

use lexperm_datamodel::car::Car;
use lexperm_datamodel::cid::Cid;
use lexperm_datamodel::proof::{verify_record_proof, SigningKey};
use lexperm_datamodel::test_support::{car_file, proof_example, signed_commit, ProofExample};
use lexperm_datamodel::varint;
use libfuzzer_sys::fuzz_target;

/// Separates the record path and the blocks of mode 2.
const SEPARATOR: &[u8] = b"\xff\xff\xff\xff";

fn example() -> &'static ProofExample {
    static EXAMPLE: OnceLock<ProofExample> = OnceLock::new();
    EXAMPLE.get_or_init(proof_example)
}

/// The parts of `bytes` between [`SEPARATOR`]s.
fn split(bytes: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = bytes;
    while let Some(at) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(&rest[..at]);
        rest = &rest[at + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let example = example();
    match mode % 4 {
        0 => {
            let _ = example.verify(rest, example.signing_key());
        }
        1 => {
            let mut car = Vec::new();
            varint::encode(&mut car, rest.len() as u64);
            car.extend_from_slice(rest);
            let _ = Car::read(&car);
            let _ = Cid::from_bytes(rest);
            if let Ok((cid, len)) = Cid::read_prefix(rest) {
                assert!(len <= rest.len());
                assert_eq!(Cid::parse(&cid.to_string()).as_ref(), Ok(&cid));
            }
            let mut at = 0;
            while at < rest.len() && varint::decode(rest, &mut at).is_ok() {}
        }
        2 => {
            let parts = split(rest);
            let (path, nodes) = (parts[0], &parts[1..]);
            let Some(first) = nodes.first() else {
                return;
            };
            let path = String::from_utf8_lossy(path);
            let (collection, rkey) = path.split_once('/').unwrap_or((&path, ""));
            let commit = signed_commit(example.did, &Cid::for_dag_cbor(first), &example.key);
            let mut blocks = vec![commit.clone()];
            blocks.extend(
                nodes
                    .iter()
                    .map(|node| (Cid::for_dag_cbor(node), node.to_vec())),
            );
            let car = car_file(&commit.0, &blocks);
            let _ = verify_record_proof(
                &car,
                example.did,
                example.signing_key(),
                collection,
                rkey,
                &example.record_cid,
            );
        }
        _ => {
            let (kind, multibase) = match rest.iter().position(|&b| b == 0) {
                Some(at) => (&rest[..at], &rest[at + 1..]),
                None => (&b"Multikey"[..], rest),
            };
            let kind = String::from_utf8_lossy(kind);
            let multibase = String::from_utf8_lossy(multibase);
            let key = SigningKey {
                kind: &kind,
                public_key_multibase: &multibase,
            };
            let _ = example.verify(&example.car, key);
            if let Ok(cid) = Cid::parse(&multibase) {
                assert_eq!(Cid::from_bytes(cid.as_bytes()).as_ref(), Ok(&cid));
            }
        }
    }
});
