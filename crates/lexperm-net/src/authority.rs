//! `_lexicon` authority records: NSID → authority domain → `_lexicon.<authority>` TXT → DID.
//!
//! Semantics follow the TypeScript reference (`@atproto/lex-resolver`): the character strings of
//! each TXT record are concatenated, entries starting with `did=` are kept, and exactly one is
//! required. Resolution is not hierarchical: parents are never tried.

use std::fmt;

use crate::error::printable;
use crate::identity::validate_did;

pub use lexperm_parser::syntax::lexicon_record_name;
use lexperm_parser::syntax::NsidAuthority;

/// The authority domain of an NSID ([`NsidAuthority`]): drop the name segment, reverse the rest.
///
/// `app.toy.record` → `toy.app`. The result is lowercased (DNS names are case-insensitive). The
/// NSID must be valid, 317-byte limit and name segment included.
pub fn nsid_authority(nsid: &str) -> Result<String, crate::NetError> {
    NsidAuthority::of_str(nsid)
        .map(NsidAuthority::into_string)
        .map_err(|err| crate::NetError::InvalidInput {
            what: "NSID",
            value: nsid.to_string(),
            detail: err.message,
        })
}

/// Why an authority does not (uniquely) point at a DID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// The name does not exist or has no TXT records.
    #[error("no TXT record at {name}")]
    Missing {
        /// The `_lexicon.<authority>` name.
        name: String,
    },
    /// TXT records exist but none starts with `did=`.
    #[error("TXT records at {name} contain no `did=` entry (found: {})", found.join(", "))]
    NoDidEntry {
        /// The `_lexicon.<authority>` name.
        name: String,
        /// The TXT values found (control characters escaped, each cut to a printable length).
        found: Vec<String>,
    },
    /// More than one `did=` entry (ambiguous).
    #[error("TXT records at {name} hold {} `did=` entries ({}); exactly one is allowed", values.len(), values.join(", "))]
    Ambiguous {
        /// The `_lexicon.<authority>` name.
        name: String,
        /// Every `did=` entry found (control characters escaped, each cut to a printable length).
        values: Vec<String>,
    },
    /// The single `did=` entry is not a valid DID.
    #[error("TXT record at {name} holds `did={value}`, which is not a valid DID: {detail}")]
    InvalidDid {
        /// The `_lexicon.<authority>` name.
        name: String,
        /// The value after `did=` (control characters escaped, cut to a printable length).
        value: String,
        /// Why it is invalid.
        detail: String,
    },
    /// The record points at a different DID than the account's.
    #[error("TXT record at {name} points at {found}, not at {expected}")]
    Mismatch {
        /// The `_lexicon.<authority>` name.
        name: String,
        /// The DID in DNS.
        found: String,
        /// The DID that was expected.
        expected: String,
    },
}

impl AuthorityError {
    /// The `_lexicon.<authority>` name concerned.
    pub fn record_name(&self) -> &str {
        match self {
            AuthorityError::Missing { name }
            | AuthorityError::NoDidEntry { name, .. }
            | AuthorityError::Ambiguous { name, .. }
            | AuthorityError::InvalidDid { name, .. }
            | AuthorityError::Mismatch { name, .. } => name,
        }
    }
}

/// The exact DNS record that makes `did` the authority: `_lexicon.<authority> TXT "did=<did>"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedTxtRecord {
    /// The record name, `_lexicon.<authority>`.
    pub name: String,
    /// The record value, `did=<did>`.
    pub value: String,
}

impl ExpectedTxtRecord {
    /// The record that points `authority` at `did`.
    pub fn new(authority: &str, did: &str) -> Self {
        ExpectedTxtRecord {
            name: lexicon_record_name(authority),
            value: format!("did={did}"),
        }
    }
}

impl fmt::Display for ExpectedTxtRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} TXT \"{}\"", self.name, self.value)
    }
}

/// Pick the authority DID out of the TXT records at `name`.
///
/// `records` holds one entry per TXT resource record, each the list of its character strings.
pub fn did_from_txt(name: &str, records: &[Vec<String>]) -> Result<String, AuthorityError> {
    if records.is_empty() {
        return Err(AuthorityError::Missing {
            name: name.to_string(),
        });
    }
    let joined: Vec<String> = records.iter().map(|chunks| chunks.concat()).collect();
    let dids: Vec<String> = joined
        .iter()
        .filter_map(|v| v.strip_prefix("did=").map(str::to_string))
        .collect();
    match dids.as_slice() {
        [] => Err(AuthorityError::NoDidEntry {
            name: name.to_string(),
            found: joined.iter().map(|value| printable(value)).collect(),
        }),
        [one] => match validate_did(one) {
            Ok(()) => Ok(one.clone()),
            Err(detail) => Err(AuthorityError::InvalidDid {
                name: name.to_string(),
                value: printable(one),
                detail,
            }),
        },
        _ => Err(AuthorityError::Ambiguous {
            name: name.to_string(),
            values: dids.iter().map(|value| printable(value)).collect(),
        }),
    }
}

/// Check that the TXT records at `name` name exactly `expected_did`.
pub fn check_txt_authority(
    name: &str,
    records: &[Vec<String>],
    expected_did: &str,
) -> Result<(), AuthorityError> {
    let found = did_from_txt(name, records)?;
    if found == expected_did {
        Ok(())
    } else {
        Err(AuthorityError::Mismatch {
            name: name.to_string(),
            found,
            expected: expected_did.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rr(chunks: &[&str]) -> Vec<String> {
        chunks.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn authority_examples_from_spec() {
        assert_eq!(nsid_authority("app.toy.record").unwrap(), "toy.app");
        assert_eq!(
            nsid_authority("edu.university.dept.lab.blogging.getBlogPost").unwrap(),
            "blogging.lab.dept.university.edu"
        );
        assert_eq!(nsid_authority("Com.Example.fooBar").unwrap(), "example.com");
        assert_eq!(lexicon_record_name("toy.app"), "_lexicon.toy.app");
    }

    #[test]
    fn authority_rejects_bad_nsids() {
        for bad in [
            "com.example",
            "com..example.x",
            "com.example.foo-bar",
            "com.-ex.foo",
            "1com.example.foo",
            "",
        ] {
            assert!(nsid_authority(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn authority_applies_the_length_limits_of_nsids() {
        // 63 + 1 + 63 + 1 + 63 + 1 + 63 + 1 + 62 = 318 bytes: one past the NSID limit.
        let segment = "a".repeat(63);
        let too_long = format!("{segment}.{segment}.{segment}.{segment}.{}", "b".repeat(62));
        assert_eq!(too_long.len(), 318);
        assert!(nsid_authority(&too_long).is_err());
        assert!(nsid_authority(&too_long[..317]).is_ok());
        // A name segment of 64 bytes.
        let long_name = format!("com.example.{}", "b".repeat(64));
        assert!(nsid_authority(&long_name).is_err());
        assert!(nsid_authority(&long_name[..long_name.len() - 1]).is_ok());
    }

    #[test]
    fn single_did_is_accepted() {
        let did = did_from_txt("_lexicon.x.y", &[rr(&["did=did:plc:abc234"])]).unwrap();
        assert_eq!(did, "did:plc:abc234");
    }

    #[test]
    fn chunks_are_concatenated() {
        let did = did_from_txt("n", &[rr(&["did=did:plc:", "abc234"])]).unwrap();
        assert_eq!(did, "did:plc:abc234");
    }

    #[test]
    fn chunked_two_values_join_into_one_invalid_did() {
        // One RR with two strings: TS joins them, which yields a single (invalid) DID.
        let err = did_from_txt("n", &[rr(&["did=did:plc:aaaa", "did=did:plc:bbbb"])]).unwrap_err();
        assert!(matches!(err, AuthorityError::InvalidDid { .. }), "{err:?}");
    }

    #[test]
    fn two_records_are_ambiguous() {
        let err =
            did_from_txt("n", &[rr(&["did=did:plc:aaaa"]), rr(&["did=did:plc:bbbb"])]).unwrap_err();
        assert_eq!(
            err,
            AuthorityError::Ambiguous {
                name: "n".into(),
                values: vec!["did:plc:aaaa".into(), "did:plc:bbbb".into()]
            }
        );
    }

    #[test]
    fn other_txt_values_are_ignored() {
        let did = did_from_txt(
            "n",
            &[rr(&["v=spf1 -all"]), rr(&["did=did:web:example.com"])],
        )
        .unwrap();
        assert_eq!(did, "did:web:example.com");
        let err = did_from_txt("n", &[rr(&["v=spf1 -all"])]).unwrap_err();
        assert!(matches!(err, AuthorityError::NoDidEntry { .. }));
        assert_eq!(
            did_from_txt("n", &[]).unwrap_err(),
            AuthorityError::Missing { name: "n".into() }
        );
    }

    #[test]
    fn mismatch_names_both_dids() {
        let err =
            check_txt_authority("n", &[rr(&["did=did:plc:other"])], "did:plc:mine").unwrap_err();
        assert_eq!(
            err.to_string(),
            "TXT record at n points at did:plc:other, not at did:plc:mine"
        );
        assert!(check_txt_authority("n", &[rr(&["did=did:plc:mine"])], "did:plc:mine").is_ok());
    }

    #[test]
    fn expected_record_is_printable() {
        let r = ExpectedTxtRecord::new("toy.app", "did:plc:abc");
        assert_eq!(r.to_string(), "_lexicon.toy.app TXT \"did=did:plc:abc\"");
    }
}
