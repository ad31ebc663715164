//! CAR v1 reading (content-addressable archives, as `com.atproto.sync.*` answers them): a varint
//! length and a DAG-CBOR header `{roots, version}`, then sections of a varint length, a binary CID
//! and the block. Every block is checked against its CID's sha2-256 digest.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::cbor::decode::{decode, get, Cbor};
use crate::cbor::DecodeError;
use crate::cid::{Cid, CidError, MULTIHASH_SHA2_256};
use crate::varint::{self, VarintError};

/// Why bytes are not a CAR v1 file with one root and verified blocks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CarError {
    /// A header or section length is not a valid varint.
    #[error("malformed CAR: {0}")]
    Varint(#[from] VarintError),
    /// The header is shorter than its length says.
    #[error("the CAR header is cut off (it declares {len} bytes at offset {offset})")]
    HeaderCutOff {
        /// Where the header starts.
        offset: usize,
        /// The length the header declares.
        len: u64,
    },
    /// The header is not DAG-CBOR.
    #[error("the CAR header is not DAG-CBOR: {0}")]
    Header(DecodeError),
    /// The header has no `roots` array.
    #[error("the CAR header has no roots")]
    NoRoots,
    /// The header lists no root or several.
    #[error("the CAR must have exactly one root, it has {count}")]
    RootCount {
        /// How many roots it lists.
        count: usize,
    },
    /// The root is not a CID link, or not a valid CID.
    #[error("bad CAR root: {0}")]
    BadRoot(RootError),
    /// A section is shorter than its length says.
    #[error("a CAR block at offset {offset} is cut off (it declares {len} bytes)")]
    BlockCutOff {
        /// Where the section's data starts.
        offset: usize,
        /// The length the section declares.
        len: u64,
    },
    /// A section does not start with a valid CIDv1.
    #[error("bad block CID at offset {offset}: {source}")]
    BadBlockCid {
        /// Where the section's data starts.
        offset: usize,
        /// What is wrong with the CID.
        source: CidError,
    },
    /// A block's CID uses a hash function other than sha2-256.
    #[error("block {cid} uses multihash 0x{code:x}; only sha2-256 (0x12) is supported")]
    UnsupportedHash {
        /// The block's CID.
        cid: Cid,
        /// Its multihash code.
        code: u64,
    },
    /// A block's sha2-256 digest is not the one in its CID.
    #[error("block {cid} does not hash to its CID")]
    HashMismatch {
        /// The block's CID.
        cid: Cid,
    },
}

/// What is wrong with the CAR's root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RootError {
    /// The root is not a tag 42 link.
    #[error("the root is not a CID link")]
    NotALink,
    /// The link does not hold a valid CID.
    #[error(transparent)]
    Cid(#[from] CidError),
}

/// A CAR file read into its root and its blocks, which borrow from the file.
#[derive(Debug, Clone)]
pub struct Car<'a> {
    root: Cid,
    blocks: HashMap<&'a [u8], &'a [u8]>,
}

impl<'a> Car<'a> {
    /// Reads a CAR v1 file with exactly one root. A block listed twice keeps its last copy
    /// (both hash to the same CID).
    pub fn read(bytes: &'a [u8]) -> Result<Car<'a>, CarError> {
        let mut at = 0;
        let header = section(bytes, &mut at, |offset, len| CarError::HeaderCutOff {
            offset,
            len,
        })?;
        let header = decode(header).map_err(CarError::Header)?;
        let Some(Cbor::Array(roots)) = header.map().and_then(|map| get(map, "roots")) else {
            return Err(CarError::NoRoots);
        };
        let [root] = roots.as_slice() else {
            return Err(CarError::RootCount { count: roots.len() });
        };
        let Cbor::Link(root) = root else {
            return Err(CarError::BadRoot(RootError::NotALink));
        };
        let root = Cid::from_bytes(root).map_err(|e| CarError::BadRoot(e.into()))?;
        let mut blocks = HashMap::new();
        while at < bytes.len() {
            let data = section(bytes, &mut at, |offset, len| CarError::BlockCutOff {
                offset,
                len,
            })?;
            let offset = at - data.len();
            let (cid, cid_len) = Cid::read_prefix(data)
                .map_err(|source| CarError::BadBlockCid { offset, source })?;
            let (cid_bytes, block) = data.split_at(cid_len);
            if cid.hash_code() != MULTIHASH_SHA2_256 {
                let code = cid.hash_code();
                return Err(CarError::UnsupportedHash { cid, code });
            }
            if Sha256::digest(block).as_slice() != cid.digest() {
                return Err(CarError::HashMismatch { cid });
            }
            blocks.insert(cid_bytes, block);
        }
        Ok(Car { root, blocks })
    }

    /// The root CID (for a repository proof, the signed commit).
    pub fn root(&self) -> &Cid {
        &self.root
    }

    /// The block of `cid`, when the file holds it.
    pub fn block(&self, cid: &Cid) -> Option<&'a [u8]> {
        self.blocks.get(cid.as_bytes()).copied()
    }
}

/// The varint-length-prefixed bytes at `*at`; `cut_off` names a section shorter than its length.
fn section<'a>(
    bytes: &'a [u8],
    at: &mut usize,
    cut_off: impl Fn(usize, u64) -> CarError,
) -> Result<&'a [u8], CarError> {
    let len = varint::decode(bytes, at)?;
    let start = *at;
    let data = usize::try_from(len)
        .ok()
        .and_then(|len| bytes.get(start..start.checked_add(len)?))
        .ok_or_else(|| cut_off(start, len))?;
    *at = start + data.len();
    Ok(data)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::{car_file, dag_cbor_block as block};

    /// A CAR whose header is `header` (any JSON value) followed by `rest`.
    fn with_header(header: serde_json::Value, rest: &[u8]) -> Vec<u8> {
        let (_, header) = block(&header);
        let mut out = Vec::new();
        varint::encode(&mut out, header.len() as u64);
        out.extend_from_slice(&header);
        out.extend_from_slice(rest);
        out
    }

    #[test]
    fn reads_the_root_and_the_blocks() {
        let one = block(&json!({"a": 1}));
        let two = block(&json!({"b": 2}));
        let bytes = car_file(&one.0, &[one.clone(), two.clone()]);
        let car = Car::read(&bytes).unwrap();
        assert_eq!(car.root(), &one.0);
        assert_eq!(car.block(&one.0), Some(one.1.as_slice()));
        assert_eq!(car.block(&two.0), Some(two.1.as_slice()));
        assert_eq!(car.block(&block(&json!(3)).0), None);
    }

    #[test]
    fn each_malformation_is_named() {
        let good = block(&json!({"a": 1}));
        let link = json!({"$link": good.0.to_string()});
        let bytes = car_file(&good.0, std::slice::from_ref(&good));
        let header_len = bytes.len() - 1 - good.0.as_bytes().len() - good.1.len();

        assert_eq!(
            Car::read(&[0x80, 0x00]).unwrap_err(),
            CarError::Varint(VarintError::NonMinimal { offset: 0 })
        );
        assert_eq!(
            Car::read(&bytes[..5]).unwrap_err(),
            CarError::HeaderCutOff {
                offset: 1,
                len: header_len as u64 - 1
            }
        );
        assert_eq!(
            Car::read(&[0x01, 0x9f]).unwrap_err(),
            CarError::Header(DecodeError::Indefinite { offset: 0 })
        );
        assert_eq!(
            Car::read(&with_header(json!({"version": 1}), &[])).unwrap_err(),
            CarError::NoRoots
        );
        assert_eq!(
            Car::read(&with_header(json!({"roots": [link, link]}), &[])).unwrap_err(),
            CarError::RootCount { count: 2 }
        );
        assert_eq!(
            Car::read(&with_header(json!({"roots": ["x"]}), &[])).unwrap_err(),
            CarError::BadRoot(RootError::NotALink)
        );
        // A link to a CIDv0-shaped binary (version byte 0x12).
        let mut v0 = with_header(json!({"roots": [link]}), &[]);
        let at = v0.len() - good.0.as_bytes().len();
        v0[at] = 0x12;
        assert_eq!(
            Car::read(&v0).unwrap_err(),
            CarError::BadRoot(RootError::Cid(CidError::UnsupportedVersion { version: 18 }))
        );
        assert_eq!(
            Car::read(&bytes[..bytes.len() - 1]).unwrap_err(),
            CarError::BlockCutOff {
                offset: header_len + 1,
                len: (good.0.as_bytes().len() + good.1.len()) as u64
            }
        );
        assert_eq!(
            Car::read(&with_header(
                json!({"roots": [link], "version": 1}),
                &[0x02, 0x01, 0x71]
            ))
            .unwrap_err(),
            CarError::BadBlockCid {
                offset: header_len + 1,
                source: CidError::Truncated {
                    field: "multihash code"
                }
            }
        );
        // The same digest under the identity multihash (0x00).
        let mut identity = bytes.clone();
        identity[header_len + 3] = 0x00;
        let cid = Cid::read_prefix(&identity[header_len + 1..]).unwrap().0;
        assert_eq!(
            Car::read(&identity).unwrap_err(),
            CarError::UnsupportedHash { cid, code: 0 }
        );
        let mut tampered = bytes.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            Car::read(&tampered).unwrap_err(),
            CarError::HashMismatch { cid: good.0 }
        );
    }
}
