//! Builders for signed test repositories: DAG-CBOR blocks, CAR v1 files, version 3 commits and
//! `Multikey` keys. For tests of this crate and of crates that verify proofs (feature
//! `test-support`).

use k256::ecdsa::signature::Signer;
use serde_json::{json, Value};

use crate::cid::Cid;
use crate::proof::{verify_record_proof, ProofError, ProofSummary, SigningKey};

/// `z` + base58btc of `secp256k1-pub` and the compressed point: a DID document's Multikey.
pub fn key_multibase(key: &k256::ecdsa::SigningKey) -> String {
    let point = key.verifying_key().to_encoded_point(true);
    let mut bytes = vec![0xe7, 0x01];
    bytes.extend_from_slice(point.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// DAG-CBOR of a JSON value (`$link` and `$bytes` as the data model writes them) and its CID.
pub fn dag_cbor_block(value: &Value) -> (Cid, Vec<u8>) {
    let bytes = crate::cbor::encode(value).expect("encodable");
    (Cid::for_dag_cbor(&bytes), bytes)
}

/// Standard base64 without padding, for `$bytes`.
pub fn base64(bytes: &[u8]) -> String {
    crate::base::base64_encode(bytes)
}

/// A CAR v1 file with `root` and `blocks`.
pub fn car_file(root: &Cid, blocks: &[(Cid, Vec<u8>)]) -> Vec<u8> {
    let (_, header) =
        dag_cbor_block(&json!({"roots": [{"$link": root.to_string()}], "version": 1}));
    let mut out = Vec::new();
    crate::varint::encode(&mut out, header.len() as u64);
    out.extend_from_slice(&header);
    for (cid, data) in blocks {
        crate::varint::encode(&mut out, (cid.as_bytes().len() + data.len()) as u64);
        out.extend_from_slice(cid.as_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// A version 3 commit of `did` over the MST root `data`, signed with `key` (low-S).
pub fn signed_commit(did: &str, data: &Cid, key: &k256::ecdsa::SigningKey) -> (Cid, Vec<u8>) {
    let unsigned = json!({
        "did": did,
        "version": 3,
        "data": {"$link": data.to_string()},
        "rev": "3l3qo2vutsw2b",
        "prev": null,
    });
    let (_, unsigned_bytes) = dag_cbor_block(&unsigned);
    let sig: k256::ecdsa::Signature = key.sign(&unsigned_bytes);
    let sig = sig.normalize_s().unwrap_or(sig);
    let mut signed = unsigned;
    signed["sig"] = json!({"$bytes": base64(&sig.to_bytes())});
    dag_cbor_block(&signed)
}

/// A complete, valid repository proof: what [`crate::proof::verify_record_proof`] accepts.
#[derive(Debug, Clone)]
pub struct ProofExample {
    /// The signing key of the repository.
    pub key: k256::ecdsa::SigningKey,
    /// [`key_multibase`] of `key` (a `Multikey`).
    pub key_multibase: String,
    /// The repository's DID.
    pub did: &'static str,
    /// The record's collection.
    pub collection: &'static str,
    /// The record's key.
    pub rkey: &'static str,
    /// The record's CID, which the MST holds at `collection/rkey`.
    pub record_cid: Cid,
    /// The MST nodes, the root first: a root with one entry over a left subtree that holds the
    /// record.
    pub mst_nodes: Vec<(Cid, Vec<u8>)>,
    /// The CAR file: the signed commit (its root), the MST nodes and the record block.
    pub car: Vec<u8>,
}

impl ProofExample {
    /// [`verify_record_proof`] of `car` for this example's record, with `key` as the
    /// repository's signing key.
    pub fn verify(&self, car: &[u8], key: SigningKey<'_>) -> Result<ProofSummary, ProofError> {
        verify_record_proof(
            car,
            self.did,
            key,
            self.collection,
            self.rkey,
            &self.record_cid,
        )
    }

    /// This example's key as a DID document lists it (a `Multikey`).
    pub fn signing_key(&self) -> SigningKey<'_> {
        SigningKey {
            kind: "Multikey",
            public_key_multibase: &self.key_multibase,
        }
    }
}

/// A [`ProofExample`] for a lexicon record `com.atproto.lexicon.schema/com.example.fuzz` in the
/// repository of `did:plc:abc`, signed with a fixed secp256k1 key.
pub fn proof_example() -> ProofExample {
    let key = k256::ecdsa::SigningKey::from_slice(&[7; 32]).expect("a valid secp256k1 key");
    let (did, collection, rkey) = (
        "did:plc:abc",
        "com.atproto.lexicon.schema",
        "com.example.fuzz",
    );
    let record = dag_cbor_block(&json!({"lexicon": 1, "id": "com.example.fuzz", "defs": {}}));
    let other = dag_cbor_block(&json!({"lexicon": 1, "id": "com.example.a", "defs": {}}));
    let entry = |prefix: usize, key: &str, value: &Cid| {
        json!({
            "k": {"$bytes": base64(&key.as_bytes()[prefix..])},
            "p": prefix,
            "t": null,
            "v": {"$link": value.to_string()},
        })
    };
    // The record sits in the left subtree of the root, after a key it shares a prefix with.
    let (first, wanted) = (
        format!("{collection}/com.example.a"),
        format!("{collection}/{rkey}"),
    );
    let shared = first
        .bytes()
        .zip(wanted.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let leaf = dag_cbor_block(&json!({
        "e": [entry(0, &first, &other.0), entry(shared, &wanted, &record.0)],
        "l": null,
    }));
    let last = format!("{collection}/com.example.zzz");
    let root = dag_cbor_block(&json!({
        "e": [entry(0, &last, &other.0)],
        "l": {"$link": leaf.0.to_string()},
    }));
    let commit = signed_commit(did, &root.0, &key);
    let mst_nodes = vec![root, leaf];
    let mut blocks = vec![commit.clone()];
    blocks.extend(mst_nodes.iter().cloned());
    blocks.push(record.clone());
    ProofExample {
        key_multibase: key_multibase(&key),
        key,
        did,
        collection,
        rkey,
        record_cid: record.0,
        mst_nodes,
        car: car_file(&commit.0, &blocks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proof_example_verifies() {
        let example = proof_example();
        let summary = example
            .verify(&example.car, example.signing_key())
            .expect("a valid proof");
        let root = crate::car::Car::read(&example.car)
            .unwrap()
            .root()
            .to_string();
        assert_eq!(summary.commit, root);
    }
}
