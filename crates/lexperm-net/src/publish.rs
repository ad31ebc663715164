//! Publishing lexicons: authority checks per NSID group, a plan (create / update / unchanged /
//! refused / remote-only) against the repository's current records, and its application with
//! compare-and-swap writes, verified by reading each record back.
//!
//! The planner is pure: it takes local `(nsid, record, cid)` triples (built by `lexperm-codegen`),
//! the remote records (`listRecords`) and the authority results, and does no IO.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::authority::{nsid_authority, ExpectedTxtRecord};
use crate::dns::DnsResolver;
use crate::error::{NetError, XrpcErrorKind};
use crate::identity::DidDocument;
use crate::resolve::check_record_proof;
use crate::xrpc::{Agent, RecordEntry, Swap, LEXICON_COLLECTION};

/// A lexicon ready to publish: its record (with `$type`) and the locally computed CID.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalLexicon {
    /// The NSID (record key).
    pub nsid: String,
    /// The `com.atproto.lexicon.schema` record.
    pub record: Value,
    /// The record's CID, computed locally.
    pub cid: String,
}

impl LocalLexicon {
    /// [`LocalLexicon::from_document`] of a file's text; the error says what keeps it from
    /// being a record (not JSON, not a lexicon).
    pub fn from_text(text: &str) -> Result<Self, String> {
        let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        LocalLexicon::from_document(&doc).map_err(|e| e.to_string())
    }

    /// Build the record and its CID from a lexicon document (via `lexperm-codegen`).
    pub fn from_document(doc: &Value) -> Result<Self, lexperm_codegen::records::RecordError> {
        let record = lexperm_codegen::records::schema_record(doc)?;
        Ok(LocalLexicon {
            nsid: record.nsid().to_string(),
            record: record.value().clone(),
            cid: record.cid().to_string(),
        })
    }
}

/// Whether the account may publish under an authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorityStatus {
    /// `_lexicon.<authority>` names exactly the account's DID.
    Verified,
    /// It does not; `expected` is the record to create.
    Refused {
        /// What is wrong with the current DNS state.
        reason: String,
        /// The record that would make the account the authority.
        expected: ExpectedTxtRecord,
    },
}

/// Check every authority against `did` (one DNS lookup each).
pub fn check_authorities<'a>(
    dns: &DnsResolver,
    did: &str,
    authorities: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, AuthorityStatus> {
    authorities
        .into_iter()
        .map(|authority| {
            let status = match dns.check_lexicon_authority(authority, did) {
                Ok(()) => AuthorityStatus::Verified,
                Err(e) => AuthorityStatus::Refused {
                    reason: e.to_string(),
                    expected: ExpectedTxtRecord::new(authority, did),
                },
            };
            (authority.to_string(), status)
        })
        .collect()
}

/// What the plan does with one lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanAction {
    /// Not published yet: create (create-only write).
    Create,
    /// Published with another CID: replace (swap on the remote CID).
    Update,
    /// Published with the same CID.
    Unchanged,
    /// Not allowed (authority check failed, or a duplicate NSID).
    Refused,
    /// Published, but not among the local lexicons (never deleted by lexperm).
    RemoteOnly,
}

impl PlanAction {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanAction::Create => "create",
            PlanAction::Update => "update",
            PlanAction::Unchanged => "unchanged",
            PlanAction::Refused => "refused",
            PlanAction::RemoteOnly => "remote-only",
        }
    }
}

/// One line of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    /// The NSID.
    pub nsid: String,
    /// What to do.
    pub action: PlanAction,
    /// Why (for refused and remote-only entries).
    pub reason: Option<String>,
    /// The DNS record to create (refused by authority).
    pub fix: Option<ExpectedTxtRecord>,
    /// The local CID.
    pub local_cid: Option<String>,
    /// The remote CID seen when planning (the swap CID of an update).
    pub remote_cid: Option<String>,
    /// Readable changes from the remote to the local record (updates only).
    pub diff: Vec<String>,
    /// The local record (create and update).
    pub record: Option<Value>,
}

/// A publish plan for one repository.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishPlan {
    /// The repository (account) DID.
    pub did: String,
    /// One entry per local lexicon plus remote-only records, sorted by NSID.
    pub entries: Vec<PlanEntry>,
}

impl PublishPlan {
    /// Number of entries with the given action.
    pub fn count(&self, action: PlanAction) -> usize {
        self.entries.iter().filter(|e| e.action == action).count()
    }
}

/// Build the plan. `remote` is the repository's `com.atproto.lexicon.schema` collection;
/// remote-only entries are reported only for authorities that some local lexicon uses.
pub fn plan_publish(
    did: &str,
    local: &[LocalLexicon],
    remote: &[RecordEntry],
    authorities: &BTreeMap<String, AuthorityStatus>,
) -> PublishPlan {
    let remote_by_key: BTreeMap<&str, &RecordEntry> =
        remote.iter().map(|r| (r.rkey(), r)).collect();
    let mut seen = BTreeSet::new();
    let mut local_authorities = BTreeSet::new();
    let mut entries = Vec::new();
    for lex in local {
        let remote = remote_by_key.get(lex.nsid.as_str()).copied();
        let mut entry = PlanEntry {
            nsid: lex.nsid.clone(),
            action: PlanAction::Refused,
            reason: None,
            fix: None,
            local_cid: Some(lex.cid.clone()),
            remote_cid: remote.map(|r| r.cid.clone()),
            diff: Vec::new(),
            record: None,
        };
        if !seen.insert(lex.nsid.clone()) {
            entry.reason = Some("duplicate NSID among the local lexicons".into());
            entries.push(entry);
            continue;
        }
        let authority = match nsid_authority(&lex.nsid) {
            Ok(a) => a,
            Err(e) => {
                entry.reason = Some(e.to_string());
                entries.push(entry);
                continue;
            }
        };
        local_authorities.insert(authority.clone());
        match authorities.get(&authority) {
            Some(AuthorityStatus::Verified) => {}
            Some(AuthorityStatus::Refused { reason, expected }) => {
                entry.reason = Some(format!("{reason}; create the DNS record {expected}"));
                entry.fix = Some(expected.clone());
                entries.push(entry);
                continue;
            }
            None => {
                let expected = ExpectedTxtRecord::new(&authority, did);
                entry.reason = Some(format!(
                    "authority {authority} was not checked; it needs {expected}"
                ));
                entry.fix = Some(expected);
                entries.push(entry);
                continue;
            }
        }
        match remote {
            None => {
                entry.action = PlanAction::Create;
                entry.record = Some(lex.record.clone());
            }
            Some(r) if r.cid == lex.cid => entry.action = PlanAction::Unchanged,
            Some(r) => {
                entry.action = PlanAction::Update;
                entry.diff = json_diff(&r.value, &lex.record);
                entry.record = Some(lex.record.clone());
            }
        }
        entries.push(entry);
    }
    for r in remote {
        let key = r.rkey();
        if seen.contains(key) {
            continue;
        }
        let Ok(authority) = nsid_authority(key) else {
            continue;
        };
        if local_authorities.contains(&authority) {
            entries.push(PlanEntry {
                nsid: key.to_string(),
                action: PlanAction::RemoteOnly,
                reason: Some(
                    "published, but not among the local lexicons (lexperm never deletes)".into(),
                ),
                fix: None,
                local_cid: None,
                remote_cid: Some(r.cid.clone()),
                diff: Vec::new(),
                record: None,
            });
        }
    }
    entries.sort_by(|a, b| a.nsid.cmp(&b.nsid));
    PublishPlan {
        did: did.to_string(),
        entries,
    }
}

/// The outcome for one entry after applying (or dry-running) a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PublishStatus {
    /// Dry run: nothing was written.
    Planned,
    /// Written and verified.
    Done,
    /// Nothing to do (unchanged, refused, remote-only).
    Skipped,
    /// The write or its verification failed.
    Failed,
}

/// One result line (`--format json` prints these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishResult {
    /// The NSID.
    pub nsid: String,
    /// The planned action.
    pub action: PlanAction,
    /// Why (refused, remote-only, failed).
    pub reason: Option<String>,
    /// The local CID.
    pub local_cid: Option<String>,
    /// The remote CID after the operation (before it, for planned/skipped entries).
    pub remote_cid: Option<String>,
    /// The status.
    pub status: PublishStatus,
}

impl PublishResult {
    fn from_entry(entry: &PlanEntry, status: PublishStatus) -> Self {
        PublishResult {
            nsid: entry.nsid.clone(),
            action: entry.action,
            reason: entry.reason.clone(),
            local_cid: entry.local_cid.clone(),
            remote_cid: entry.remote_cid.clone(),
            status,
        }
    }
}

/// The results of a dry run: every entry `planned` (writes) or `skipped`.
pub fn dry_run(plan: &PublishPlan) -> Vec<PublishResult> {
    plan.entries
        .iter()
        .map(|e| {
            let status = match e.action {
                PlanAction::Create | PlanAction::Update => PublishStatus::Planned,
                _ => PublishStatus::Skipped,
            };
            PublishResult::from_entry(e, status)
        })
        .collect()
}

/// Apply a plan: create-only writes for new records, `swapRecord` = the planned remote CID for
/// updates, then read each record back, compare CIDs, and check the repository proof against
/// `doc` (the plan DID's document) as `resolve` does. Errors stay per record; `on_result` is
/// called after every entry (for progress output).
pub fn apply_plan(
    agent: &mut Agent,
    plan: &PublishPlan,
    doc: &DidDocument,
    mut on_result: impl FnMut(&PublishResult),
) -> Vec<PublishResult> {
    let mut results = Vec::new();
    for entry in &plan.entries {
        let result = match (entry.action, &entry.record, &entry.local_cid) {
            (PlanAction::Create | PlanAction::Update, Some(record), Some(local_cid)) => {
                let swap = match (&entry.action, &entry.remote_cid) {
                    (PlanAction::Update, Some(cid)) => Swap::Cid(cid.clone()),
                    _ => Swap::CreateOnly,
                };
                let mut result = PublishResult::from_entry(entry, PublishStatus::Done);
                match write_and_verify(agent, doc, &plan.did, &entry.nsid, record, &swap, local_cid)
                {
                    Ok(remote_cid) => result.remote_cid = Some(remote_cid),
                    Err(error) => {
                        result.status = PublishStatus::Failed;
                        result.reason = Some(error.to_string());
                    }
                }
                result
            }
            _ => PublishResult::from_entry(entry, PublishStatus::Skipped),
        };
        on_result(&result);
        results.push(result);
    }
    results
}

/// Why writing a record, or verifying it afterwards, failed.
#[derive(Debug, thiserror::Error)]
enum WriteError {
    /// The logged-in account is not the plan's repository.
    #[error("the session is for {session}, the plan for {plan}")]
    SessionMismatch { session: String, plan: String },
    /// `swapRecord` did not match: the record changed since planning.
    #[error("the record changed since planning ({0}); run publish again")]
    Changed(NetError),
    /// `putRecord` failed otherwise.
    #[error(transparent)]
    Put(NetError),
    /// `getRecord` after the write failed.
    #[error("written, but reading it back failed: {0}")]
    ReadBack(NetError),
    /// The record read back is not the one `putRecord` reported.
    #[error("putRecord answered CID {put} but the record reads back as {back}")]
    ReadBackCid { put: String, back: String },
    /// The stored record is not the local one.
    #[error("the PDS stored CID {stored} but the local CID is {local} (the record was altered or encoded differently)")]
    LocalCid { stored: String, local: String },
    /// The DID document given is not the plan's repository's.
    #[error("the DID document is for {doc}, the plan for {plan}")]
    DocMismatch { doc: String, plan: String },
    /// The repository proof of the written record failed.
    #[error("written, but the signed repository does not prove it: {0}")]
    Unproven(NetError),
}

fn write_and_verify(
    agent: &mut Agent,
    doc: &DidDocument,
    did: &str,
    nsid: &str,
    record: &Value,
    swap: &Swap,
    local_cid: &str,
) -> Result<String, WriteError> {
    if agent.did() != did {
        return Err(WriteError::SessionMismatch {
            session: agent.did().to_string(),
            plan: did.to_string(),
        });
    }
    let put = agent
        .put_record(LEXICON_COLLECTION, nsid, record, swap)
        .map_err(|e| match e.xrpc_kind() {
            Some(XrpcErrorKind::InvalidSwap) => WriteError::Changed(e),
            _ => WriteError::Put(e),
        })?;
    let back = agent
        .client()
        .get_record(did, LEXICON_COLLECTION, nsid)
        .map_err(WriteError::ReadBack)?;
    if back.cid != put.cid {
        return Err(WriteError::ReadBackCid {
            put: put.cid,
            back: back.cid,
        });
    }
    if back.cid != local_cid {
        return Err(WriteError::LocalCid {
            stored: back.cid,
            local: local_cid.to_string(),
        });
    }
    if doc.id != did {
        return Err(WriteError::DocMismatch {
            doc: doc.id.clone(),
            plan: did.to_string(),
        });
    }
    check_record_proof(agent.client(), doc, nsid, &back.uri, &back.cid)
        .map_err(WriteError::Unproven)?;
    Ok(back.cid)
}

/// One difference between two JSON values, at a JSON Pointer path (RFC 6901: `/defs/main`, with
/// `~` and `/` in keys escaped as `~0` and `~1`; `/` for the whole value). Objects are compared
/// member by member, arrays of the same length item by item; anything else that differs (an
/// array whose length changed, a value of another type) is one change of the whole value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum JsonChange {
    /// A member only the new value has.
    Added {
        /// Where.
        path: String,
        /// The new member's value.
        new: Value,
    },
    /// A member only the old value has.
    Removed {
        /// Where.
        path: String,
        /// The old member's value.
        old: Value,
    },
    /// A value that differs.
    Changed {
        /// Where.
        path: String,
        /// The old value.
        old: Value,
        /// The new value.
        new: Value,
    },
}

impl JsonChange {
    /// The JSON Pointer of the change.
    pub fn path(&self) -> &str {
        match self {
            JsonChange::Added { path, .. }
            | JsonChange::Removed { path, .. }
            | JsonChange::Changed { path, .. } => path,
        }
    }
}

impl std::fmt::Display for JsonChange {
    /// `~ /path: old → new`, `+ /path: new` or `- /path: old`, each value cut to 80 bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonChange::Added { path, new } => write!(f, "+ {path}: {}", short(new)),
            JsonChange::Removed { path, old } => write!(f, "- {path}: {}", short(old)),
            JsonChange::Changed { path, old, new } => {
                write!(f, "~ {path}: {} → {}", short(old), short(new))
            }
        }
    }
}

/// The differences from `old` to `new` ([`JsonChange`]): for each object, its changed and
/// removed members in the old value's order, then its added members in the new value's order.
pub fn json_changes(old: &Value, new: &Value) -> Vec<JsonChange> {
    let mut out = Vec::new();
    diff_into("", old, new, &mut out);
    out
}

/// Readable differences from `old` to `new`: `~ /path: old → new`, `+ /path: new`, `- /path: old`
/// (the [`JsonChange`]s of [`json_changes`] as text).
pub fn json_diff(old: &Value, new: &Value) -> Vec<String> {
    json_changes(old, new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    crate::http::truncate(&text, 80)
}

fn diff_into(path: &str, old: &Value, new: &Value, out: &mut Vec<JsonChange>) {
    let member = |k: &str| format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"));
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff_into(&member(k), va, vb, out),
                    None => out.push(JsonChange::Removed {
                        path: member(k),
                        old: va.clone(),
                    }),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(JsonChange::Added {
                        path: member(k),
                        new: vb.clone(),
                    });
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff_into(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ if old == new => {}
        _ => out.push(JsonChange::Changed {
            path: if path.is_empty() { "/" } else { path }.to_string(),
            old: old.clone(),
            new: new.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DID: &str = "did:plc:me";

    #[test]
    fn apply_reports_each_write_failure_with_its_reason() {
        use crate::session::Session;
        use crate::test_server::TestServer;
        use crate::xrpc::XrpcClient;
        use crate::Secret;

        let server = TestServer::start(|req| {
            let rkey = req
                .json()
                .get("rkey")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| req.target.split("rkey=").nth(1).map(str::to_string))
                .unwrap_or_default();
            let uri = format!("at://{DID}/{LEXICON_COLLECTION}/{rkey}");
            match (req.path(), rkey.as_str()) {
                ("/xrpc/com.atproto.repo.putRecord", "com.example.swap") => (
                    400,
                    json!({"error": "InvalidSwap", "message": "Record was at bafyother"})
                        .to_string(),
                ),
                _ => (
                    200,
                    json!({"uri": uri, "cid": "bafyremote", "value": {}}).to_string(),
                ),
            }
        });
        let session = Session {
            service: server.url.clone(),
            did: DID.into(),
            handle: "me.test".into(),
            access_jwt: Secret::new("a"),
            refresh_jwt: Secret::new("r"),
        };
        let client = XrpcClient::new(&server.url).unwrap();
        let mut agent = Agent::from_session(client, session, None);
        let doc: DidDocument = serde_json::from_value(json!({"id": DID})).unwrap();
        let create = |nsid: &str| PlanEntry {
            nsid: nsid.into(),
            action: PlanAction::Create,
            reason: None,
            fix: None,
            local_cid: Some("bafylocal".into()),
            remote_cid: None,
            diff: Vec::new(),
            record: Some(local(nsid, "bafylocal", "d").record),
        };
        let plan = PublishPlan {
            did: DID.into(),
            entries: vec![create("com.example.altered"), create("com.example.swap")],
        };
        let results = apply_plan(&mut agent, &plan, &doc, |_| {});
        let reasons: Vec<(&str, PublishStatus)> = results
            .iter()
            .map(|r| (r.reason.as_deref().unwrap_or(""), r.status.clone()))
            .collect();
        assert_eq!(
            reasons,
            [
                (
                    "the PDS stored CID bafyremote but the local CID is bafylocal (the record was altered or encoded differently)",
                    PublishStatus::Failed
                ),
                (
                    "the record changed since planning (com.atproto.repo.putRecord failed with HTTP 400: InvalidSwap: Record was at bafyother); run publish again",
                    PublishStatus::Failed
                ),
            ]
        );
        let other = PublishPlan {
            did: "did:plc:other".into(),
            entries: vec![create("com.example.altered")],
        };
        let results = apply_plan(&mut agent, &other, &doc, |_| {});
        assert_eq!(
            results[0].reason.as_deref(),
            Some("the session is for did:plc:me, the plan for did:plc:other")
        );
    }

    fn local(nsid: &str, cid: &str, desc: &str) -> LocalLexicon {
        LocalLexicon {
            nsid: nsid.into(),
            record: json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": nsid, "description": desc, "defs": {}}),
            cid: cid.into(),
        }
    }

    fn remote(nsid: &str, cid: &str, desc: &str) -> RecordEntry {
        RecordEntry {
            uri: format!("at://{DID}/{LEXICON_COLLECTION}/{nsid}"),
            cid: cid.into(),
            value: json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": nsid, "description": desc, "defs": {}}),
        }
    }

    fn authorities() -> BTreeMap<String, AuthorityStatus> {
        let mut m = BTreeMap::new();
        m.insert("example.com".to_string(), AuthorityStatus::Verified);
        m.insert(
            "other.org".to_string(),
            AuthorityStatus::Refused {
                reason: "TXT record at _lexicon.other.org points at did:plc:x, not at did:plc:me"
                    .into(),
                expected: ExpectedTxtRecord::new("other.org", DID),
            },
        );
        m
    }

    #[test]
    fn plan_covers_every_action() {
        let locals = [
            local("com.example.new", "c-new", "n"),
            local("com.example.same", "c-same", "s"),
            local("com.example.changed", "c-2", "after"),
            local("org.other.thing", "c-o", "o"),
            local("com.example.same", "c-same", "s"),
        ];
        let remotes = [
            remote("com.example.same", "c-same", "s"),
            remote("com.example.changed", "c-1", "before"),
            remote("com.example.gone", "c-g", "g"),
            remote("net.unrelated.thing", "c-u", "u"),
        ];
        let plan = plan_publish(DID, &locals, &remotes, &authorities());
        let got: Vec<(&str, &str)> = plan
            .entries
            .iter()
            .map(|e| (e.nsid.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example.changed", "update"),
                ("com.example.gone", "remote-only"),
                ("com.example.new", "create"),
                ("com.example.same", "unchanged"),
                ("com.example.same", "refused"),
                ("org.other.thing", "refused"),
            ]
        );
        let update = &plan.entries[0];
        assert_eq!(update.remote_cid.as_deref(), Some("c-1"));
        assert_eq!(update.diff, ["~ /description: \"before\" → \"after\""]);
        let refused = plan
            .entries
            .iter()
            .find(|e| e.nsid == "org.other.thing")
            .unwrap();
        let reason = refused.reason.as_deref().unwrap();
        assert!(
            reason.ends_with("create the DNS record _lexicon.other.org TXT \"did=did:plc:me\""),
            "{reason}"
        );
        assert_eq!(plan.count(PlanAction::Refused), 2);
        let dry = dry_run(&plan);
        assert_eq!(dry[0].status, PublishStatus::Planned);
        assert_eq!(dry[1].status, PublishStatus::Skipped);
    }

    #[test]
    fn unchecked_authority_is_refused_with_the_record_to_create() {
        let plan = plan_publish(
            DID,
            &[local("io.nowhere.x", "c", "d")],
            &[],
            &BTreeMap::new(),
        );
        assert_eq!(plan.entries[0].action, PlanAction::Refused);
        assert_eq!(
            plan.entries[0].fix,
            Some(ExpectedTxtRecord::new("nowhere.io", DID))
        );
    }

    #[test]
    fn result_json_shape() {
        let plan = plan_publish(
            DID,
            &[local("com.example.new", "c-new", "n")],
            &[],
            &authorities(),
        );
        let v = serde_json::to_value(&dry_run(&plan)[0]).unwrap();
        assert_eq!(
            v,
            json!({"nsid": "com.example.new", "action": "create", "reason": null, "local_cid": "c-new", "remote_cid": null, "status": "planned"})
        );
    }

    #[test]
    fn diff_paths() {
        let old = json!({"a": 1, "b": {"c": [1, 2]}, "gone": true, "x/y": 1});
        let new = json!({"a": 2, "b": {"c": [1, 3]}, "added": "v", "x/y": 1});
        assert_eq!(
            json_diff(&old, &new),
            [
                "~ /a: 1 → 2",
                "~ /b/c/1: 2 → 3",
                "- /gone: true",
                "+ /added: \"v\""
            ]
        );
        assert!(json_diff(&old, &old).is_empty());
        let changes = json_changes(&old, &new);
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            json!([
                {"op": "changed", "path": "/a", "old": 1, "new": 2},
                {"op": "changed", "path": "/b/c/1", "old": 2, "new": 3},
                {"op": "removed", "path": "/gone", "old": true},
                {"op": "added", "path": "/added", "new": "v"},
            ])
        );
        assert_eq!(changes[0].path(), "/a");
        assert_eq!(
            json_changes(&json!([1]), &json!([1, 2])),
            [JsonChange::Changed {
                path: "/".into(),
                old: json!([1]),
                new: json!([1, 2])
            }]
        );
    }
}
