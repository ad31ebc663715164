//! Unpublishing lexicons: a plan (delete, with the CID seen, or not published) from the
//! repository's `com.atproto.lexicon.schema` records, and its application with compare-and-swap
//! deletes (`swapRecord` = the planned CID), each checked by reading the record back.
//!
//! The planner is pure: it takes the requested targets, the remote records (`listRecords`) and
//! the authority results ([`check_authorities`](crate::publish::check_authorities)) and does no
//! IO. A record under an authority whose `_lexicon` record does not name the account is still
//! deleted when asked for (it is the account's own record), with a warning: resolvers do not
//! serve it, so deleting it only tidies the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::authority::nsid_authority;
use crate::error::{NetError, XrpcErrorKind};
use crate::publish::AuthorityStatus;
use crate::xrpc::{Agent, RecordEntry, LEXICON_COLLECTION};
use lexperm_parser::syntax::Nsid;

/// What to unpublish: one NSID, or every record of an NSID group (`GROUP.*`: the names directly
/// in the group, as `pull` reads it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpublishTarget {
    /// One NSID.
    Nsid(String),
    /// An NSID group without the trailing `.*` (`com.example.calendar`).
    Group(String),
}

impl UnpublishTarget {
    /// Reads `NSID` or `GROUP.*`; anything else is [`NetError::InvalidInput`].
    pub fn parse(text: &str) -> Result<Self, NetError> {
        let invalid = |what: &'static str, detail: String| NetError::InvalidInput {
            what,
            value: text.to_string(),
            detail,
        };
        match text.strip_suffix(".*") {
            // A group is valid when a name in it is a valid NSID.
            Some(group) => Nsid::parse(&format!("{group}.x"))
                .map(|_| UnpublishTarget::Group(group.to_string()))
                .map_err(|e| invalid("NSID group", e.to_string())),
            None => Nsid::parse(text)
                .map(|_| UnpublishTarget::Nsid(text.to_string()))
                .map_err(|e| {
                    invalid(
                        "NSID",
                        format!("{e} (hint: `GROUP.*` names every record of a group)"),
                    )
                }),
        }
    }

    /// Whether the record key `rkey` is this NSID, or a name directly in this group.
    pub fn matches(&self, rkey: &str) -> bool {
        match self {
            UnpublishTarget::Nsid(nsid) => nsid == rkey,
            UnpublishTarget::Group(group) => rkey
                .strip_prefix(group.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|name| !name.is_empty() && !name.contains('.')),
        }
    }

    /// The authority domain (`_lexicon.<authority>` is its DNS record).
    pub fn authority(&self) -> String {
        let nsid = match self {
            UnpublishTarget::Nsid(nsid) => nsid.clone(),
            UnpublishTarget::Group(group) => format!("{group}.x"),
        };
        // Both forms were checked by `parse`.
        nsid_authority(&nsid).unwrap_or_default()
    }
}

impl fmt::Display for UnpublishTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnpublishTarget::Nsid(nsid) => f.write_str(nsid),
            UnpublishTarget::Group(group) => write!(f, "{group}.*"),
        }
    }
}

/// What the plan does with one requested record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnpublishAction {
    /// Published: delete it, only if it is still at the CID seen.
    Delete,
    /// Requested, but the repository has no such record (or a group has none): an error.
    NotPublished,
}

impl UnpublishAction {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            UnpublishAction::Delete => "delete",
            UnpublishAction::NotPublished => "not-published",
        }
    }
}

/// One line of an unpublish plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpublishEntry {
    /// The NSID (or `GROUP.*` for a group without records).
    pub nsid: String,
    /// What to do.
    pub action: UnpublishAction,
    /// The record's CID when planning: the `swapRecord` of the delete.
    pub cid: Option<String>,
    /// Set when `_lexicon.<authority>` does not name the account: why, and that resolvers do not
    /// serve the record.
    pub warning: Option<String>,
}

/// An unpublish plan for one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpublishPlan {
    /// The repository (account) DID.
    pub did: String,
    /// Deletes sorted by NSID, then the targets with nothing published, in the order asked.
    pub entries: Vec<UnpublishEntry>,
}

impl UnpublishPlan {
    /// The entries to delete.
    pub fn deletes(&self) -> impl Iterator<Item = &UnpublishEntry> {
        self.entries
            .iter()
            .filter(|e| e.action == UnpublishAction::Delete)
    }
}

/// Build the plan: every record of `remote` (the repository's `com.atproto.lexicon.schema`
/// collection) that a target names is deleted once; a target naming none is `not-published`.
/// `authorities` holds the result for each target's authority; an authority that is not
/// [`AuthorityStatus::Verified`] (or not checked) puts a warning on its deletes.
pub fn plan_unpublish(
    did: &str,
    targets: &[UnpublishTarget],
    remote: &[RecordEntry],
    authorities: &BTreeMap<String, AuthorityStatus>,
) -> UnpublishPlan {
    let mut deletes: BTreeMap<&str, &RecordEntry> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut missing_seen = BTreeSet::new();
    for target in targets {
        let mut found = false;
        for record in remote.iter().filter(|r| target.matches(r.rkey())) {
            found = true;
            deletes.insert(record.rkey(), record);
        }
        if !found && missing_seen.insert(target.to_string()) {
            missing.push(target);
        }
    }
    let warning = |nsid: &str| {
        let authority = nsid_authority(nsid).ok()?;
        match authorities.get(&authority) {
            Some(AuthorityStatus::Verified) => None,
            Some(AuthorityStatus::Refused { reason, .. }) => Some(format!(
                "{reason}: resolvers do not serve this record, so deleting it only tidies the repository"
            )),
            None => Some(format!(
                "_lexicon.{authority} was not checked: this record may not be what resolvers serve"
            )),
        }
    };
    let mut entries: Vec<UnpublishEntry> = deletes
        .into_iter()
        .map(|(nsid, record)| UnpublishEntry {
            nsid: nsid.to_string(),
            action: UnpublishAction::Delete,
            cid: Some(record.cid.clone()),
            warning: warning(nsid),
        })
        .collect();
    entries.extend(missing.into_iter().map(|target| UnpublishEntry {
        nsid: target.to_string(),
        action: UnpublishAction::NotPublished,
        cid: None,
        warning: None,
    }));
    UnpublishPlan {
        did: did.to_string(),
        entries,
    }
}

/// The outcome for one entry after applying (or dry-running) a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnpublishStatus {
    /// Dry run (or not confirmed): nothing was deleted.
    Planned,
    /// Deleted, and reading it back finds nothing.
    Deleted,
    /// Already gone when the delete came: deleted elsewhere since the plan (not a failure: the
    /// record is gone, as asked).
    Gone,
    /// The record changed since the plan: the PDS refused the delete (`InvalidSwap`).
    Changed,
    /// Not published: nothing to delete.
    Skipped,
    /// The delete or its read-back failed.
    Failed,
}

impl UnpublishStatus {
    /// The kebab-case name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            UnpublishStatus::Planned => "planned",
            UnpublishStatus::Deleted => "deleted",
            UnpublishStatus::Gone => "gone",
            UnpublishStatus::Changed => "changed",
            UnpublishStatus::Skipped => "skipped",
            UnpublishStatus::Failed => "failed",
        }
    }

    /// True for the outcomes that fail a run: changed, failed.
    pub fn is_failure(self) -> bool {
        matches!(self, UnpublishStatus::Changed | UnpublishStatus::Failed)
    }
}

/// One result line (`--format json` prints these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnpublishResult {
    /// The NSID (or `GROUP.*`).
    pub nsid: String,
    /// The planned action.
    pub action: UnpublishAction,
    /// The CID seen when planning (the swap CID).
    pub cid: Option<String>,
    /// The status.
    pub status: UnpublishStatus,
    /// Why (not published, gone, changed, failed).
    pub reason: Option<String>,
    /// The authority warning of the plan entry.
    pub warning: Option<String>,
}

impl UnpublishResult {
    fn from_entry(entry: &UnpublishEntry, status: UnpublishStatus) -> Self {
        let reason = (entry.action == UnpublishAction::NotPublished)
            .then(|| "not published: the repository has no such record".to_string());
        UnpublishResult {
            nsid: entry.nsid.clone(),
            action: entry.action,
            cid: entry.cid.clone(),
            status,
            reason,
            warning: entry.warning.clone(),
        }
    }
}

/// The results of a dry run: deletes `planned`, the rest `skipped`.
pub fn dry_run(plan: &UnpublishPlan) -> Vec<UnpublishResult> {
    plan.entries
        .iter()
        .map(|e| {
            let status = match e.action {
                UnpublishAction::Delete => UnpublishStatus::Planned,
                UnpublishAction::NotPublished => UnpublishStatus::Skipped,
            };
            UnpublishResult::from_entry(e, status)
        })
        .collect()
}

/// Why deleting a record, or checking it afterwards, failed.
#[derive(Debug, thiserror::Error)]
enum DeleteError {
    #[error("the session is for {session}, the plan for {plan}")]
    SessionMismatch { session: String, plan: String },
    #[error("changed since the plan (planned CID {planned}); nothing was deleted: {error}")]
    Changed { planned: String, error: NetError },
    #[error(transparent)]
    Delete(NetError),
    #[error("deleted, but reading it back failed: {0}")]
    ReadBack(NetError),
    #[error("deleted, but it reads back as CID {0}")]
    StillThere(String),
}

/// Apply a plan: `deleteRecord` with `swapRecord` = the planned CID for each delete (a record
/// changed since the plan is refused by the PDS and reported as [`UnpublishStatus::Changed`]; one
/// deleted since the plan is [`UnpublishStatus::Gone`]), then `getRecord`, which must find
/// nothing. Errors stay per record; `on_result` is called after every entry.
pub fn apply_plan(
    agent: &mut Agent,
    plan: &UnpublishPlan,
    mut on_result: impl FnMut(&UnpublishResult),
) -> Vec<UnpublishResult> {
    let mut results = Vec::new();
    for entry in &plan.entries {
        let result = match (entry.action, &entry.cid) {
            (UnpublishAction::Delete, Some(cid)) => {
                let mut result = UnpublishResult::from_entry(entry, UnpublishStatus::Deleted);
                match delete_and_verify(agent, &plan.did, &entry.nsid, cid) {
                    Ok(true) => {}
                    Ok(false) => {
                        result.status = UnpublishStatus::Gone;
                        result.reason = Some(format!(
                            "already gone: deleted elsewhere since the plan (planned CID {cid})"
                        ));
                    }
                    Err(error) => {
                        result.status = match error {
                            DeleteError::Changed { .. } => UnpublishStatus::Changed,
                            _ => UnpublishStatus::Failed,
                        };
                        result.reason = Some(error.to_string());
                    }
                }
                result
            }
            _ => UnpublishResult::from_entry(entry, UnpublishStatus::Skipped),
        };
        on_result(&result);
        results.push(result);
    }
    results
}

/// Deletes and reads back; true when this delete removed the record, false when it was gone
/// already.
fn delete_and_verify(
    agent: &mut Agent,
    did: &str,
    nsid: &str,
    planned: &str,
) -> Result<bool, DeleteError> {
    if agent.did() != did {
        return Err(DeleteError::SessionMismatch {
            session: agent.did().to_string(),
            plan: did.to_string(),
        });
    }
    let committed = agent
        .delete_record(LEXICON_COLLECTION, nsid, Some(planned))
        .map_err(|error| {
            if error.is_xrpc(&XrpcErrorKind::InvalidSwap) {
                DeleteError::Changed {
                    planned: planned.to_string(),
                    error,
                }
            } else {
                DeleteError::Delete(error)
            }
        })?;
    match agent
        .client()
        .get_record_opt(did, LEXICON_COLLECTION, nsid)
        .map_err(DeleteError::ReadBack)?
    {
        None => Ok(committed),
        Some(back) => Err(DeleteError::StillThere(back.cid)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::ExpectedTxtRecord;
    use serde_json::json;

    const DID: &str = "did:plc:me";

    fn remote(nsid: &str, cid: &str) -> RecordEntry {
        RecordEntry {
            uri: format!("at://{DID}/{LEXICON_COLLECTION}/{nsid}"),
            cid: cid.into(),
            value: json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": nsid, "defs": {}}),
        }
    }

    fn targets(texts: &[&str]) -> Vec<UnpublishTarget> {
        texts
            .iter()
            .map(|t| UnpublishTarget::parse(t).unwrap())
            .collect()
    }

    fn authorities() -> BTreeMap<String, AuthorityStatus> {
        let mut m = BTreeMap::new();
        m.insert("example.com".to_string(), AuthorityStatus::Verified);
        m.insert("cal.example.com".to_string(), AuthorityStatus::Verified);
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
    fn targets_parse_and_match() {
        let group = UnpublishTarget::parse("com.example.cal.*").unwrap();
        assert_eq!(group, UnpublishTarget::Group("com.example.cal".into()));
        assert_eq!(group.to_string(), "com.example.cal.*");
        assert_eq!(group.authority(), "cal.example.com");
        assert!(group.matches("com.example.cal.event"));
        assert!(!group.matches("com.example.cal.sub.event"));
        assert!(!group.matches("com.example.calendar"));
        assert!(!group.matches("com.example.cal"));
        let one = UnpublishTarget::parse("com.example.post").unwrap();
        assert!(one.matches("com.example.post") && !one.matches("com.example.posts"));
        assert_eq!(one.authority(), "example.com");
        for bad in ["com.example", "com..example.*", "*", "com.example.foo-bar"] {
            let err = UnpublishTarget::parse(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn plan_deletes_what_is_named_once_and_reports_the_rest() {
        let remotes = [
            remote("com.example.cal.event", "c-event"),
            remote("com.example.cal.rsvp", "c-rsvp"),
            remote("com.example.cal.sub.deep", "c-deep"),
            remote("com.example.post", "c-post"),
            remote("org.other.thing", "c-other"),
        ];
        let plan = plan_unpublish(
            DID,
            &targets(&[
                "com.example.cal.*",
                "com.example.cal.event",
                "org.other.thing",
                "com.example.gone",
                "net.empty.group.*",
                "com.example.gone",
            ]),
            &remotes,
            &authorities(),
        );
        let got: Vec<(&str, &str, Option<&str>)> = plan
            .entries
            .iter()
            .map(|e| (e.nsid.as_str(), e.action.as_str(), e.cid.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example.cal.event", "delete", Some("c-event")),
                ("com.example.cal.rsvp", "delete", Some("c-rsvp")),
                ("org.other.thing", "delete", Some("c-other")),
                ("com.example.gone", "not-published", None),
                ("net.empty.group.*", "not-published", None),
            ]
        );
        assert_eq!(plan.deletes().count(), 3);
        assert_eq!(plan.entries[0].warning, None);
        let warning = plan.entries[2].warning.as_deref().unwrap();
        assert!(
            warning.starts_with("TXT record at _lexicon.other.org points at did:plc:x")
                && warning.ends_with("deleting it only tidies the repository"),
            "{warning}"
        );
        let dry = dry_run(&plan);
        assert_eq!(dry[0].status, UnpublishStatus::Planned);
        assert_eq!(dry[3].status, UnpublishStatus::Skipped);
        assert_eq!(
            dry[3].reason.as_deref(),
            Some("not published: the repository has no such record")
        );
        let line = serde_json::to_value(&dry[0]).unwrap();
        assert_eq!(
            line,
            json!({"nsid": "com.example.cal.event", "action": "delete", "cid": "c-event", "status": "planned", "reason": null, "warning": null})
        );
    }

    #[test]
    fn an_unchecked_authority_warns() {
        let plan = plan_unpublish(
            DID,
            &targets(&["io.nowhere.x"]),
            &[remote("io.nowhere.x", "c")],
            &BTreeMap::new(),
        );
        assert_eq!(
            plan.entries[0].warning.as_deref(),
            Some(
                "_lexicon.nowhere.io was not checked: this record may not be what resolvers serve"
            )
        );
    }

    #[test]
    fn apply_swaps_on_the_planned_cid_reads_back_and_names_the_planned_cid_when_changed() {
        use crate::session::Session;
        use crate::test_server::TestServer;
        use crate::xrpc::XrpcClient;
        use crate::Secret;

        let server = TestServer::start(|req| {
            let body = req.json();
            let rkey = body
                .get("rkey")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    req.target
                        .split("rkey=")
                        .nth(1)
                        .map(|r| r.split('&').next().unwrap_or("").to_string())
                })
                .unwrap_or_default();
            match (req.path(), rkey.as_str()) {
                ("/xrpc/com.atproto.repo.deleteRecord", "com.example.changed") => (
                    400,
                    json!({"error": "InvalidSwap", "message": "Record was at bafynow"}).to_string(),
                ),
                ("/xrpc/com.atproto.repo.deleteRecord", "com.example.denied") => (
                    401,
                    json!({"error": "AuthMissing", "message": "no"}).to_string(),
                ),
                // A record already gone: success without a commit, as the PDS answers.
                ("/xrpc/com.atproto.repo.deleteRecord", "com.example.vanished") => {
                    (200, "{}".into())
                }
                ("/xrpc/com.atproto.repo.deleteRecord", _) => (
                    200,
                    json!({"commit": {"cid": "bafycommit", "rev": "3l"}}).to_string(),
                ),
                ("/xrpc/com.atproto.repo.getRecord", "com.example.sticky") => (
                    200,
                    json!({"uri": format!("at://{DID}/{LEXICON_COLLECTION}/{rkey}"), "cid": "bafysticky", "value": {}})
                        .to_string(),
                ),
                ("/xrpc/com.atproto.repo.getRecord", _) => (
                    400,
                    json!({"error": "RecordNotFound", "message": "Could not locate record"})
                        .to_string(),
                ),
                _ => (404, "{}".into()),
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
        let remotes = [
            remote("com.example.ok", "c-ok"),
            remote("com.example.changed", "c-planned"),
            remote("com.example.denied", "c-d"),
            remote("com.example.sticky", "c-s"),
            remote("com.example.vanished", "c-v"),
        ];
        let plan = plan_unpublish(
            DID,
            &targets(&["com.example.*", "com.example.none"]),
            &remotes,
            &authorities(),
        );
        let mut seen = 0;
        let results = apply_plan(&mut agent, &plan, |_| seen += 1);
        assert_eq!(seen, 6);
        let got: Vec<(&str, UnpublishStatus)> = results
            .iter()
            .map(|r| (r.nsid.as_str(), r.status))
            .collect();
        assert_eq!(
            got,
            [
                ("com.example.changed", UnpublishStatus::Changed),
                ("com.example.denied", UnpublishStatus::Failed),
                ("com.example.ok", UnpublishStatus::Deleted),
                ("com.example.sticky", UnpublishStatus::Failed),
                ("com.example.vanished", UnpublishStatus::Gone),
                ("com.example.none", UnpublishStatus::Skipped),
            ]
        );
        let reason = results[0].reason.as_deref().unwrap();
        assert!(
            reason.starts_with("changed since the plan (planned CID c-planned)")
                && reason.contains("InvalidSwap"),
            "{reason}"
        );
        assert_eq!(
            results[3].reason.as_deref(),
            Some("deleted, but it reads back as CID bafysticky")
        );
        assert_eq!(
            results[4].reason.as_deref(),
            Some("already gone: deleted elsewhere since the plan (planned CID c-v)")
        );
        assert!(!UnpublishStatus::Gone.is_failure());
        // Every delete carried the planned CID as swapRecord.
        let swaps: Vec<(String, String)> = server
            .requests()
            .iter()
            .filter(|r| r.path() == "/xrpc/com.atproto.repo.deleteRecord")
            .map(|r| {
                let body = r.json();
                (
                    body["rkey"].as_str().unwrap().to_string(),
                    body["swapRecord"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            swaps,
            [
                ("com.example.changed".to_string(), "c-planned".to_string()),
                ("com.example.denied".to_string(), "c-d".to_string()),
                ("com.example.ok".to_string(), "c-ok".to_string()),
                ("com.example.sticky".to_string(), "c-s".to_string()),
                ("com.example.vanished".to_string(), "c-v".to_string()),
            ]
        );
        // Another account's plan is not applied.
        let other = UnpublishPlan {
            did: "did:plc:other".into(),
            entries: plan.entries[..1].to_vec(),
        };
        let results = apply_plan(&mut agent, &other, |_| {});
        assert_eq!(
            results[0].reason.as_deref(),
            Some("the session is for did:plc:me, the plan for did:plc:other")
        );
    }
}
