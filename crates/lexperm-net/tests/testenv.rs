//! Integration tests against the local PDS + PLC + dnsmasq started by `cargo xtask testenv up`.
//! Each test prints a note and passes without asserting when `target/testenv/env` is missing
//! (override the file with `TESTENV_ENV`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lexperm_net::authority::AuthorityError;
use lexperm_net::cache::{ResolutionCache, ResolutionSource, SystemClock};
use lexperm_net::dns::{DnsResolver, TxtLookup};
use lexperm_net::identity::IdentityResolver;
use lexperm_net::resolve::LexiconResolver;
use lexperm_net::xrpc::{Swap, LEXICON_COLLECTION};
use lexperm_net::{Agent, NetError, Secret, XrpcClient, XrpcErrorKind};
use serde_json::{json, Value};

#[path = "../../../tests/support/testenv.rs"]
mod support;

use support::{testenv_get, testenv_vars};

struct TestEnv {
    pds_url: String,
    plc_url: String,
    dns: SocketAddr,
    handle: String,
    did: String,
    app_password: Secret,
    other_did: String,
    authorities: Vec<String>,
    vars: Vec<(String, String)>,
}

impl TestEnv {
    fn var(&self, name: &str) -> String {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} missing from the testenv env file"))
    }

    fn agent(&self) -> Agent {
        let client = XrpcClient::new(&self.pds_url).unwrap();
        Agent::login(client, &self.handle, &self.app_password, None).unwrap()
    }

    fn dns(&self) -> DnsResolver {
        DnsResolver::with_name_server(self.dns)
    }
}

fn testenv() -> Option<TestEnv> {
    let vars = testenv_vars()?;
    let get = |k: &str| testenv_get(&vars, k);
    Some(TestEnv {
        pds_url: get("TEST_PDS_URL"),
        plc_url: get("TEST_PLC_URL"),
        dns: get("TEST_DNS_SERVER").parse().unwrap(),
        handle: get("TEST_HANDLE"),
        did: get("TEST_DID"),
        app_password: Secret::new(get("TEST_APP_PASSWORD")),
        other_did: get("TEST_OTHER_DID"),
        authorities: get("TEST_AUTHORITIES")
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        vars,
    })
}

/// A fresh NSID under the testenv's authority (the PDS keeps records for the whole `up`).
fn unique_nsid(env: &TestEnv, stem: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let authority: Vec<&str> = env.authorities[0].split('.').rev().collect();
    format!("{}.{stem}{nanos}", authority.join("."))
}

fn lexicon_record(nsid: &str, description: &str) -> Value {
    json!({
        "$type": LEXICON_COLLECTION,
        "lexicon": 1,
        "id": nsid,
        "description": description,
        "defs": {"main": {"type": "token", "description": "test"}}
    })
}

#[test]
fn create_session_good_and_bad_password() {
    let Some(env) = testenv() else { return };
    let client = XrpcClient::new(&env.pds_url).unwrap();
    let session = client
        .create_session(&env.handle, &env.app_password)
        .unwrap();
    assert_eq!(session.did, env.did);
    assert_eq!(session.handle, env.handle);
    let by_did = client.create_session(&env.did, &env.app_password).unwrap();
    assert_eq!(by_did.did, env.did);
    let err = client
        .create_session(&env.handle, &Secret::new("not-the-password"))
        .unwrap_err();
    assert_eq!(
        err.xrpc_kind(),
        Some(XrpcErrorKind::AuthenticationRequired),
        "{err}"
    );
    assert!(matches!(err, NetError::Xrpc { status: 401, .. }), "{err:?}");
}

#[test]
fn refresh_session_rotates_tokens() {
    let Some(env) = testenv() else { return };
    let mut agent = env.agent();
    let before = agent.app_password_session().unwrap().refresh_jwt.clone();
    agent.refresh().unwrap();
    assert_ne!(agent.app_password_session().unwrap().refresh_jwt, before);
    // The new access token works.
    let nsid = unique_nsid(&env, "refresh");
    agent
        .put_record(
            LEXICON_COLLECTION,
            &nsid,
            &lexicon_record(&nsid, "r"),
            &Swap::CreateOnly,
        )
        .unwrap();
}

#[test]
fn put_get_list_swap_and_delete() {
    let Some(env) = testenv() else { return };
    let mut agent = env.agent();
    let client = XrpcClient::new(&env.pds_url).unwrap();
    let nsid = unique_nsid(&env, "swap");
    let v1 = lexicon_record(&nsid, "one");
    let v2 = lexicon_record(&nsid, "two");

    let created = agent
        .put_record(LEXICON_COLLECTION, &nsid, &v1, &Swap::CreateOnly)
        .unwrap();
    assert!(created.committed);
    assert_eq!(
        created.uri,
        format!("at://{}/{LEXICON_COLLECTION}/{nsid}", env.did)
    );
    // Create-only on an existing, different record fails ...
    let err = agent
        .put_record(LEXICON_COLLECTION, &nsid, &v2, &Swap::CreateOnly)
        .unwrap_err();
    assert!(err.is_xrpc(&XrpcErrorKind::InvalidSwap), "{err}");
    // ... but on an identical one the PDS answers 200 without a commit (observed, 0.5.35).
    let noop = agent
        .put_record(LEXICON_COLLECTION, &nsid, &v1, &Swap::CreateOnly)
        .unwrap();
    assert_eq!(
        (noop.cid.as_str(), noop.committed),
        (created.cid.as_str(), false)
    );
    // An identical re-put makes no commit and keeps the CID.
    let same = agent
        .put_record(LEXICON_COLLECTION, &nsid, &v1, &Swap::Any)
        .unwrap();
    assert_eq!(
        (same.cid.as_str(), same.committed),
        (created.cid.as_str(), false)
    );

    let got = client
        .get_record(&env.did, LEXICON_COLLECTION, &nsid)
        .unwrap();
    assert_eq!(got.cid, created.cid);
    assert_eq!(got.value["description"], "one");
    let by_handle = client
        .get_record(&env.handle, LEXICON_COLLECTION, &nsid)
        .unwrap();
    assert_eq!(by_handle.cid, created.cid);

    let updated = agent
        .put_record(
            LEXICON_COLLECTION,
            &nsid,
            &v2,
            &Swap::Cid(created.cid.clone()),
        )
        .unwrap();
    assert_ne!(updated.cid, created.cid);
    // A stale swap CID is refused and names the current one.
    let err = agent
        .put_record(
            LEXICON_COLLECTION,
            &nsid,
            &v1,
            &Swap::Cid(created.cid.clone()),
        )
        .unwrap_err();
    assert!(err.is_xrpc(&XrpcErrorKind::InvalidSwap), "{err}");
    assert!(err.to_string().contains(&updated.cid), "{err}");

    let all = client.list_records(&env.did, LEXICON_COLLECTION).unwrap();
    let mine = all.iter().find(|r| r.rkey() == nsid).expect("listed");
    assert_eq!(mine.cid, updated.cid);

    // A stale swap CID refuses the delete; the right one deletes (a commit is made); deleting
    // what is gone succeeds without a commit.
    let err = agent
        .delete_record(LEXICON_COLLECTION, &nsid, Some(&created.cid))
        .unwrap_err();
    assert!(err.is_xrpc(&XrpcErrorKind::InvalidSwap), "{err}");
    assert!(agent
        .delete_record(LEXICON_COLLECTION, &nsid, Some(&updated.cid))
        .unwrap());
    assert!(!agent
        .delete_record(LEXICON_COLLECTION, &nsid, Some(&updated.cid))
        .unwrap());
    assert_eq!(
        client
            .get_record_opt(&env.did, LEXICON_COLLECTION, &nsid)
            .unwrap(),
        None
    );
    let err = client
        .get_record(&env.did, LEXICON_COLLECTION, &nsid)
        .unwrap_err();
    assert!(
        matches!(err, NetError::Xrpc { status: 400, .. })
            && err.is_xrpc(&XrpcErrorKind::RecordNotFound)
    );
}

#[test]
fn invalid_lexicon_record_is_rejected_by_the_pds() {
    let Some(env) = testenv() else { return };
    let mut agent = env.agent();
    let nsid = unique_nsid(&env, "invalid");
    let err = agent
        .put_record(
            LEXICON_COLLECTION,
            &nsid,
            &json!({"id": nsid, "defs": {}}),
            &Swap::Any,
        )
        .unwrap_err();
    assert!(err.is_xrpc(&XrpcErrorKind::InvalidRequest), "{err}");
}

#[test]
fn list_records_paginates() {
    let Some(env) = testenv() else { return };
    let mut agent = env.agent();
    let stem = unique_nsid(&env, "page")
        .rsplit('.')
        .next()
        .unwrap()
        .to_string();
    let collection = "net.lexperm.test.demo.post";
    for i in 0..3 {
        let rec = json!({"$type": collection, "text": format!("{stem} {i}"), "createdAt": "2026-01-01T00:00:00Z"});
        agent
            .put_record(collection, &format!("{stem}x{i}"), &rec, &Swap::CreateOnly)
            .unwrap();
    }
    // 3 records with a page size of 100 still exercises the cursor loop's end condition;
    // the cursor-following path is covered against the in-test server.
    let all = XrpcClient::new(&env.pds_url)
        .unwrap()
        .list_records(&env.did, collection)
        .unwrap();
    let ours = all.iter().filter(|r| r.rkey().starts_with(&stem)).count();
    assert_eq!(ours, 3);
}

#[test]
fn lexicon_txt_lookups() {
    let Some(env) = testenv() else { return };
    let dns = env.dns();
    for authority in &env.authorities {
        assert_eq!(dns.lexicon_authority_did(authority).unwrap(), env.did);
        dns.check_lexicon_authority(authority, &env.did).unwrap();
    }
    let authority_err = |a: &str| match dns.check_lexicon_authority(a, &env.did) {
        Err(NetError::Authority(e)) => e,
        other => panic!("{a}: expected an authority error, got {other:?}"),
    };
    let wrong = env.var("TEST_AUTHORITY_WRONG");
    assert_eq!(
        authority_err(&wrong),
        AuthorityError::Mismatch {
            name: format!("_lexicon.{wrong}"),
            found: env.other_did.clone(),
            expected: env.did.clone()
        }
    );
    assert!(
        matches!(authority_err(&env.var("TEST_AUTHORITY_AMBIGUOUS")), AuthorityError::Ambiguous { values, .. } if values.len() == 2)
    );
    assert!(matches!(
        authority_err(&env.var("TEST_AUTHORITY_CHUNKED")),
        AuthorityError::InvalidDid { .. }
    ));
    assert!(matches!(
        authority_err(&env.var("TEST_AUTHORITY_NODID")),
        AuthorityError::NoDidEntry { .. }
    ));
    let missing = env.var("TEST_AUTHORITY_MISSING");
    assert_eq!(
        authority_err(&missing),
        AuthorityError::Missing {
            name: format!("_lexicon.{missing}")
        }
    );
    // The chunked record really is one RR with two strings.
    let chunked = dns
        .txt(&format!("_lexicon.{}", env.var("TEST_AUTHORITY_CHUNKED")))
        .unwrap();
    assert!(
        matches!(chunked, TxtLookup::Records(ref r) if r.len() == 1 && r[0].len() == 2),
        "{chunked:?}"
    );
}

#[test]
fn dns_server_down_is_an_error_not_not_found() {
    let Some(_env) = testenv() else { return };
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut dns = DnsResolver::with_name_server(SocketAddr::from(([127, 0, 0, 1], port)));
    dns.set_timeout(Duration::from_millis(300));
    let err = dns.txt("_lexicon.example.com").unwrap_err();
    assert!(matches!(err, NetError::Dns { .. }), "{err:?}");
}

#[test]
fn identity_handle_did_pds() {
    let Some(env) = testenv() else { return };
    let identity = IdentityResolver::new(&env.plc_url, env.dns()).unwrap();
    assert_eq!(identity.resolve_handle(&env.handle).unwrap(), env.did);
    let pds = XrpcClient::new(&env.pds_url).unwrap();
    assert_eq!(
        identity.resolve_handle_via_pds(&pds, &env.handle).unwrap(),
        env.did
    );
    let doc = identity.resolve_did(&env.did).unwrap();
    assert_eq!(doc.handle(), Some(env.handle.as_str()));
    let (did, pds_url) = identity.resolve_account(&env.handle).unwrap();
    assert_eq!(did, env.did);
    // The PDS advertises its public URL (localhost), which reaches the same server.
    XrpcClient::new(&pds_url)
        .unwrap()
        .resolve_handle(&env.handle)
        .unwrap();
    let err = identity.resolve_did(&env.other_did).unwrap_err();
    assert!(matches!(err, NetError::Identity { .. }), "{err:?}");
}

#[test]
fn resolve_published_lexicon_end_to_end() {
    let Some(env) = testenv() else { return };
    let mut agent = env.agent();
    let nsid = unique_nsid(&env, "resolve");
    let put = agent
        .put_record(
            LEXICON_COLLECTION,
            &nsid,
            &lexicon_record(&nsid, "published"),
            &Swap::CreateOnly,
        )
        .unwrap();
    let dir = std::env::temp_dir().join(format!("lexperm-net-it-resolve-{}", std::process::id()));
    let cache = ResolutionCache::with_clock(&dir, Arc::new(SystemClock));
    let identity = IdentityResolver::new(&env.plc_url, env.dns()).unwrap();
    let resolver = LexiconResolver::new(identity, Some(cache.clone()), false);
    let first = resolver.resolve(&nsid).unwrap();
    assert_eq!(first.source, ResolutionSource::Network);
    assert_eq!(
        (first.lexicon.cid.as_str(), first.lexicon.did.as_str()),
        (put.cid.as_str(), env.did.as_str())
    );
    assert_eq!(first.lexicon.record["description"], "published");
    let second = resolver.resolve(&nsid).unwrap();
    assert_eq!(second.source, ResolutionSource::CacheFresh);
    // Offline uses the cache only.
    let offline = LexiconResolver::new(
        IdentityResolver::new(&env.plc_url, env.dns()).unwrap(),
        Some(cache),
        true,
    );
    assert_eq!(offline.resolve(&nsid).unwrap().lexicon.cid, put.cid);
    assert!(matches!(
        offline.resolve(&unique_nsid(&env, "absent")),
        Err(NetError::NotCached { .. })
    ));
    // A missing record under a valid authority is a clear error.
    let err = resolver
        .resolve(&unique_nsid(&env, "absent"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("has no com.atproto.lexicon.schema record"),
        "{err}"
    );
    // An authority pointing elsewhere fails at the DNS step.
    let wrong_nsid = format!(
        "{}.thing",
        env.var("TEST_AUTHORITY_AMBIGUOUS")
            .split('.')
            .rev()
            .collect::<Vec<_>>()
            .join(".")
    );
    assert!(matches!(
        resolver.resolve(&wrong_nsid),
        Err(NetError::Authority(AuthorityError::Ambiguous { .. }))
    ));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn pds_down_is_a_transport_error() {
    let Some(env) = testenv() else { return };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client =
        XrpcClient::with_timeout(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2))
            .unwrap();
    let err = client
        .create_session(&env.handle, &env.app_password)
        .unwrap_err();
    assert!(matches!(err, NetError::Transport { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(env.app_password.expose()));
}

mod publish {
    use super::*;
    use lexperm_net::publish::{
        apply_plan, check_authorities, plan_publish, AuthorityStatus, LocalLexicon, PlanAction,
        PublishStatus,
    };

    fn doc(nsid: &str, description: &str) -> Value {
        json!({"lexicon": 1, "id": nsid, "description": description,
               "defs": {"main": {"type": "token", "description": "publish test"}}})
    }

    fn local(nsid: &str, description: &str) -> LocalLexicon {
        LocalLexicon::from_document(&doc(nsid, description)).unwrap()
    }

    #[test]
    fn plan_apply_update_and_refuse() {
        let Some(env) = testenv() else { return };
        let mut agent = env.agent();
        let client = XrpcClient::new(&env.pds_url).unwrap();
        let (a, b) = (unique_nsid(&env, "puba"), unique_nsid(&env, "pubb"));
        let wrong = env.var("TEST_AUTHORITY_WRONG");
        let c = format!(
            "{}.thing",
            wrong.split('.').rev().collect::<Vec<_>>().join(".")
        );
        let good = env.authorities[0].clone();
        let auth = check_authorities(&env.dns(), &env.did, [good.as_str(), wrong.as_str()]);
        assert_eq!(auth[&good], AuthorityStatus::Verified);
        assert!(
            matches!(&auth[&wrong], AuthorityStatus::Refused { expected, .. }
            if expected.to_string() == format!("_lexicon.{wrong} TXT \"did={}\"", env.did))
        );

        let locals = vec![local(&a, "a1"), local(&b, "b1"), local(&c, "c1")];
        let remote = client.list_records(&env.did, LEXICON_COLLECTION).unwrap();
        let plan = plan_publish(&env.did, &locals, &remote, &auth);
        let action = |p: &lexperm_net::publish::PublishPlan, n: &str| {
            p.entries.iter().find(|e| e.nsid == n).unwrap().action
        };
        assert_eq!(action(&plan, &a), PlanAction::Create);
        assert_eq!(action(&plan, &b), PlanAction::Create);
        assert_eq!(action(&plan, &c), PlanAction::Refused);

        let doc = IdentityResolver::new(&env.plc_url, env.dns())
            .unwrap()
            .resolve_did(&env.did)
            .unwrap();
        let mut seen = 0;
        let results = apply_plan(&mut agent, &plan, &doc, |_| seen += 1);
        assert_eq!(seen, results.len());
        for r in &results {
            if r.nsid == c {
                assert_eq!(r.status, PublishStatus::Skipped);
            } else if r.nsid == a || r.nsid == b {
                // The PDS's CID equals the locally computed one (read back and compared).
                assert_eq!(r.status, PublishStatus::Done, "{r:?}");
                assert_eq!(r.remote_cid, r.local_cid);
            }
        }

        // Change b: a is unchanged, b an update with a readable diff.
        let locals = vec![local(&a, "a1"), local(&b, "b2")];
        let remote = client.list_records(&env.did, LEXICON_COLLECTION).unwrap();
        let plan = plan_publish(&env.did, &locals, &remote, &auth);
        assert_eq!(action(&plan, &a), PlanAction::Unchanged);
        let update = plan.entries.iter().find(|e| e.nsid == b).unwrap();
        assert_eq!(update.action, PlanAction::Update);
        assert_eq!(update.diff, ["~ /description: \"b1\" → \"b2\""]);

        // Someone else writes b between plan and apply: the swap fails, a is not affected.
        let other = local(&b, "b-other");
        agent
            .put_record(LEXICON_COLLECTION, &b, &other.record, &Swap::Any)
            .unwrap();
        let results = apply_plan(&mut agent, &plan, &doc, |_| {});
        let rb = results.iter().find(|r| r.nsid == b).unwrap();
        assert_eq!(rb.status, PublishStatus::Failed);
        assert!(
            rb.reason
                .as_deref()
                .unwrap()
                .contains("changed since planning"),
            "{rb:?}"
        );
        let ra = results.iter().find(|r| r.nsid == a).unwrap();
        assert_eq!(ra.status, PublishStatus::Skipped);

        // Re-plan and apply: b is updated to the local version.
        let remote = client.list_records(&env.did, LEXICON_COLLECTION).unwrap();
        let plan = plan_publish(&env.did, &locals, &remote, &auth);
        let results = apply_plan(&mut agent, &plan, &doc, |_| {});
        let rb = results.iter().find(|r| r.nsid == b).unwrap();
        assert_eq!(
            (rb.action, &rb.status),
            (PlanAction::Update, &PublishStatus::Done)
        );
        assert_eq!(
            client
                .get_record(&env.did, LEXICON_COLLECTION, &b)
                .unwrap()
                .value["description"],
            "b2"
        );
    }
}

#[test]
fn connect_reuses_sessions_and_recovers_from_revoked_ones() {
    use lexperm_net::account::{connect, SessionOrigin};
    use lexperm_net::session::SessionStore;
    let Some(env) = testenv() else { return };
    let dir = std::env::temp_dir().join(format!("lexperm-net-it-connect-{}", std::process::id()));
    let store = SessionStore::new(dir.join("session.json"));
    let identity = IdentityResolver::new(&env.plc_url, env.dns()).unwrap();
    let password = || Ok(env.app_password.clone());
    let no_password =
        || -> Result<Secret, NetError> { panic!("the stored session should have been used") };
    // Without --pds: handle → DID (DNS _atproto) → PLC → PDS.
    let (agent, origin) =
        connect(&identity, Some(store.clone()), &env.handle, None, password).unwrap();
    assert_eq!(origin, SessionOrigin::LoggedIn);
    assert_eq!(agent.did(), env.did);
    let (agent, origin) =
        connect(&identity, Some(store.clone()), &env.did, None, no_password).unwrap();
    assert_eq!(origin, SessionOrigin::Resumed);
    // Revoke it on the PDS: the next connect logs in again.
    agent
        .client()
        .delete_session(&agent.app_password_session().unwrap().refresh_jwt)
        .unwrap();
    let (_, origin) = connect(&identity, Some(store.clone()), &env.handle, None, password).unwrap();
    assert_eq!(origin, SessionOrigin::LoggedIn);
    std::fs::remove_dir_all(dir).unwrap();
}
