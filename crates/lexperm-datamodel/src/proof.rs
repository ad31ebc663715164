//! Repository proofs. `com.atproto.repo.getRecord` returns a record and the CID the PDS claims
//! for it; `com.atproto.sync.getRecord` returns a CAR file that proves the claim: the signed
//! commit at the CAR's root, the MST nodes on the path to the record's key, and the record block.
//! [`verify_record_proof`] checks every link of that chain, so a fetched lexicon is the one the
//! authority's signing key committed to, not only something the PDS says.
//!
//! Only what the proof needs is implemented: CAR v1 reading, a DAG-CBOR decoder for commits and
//! MST nodes, MST key lookup, and ECDSA (secp256k1 or P-256, low-S) over the unsigned commit.

use std::collections::HashMap;
use std::ops::Range;

use crate::cid::Cid;
use sha2::{Digest, Sha256};

/// What a verified proof says about the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofSummary {
    /// The CID of the signed commit.
    pub commit: String,
    /// The commit's revision (a TID).
    pub rev: String,
}

/// A repository signing key as a DID document lists it: the verification method's `type`
/// (`Multikey`, or the legacy `EcdsaSecp256k1VerificationKey2019` /
/// `EcdsaSecp256r1VerificationKey2019`) and its `publicKeyMultibase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningKey<'a> {
    /// The verification method type.
    pub kind: &'a str,
    /// `z` + base58btc of the key.
    pub public_key_multibase: &'a str,
}

/// Checks that `car` (a `com.atproto.sync.getRecord` answer) proves that the repository of `did`,
/// signed with `key` (the DID document's `#atproto` key), holds `record_cid` at
/// `collection/rkey`.
pub fn verify_record_proof(
    car: &[u8],
    did: &str,
    key: SigningKey<'_>,
    collection: &str,
    rkey: &str,
    record_cid: &Cid,
) -> Result<ProofSummary, String> {
    let key = PublicKey::from_method(key)?;
    let (root, blocks) = read_car(car)?;
    let commit_bytes = blocks
        .get(root.as_bytes())
        .ok_or("the CAR does not hold its root block (the commit)")?;
    let commit = decode(commit_bytes)?;
    let entries = commit.map().ok_or("the commit is not a map")?;
    let field = |name: &str| entries.iter().find(|e| e.key == name);
    let text = |name: &str| match field(name).map(|e| &e.value) {
        Some(Cbor::Text(t)) => Ok(*t),
        _ => Err(format!("the commit has no text `{name}`")),
    };
    let commit_did = text("did")?;
    if commit_did != did {
        return Err(format!("the commit is for {commit_did}, not {did}"));
    }
    match field("version").map(|e| &e.value) {
        Some(Cbor::Uint(2 | 3)) => {}
        _ => return Err("the commit is not a version 2 or 3 commit".into()),
    }
    let rev = text("rev")?.to_owned();
    let Some(Cbor::Link(data)) = field("data").map(|e| &e.value) else {
        return Err("the commit has no `data` link".into());
    };
    let Some(sig_entry) = field("sig") else {
        return Err("the commit is not signed".into());
    };
    let Cbor::Bytes(signature) = sig_entry.value else {
        return Err("the commit's `sig` is not a byte string".into());
    };
    // The unsigned commit is the same map without `sig`; DAG-CBOR's key order is unchanged by
    // removing an entry, so its encoding is the signed one with that entry cut out.
    let unsigned = without_entry(commit_bytes, entries, sig_entry);
    key.verify(&unsigned, signature)?;

    let data = Cid::from_bytes(data).map_err(|e| format!("bad MST root link: {e}"))?;
    let path = format!("{collection}/{rkey}");
    match mst_lookup(&blocks, &data, path.as_bytes())? {
        Some(found) if found == *record_cid => {}
        Some(found) => {
            return Err(format!(
                "the signed repository holds {found} at {path}, not {record_cid}"
            ))
        }
        None => return Err(format!("the signed repository has no record at {path}")),
    }
    Ok(ProofSummary {
        commit: root.to_string(),
        rev,
    })
}

/// A commit signing key (`#atproto` Multikey).
enum PublicKey {
    K256(k256::ecdsa::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

impl PublicKey {
    /// `z` + base58btc of: for `Multikey`, the multicodec (`secp256k1-pub` 0xe7 or `p256-pub`
    /// 0x1200) and the compressed point; for the legacy `EcdsaSecp256k1VerificationKey2019` and
    /// `EcdsaSecp256r1VerificationKey2019` types, the bare point (compressed or not).
    fn from_method(key: SigningKey<'_>) -> Result<PublicKey, String> {
        let encoded = key
            .public_key_multibase
            .strip_prefix('z')
            .ok_or("the signing key is not base58btc multibase (`z…`)")?;
        let bytes = bs58::decode(encoded)
            .into_vec()
            .map_err(|e| format!("the signing key is not base58btc: {e}"))?;
        let k256 = |point: &[u8]| {
            k256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::K256)
                .map_err(|_| "the secp256k1 signing key is not a valid point".to_string())
        };
        let p256 = |point: &[u8]| {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P256)
                .map_err(|_| "the P-256 signing key is not a valid point".to_string())
        };
        match (key.kind, bytes.as_slice()) {
            ("Multikey", [0xe7, 0x01, point @ ..]) => k256(point),
            ("Multikey", [0x80, 0x24, point @ ..]) => p256(point),
            ("Multikey", _) => {
                Err("the Multikey signing key is neither secp256k1 nor P-256".into())
            }
            ("EcdsaSecp256k1VerificationKey2019", point) => k256(point),
            ("EcdsaSecp256r1VerificationKey2019", point) => p256(point),
            (other, _) => Err(format!("unsupported verification method type `{other}`")),
        }
    }

    /// ECDSA over SHA-256 of `message`; the signature is 64 bytes `r || s` with a low `s`, as
    /// atproto requires.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), String> {
        use k256::ecdsa::signature::Verifier;
        let bad = || "the commit signature does not verify with the DID's signing key".to_string();
        match self {
            PublicKey::K256(key) => {
                let sig = k256::ecdsa::Signature::from_slice(signature).map_err(|_| bad())?;
                if sig.normalize_s().is_some() {
                    return Err("the commit signature is not in low-S form".into());
                }
                key.verify(message, &sig).map_err(|_| bad())
            }
            PublicKey::P256(key) => {
                let sig = p256::ecdsa::Signature::from_slice(signature).map_err(|_| bad())?;
                if sig.normalize_s().is_some() {
                    return Err("the commit signature is not in low-S form".into());
                }
                key.verify(message, &sig).map_err(|_| bad())
            }
        }
    }
}

/// Blocks by binary CID.
type Blocks<'a> = HashMap<&'a [u8], &'a [u8]>;

/// The CAR's root and its blocks, each checked against its CID's SHA-256.
fn read_car(car: &[u8]) -> Result<(Cid, Blocks<'_>), String> {
    let mut at = 0;
    let header_len = varint(car, &mut at)? as usize;
    let header = car
        .get(at..at + header_len)
        .ok_or("the CAR header is cut off")?;
    at += header_len;
    let header = decode(header)?;
    let roots = header
        .map()
        .and_then(|m| m.iter().find(|e| e.key == "roots"))
        .and_then(|e| match &e.value {
            Cbor::Array(items) => Some(items),
            _ => None,
        })
        .ok_or("the CAR header has no roots")?;
    let [Cbor::Link(root)] = roots.as_slice() else {
        return Err("the CAR must have exactly one root".into());
    };
    let root = Cid::from_bytes(root).map_err(|e| format!("bad CAR root: {e}"))?;
    let mut blocks = HashMap::new();
    while at < car.len() {
        let len = varint(car, &mut at)? as usize;
        let section = car.get(at..at + len).ok_or("a CAR block is cut off")?;
        at += len;
        let cid_len = cid_length(section)?;
        let (cid_bytes, data) = section.split_at(cid_len);
        let cid = Cid::from_bytes(cid_bytes).map_err(|e| format!("bad block CID: {e}"))?;
        if cid.hash_code() != 0x12 || Sha256::digest(data).as_slice() != cid.digest() {
            return Err(format!("block {cid} does not hash to its CID"));
        }
        blocks.insert(cid_bytes, data);
    }
    Ok((root, blocks))
}

/// The length of the binary CIDv1 at the start of `bytes`.
fn cid_length(bytes: &[u8]) -> Result<usize, String> {
    let mut at = 0;
    let version = varint(bytes, &mut at)?;
    if version != 1 {
        return Err(format!("block CID version {version} (only CIDv1 is used)"));
    }
    varint(bytes, &mut at)?; // codec
    varint(bytes, &mut at)?; // hash function
    let digest = varint(bytes, &mut at)? as usize;
    if at + digest > bytes.len() {
        return Err("a block CID is cut off".into());
    }
    Ok(at + digest)
}

/// An unsigned LEB128 varint at `*at`, at most 9 bytes.
fn varint(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..63).step_by(7) {
        let b = *bytes.get(*at).ok_or("a varint is cut off")?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a varint is too long".into())
}

/// The value stored under `key` in the MST rooted at `node`, `None` when the tree (as far as the
/// proof shows it) has no such key. A missing block on the path is an error.
fn mst_lookup(blocks: &Blocks<'_>, node: &Cid, key: &[u8]) -> Result<Option<Cid>, String> {
    let mut next = Some(node.clone());
    // A tree deeper than 64 levels is not a real repository.
    for _ in 0..64 {
        let Some(cid) = next.take() else {
            return Ok(None);
        };
        let bytes = blocks
            .get(cid.as_bytes())
            .ok_or_else(|| format!("the proof lacks MST node {cid}"))?;
        let node = decode(bytes)?;
        let fields = node.map().ok_or("an MST node is not a map")?;
        let get = |name: &str| fields.iter().find(|e| e.key == name).map(|e| &e.value);
        let mut left = link_or_null(get("l"), "l")?;
        let Some(Cbor::Array(entries)) = get("e") else {
            return Err("an MST node has no entry list `e`".into());
        };
        let mut previous: Vec<u8> = Vec::new();
        let mut descend = None;
        for entry in entries {
            let entry = entry.map().ok_or("an MST entry is not a map")?;
            let get = |name: &str| entry.iter().find(|e| e.key == name).map(|e| &e.value);
            let (Some(Cbor::Uint(prefix)), Some(Cbor::Bytes(suffix)), Some(Cbor::Link(value))) =
                (get("p"), get("k"), get("v"))
            else {
                return Err("an MST entry lacks `p`, `k` or `v`".into());
            };
            let prefix = usize::try_from(*prefix).unwrap_or(usize::MAX);
            if prefix > previous.len() {
                return Err("an MST entry's prefix is longer than the previous key".into());
            }
            previous.truncate(prefix);
            previous.extend_from_slice(suffix);
            match key.cmp(previous.as_slice()) {
                std::cmp::Ordering::Less => {
                    descend = Some(left.take());
                    break;
                }
                std::cmp::Ordering::Equal => {
                    return Cid::from_bytes(value)
                        .map(Some)
                        .map_err(|e| format!("bad MST value link: {e}"));
                }
                std::cmp::Ordering::Greater => left = link_or_null(get("t"), "t")?,
            }
        }
        next = descend.unwrap_or(left);
    }
    Err("the MST is deeper than 64 levels".into())
}

fn link_or_null(value: Option<&Cbor<'_>>, name: &str) -> Result<Option<Cid>, String> {
    match value {
        None | Some(Cbor::Null) => Ok(None),
        Some(Cbor::Link(bytes)) => Cid::from_bytes(bytes)
            .map(Some)
            .map_err(|e| format!("bad MST link `{name}`: {e}")),
        Some(_) => Err(format!("an MST `{name}` is neither a link nor null")),
    }
}

/// `bytes` (a DAG-CBOR map whose entries are `entries`) without the entry `cut`.
fn without_entry(bytes: &[u8], entries: &[Entry<'_>], cut: &Entry<'_>) -> Vec<u8> {
    let count = entries.len() - 1;
    let mut out = Vec::with_capacity(bytes.len());
    write_head(&mut out, 5, count as u64);
    for entry in entries {
        if entry.range != cut.range {
            out.extend_from_slice(&bytes[entry.range.clone()]);
        }
    }
    out
}

/// A DAG-CBOR head: major type and argument, shortest form.
fn write_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let major = major << 5;
    match arg {
        0..=23 => out.push(major | arg as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(arg as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&arg.to_be_bytes());
        }
    }
}

/// A decoded DAG-CBOR value (the subset commits and MST nodes use).
#[derive(Debug)]
enum Cbor<'a> {
    Uint(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Cbor<'a>>),
    Map(Vec<Entry<'a>>),
    /// Tag 42: the binary CID (after its 0x00 prefix).
    Link(&'a [u8]),
    Null,
    /// `true` or `false` (no check needs which).
    Bool,
}

/// One map entry and the bytes it spans (key and value).
#[derive(Debug)]
struct Entry<'a> {
    key: &'a str,
    value: Cbor<'a>,
    range: Range<usize>,
}

impl<'a> Cbor<'a> {
    fn map(&self) -> Option<&[Entry<'a>]> {
        match self {
            Cbor::Map(entries) => Some(entries),
            _ => None,
        }
    }
}

/// Decodes one whole DAG-CBOR value.
fn decode(bytes: &[u8]) -> Result<Cbor<'_>, String> {
    let mut at = 0;
    let value = decode_at(bytes, &mut at, 0)?;
    if at != bytes.len() {
        return Err("trailing bytes after a CBOR value".into());
    }
    Ok(value)
}

fn decode_at<'a>(bytes: &'a [u8], at: &mut usize, depth: usize) -> Result<Cbor<'a>, String> {
    if depth > 32 {
        return Err("CBOR nested too deeply".into());
    }
    let first = *bytes.get(*at).ok_or("a CBOR value is cut off")?;
    *at += 1;
    let (major, info) = (first >> 5, first & 0x1f);
    let arg = match info {
        0..=23 => u64::from(info),
        24..=27 => {
            let n = 1usize << (info - 24);
            let raw = bytes.get(*at..*at + n).ok_or("a CBOR head is cut off")?;
            *at += n;
            raw.iter().fold(0u64, |v, &b| (v << 8) | u64::from(b))
        }
        _ => return Err("indefinite-length or reserved CBOR (not DAG-CBOR)".into()),
    };
    let take = |at: &mut usize, n: u64| -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "a CBOR length is too large")?;
        let end = at.checked_add(n).ok_or("a CBOR length is too large")?;
        let slice = bytes.get(*at..end).ok_or("a CBOR string is cut off")?;
        *at = end;
        Ok(slice)
    };
    Ok(match major {
        0 => Cbor::Uint(arg),
        2 => Cbor::Bytes(take(at, arg)?),
        3 => Cbor::Text(std::str::from_utf8(take(at, arg)?).map_err(|_| "CBOR text is not UTF-8")?),
        4 => {
            let mut items = Vec::new();
            for _ in 0..arg {
                items.push(decode_at(bytes, at, depth + 1)?);
            }
            Cbor::Array(items)
        }
        5 => {
            let mut entries = Vec::new();
            for _ in 0..arg {
                let start = *at;
                let Cbor::Text(key) = decode_at(bytes, at, depth + 1)? else {
                    return Err("a CBOR map key is not text (not DAG-CBOR)".into());
                };
                let value = decode_at(bytes, at, depth + 1)?;
                entries.push(Entry {
                    key,
                    value,
                    range: start..*at,
                });
            }
            Cbor::Map(entries)
        }
        6 if arg == 42 => match decode_at(bytes, at, depth + 1)? {
            Cbor::Bytes([0, cid @ ..]) => Cbor::Link(cid),
            _ => return Err("a CBOR tag 42 does not hold 0x00 + a CID".into()),
        },
        7 => match info {
            20 | 21 => Cbor::Bool,
            22 => Cbor::Null,
            _ => {
                return Err("unsupported CBOR simple value or float in a commit or MST node".into())
            }
        },
        _ => {
            return Err(format!(
                "unsupported CBOR major type {major} in a commit or MST node"
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;
    use serde_json::json;

    use crate::test_support::{
        base64, car_file, dag_cbor_block as block, key_multibase, signed_commit,
    };

    struct Repo {
        key: k256::ecdsa::SigningKey,
        multibase: String,
    }

    impl Repo {
        fn new(seed: u8) -> Repo {
            let key = k256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("key");
            let multibase = key_multibase(&key);
            Repo { key, multibase }
        }

        fn key(&self) -> SigningKey<'_> {
            SigningKey {
                kind: "Multikey",
                public_key_multibase: &self.multibase,
            }
        }

        /// A proof CAR for a repository of `did` holding `records` (sorted keys) in a two-level
        /// MST: the first record in a left subtree, the others in the root node. `drop_block`
        /// leaves one block out (0 commit, 1 root node, 2 leaf).
        fn proof(&self, did: &str, records: &[(&str, &Cid)], drop_block: Option<usize>) -> Vec<u8> {
            let entry = |prefix: usize, key: &str, value: &Cid| {
                json!({
                    "k": {"$bytes": base64(&key.as_bytes()[prefix..])},
                    "p": prefix,
                    "t": null,
                    "v": {"$link": value.to_string()},
                })
            };
            let (first_key, first_cid) = records[0];
            let leaf = block(&json!({"e": [entry(0, first_key, first_cid)], "l": null}));
            let mut entries = Vec::new();
            let mut previous = "";
            for (key, cid) in &records[1..] {
                let prefix = key
                    .bytes()
                    .zip(previous.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                entries.push(entry(prefix, key, cid));
                previous = key;
            }
            let root = block(&json!({"e": entries, "l": {"$link": leaf.0.to_string()}}));
            let commit = signed_commit(did, &root.0, &self.key);
            let mut blocks = vec![commit.clone(), root, leaf];
            if let Some(i) = drop_block {
                blocks.remove(i);
            }
            car_file(&commit.0, &blocks)
        }
    }

    #[test]
    fn a_valid_proof_verifies_and_every_broken_link_is_named() {
        let repo = Repo::new(7);
        let (good, _) = block(&json!({"id": "com.example.good"}));
        let (other, _) = block(&json!({"id": "com.example.other"}));
        let did = "did:plc:abc";
        let records = [
            ("com.atproto.lexicon.schema/com.example.a", &other),
            ("com.atproto.lexicon.schema/com.example.good", &good),
            ("com.atproto.lexicon.schema/com.example.zzz", &other),
        ];
        let proof = repo.proof(did, &records, None);
        let ok = verify_record_proof(
            &proof,
            did,
            repo.key(),
            "com.atproto.lexicon.schema",
            "com.example.good",
            &good,
        )
        .expect("valid proof");
        assert_eq!(ok.rev, "3l3qo2vutsw2b");
        // The record in the left subtree is found too.
        verify_record_proof(
            &proof,
            did,
            repo.key(),
            "com.atproto.lexicon.schema",
            "com.example.a",
            &other,
        )
        .expect("left subtree");

        fn multikey(multibase: &str) -> SigningKey<'_> {
            SigningKey {
                kind: "Multikey",
                public_key_multibase: multibase,
            }
        }
        let fail = |car: &[u8], key: &str, rkey: &str, cid: &Cid, did: &str| {
            verify_record_proof(
                car,
                did,
                multikey(key),
                "com.atproto.lexicon.schema",
                rkey,
                cid,
            )
            .unwrap_err()
        };
        let err = fail(&proof, &repo.multibase, "com.example.good", &other, did);
        assert!(err.contains("not bafyrei"), "{err}");
        let err = fail(&proof, &repo.multibase, "com.example.absent", &good, did);
        assert!(err.contains("no record at"), "{err}");
        let err = fail(
            &proof,
            &Repo::new(9).multibase,
            "com.example.good",
            &good,
            did,
        );
        assert!(err.contains("does not verify"), "{err}");
        let err = fail(
            &proof,
            &repo.multibase,
            "com.example.good",
            &good,
            "did:plc:xyz",
        );
        assert!(err.contains("the commit is for did:plc:abc"), "{err}");
        let missing = repo.proof(did, &records, Some(1));
        let err = fail(&missing, &repo.multibase, "com.example.good", &good, did);
        assert!(err.contains("lacks MST node"), "{err}");
        let mut tampered = proof.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let err = fail(&tampered, &repo.multibase, "com.example.good", &good, did);
        assert!(err.contains("does not hash to its CID"), "{err}");
        let err = fail(
            &proof[..proof.len() - 5],
            &repo.multibase,
            "com.example.good",
            &good,
            did,
        );
        assert!(err.contains("cut off"), "{err}");
        let err = fail(&proof, "zQ3sh", "com.example.good", &good, did);
        assert!(err.contains("signing key"), "{err}");

        // The legacy DID document form: the bare uncompressed point, typed by curve.
        let point = repo.key.verifying_key().to_encoded_point(false);
        let legacy = format!("z{}", bs58::encode(point.as_bytes()).into_string());
        let with_legacy = |kind| {
            let key = SigningKey {
                kind,
                public_key_multibase: &legacy,
            };
            let rkey = "com.example.good";
            verify_record_proof(&proof, did, key, "com.atproto.lexicon.schema", rkey, &good)
        };
        with_legacy("EcdsaSecp256k1VerificationKey2019").expect("legacy key form");
        let err = with_legacy("JsonWebKey2020").unwrap_err();
        assert!(
            err.contains("unsupported verification method type"),
            "{err}"
        );
    }

    #[test]
    fn high_s_signatures_are_refused() {
        let repo = Repo::new(3);
        let (good, _) = block(&json!({"id": "com.example.good"}));
        let unsigned = json!({"did": "did:plc:abc", "version": 3, "data": {"$link": good.to_string()}, "rev": "r", "prev": null});
        let (_, bytes) = block(&unsigned);
        let sig: k256::ecdsa::Signature = repo.key.sign(&bytes);
        let low = sig.normalize_s().unwrap_or(sig);
        let s: k256::Scalar = *low.s().as_ref();
        let high = k256::ecdsa::Signature::from_scalars(low.r().to_bytes(), (-s).to_bytes())
            .expect("signature");
        let key = PublicKey::from_method(repo.key()).unwrap();
        assert!(key.verify(&bytes, &low.to_bytes()).is_ok());
        let err = key.verify(&bytes, &high.to_bytes()).unwrap_err();
        assert!(err.contains("low-S"), "{err}");
    }

    #[test]
    fn decoder_refuses_what_dag_cbor_forbids() {
        for (bytes, needle) in [
            (&[0x9f, 0xff][..], "indefinite"),
            (&[0xa1, 0x01, 0x02][..], "not text"),
            (&[0xf9, 0x00, 0x00][..], "float"),
            (&[0x62, 0x61][..], "cut off"),
            (&[0xd8, 0x2a, 0x41, 0x01][..], "tag 42"),
            (&[0x01, 0x02][..], "trailing"),
        ] {
            let err = decode(bytes).unwrap_err();
            assert!(err.contains(needle), "{bytes:x?}: {err}");
        }
        let mut deep = vec![0x81; 40];
        deep.push(0x01);
        assert!(decode(&deep).unwrap_err().contains("deeply"));
    }
}
