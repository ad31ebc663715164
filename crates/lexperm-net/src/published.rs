//! What an authority publishes: `_lexicon.<authority>` TXT → DID → DID document → PDS →
//! `com.atproto.repo.listRecords` of `com.atproto.lexicon.schema`, kept to the NSIDs of that
//! authority's group, each record checked against the CID the PDS lists for it; and the status
//! of local lexicons against such listings ([`compare_status`], what `lexperm status` prints).
//!
//! A listing checks each record as [`crate::resolve`] does, except for the repository proof:
//! the content must be a lexicon of its record key and hash to its listed CID, but whether the
//! signed repository holds that CID is not asked per record (one more request each).
//! [`crate::resolve::LexiconResolver`] does that for a single NSID.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::authority::nsid_authority;
use crate::error::{printable, NetError};
use crate::identity::IdentityResolver;
use crate::publish::LocalLexicon;
use crate::resolve::{check_lexicon_record, check_record_cid, record_uri, Repository};
use crate::xrpc::{RecordEntry, LEXICON_COLLECTION};

/// The step of the resolution chain a failure happened at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainStep {
    /// The `_lexicon.<authority>` TXT record.
    Dns,
    /// The DID document of the DID the TXT record names (and its PDS endpoint).
    DidDocument,
    /// The PDS's answer to `listRecords` (or `getRecord`).
    Pds,
    /// The checks of a record the PDS returned (lexicon shape, CID).
    Record,
}

impl ChainStep {
    /// The kebab-case name used in JSON output: `dns`, `did-document`, `pds`, `record`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainStep::Dns => "dns",
            ChainStep::DidDocument => "did-document",
            ChainStep::Pds => "pds",
            ChainStep::Record => "record",
        }
    }

    /// What the step is, for messages: `DNS _lexicon TXT record`, `DID document`, …
    pub fn describe(self) -> &'static str {
        match self {
            ChainStep::Dns => "DNS `_lexicon` TXT record",
            ChainStep::DidDocument => "DID document",
            ChainStep::Pds => "PDS",
            ChainStep::Record => "record checks",
        }
    }
}

impl fmt::Display for ChainStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Why an authority's lexicons could not be listed: the step that failed and its error.
#[derive(Debug, thiserror::Error)]
#[error("{authority}: listing failed at the {step}: {error}")]
pub struct ListingError {
    /// The authority (`calendar.example.com`).
    pub authority: String,
    /// Where the chain broke.
    pub step: ChainStep,
    /// The error of that step.
    pub error: Box<NetError>,
}

/// A listed record that was refused: its content is not a lexicon of its record key, does not
/// hash to its listed CID, or its record key was listed twice.
#[derive(Debug)]
pub struct RefusedRecord {
    /// The record key (an NSID of the group).
    pub nsid: String,
    /// The CID the PDS listed.
    pub cid: String,
    /// Why it was refused.
    pub error: NetError,
}

/// The lexicons one authority publishes.
#[derive(Debug)]
pub struct PublishedGroup {
    /// The authority (`calendar.example.com`).
    pub authority: String,
    /// The DID its `_lexicon` TXT record names.
    pub did: String,
    /// That DID's PDS.
    pub pds: String,
    /// The checked records of the group, sorted by record key (NSID).
    pub records: Vec<RecordEntry>,
    /// Records of the group that failed the checks, sorted by record key.
    pub refused: Vec<RefusedRecord>,
}

impl PublishedGroup {
    /// The checked record of `nsid`, when it is listed.
    pub fn get(&self, nsid: &str) -> Option<&RecordEntry> {
        self.records
            .binary_search_by(|r| r.rkey().cmp(nsid))
            .ok()
            .map(|i| &self.records[i])
    }

    /// The refusal of `nsid`, when its record was listed and refused.
    pub fn refusal(&self, nsid: &str) -> Option<&RefusedRecord> {
        self.refused.iter().find(|r| r.nsid == nsid)
    }
}

/// Lists the lexicons `authority` publishes: its `_lexicon` TXT record, the DID document of the
/// DID named there, its PDS, and every page of `listRecords` of the lexicon collection. Records
/// whose key is not an NSID of `authority` are left out (an account may publish several
/// authorities); the others are checked ([`check_lexicon_record`], [`check_record_cid`], the
/// AT-URI) and refused one by one, not as a whole. Every request goes through `identity` (its
/// deadline and request counter).
pub fn list_published(
    identity: &IdentityResolver,
    authority: &str,
) -> Result<PublishedGroup, ListingError> {
    let repository = authority_repository(identity, authority)
        .map_err(|(step, error)| listing_error(authority, step, error))?;
    list_repository(identity, authority, repository.did, repository.pds)
}

/// The repository `authority` names: its `_lexicon` TXT record's DID, that DID's document and
/// its PDS; a failure comes with the step it happened at.
pub(crate) fn authority_repository(
    identity: &IdentityResolver,
    authority: &str,
) -> Result<Repository, (ChainStep, NetError)> {
    let did = identity
        .dns()
        .lexicon_authority_did(authority)
        .map_err(|e| (ChainStep::Dns, e))?;
    let doc = identity
        .resolve_did(&did)
        .map_err(|e| (ChainStep::DidDocument, e))?;
    let pds = doc
        .pds_endpoint()
        .map_err(|e| (ChainStep::DidDocument, e))?;
    Ok(Repository { did, doc, pds })
}

pub(crate) fn listing_error(authority: &str, step: ChainStep, error: NetError) -> ListingError {
    ListingError {
        authority: authority.to_string(),
        step,
        error: Box::new(error),
    }
}

/// The lexicons of `authority` in the repository `did` on `pds` (already looked up): every page
/// of `listRecords`, kept to the authority's group and checked.
pub(crate) fn list_repository(
    identity: &IdentityResolver,
    authority: &str,
    did: String,
    pds: String,
) -> Result<PublishedGroup, ListingError> {
    let listed = identity
        .xrpc_client(&pds)
        .and_then(|client| client.list_records(&did, LEXICON_COLLECTION))
        .map_err(|e| listing_error(authority, ChainStep::Pds, e))?;
    let (records, refused) = check_listing(&did, authority, listed);
    Ok(PublishedGroup {
        authority: authority.to_string(),
        did,
        pds,
        records,
        refused,
    })
}

/// Keeps the records of `authority`'s group from a listing of `did`'s lexicon collection and
/// checks them: the checked records and the refused ones, each sorted by record key.
fn check_listing(
    did: &str,
    authority: &str,
    listed: Vec<RecordEntry>,
) -> (Vec<RecordEntry>, Vec<RefusedRecord>) {
    let mut records = Vec::new();
    let mut refused = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in listed {
        let nsid = entry.rkey().to_string();
        if nsid_authority(&nsid).ok().as_deref() != Some(authority) {
            continue;
        }
        let uri = record_uri(did, &nsid);
        let checked = if !seen.insert(nsid.clone()) {
            Err(NetError::InvalidLexicon {
                nsid: nsid.clone(),
                uri: uri.clone(),
                detail: "the PDS listed this record key more than once".into(),
            })
        } else if entry.uri != uri {
            Err(NetError::InvalidLexicon {
                nsid: nsid.clone(),
                uri: uri.clone(),
                detail: format!(
                    "the PDS listed it with the record URI `{}`",
                    printable(&entry.uri)
                ),
            })
        } else {
            check_lexicon_record(&nsid, &uri, &entry.value)
                .and_then(|()| check_record_cid(&nsid, &uri, &entry.value, &entry.cid))
        };
        match checked {
            Ok(()) => records.push(entry),
            Err(error) => refused.push(RefusedRecord {
                nsid,
                cid: entry.cid,
                error,
            }),
        }
    }
    // A record listed twice keeps its first, checked, copy among the records.
    records.sort_by(|a, b| a.rkey().cmp(b.rkey()));
    refused.sort_by(|a, b| a.nsid.cmp(&b.nsid));
    (records, refused)
}

/// How a lexicon stands against what its authority publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LexiconStatus {
    /// Published, with the local CID.
    Published,
    /// Published with another CID than the local one.
    Differs,
    /// Local only.
    Unpublished,
    /// Published in a group of the local lexicons, but not among them.
    RemoteOnly,
    /// What is published could not be found out (the listing failed, or the record was refused).
    Unavailable,
}

impl LexiconStatus {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            LexiconStatus::Published => "published",
            LexiconStatus::Differs => "differs",
            LexiconStatus::Unpublished => "unpublished",
            LexiconStatus::RemoteOnly => "remote-only",
            LexiconStatus::Unavailable => "unavailable",
        }
    }

    /// Every status, in the order summaries list them.
    pub const ALL: [LexiconStatus; 5] = [
        LexiconStatus::Published,
        LexiconStatus::Differs,
        LexiconStatus::Unpublished,
        LexiconStatus::RemoteOnly,
        LexiconStatus::Unavailable,
    ];
}

/// The status of one NSID (`lexperm status --format json` prints these, `version` first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEntry {
    /// The NSID.
    pub nsid: String,
    /// Its authority.
    pub authority: String,
    /// How it stands.
    pub status: LexiconStatus,
    /// The record CID of the local lexicon.
    pub local_cid: Option<String>,
    /// The CID the authority's PDS lists.
    pub remote_cid: Option<String>,
    /// The AT-URI of the published record (when the authority's DID is known).
    pub uri: Option<String>,
    /// For `unavailable`: the step of the chain that failed, and why.
    pub error: Option<StatusError>,
}

/// Why the published version of a lexicon is unavailable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusError {
    /// The step of the chain that failed.
    pub code: ChainStep,
    /// The error of that step.
    pub message: String,
}

impl StatusError {
    fn new(code: ChainStep, message: impl ToString) -> Option<Self> {
        Some(StatusError {
            code,
            message: message.to_string(),
        })
    }
}

/// The status of every local lexicon and of every remote-only record, against the listings of
/// their authorities (`listings` keyed by authority; an authority missing from it counts as
/// unavailable). Sorted by authority, then NSID. `local` must hold each NSID once.
pub fn compare_status(
    local: &[LocalLexicon],
    listings: &BTreeMap<String, Result<PublishedGroup, ListingError>>,
) -> Vec<StatusEntry> {
    let mut entries = Vec::new();
    let mut local_nsids: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for lex in local {
        let authority = match nsid_authority(&lex.nsid) {
            Ok(authority) => authority,
            Err(error) => {
                entries.push(StatusEntry {
                    nsid: lex.nsid.clone(),
                    authority: String::new(),
                    status: LexiconStatus::Unavailable,
                    local_cid: Some(lex.cid.clone()),
                    remote_cid: None,
                    uri: None,
                    error: StatusError::new(ChainStep::Dns, error),
                });
                continue;
            }
        };
        let mut entry = StatusEntry {
            nsid: lex.nsid.clone(),
            authority: authority.clone(),
            status: LexiconStatus::Unavailable,
            local_cid: Some(lex.cid.clone()),
            remote_cid: None,
            uri: None,
            error: None,
        };
        match listings.get(&authority) {
            Some(Ok(group)) => {
                local_nsids
                    .entry(group.authority.as_str())
                    .or_default()
                    .insert(lex.nsid.as_str());
                entry.uri = Some(record_uri(&group.did, &lex.nsid));
                if let Some(record) = group.get(&lex.nsid) {
                    entry.remote_cid = Some(record.cid.clone());
                    entry.status = if record.cid == lex.cid {
                        LexiconStatus::Published
                    } else {
                        LexiconStatus::Differs
                    };
                } else if let Some(refused) = group.refusal(&lex.nsid) {
                    entry.remote_cid = Some(refused.cid.clone());
                    entry.error = StatusError::new(ChainStep::Record, &refused.error);
                } else {
                    entry.status = LexiconStatus::Unpublished;
                }
            }
            Some(Err(failure)) => {
                entry.error = StatusError::new(failure.step, &failure.error);
            }
            None => {
                let message = format!("the authority {authority} was not listed");
                entry.error = StatusError::new(ChainStep::Dns, message);
            }
        }
        entries.push(entry);
    }
    for (authority, nsids) in &local_nsids {
        let Some(Ok(group)) = listings.get(*authority) else {
            continue;
        };
        let remote_only = |nsid: &str| !nsids.contains(nsid);
        for record in group.records.iter().filter(|r| remote_only(r.rkey())) {
            entries.push(StatusEntry {
                nsid: record.rkey().to_string(),
                authority: group.authority.clone(),
                status: LexiconStatus::RemoteOnly,
                local_cid: None,
                remote_cid: Some(record.cid.clone()),
                uri: Some(record.uri.clone()),
                error: None,
            });
        }
        for refused in group.refused.iter().filter(|r| remote_only(&r.nsid)) {
            entries.push(StatusEntry {
                nsid: refused.nsid.clone(),
                authority: group.authority.clone(),
                status: LexiconStatus::Unavailable,
                local_cid: None,
                remote_cid: Some(refused.cid.clone()),
                uri: Some(record_uri(&group.did, &refused.nsid)),
                error: StatusError::new(ChainStep::Record, &refused.error),
            });
        }
    }
    entries.sort_by(|a, b| (&a.authority, &a.nsid).cmp(&(&b.authority, &b.nsid)));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::DnsResolver;
    use crate::test_server::{plc_with_pds, TestDns, TestServer};
    use serde_json::{json, Value};

    const DID: &str = "did:plc:abc";

    fn doc(nsid: &str, description: &str) -> Value {
        json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": nsid, "description": description, "defs": {}})
    }

    fn cid_of(value: &Value) -> String {
        lexperm_codegen::records::schema_record(value)
            .unwrap()
            .cid()
            .to_string()
    }

    fn entry(nsid: &str, value: Value, cid: Option<&str>) -> Value {
        let cid = cid.map_or_else(|| cid_of(&value), str::to_string);
        json!({"uri": record_uri(DID, nsid), "cid": cid, "value": value})
    }

    /// A PDS listing the records in pages of two (the cursor is the index of the next page).
    fn pds(records: Vec<Value>) -> TestServer {
        TestServer::start(move |req| {
            assert_eq!(req.path(), "/xrpc/com.atproto.repo.listRecords");
            assert!(req.target.contains("collection=com.atproto.lexicon.schema"));
            let start: usize = req
                .target
                .split("cursor=")
                .nth(1)
                .and_then(|c| c.split('&').next())
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let page: Vec<Value> = records.iter().skip(start).take(2).cloned().collect();
            let next = start + 2;
            let body = if next < records.len() {
                json!({"records": page, "cursor": next.to_string()})
            } else {
                json!({"records": page})
            };
            (200, body.to_string())
        })
    }

    fn resolver(dns: &TestDns, plc: &TestServer) -> IdentityResolver {
        IdentityResolver::new(&plc.url, DnsResolver::with_name_server(dns.addr)).unwrap()
    }

    #[test]
    fn lists_every_page_keeps_the_group_and_refuses_bad_records() {
        let tampered = doc("com.example.tampered", "t");
        let server = pds(vec![
            entry("com.example.b", doc("com.example.b", "b"), None),
            entry("org.other.thing", doc("org.other.thing", "o"), None),
            entry("com.example.a", doc("com.example.a", "a"), None),
            // The listed CID is not the content's.
            entry(
                "com.example.tampered",
                tampered,
                Some("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
            ),
            // A deeper group under the same domain is another authority.
            entry("com.example.sub.c", doc("com.example.sub.c", "c"), None),
            // The record key says one NSID, the content another.
            entry("com.example.wrongid", doc("com.example.other", "w"), None),
            json!({"uri": "not-a-uri", "cid": "x", "value": {}}),
        ]);
        let plc = plc_with_pds(server.url.clone());
        let dns = TestDns::start(vec![(
            "_lexicon.example.com",
            vec![vec!["did=did:plc:abc"]],
        )]);
        let identity = resolver(&dns, &plc);
        let before = identity.requests().count();
        let group = list_published(&identity, "example.com").unwrap();
        // TXT, DID document, four pages.
        assert_eq!(identity.requests().count() - before, 6);
        assert_eq!(server.requests().len(), 4);
        assert_eq!(
            (group.did.as_str(), group.pds.as_str()),
            (DID, &*server.url)
        );
        let keys: Vec<&str> = group.records.iter().map(RecordEntry::rkey).collect();
        assert_eq!(keys, ["com.example.a", "com.example.b"]);
        let refused: Vec<(&str, String)> = group
            .refused
            .iter()
            .map(|r| (r.nsid.as_str(), r.error.to_string()))
            .collect();
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!(refused[0].0, "com.example.tampered");
        assert!(refused[0].1.contains("hashes to"), "{}", refused[0].1);
        assert_eq!(refused[1].0, "com.example.wrongid");
        assert!(refused[1].1.contains("record key is"), "{}", refused[1].1);
        assert_eq!(group.get("com.example.a").unwrap().rkey(), "com.example.a");
        assert!(group.get("com.example.tampered").is_none());
        assert!(group.refusal("com.example.tampered").is_some());
    }

    #[test]
    fn a_record_listed_twice_or_under_another_uri_is_refused() {
        let a = doc("com.example.a", "a");
        let mut moved = entry("com.example.b", doc("com.example.b", "b"), None);
        moved["uri"] = json!(format!(
            "at://did:plc:other/{LEXICON_COLLECTION}/com.example.b"
        ));
        let listed: Vec<RecordEntry> = [
            entry("com.example.a", a.clone(), None),
            entry("com.example.a", doc("com.example.a", "again"), None),
            moved,
        ]
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
        let (records, refused) = check_listing(DID, "example.com", listed);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].value, a);
        let reasons: Vec<String> = refused.iter().map(|r| r.error.to_string()).collect();
        assert!(reasons[0].contains("more than once"), "{reasons:?}");
        assert!(reasons[1].contains("did:plc:other"), "{reasons:?}");
    }

    #[test]
    fn each_failing_step_is_named() {
        let plc = plc_with_pds("http://127.0.0.1:9".into());
        let dns = TestDns::start(vec![(
            "_lexicon.example.com",
            vec![vec!["did=did:plc:abc"]],
        )]);
        let identity = resolver(&dns, &plc);
        let err = list_published(&identity, "nowhere.example.org").unwrap_err();
        assert_eq!(err.step, ChainStep::Dns);
        assert!(err
            .to_string()
            .starts_with("nowhere.example.org: listing failed at the DNS `_lexicon` TXT record: "));
        let err = list_published(&identity, "example.com").unwrap_err();
        assert_eq!(err.step, ChainStep::Pds, "{err}");
        let dns = TestDns::start(vec![(
            "_lexicon.example.com",
            vec![vec!["did=did:plc:unknown"]],
        )]);
        let plc = TestServer::start(|_| (404, "{}".into()));
        let err = list_published(&resolver(&dns, &plc), "example.com").unwrap_err();
        assert_eq!(err.step, ChainStep::DidDocument, "{err}");
    }

    fn local(nsid: &str, description: &str) -> LocalLexicon {
        LocalLexicon::from_document(&doc(nsid, description)).unwrap()
    }

    #[test]
    fn status_of_every_kind() {
        let listed: Vec<RecordEntry> = [
            entry("com.example.same", doc("com.example.same", "s"), None),
            entry(
                "com.example.changed",
                doc("com.example.changed", "before"),
                None,
            ),
            entry("com.example.gone", doc("com.example.gone", "g"), None),
            entry(
                "com.example.bad",
                doc("com.example.bad", "x"),
                Some("bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
            ),
        ]
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
        let (records, refused) = check_listing(DID, "example.com", listed);
        let mut listings = BTreeMap::new();
        listings.insert(
            "example.com".to_string(),
            Ok(PublishedGroup {
                authority: "example.com".into(),
                did: DID.into(),
                pds: "http://127.0.0.1:1".into(),
                records,
                refused,
            }),
        );
        listings.insert(
            "down.org".to_string(),
            Err(ListingError {
                authority: "down.org".into(),
                step: ChainStep::Dns,
                error: Box::new(NetError::Authority(
                    crate::authority::AuthorityError::Missing {
                        name: "_lexicon.down.org".into(),
                    },
                )),
            }),
        );
        let locals = [
            local("com.example.same", "s"),
            local("com.example.changed", "after"),
            local("com.example.new", "n"),
            local("com.example.bad", "x"),
            local("org.down.thing", "d"),
        ];
        let entries = compare_status(&locals, &listings);
        let got: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.nsid.as_str(), e.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("org.down.thing", "unavailable"),
                ("com.example.bad", "unavailable"),
                ("com.example.changed", "differs"),
                ("com.example.gone", "remote-only"),
                ("com.example.new", "unpublished"),
                ("com.example.same", "published"),
            ]
        );
        let changed = &entries[2];
        assert_eq!(changed.local_cid, Some(locals[1].cid.clone()));
        assert_ne!(changed.remote_cid, changed.local_cid);
        assert!(changed.remote_cid.is_some());
        assert_eq!(
            changed.uri.as_deref(),
            Some("at://did:plc:abc/com.atproto.lexicon.schema/com.example.changed")
        );
        let error = entries[0].error.as_ref().unwrap();
        assert_eq!(error.code, ChainStep::Dns);
        assert_eq!(error.message, "no TXT record at _lexicon.down.org");
        let refused = entries[1].error.as_ref().unwrap();
        assert_eq!(refused.code, ChainStep::Record);
        assert!(refused.message.contains("hashes to"), "{}", refused.message);
        assert_eq!(entries[3].local_cid, None);
        let line = serde_json::to_value(&entries[0]).unwrap();
        assert_eq!(line["error"]["code"], "dns");
        assert_eq!(line["status"], "unavailable");
    }
}
