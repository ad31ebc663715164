//! The DNS audit of an authority (`lexperm check-dns`): for every NSID group of the local
//! lexicons, whether `_lexicon.<authority>` exists and names the expected DID.
//!
//! One TXT record serves one NSID group (the spec's grouping: the NSID without its name segment,
//! reversed, is the authority; resolution never tries parents), so groups are keyed by
//! [`nsid_authority`]. [`classify`] is pure; [`audit`] does one DNS lookup per group that is not
//! carved out.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::authority::{
    did_from_txt, lexicon_record_name, nsid_authority, AuthorityError, ExpectedTxtRecord,
};
use crate::dns::{DnsResolver, TxtLookup};
use crate::error::NetError;

/// An NSID group of the local lexicons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityGroup {
    /// The NSID group as the first of its lexicons spells it, without a trailing dot
    /// (`com.example.calendar`).
    pub group: String,
    /// The authority domain, lowercased (`calendar.example.com`).
    pub authority: String,
    /// How many local lexicons are in the group.
    pub lexicons: usize,
}

/// The NSID groups of `nsids`, one per authority, sorted by group. NSIDs that are not valid are
/// left out (the lint reports them).
pub fn groups<'a>(nsids: impl IntoIterator<Item = &'a str>) -> Vec<AuthorityGroup> {
    let mut by_authority: BTreeMap<String, AuthorityGroup> = BTreeMap::new();
    for nsid in nsids {
        let Ok(authority) = nsid_authority(nsid) else {
            continue;
        };
        let group = &nsid[..nsid.rfind('.').unwrap_or(0)];
        by_authority
            .entry(authority.clone())
            .or_insert_with(|| AuthorityGroup {
                group: group.to_string(),
                authority,
                lexicons: 0,
            })
            .lexicons += 1;
    }
    let mut groups: Vec<AuthorityGroup> = by_authority.into_values().collect();
    groups.sort_by(|a, b| a.group.cmp(&b.group));
    groups
}

/// The authority of an NSID group given as `com.example.internal` or `com.example.internal.*`
/// (the form of `[authority] unpublished` in lexperm.toml).
pub fn group_authority(group: &str) -> Result<String, NetError> {
    let bare = group.strip_suffix(".*").unwrap_or(group);
    nsid_authority(&format!("{bare}.x")).map_err(|_| NetError::InvalidInput {
        what: "NSID group",
        value: group.to_string(),
        detail: "expected an NSID group such as `com.example.internal` (an NSID without its name)"
            .into(),
    })
}

/// The verdict on one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DnsStatus {
    /// Exactly one `did=` entry, naming the expected DID.
    Ok,
    /// Exactly one `did=` entry, naming another DID.
    Wrong,
    /// No TXT record (NXDOMAIN, or the name has none).
    Missing,
    /// TXT records, but not exactly one valid `did=` entry (none, several, an invalid DID).
    Invalid,
    /// Listed as intentionally unpublished: not looked up.
    CarvedOut,
    /// No expected DID is known: what the record names is shown, not judged.
    Unchecked,
    /// The lookup itself failed (timeout, server failure, the command's deadline).
    LookupFailed,
}

impl DnsStatus {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            DnsStatus::Ok => "ok",
            DnsStatus::Wrong => "wrong",
            DnsStatus::Missing => "missing",
            DnsStatus::Invalid => "invalid",
            DnsStatus::CarvedOut => "carved-out",
            DnsStatus::Unchecked => "unchecked",
            DnsStatus::LookupFailed => "lookup-failed",
        }
    }

    /// True for the verdicts that fail an audit: wrong, missing, invalid.
    pub fn is_mismatch(self) -> bool {
        matches!(
            self,
            DnsStatus::Wrong | DnsStatus::Missing | DnsStatus::Invalid
        )
    }
}

/// The audit of one group (`--format json` prints these after `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsCheck {
    /// The NSID group (`com.example.calendar`).
    pub group: String,
    /// The authority domain.
    pub authority: String,
    /// The DNS name looked up, `_lexicon.<authority>`.
    pub name: String,
    /// How many local lexicons are in the group.
    pub lexicons: usize,
    /// The verdict.
    pub status: DnsStatus,
    /// The DID the record names (ok, wrong, unchecked).
    pub did: Option<String>,
    /// The DID expected, when one is known.
    pub expected_did: Option<String>,
    /// What is wrong (wrong, missing, invalid, lookup-failed) or why it was skipped (carved-out).
    pub message: Option<String>,
    /// The exact record to create (wrong, missing, invalid, when the expected DID is known).
    #[serde(serialize_with = "display_opt")]
    pub fix: Option<ExpectedTxtRecord>,
}

fn display_opt<S: Serializer>(
    value: &Option<ExpectedTxtRecord>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(record) => serializer.collect_str(record),
        None => serializer.serialize_none(),
    }
}

/// The verdict on `group` from the answer to its TXT lookup, against `expected` (when known).
pub fn classify(
    group: &AuthorityGroup,
    expected: Option<&str>,
    lookup: Result<TxtLookup, NetError>,
) -> DnsCheck {
    let name = lexicon_record_name(&group.authority);
    let mut check = DnsCheck {
        group: group.group.clone(),
        authority: group.authority.clone(),
        name: name.clone(),
        lexicons: group.lexicons,
        status: DnsStatus::Ok,
        did: None,
        expected_did: expected.map(str::to_string),
        message: None,
        fix: None,
    };
    let records = match lookup {
        Ok(lookup) => lookup.into_records(),
        Err(error) => {
            check.status = DnsStatus::LookupFailed;
            check.message = Some(error.to_string());
            return check;
        }
    };
    match did_from_txt(&name, &records) {
        Ok(did) => {
            check.status = match expected {
                None => DnsStatus::Unchecked,
                Some(expected) if expected == did => DnsStatus::Ok,
                Some(expected) => {
                    check.message = Some(
                        AuthorityError::Mismatch {
                            name: name.clone(),
                            found: did.clone(),
                            expected: expected.to_string(),
                        }
                        .to_string(),
                    );
                    DnsStatus::Wrong
                }
            };
            check.did = Some(did);
        }
        Err(error) => {
            check.status = match error {
                AuthorityError::Missing { .. } => DnsStatus::Missing,
                _ => DnsStatus::Invalid,
            };
            check.message = Some(error.to_string());
        }
    }
    if check.status.is_mismatch() {
        check.fix = expected.map(|did| ExpectedTxtRecord::new(&group.authority, did));
    }
    check
}

/// A carved-out group's entry: skipped without a lookup.
pub fn carved_out(group: &AuthorityGroup, expected: Option<&str>) -> DnsCheck {
    DnsCheck {
        group: group.group.clone(),
        authority: group.authority.clone(),
        name: lexicon_record_name(&group.authority),
        lexicons: group.lexicons,
        status: DnsStatus::CarvedOut,
        did: None,
        expected_did: expected.map(str::to_string),
        message: Some("listed as intentionally unpublished; not looked up".into()),
        fix: None,
    }
}

/// Audit every group: groups whose authority is in `carved_out` (authorities, see
/// [`group_authority`]) are skipped, the others looked up once each and [`classify`]d.
pub fn audit(
    dns: &DnsResolver,
    groups: &[AuthorityGroup],
    expected: Option<&str>,
    carved_out_authorities: &[String],
) -> Vec<DnsCheck> {
    groups
        .iter()
        .map(|group| {
            if carved_out_authorities.contains(&group.authority) {
                carved_out(group, expected)
            } else {
                let name = lexicon_record_name(&group.authority);
                classify(group, expected, dns.txt(&name))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "did:plc:me";

    fn group(nsid_group: &str) -> AuthorityGroup {
        groups([format!("{nsid_group}.x").as_str()]).remove(0)
    }

    fn records(values: &[&[&str]]) -> Result<TxtLookup, NetError> {
        Ok(TxtLookup::Records(
            values
                .iter()
                .map(|rr| rr.iter().map(|s| s.to_string()).collect())
                .collect(),
        ))
    }

    #[test]
    fn groups_are_keyed_by_authority() {
        let found = groups([
            "com.example.cal.event",
            "com.example.cal.rsvp",
            "com.Example.cal.defs",
            "com.example.post",
            "not an nsid",
        ]);
        assert_eq!(
            found,
            [
                AuthorityGroup {
                    group: "com.example".into(),
                    authority: "example.com".into(),
                    lexicons: 1
                },
                AuthorityGroup {
                    group: "com.example.cal".into(),
                    authority: "cal.example.com".into(),
                    lexicons: 3
                },
            ]
        );
        assert_eq!(
            group_authority("com.example.internal.*").unwrap(),
            "internal.example.com"
        );
        assert_eq!(
            group_authority("Com.Example.Internal").unwrap(),
            "internal.example.com"
        );
        let err = group_authority("example").unwrap_err().to_string();
        assert!(
            err.contains("`example`") || err.contains("example"),
            "{err}"
        );
        assert!(group_authority("com..x").is_err());
    }

    #[test]
    fn every_verdict() {
        let g = group("com.example.cal");
        let ok = classify(&g, Some(ME), records(&[&["did=did:plc:me"]]));
        assert_eq!((ok.status, ok.did.as_deref()), (DnsStatus::Ok, Some(ME)));
        assert_eq!((ok.message, ok.fix), (None, None));

        let wrong = classify(&g, Some(ME), records(&[&["did=did:plc:other"]]));
        assert_eq!(wrong.status, DnsStatus::Wrong);
        assert_eq!(wrong.did.as_deref(), Some("did:plc:other"));
        assert_eq!(
            wrong.message.as_deref(),
            Some(
                "TXT record at _lexicon.cal.example.com points at did:plc:other, not at did:plc:me"
            )
        );
        assert_eq!(
            wrong.fix.as_ref().map(ToString::to_string).as_deref(),
            Some("_lexicon.cal.example.com TXT \"did=did:plc:me\"")
        );

        for lookup in [Ok(TxtLookup::NotFound), records(&[])] {
            let missing = classify(&g, Some(ME), lookup);
            assert_eq!(missing.status, DnsStatus::Missing);
            assert!(missing.fix.is_some());
        }

        for bad in [
            records(&[&["did=did:plc:me"], &["did=did:plc:other"]]),
            records(&[&["v=spf1 -all"]]),
            records(&[&["did=did:plc:me", "did=did:plc:other"]]),
        ] {
            let invalid = classify(&g, Some(ME), bad);
            assert_eq!(invalid.status, DnsStatus::Invalid, "{invalid:?}");
            assert!(invalid.message.is_some() && invalid.fix.is_some());
        }

        let unchecked = classify(&g, None, records(&[&["did=did:plc:other"]]));
        assert_eq!(unchecked.status, DnsStatus::Unchecked);
        assert_eq!(unchecked.did.as_deref(), Some("did:plc:other"));
        // Without an expected DID there is no record to propose.
        let missing = classify(&g, None, Ok(TxtLookup::NotFound));
        assert_eq!((missing.status, missing.fix), (DnsStatus::Missing, None));

        let failed = classify(
            &g,
            Some(ME),
            Err(NetError::Dns {
                name: "_lexicon.cal.example.com".into(),
                detail: "timed out".into(),
            }),
        );
        assert_eq!(failed.status, DnsStatus::LookupFailed);
        assert!(!failed.status.is_mismatch());

        let line = serde_json::to_value(&wrong).unwrap();
        assert_eq!(
            line["fix"],
            "_lexicon.cal.example.com TXT \"did=did:plc:me\""
        );
        assert_eq!(line["status"], "wrong");
        assert_eq!(
            serde_json::to_value(carved_out(&g, None)).unwrap()["status"],
            "carved-out"
        );
    }

    #[test]
    fn audit_looks_up_each_group_once_and_skips_carve_outs() {
        use crate::test_server::TestDns;
        let dns_server = TestDns::start(vec![
            ("_lexicon.cal.example.com", vec![vec!["did=did:plc:me"]]),
            (
                "_lexicon.wrong.example.com",
                vec![vec!["did=did:plc:other"]],
            ),
            (
                "_lexicon.internal.example.com",
                vec![vec!["did=did:plc:me"]],
            ),
        ]);
        let mut dns = DnsResolver::with_name_server(dns_server.addr);
        let requests = crate::RequestCounter::new();
        dns.set_request_counter(requests.clone());
        let local = groups([
            "com.example.cal.event",
            "com.example.cal.rsvp",
            "com.example.wrong.x",
            "com.example.missing.x",
            "com.example.internal.x",
        ]);
        let carved = [group_authority("com.example.internal").unwrap()];
        let checks = audit(&dns, &local, Some(ME), &carved);
        let got: Vec<(&str, DnsStatus)> = checks
            .iter()
            .map(|c| (c.group.as_str(), c.status))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example.cal", DnsStatus::Ok),
                ("com.example.internal", DnsStatus::CarvedOut),
                ("com.example.missing", DnsStatus::Missing),
                ("com.example.wrong", DnsStatus::Wrong),
            ]
        );
        assert_eq!(requests.count(), 3);
    }
}
