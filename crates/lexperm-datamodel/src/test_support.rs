//! Builders for signed test repositories: DAG-CBOR blocks, CAR v1 files, version 3 commits and
//! `Multikey` keys. For tests of this crate and of crates that verify proofs (feature
//! `test-support`).

use k256::ecdsa::signature::Signer;
use serde_json::{json, Value};

use crate::cid::Cid;

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
