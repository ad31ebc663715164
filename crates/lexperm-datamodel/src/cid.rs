//! Content identifiers (CIDv1) as the atproto data model uses them.
//!
//! A record's CID is CIDv1 with codec `dag-cbor` (0x71) and a sha2-256 multihash (0x12, 32 bytes), written
//! as multibase base32 lower case (a `b` followed by RFC 4648 base32 without padding). [`Cid::parse`]
//! accepts any CIDv1 in that string form (for example `raw` 0x55 blob CIDs) so `$link` values round-trip.
//!
//! ```
//! use lexperm_datamodel::cid::Cid;
//!
//! let cid = Cid::for_dag_cbor(b"\xa0"); // the empty map
//! assert!(cid.to_string().starts_with("bafyrei"));
//! assert_eq!(Cid::parse(&cid.to_string()).unwrap(), cid);
//! ```

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::base::{base32_lower_decode, base32_lower_encode};
use crate::varint::{self, VarintError};

/// Multicodec code of DAG-CBOR.
pub const CODEC_DAG_CBOR: u64 = 0x71;
/// Multicodec code of raw bytes (used for blobs).
pub const CODEC_RAW: u64 = 0x55;
/// Multihash code of sha2-256.
pub const MULTIHASH_SHA2_256: u64 = 0x12;

/// A CIDv1, kept in its binary form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cid {
    bytes: Vec<u8>,
    codec: u64,
    hash_code: u64,
    digest_start: usize,
}

/// Why a string is not a CIDv1 in base32 string form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CidError {
    /// The string is empty.
    #[error("empty CID")]
    Empty,
    /// A CIDv0 (`Qm…`, base58btc sha2-256) was given.
    #[error(
        "CIDv0 (`Qm…`) is not supported; the atproto data model uses CIDv1 in base32 (`bafy…`)"
    )]
    Version0,
    /// The multibase prefix is not `b` (base32 lower case).
    #[error(
        "unsupported multibase prefix {prefix:?}; atproto CIDs are base32 lower case and start with `b`"
    )]
    UnsupportedMultibase {
        /// The first character of the string.
        prefix: char,
    },
    /// The text after the `b` prefix is not base32 lower case.
    #[error("invalid base32 in CID: {reason}")]
    InvalidBase32 {
        /// What is wrong, with an offset into the base32 text.
        reason: String,
    },
    /// The binary form ended in the middle of a field.
    #[error("CID ends early, inside its {field}")]
    Truncated {
        /// Which field was cut off.
        field: &'static str,
    },
    /// A varint is longer than 9 bytes or not in its shortest form.
    #[error("CID {field} is not a minimal unsigned varint")]
    InvalidVarint {
        /// Which field holds the varint.
        field: &'static str,
    },
    /// The CID version is not 1.
    #[error("CID version {version} is not supported; only CIDv1 is")]
    UnsupportedVersion {
        /// The version found.
        version: u64,
    },
    /// The multihash length prefix does not match the number of digest bytes.
    #[error("multihash declares {declared} digest bytes but {actual} follow")]
    DigestLength {
        /// The length the multihash declares.
        declared: u64,
        /// The number of bytes that follow.
        actual: usize,
    },
}

impl Cid {
    /// The CID of DAG-CBOR encoded bytes: CIDv1, codec dag-cbor, sha2-256 of `dag_cbor_bytes`.
    pub fn for_dag_cbor(dag_cbor_bytes: &[u8]) -> Cid {
        let digest = Sha256::digest(dag_cbor_bytes);
        let mut bytes = Vec::with_capacity(4 + digest.len());
        varint::encode(&mut bytes, 1);
        varint::encode(&mut bytes, CODEC_DAG_CBOR);
        varint::encode(&mut bytes, MULTIHASH_SHA2_256);
        varint::encode(&mut bytes, digest.len() as u64);
        let digest_start = bytes.len();
        bytes.extend_from_slice(&digest);
        Cid {
            bytes,
            codec: CODEC_DAG_CBOR,
            hash_code: MULTIHASH_SHA2_256,
            digest_start,
        }
    }

    /// Parses the string form: `b` + base32 lower case of a binary CIDv1.
    pub fn parse(text: &str) -> Result<Cid, CidError> {
        let mut chars = text.chars();
        let prefix = chars.next().ok_or(CidError::Empty)?;
        if text.starts_with("Qm") && text.len() == 46 {
            return Err(CidError::Version0);
        }
        if prefix != 'b' {
            return Err(CidError::UnsupportedMultibase { prefix });
        }
        let bytes = base32_lower_decode(chars.as_str()).map_err(|err| CidError::InvalidBase32 {
            reason: err.to_string(),
        })?;
        Cid::from_bytes(&bytes)
    }

    /// Reads the binary form of a CIDv1 (no multibase prefix, no leading 0x00).
    pub fn from_bytes(bytes: &[u8]) -> Result<Cid, CidError> {
        let header = Header::read(bytes)?;
        let actual = bytes.len() - header.digest_start;
        if header.declared != actual as u64 {
            return Err(CidError::DigestLength {
                declared: header.declared,
                actual,
            });
        }
        Ok(header.cid(bytes))
    }

    /// Reads the binary CIDv1 at the start of `bytes` (a CAR section, where the block follows the
    /// CID) and returns it with its length.
    pub fn read_prefix(bytes: &[u8]) -> Result<(Cid, usize), CidError> {
        let header = Header::read(bytes)?;
        let actual = bytes.len() - header.digest_start;
        match usize::try_from(header.declared) {
            Ok(declared) if declared <= actual => {
                let end = header.digest_start + declared;
                Ok((header.cid(&bytes[..end]), end))
            }
            _ => Err(CidError::DigestLength {
                declared: header.declared,
                actual,
            }),
        }
    }

    /// The binary form (version, codec, multihash), as DAG-CBOR tag 42 carries it after a 0x00 byte.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The multicodec code of the content, e.g. [`CODEC_DAG_CBOR`].
    pub fn codec(&self) -> u64 {
        self.codec
    }

    /// The multihash function code, e.g. [`MULTIHASH_SHA2_256`].
    pub fn hash_code(&self) -> u64 {
        self.hash_code
    }

    /// The digest bytes of the multihash.
    pub fn digest(&self) -> &[u8] {
        &self.bytes[self.digest_start..]
    }
}

impl fmt::Display for Cid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b{}", base32_lower_encode(&self.bytes))
    }
}

impl FromStr for Cid {
    type Err = CidError;

    fn from_str(text: &str) -> Result<Cid, CidError> {
        Cid::parse(text)
    }
}

/// The fields of a binary CIDv1 before its digest.
struct Header {
    codec: u64,
    hash_code: u64,
    /// The digest length the multihash declares.
    declared: u64,
    digest_start: usize,
}

impl Header {
    fn read(bytes: &[u8]) -> Result<Header, CidError> {
        let mut offset = 0;
        let mut field = |field: &'static str| {
            varint::decode(bytes, &mut offset).map_err(|err| match err {
                VarintError::Truncated { .. } => CidError::Truncated { field },
                _ => CidError::InvalidVarint { field },
            })
        };
        let version = field("version")?;
        if version != 1 {
            return Err(CidError::UnsupportedVersion { version });
        }
        let codec = field("codec")?;
        let hash_code = field("multihash code")?;
        let declared = field("multihash length")?;
        Ok(Header {
            codec,
            hash_code,
            declared,
            digest_start: offset,
        })
    }

    /// The CID whose binary form is `bytes` (this header and the whole digest).
    fn cid(self, bytes: &[u8]) -> Cid {
        Cid {
            bytes: bytes.to_vec(),
            codec: self.codec,
            hash_code: self.hash_code,
            digest_start: self.digest_start,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_map_has_the_well_known_cid() {
        // sha256(0xa0) in CIDv1 dag-cbor, as every IPLD implementation computes it.
        assert_eq!(
            Cid::for_dag_cbor(&[0xa0]).to_string(),
            "bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua"
        );
    }

    #[test]
    fn parse_round_trips_and_reads_fields() {
        let text = "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity";
        let cid = Cid::parse(text).unwrap();
        assert_eq!(cid.codec(), CODEC_RAW);
        assert_eq!(cid.hash_code(), MULTIHASH_SHA2_256);
        assert_eq!(cid.digest().len(), 32);
        assert_eq!(cid.to_string(), text);
        assert_eq!(text.parse::<Cid>().unwrap(), cid);
    }

    #[test]
    fn parse_rejects_other_forms() {
        let cases: [(&str, CidError); 5] = [
            ("", CidError::Empty),
            (
                "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR",
                CidError::Version0,
            ),
            (
                "zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7",
                CidError::UnsupportedMultibase { prefix: 'z' },
            ),
            (".", CidError::UnsupportedMultibase { prefix: '.' }),
            ("baa", CidError::UnsupportedVersion { version: 0 }),
        ];
        for (text, expected) in cases {
            assert_eq!(Cid::parse(text), Err(expected), "{text:?}");
        }
        assert!(matches!(
            Cid::parse("bafybe igdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
            Err(CidError::InvalidBase32 { .. })
        ));
        assert_eq!(
            Cid::from_bytes(&[0x01, 0x71, 0x12]),
            Err(CidError::Truncated {
                field: "multihash length"
            })
        );
        // One digest byte missing.
        let full = Cid::for_dag_cbor(b"x");
        let short = &full.as_bytes()[..full.as_bytes().len() - 1];
        assert_eq!(
            Cid::from_bytes(short),
            Err(CidError::DigestLength {
                declared: 32,
                actual: 31
            })
        );
    }

    #[test]
    fn varints_must_be_minimal() {
        assert_eq!(
            Cid::from_bytes(&[0x01, 0xf1, 0x00, 0x12, 0x00]),
            Err(CidError::InvalidVarint { field: "codec" })
        );
        assert_eq!(
            Cid::from_bytes(&[0x81, 0x00]),
            Err(CidError::InvalidVarint { field: "version" })
        );
    }

    #[test]
    fn read_prefix_stops_after_the_digest() {
        let cid = Cid::for_dag_cbor(b"x");
        let mut section = cid.as_bytes().to_vec();
        section.extend_from_slice(b"block");
        assert_eq!(
            Cid::read_prefix(&section),
            Ok((cid.clone(), cid.as_bytes().len()))
        );
        let short = &cid.as_bytes()[..10];
        assert_eq!(
            Cid::read_prefix(short),
            Err(CidError::DigestLength {
                declared: 32,
                actual: 6
            })
        );
    }
}
