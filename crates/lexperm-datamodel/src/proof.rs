//! Repository proofs. `com.atproto.repo.getRecord` returns a record and the CID the PDS claims
//! for it; `com.atproto.sync.getRecord` returns a CAR file that proves the claim: the signed
//! commit at the CAR's root, the MST nodes on the path to the record's key, and the record block.
//! [`verify_record_proof`] checks every link of that chain, so a fetched lexicon is the one the
//! authority's signing key committed to, not only something the PDS says.
//!
//! Only what the proof needs is implemented: CAR v1 reading ([`crate::car`]), DAG-CBOR decoding of
//! commits and MST nodes, MST key lookup, and ECDSA (secp256k1 or P-256, low-S) over the unsigned
//! commit.

use std::fmt;

use crate::car::{Car, CarError};
use crate::cbor::decode::{decode, get, Cbor, Entry};
use crate::cbor::{head, DecodeError};
use crate::cid::{Cid, CidError};

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

/// The elliptic curve of a signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// secp256k1 (`K256`).
    Secp256k1,
    /// NIST P-256 (`ES256`).
    P256,
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Curve::Secp256k1 => "secp256k1",
            Curve::P256 => "P-256",
        })
    }
}

/// What is wrong with a node of the MST on the path to the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MstProblem {
    /// The node is not a map.
    #[error("an MST node is not a map")]
    NodeNotMap,
    /// The node has no `e` array.
    #[error("an MST node has no entry list `e`")]
    NoEntryList,
    /// An entry is not a map.
    #[error("an MST entry is not a map")]
    EntryNotMap,
    /// An entry lacks its prefix length, key suffix or value link.
    #[error("an MST entry lacks `p`, `k` or `v`")]
    EntryFields,
    /// An entry shares more bytes with the previous key than that key has.
    #[error(
        "an MST entry's prefix ({prefix} bytes) is longer than the previous key ({previous} bytes)"
    )]
    PrefixTooLong {
        /// The entry's `p`.
        prefix: u64,
        /// The length of the previous key.
        previous: usize,
    },
    /// A subtree field (`l` or `t`) is neither a link nor null.
    #[error("an MST `{field}` is neither a link nor null")]
    SubtreeNotLink {
        /// `l` or `t`.
        field: &'static str,
    },
}

/// Why a repository proof does not prove the record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The signing key is not `z` + base58btc.
    #[error("the signing key is not base58btc multibase (`z…`)")]
    KeyNotMultibase,
    /// The signing key's text after `z` is not base58btc.
    #[error("the signing key is not base58btc: {0}")]
    KeyNotBase58(bs58::decode::Error),
    /// The key bytes are not a point on the curve.
    #[error("the {curve} signing key is not a valid point")]
    InvalidPoint {
        /// The curve the key type names.
        curve: Curve,
    },
    /// A `Multikey` whose multicodec is neither `secp256k1-pub` nor `p256-pub`.
    #[error("the Multikey signing key is neither secp256k1 nor P-256")]
    UnsupportedMultikey,
    /// A verification method type other than `Multikey` and the two legacy ECDSA types.
    #[error("unsupported verification method type `{kind}`")]
    UnsupportedKeyType {
        /// The verification method's `type`.
        kind: String,
    },
    /// The CAR file is malformed, or a block does not hash to its CID.
    #[error(transparent)]
    Car(#[from] CarError),
    /// The CAR lacks the block of its root.
    #[error("the CAR does not hold its root block {root} (the commit)")]
    MissingCommit {
        /// The root CID.
        root: Cid,
    },
    /// A commit or MST node block is not DAG-CBOR.
    #[error("block {cid} is not DAG-CBOR: {source}")]
    Block {
        /// The block's CID.
        cid: Cid,
        /// What is wrong.
        source: DecodeError,
    },
    /// The commit is not a map.
    #[error("the commit is not a map")]
    CommitNotMap,
    /// A commit field is missing or of the wrong type.
    #[error("the commit's `{field}` is missing or not {expected}")]
    CommitField {
        /// `did`, `version`, `rev`, `data` or `sig`.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// The commit has no `sig`.
    #[error("the commit is not signed")]
    Unsigned,
    /// The commit is for another repository.
    #[error("the commit is for {found}, not {expected}")]
    DidMismatch {
        /// The DID asked for.
        expected: String,
        /// The commit's `did`.
        found: String,
    },
    /// The signature does not verify with the key (or is not 64 bytes `r || s`).
    #[error("the commit signature does not verify with the DID's signing key")]
    SignatureInvalid,
    /// The signature's `s` is in the upper half of the curve order.
    #[error("the commit signature is not in low-S form")]
    HighS,
    /// A link in the commit or the MST does not hold a valid CID.
    #[error("bad {link} link: {source}")]
    BadLink {
        /// `MST root`, `MST value`, ``MST `l` `` or ``MST `t` ``.
        link: &'static str,
        /// What is wrong.
        source: CidError,
    },
    /// The CAR lacks an MST node on the path to the record.
    #[error("the proof lacks MST node {cid}")]
    MissingMstNode {
        /// The node's CID.
        cid: Cid,
    },
    /// An MST node on the path is malformed.
    #[error("MST node {cid}: {problem}")]
    MstNode {
        /// The node's CID.
        cid: Cid,
        /// What is wrong.
        problem: MstProblem,
    },
    /// The path goes deeper than a real repository's MST.
    #[error("the MST is deeper than {MAX_MST_DEPTH} levels")]
    MstTooDeep,
    /// The signed repository holds another CID at the record's path.
    #[error("the signed repository holds {found} at {path}, not {expected}")]
    RecordMismatch {
        /// `collection/rkey`.
        path: String,
        /// The CID asked for.
        expected: Cid,
        /// The CID the MST holds.
        found: Cid,
    },
    /// The signed repository has nothing at the record's path.
    #[error("the signed repository has no record at {path}")]
    RecordAbsent {
        /// `collection/rkey`.
        path: String,
    },
}

/// Deepest MST path followed; a tree deeper than this is not a real repository.
const MAX_MST_DEPTH: usize = 64;

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
) -> Result<ProofSummary, ProofError> {
    let key = PublicKey::from_method(key)?;
    let car = Car::read(car)?;
    let root = car.root();
    let commit_bytes = car
        .block(root)
        .ok_or_else(|| ProofError::MissingCommit { root: root.clone() })?;
    let commit = decode_block(root, commit_bytes)?;
    let entries = commit.map().ok_or(ProofError::CommitNotMap)?;
    let field =
        |field: &'static str, expected: &'static str| ProofError::CommitField { field, expected };
    let Some(Cbor::Text(commit_did)) = get(entries, "did") else {
        return Err(field("did", "text"));
    };
    if *commit_did != did {
        return Err(ProofError::DidMismatch {
            expected: did.to_owned(),
            found: (*commit_did).to_owned(),
        });
    }
    let Some(Cbor::Uint(2 | 3)) = get(entries, "version") else {
        return Err(field("version", "2 or 3"));
    };
    let Some(Cbor::Text(rev)) = get(entries, "rev") else {
        return Err(field("rev", "text"));
    };
    let Some(Cbor::Link(data)) = get(entries, "data") else {
        return Err(field("data", "a link"));
    };
    let Some(sig_entry) = entries.iter().find(|e| e.key == "sig") else {
        return Err(ProofError::Unsigned);
    };
    let Cbor::Bytes(signature) = sig_entry.value else {
        return Err(field("sig", "a byte string"));
    };
    // The unsigned commit is the same map without `sig`; DAG-CBOR's key order is unchanged by
    // removing an entry, so its encoding is the signed one with that entry cut out.
    let unsigned = without_entry(commit_bytes, entries, sig_entry);
    key.verify(&unsigned, signature)?;

    let data = Cid::from_bytes(data).map_err(|source| ProofError::BadLink {
        link: "MST root",
        source,
    })?;
    let path = format!("{collection}/{rkey}");
    match mst_lookup(&car, &data, path.as_bytes())? {
        Some(found) if found == *record_cid => {}
        Some(found) => {
            return Err(ProofError::RecordMismatch {
                path,
                expected: record_cid.clone(),
                found,
            })
        }
        None => return Err(ProofError::RecordAbsent { path }),
    }
    Ok(ProofSummary {
        commit: root.to_string(),
        rev: (*rev).to_owned(),
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
    fn from_method(key: SigningKey<'_>) -> Result<PublicKey, ProofError> {
        let encoded = key
            .public_key_multibase
            .strip_prefix('z')
            .ok_or(ProofError::KeyNotMultibase)?;
        let bytes = bs58::decode(encoded)
            .into_vec()
            .map_err(ProofError::KeyNotBase58)?;
        let invalid = |curve| move |_| ProofError::InvalidPoint { curve };
        let k256 = |point: &[u8]| {
            k256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::K256)
                .map_err(invalid(Curve::Secp256k1))
        };
        let p256 = |point: &[u8]| {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P256)
                .map_err(invalid(Curve::P256))
        };
        match (key.kind, bytes.as_slice()) {
            ("Multikey", [0xe7, 0x01, point @ ..]) => k256(point),
            ("Multikey", [0x80, 0x24, point @ ..]) => p256(point),
            ("Multikey", _) => Err(ProofError::UnsupportedMultikey),
            ("EcdsaSecp256k1VerificationKey2019", point) => k256(point),
            ("EcdsaSecp256r1VerificationKey2019", point) => p256(point),
            (other, _) => Err(ProofError::UnsupportedKeyType {
                kind: other.to_owned(),
            }),
        }
    }

    /// ECDSA over SHA-256 of `message`; the signature is 64 bytes `r || s` with a low `s`, as
    /// atproto requires.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), ProofError> {
        use k256::ecdsa::signature::Verifier;
        let bad = |_| ProofError::SignatureInvalid;
        match self {
            PublicKey::K256(key) => {
                let sig = k256::ecdsa::Signature::from_slice(signature).map_err(bad)?;
                if sig.normalize_s().is_some() {
                    return Err(ProofError::HighS);
                }
                key.verify(message, &sig).map_err(bad)
            }
            PublicKey::P256(key) => {
                let sig = p256::ecdsa::Signature::from_slice(signature).map_err(bad)?;
                if sig.normalize_s().is_some() {
                    return Err(ProofError::HighS);
                }
                key.verify(message, &sig).map_err(bad)
            }
        }
    }
}

/// Decodes the block of `cid`.
fn decode_block<'a>(cid: &Cid, bytes: &'a [u8]) -> Result<Cbor<'a>, ProofError> {
    decode(bytes).map_err(|source| ProofError::Block {
        cid: cid.clone(),
        source,
    })
}

/// The value stored under `key` in the MST rooted at `node`, `None` when the tree (as far as the
/// proof shows it) has no such key. A missing block on the path is an error.
fn mst_lookup(car: &Car<'_>, node: &Cid, key: &[u8]) -> Result<Option<Cid>, ProofError> {
    let mut next = Some(node.clone());
    for _ in 0..MAX_MST_DEPTH {
        let Some(cid) = next.take() else {
            return Ok(None);
        };
        let bytes = car
            .block(&cid)
            .ok_or_else(|| ProofError::MissingMstNode { cid: cid.clone() })?;
        let node = decode_block(&cid, bytes)?;
        let malformed = |problem| ProofError::MstNode {
            cid: cid.clone(),
            problem,
        };
        let fields = node
            .map()
            .ok_or_else(|| malformed(MstProblem::NodeNotMap))?;
        let mut left = subtree(&cid, get(fields, "l"), "l")?;
        let Some(Cbor::Array(entries)) = get(fields, "e") else {
            return Err(malformed(MstProblem::NoEntryList));
        };
        let mut previous: Vec<u8> = Vec::new();
        let mut descend = None;
        for entry in entries {
            let entry = entry
                .map()
                .ok_or_else(|| malformed(MstProblem::EntryNotMap))?;
            let (Some(Cbor::Uint(prefix)), Some(Cbor::Bytes(suffix)), Some(Cbor::Link(value))) =
                (get(entry, "p"), get(entry, "k"), get(entry, "v"))
            else {
                return Err(malformed(MstProblem::EntryFields));
            };
            match usize::try_from(*prefix) {
                Ok(shared) if shared <= previous.len() => previous.truncate(shared),
                _ => {
                    return Err(malformed(MstProblem::PrefixTooLong {
                        prefix: *prefix,
                        previous: previous.len(),
                    }))
                }
            }
            previous.extend_from_slice(suffix);
            match key.cmp(previous.as_slice()) {
                std::cmp::Ordering::Less => {
                    descend = Some(left.take());
                    break;
                }
                std::cmp::Ordering::Equal => {
                    return Cid::from_bytes(value).map(Some).map_err(|source| {
                        ProofError::BadLink {
                            link: "MST value",
                            source,
                        }
                    });
                }
                std::cmp::Ordering::Greater => left = subtree(&cid, get(entry, "t"), "t")?,
            }
        }
        next = descend.unwrap_or(left);
    }
    Err(ProofError::MstTooDeep)
}

/// The subtree link `field` (`l` or `t`) of MST node `node`, `None` when absent or null.
fn subtree(
    node: &Cid,
    value: Option<&Cbor<'_>>,
    field: &'static str,
) -> Result<Option<Cid>, ProofError> {
    match value {
        None | Some(Cbor::Null) => Ok(None),
        Some(Cbor::Link(bytes)) => {
            Cid::from_bytes(bytes)
                .map(Some)
                .map_err(|source| ProofError::BadLink {
                    link: if field == "l" { "MST `l`" } else { "MST `t`" },
                    source,
                })
        }
        Some(_) => Err(ProofError::MstNode {
            cid: node.clone(),
            problem: MstProblem::SubtreeNotLink { field },
        }),
    }
}

/// `bytes` (a DAG-CBOR map whose entries are `entries`) without the entry `cut`.
fn without_entry(bytes: &[u8], entries: &[Entry<'_>], cut: &Entry<'_>) -> Vec<u8> {
    let count = entries.len() - 1;
    let mut out = Vec::with_capacity(bytes.len());
    head::write(&mut out, head::MAP, count as u64);
    for entry in entries {
        if entry.range != cut.range {
            out.extend_from_slice(&bytes[entry.range.clone()]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;
    use serde_json::{json, Value};

    use crate::car::RootError;
    use crate::test_support::{
        base64, car_file, dag_cbor_block as block, key_multibase, signed_commit,
    };

    const DID: &str = "did:plc:abc";
    const COLLECTION: &str = "com.atproto.lexicon.schema";

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

        /// A proof CAR whose signed commit points at `nodes[0]`, with `nodes` as the MST blocks.
        fn proof_over(&self, nodes: &[(Cid, Vec<u8>)]) -> Vec<u8> {
            let commit = signed_commit(DID, &nodes[0].0, &self.key);
            let mut blocks = vec![commit.clone()];
            blocks.extend_from_slice(nodes);
            car_file(&commit.0, &blocks)
        }

        /// Verifies `car` for `c/rkey` holding `cid` in the repository of `DID`.
        fn verify(&self, car: &[u8], rkey: &str, cid: &Cid) -> Result<ProofSummary, ProofError> {
            verify_record_proof(car, DID, self.key(), "c", rkey, cid)
        }
    }

    /// An MST entry for `key`, sharing `prefix` bytes with the previous key.
    fn entry(prefix: usize, key: &str, value: &Cid) -> Value {
        json!({
            "k": {"$bytes": base64(&key.as_bytes()[prefix..])},
            "p": prefix,
            "t": null,
            "v": {"$link": value.to_string()},
        })
    }

    /// `bytes` with the CID `link` inside it turned into a CIDv2 (which no reader accepts), as a
    /// block with its own CID.
    fn with_bad_link(bytes: &[u8], link: &Cid) -> (Cid, Vec<u8>) {
        let at = bytes
            .windows(link.as_bytes().len())
            .position(|w| w == link.as_bytes())
            .expect("the link is in the block");
        let mut patched = bytes.to_vec();
        patched[at] = 0x02;
        (Cid::for_dag_cbor(&patched), patched)
    }

    fn multikey(multibase: &str) -> SigningKey<'_> {
        SigningKey {
            kind: "Multikey",
            public_key_multibase: multibase,
        }
    }

    fn z(bytes: &[u8]) -> String {
        format!("z{}", bs58::encode(bytes).into_string())
    }

    #[test]
    fn a_valid_proof_verifies_and_every_broken_link_is_named() {
        let repo = Repo::new(7);
        let (good, _) = block(&json!({"id": "com.example.good"}));
        let (other, _) = block(&json!({"id": "com.example.other"}));
        let did = DID;
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
            COLLECTION,
            "com.example.good",
            &good,
        )
        .expect("valid proof");
        assert_eq!(ok.rev, "3l3qo2vutsw2b");
        // The record in the left subtree is found too.
        verify_record_proof(&proof, did, repo.key(), COLLECTION, "com.example.a", &other)
            .expect("left subtree");

        let fail = |car: &[u8], key: &str, rkey: &str, cid: &Cid, did: &str| {
            verify_record_proof(car, did, multikey(key), COLLECTION, rkey, cid).unwrap_err()
        };
        let err = fail(&proof, &repo.multibase, "com.example.good", &other, did);
        assert_eq!(
            err,
            ProofError::RecordMismatch {
                path: "com.atproto.lexicon.schema/com.example.good".into(),
                expected: other.clone(),
                found: good.clone(),
            }
        );
        assert!(err.to_string().contains("not bafyrei"), "{err}");
        let err = fail(&proof, &repo.multibase, "com.example.absent", &good, did);
        assert_eq!(
            err,
            ProofError::RecordAbsent {
                path: "com.atproto.lexicon.schema/com.example.absent".into()
            }
        );
        assert!(err.to_string().contains("no record at"), "{err}");
        let err = fail(
            &proof,
            &Repo::new(9).multibase,
            "com.example.good",
            &good,
            did,
        );
        assert_eq!(err, ProofError::SignatureInvalid);
        assert!(err.to_string().contains("does not verify"), "{err}");
        let err = fail(
            &proof,
            &repo.multibase,
            "com.example.good",
            &good,
            "did:plc:xyz",
        );
        assert_eq!(
            err,
            ProofError::DidMismatch {
                expected: "did:plc:xyz".into(),
                found: did.into()
            }
        );
        assert!(
            err.to_string().contains("the commit is for did:plc:abc"),
            "{err}"
        );
        let missing = repo.proof(did, &records, Some(1));
        let err = fail(&missing, &repo.multibase, "com.example.good", &good, did);
        assert!(matches!(err, ProofError::MissingMstNode { .. }), "{err:?}");
        assert!(err.to_string().contains("lacks MST node"), "{err}");
        let mut tampered = proof.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let err = fail(&tampered, &repo.multibase, "com.example.good", &good, did);
        assert!(
            matches!(err, ProofError::Car(CarError::HashMismatch { .. })),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("does not hash to its CID"),
            "{err}"
        );
        let err = fail(
            &proof[..proof.len() - 5],
            &repo.multibase,
            "com.example.good",
            &good,
            did,
        );
        assert!(
            matches!(err, ProofError::Car(CarError::BlockCutOff { .. })),
            "{err:?}"
        );
        assert!(err.to_string().contains("cut off"), "{err}");
        let err = fail(&proof, "zQ3sh", "com.example.good", &good, did);
        assert!(err.to_string().contains("signing key"), "{err}");

        // The legacy DID document form: the bare uncompressed point, typed by curve.
        let point = repo.key.verifying_key().to_encoded_point(false);
        let legacy = z(point.as_bytes());
        let with_legacy = |kind| {
            let key = SigningKey {
                kind,
                public_key_multibase: &legacy,
            };
            verify_record_proof(&proof, did, key, COLLECTION, "com.example.good", &good)
        };
        with_legacy("EcdsaSecp256k1VerificationKey2019").expect("legacy key form");
        let err = with_legacy("JsonWebKey2020").unwrap_err();
        assert_eq!(
            err,
            ProofError::UnsupportedKeyType {
                kind: "JsonWebKey2020".into()
            }
        );
        assert!(
            err.to_string()
                .contains("unsupported verification method type"),
            "{err}"
        );
    }

    #[test]
    fn high_s_signatures_are_refused() {
        let repo = Repo::new(3);
        let (good, _) = block(&json!({"id": "com.example.good"}));
        let unsigned = json!({"did": DID, "version": 3, "data": {"$link": good.to_string()}, "rev": "r", "prev": null});
        let (_, bytes) = block(&unsigned);
        let sig: k256::ecdsa::Signature = repo.key.sign(&bytes);
        let low = sig.normalize_s().unwrap_or(sig);
        let s: k256::Scalar = *low.s().as_ref();
        let high = k256::ecdsa::Signature::from_scalars(low.r().to_bytes(), (-s).to_bytes())
            .expect("signature");
        let key = PublicKey::from_method(repo.key()).unwrap();
        assert!(key.verify(&bytes, &low.to_bytes()).is_ok());
        let err = key.verify(&bytes, &high.to_bytes()).unwrap_err();
        assert_eq!(err, ProofError::HighS);
        assert!(err.to_string().contains("low-S"), "{err}");
        // Through the whole proof: the same commit signed with the high-S signature.
        let mut signed = unsigned;
        signed["sig"] = json!({"$bytes": base64(&high.to_bytes())});
        let commit = block(&signed);
        let car = car_file(&commit.0, std::slice::from_ref(&commit));
        assert_eq!(repo.verify(&car, "k", &good), Err(ProofError::HighS));
        assert_eq!(
            key.verify(&bytes, &[0; 10]),
            Err(ProofError::SignatureInvalid)
        );
    }

    #[test]
    fn key_errors_are_typed() {
        let repo = Repo::new(5);
        let car = repo.proof(DID, &[("c/k", &Cid::for_dag_cbor(b"x"))], None);
        let good = Cid::for_dag_cbor(b"x");
        let check =
            |key: SigningKey<'_>| verify_record_proof(&car, DID, key, "c", "k", &good).unwrap_err();
        assert_eq!(check(multikey("QmAbc")), ProofError::KeyNotMultibase);
        assert!(matches!(
            check(multikey("z0OIl")),
            ProofError::KeyNotBase58(_)
        ));
        let bad_k256 = z(&[[0xe7, 0x01].as_slice(), &[4; 33]].concat());
        assert_eq!(
            check(multikey(&bad_k256)),
            ProofError::InvalidPoint {
                curve: Curve::Secp256k1
            }
        );
        let bad_p256 = z(&[[0x80, 0x24].as_slice(), &[2; 5]].concat());
        assert_eq!(
            check(multikey(&bad_p256)),
            ProofError::InvalidPoint { curve: Curve::P256 }
        );
        assert_eq!(
            check(multikey(&bad_p256)).to_string(),
            "the P-256 signing key is not a valid point"
        );
        let ed25519 = z(&[[0xed, 0x01].as_slice(), &[1; 32]].concat());
        assert_eq!(check(multikey(&ed25519)), ProofError::UnsupportedMultikey);
        assert!(repo.verify(&car, "k", &good).is_ok());
    }

    #[test]
    fn commit_errors_are_typed() {
        let repo = Repo::new(4);
        let good = Cid::for_dag_cbor(b"x");
        let link = json!({"$link": good.to_string()});
        let check = |root: (Cid, Vec<u8>)| {
            let car = car_file(&root.0, std::slice::from_ref(&root));
            repo.verify(&car, "k", &good).unwrap_err()
        };
        let commit = |edit: &dyn Fn(&mut Value)| {
            let mut value = json!({"did": DID, "version": 3, "rev": "r", "data": link, "prev": null, "sig": {"$bytes": ""}});
            edit(&mut value);
            block(&value)
        };

        let not_cbor = vec![0x9f, 0xff];
        let not_cbor = (Cid::for_dag_cbor(&not_cbor), not_cbor);
        assert_eq!(
            check(not_cbor.clone()),
            ProofError::Block {
                cid: not_cbor.0.clone(),
                source: DecodeError::Indefinite { offset: 0 }
            }
        );
        let root = block(&json!({"a": 1}));
        let car = car_file(&root.0, &[]);
        assert_eq!(
            repo.verify(&car, "k", &good),
            Err(ProofError::MissingCommit { root: root.0 })
        );
        assert_eq!(check(block(&json!([1]))), ProofError::CommitNotMap);
        let field = |field, expected| ProofError::CommitField { field, expected };
        assert_eq!(
            check(commit(&|c| c["did"] = json!(1))),
            field("did", "text")
        );
        assert_eq!(
            check(commit(&|c| c["version"] = json!(4))),
            field("version", "2 or 3")
        );
        assert_eq!(
            check(commit(&|c| {
                c.as_object_mut().unwrap().remove("rev");
            })),
            field("rev", "text")
        );
        assert_eq!(
            check(commit(&|c| c["data"] = json!("x"))),
            field("data", "a link")
        );
        assert_eq!(
            check(commit(&|c| c["sig"] = json!("x"))),
            field("sig", "a byte string")
        );
        assert_eq!(
            check(commit(&|c| {
                c.as_object_mut().unwrap().remove("sig");
            })),
            ProofError::Unsigned
        );
        assert_eq!(check(commit(&|_| {})), ProofError::SignatureInvalid);
        // The car module's errors arrive wrapped.
        let mut no_root = Vec::new();
        crate::varint::encode(&mut no_root, 1);
        no_root.push(0xa0);
        assert_eq!(
            repo.verify(&no_root, "k", &good),
            Err(ProofError::Car(CarError::NoRoots))
        );
        let bad_root = car_file(&good, &[]);
        let (_, patched) = with_bad_link(&bad_root, &good);
        assert!(matches!(
            repo.verify(&patched, "k", &good),
            Err(ProofError::Car(CarError::BadRoot(RootError::Cid(_))))
        ));
    }

    #[test]
    fn mst_errors_are_typed() {
        let repo = Repo::new(6);
        let good = Cid::for_dag_cbor(b"x");
        let node = |value: Value| block(&value);
        let check = |nodes: &[(Cid, Vec<u8>)]| repo.verify(&repo.proof_over(nodes), "k", &good);
        let malformed = |root: &(Cid, Vec<u8>), problem| ProofError::MstNode {
            cid: root.0.clone(),
            problem,
        };

        let leaf = node(json!({"e": [entry(0, "c/k", &good)], "l": null}));
        assert!(check(std::slice::from_ref(&leaf)).is_ok());

        for (value, problem) in [
            (json!([1]), MstProblem::NodeNotMap),
            (json!({"l": null}), MstProblem::NoEntryList),
            (json!({"e": [1], "l": null}), MstProblem::EntryNotMap),
            (json!({"e": [{"p": 0}], "l": null}), MstProblem::EntryFields),
            (
                json!({"e": [entry(0, "c/k", &good)], "l": 1}),
                MstProblem::SubtreeNotLink { field: "l" },
            ),
        ] {
            let root = node(value);
            assert_eq!(
                check(std::slice::from_ref(&root)),
                Err(malformed(&root, problem.clone())),
                "{problem}"
            );
        }
        let mut long_prefix = entry(0, "c/k", &good);
        long_prefix["p"] = json!(2);
        let root = node(json!({"e": [long_prefix], "l": null}));
        assert_eq!(
            check(std::slice::from_ref(&root)),
            Err(malformed(
                &root,
                MstProblem::PrefixTooLong {
                    prefix: 2,
                    previous: 0
                }
            ))
        );
        let undecodable = vec![0x81, 0x18, 0x01];
        let undecodable = (Cid::for_dag_cbor(&undecodable), undecodable);
        assert_eq!(
            check(std::slice::from_ref(&undecodable)),
            Err(ProofError::Block {
                cid: undecodable.0.clone(),
                source: DecodeError::NonMinimalHead { offset: 1 }
            })
        );

        // A value link and a subtree link that are not valid CIDs.
        let bad_value = with_bad_link(&leaf.1, &good);
        assert!(matches!(
            check(&[bad_value]),
            Err(ProofError::BadLink {
                link: "MST value",
                source: CidError::UnsupportedVersion { version: 2 }
            })
        ));
        let parent =
            node(json!({"e": [entry(0, "c/z", &good)], "l": {"$link": leaf.0.to_string()}}));
        let bad_left = with_bad_link(&parent.1, &leaf.0);
        assert!(matches!(
            check(&[bad_left, leaf.clone()]),
            Err(ProofError::BadLink {
                link: "MST `l`",
                ..
            })
        ));
        assert!(check(&[parent, leaf.clone()]).is_ok());

        // A chain of left subtrees deeper than any real repository.
        let mut chain = vec![node(json!({"e": [], "l": null}))];
        for _ in 0..MAX_MST_DEPTH + 5 {
            let below = chain[0].0.to_string();
            chain.insert(0, node(json!({"e": [], "l": {"$link": below}})));
        }
        assert_eq!(check(&chain), Err(ProofError::MstTooDeep));
    }
}
