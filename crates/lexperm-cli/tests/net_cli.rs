//! `lexperm resolve` and `lexperm logout` end to end against the testenv
//! (`cargo xtask testenv up`); skipped with a note when `target/testenv/env` is missing.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

use lexperm_net::session::{Session, SessionStore};
use lexperm_net::xrpc::{Swap, LEXICON_COLLECTION};
use lexperm_net::{Agent, Secret, XrpcClient};
use serde_json::{json, Value};

use common::{testenv_get as get, testenv_vars as env_vars};

fn lexperm(cache: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .env("LEXPERM_CACHE_DIR", cache)
        .output()
        .unwrap()
}

fn temp_cache(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lexperm-cli-net-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn resolve_network_then_cache_then_offline() {
    let Some(vars) = env_vars() else { return };
    let (pds, did) = (get(&vars, "TEST_PDS_URL"), get(&vars, "TEST_DID"));
    let authority = get(&vars, "TEST_AUTHORITIES")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let nsid = format!(
        "{}.cli{nanos}",
        authority.split('.').rev().collect::<Vec<_>>().join(".")
    );
    let mut agent = Agent::login(
        XrpcClient::new(&pds).unwrap(),
        &get(&vars, "TEST_HANDLE"),
        &Secret::new(get(&vars, "TEST_APP_PASSWORD")),
        None,
    )
    .unwrap();
    let record = json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": nsid, "defs": {"main": {"type": "token"}}});
    let put = agent
        .put_record(LEXICON_COLLECTION, &nsid, &record, &Swap::CreateOnly)
        .unwrap();

    let cache = temp_cache("resolve");
    let dns = get(&vars, "TEST_DNS_SERVER");
    let plc = get(&vars, "TEST_PLC_URL");
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    let mut args = vec!["resolve", nsid.as_str(), "--format", "json"];
    args.extend(net);
    let out = lexperm(&cache, &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::assert_json_documented("resolve", &v);
    assert_eq!(
        (v["cid"].as_str(), v["did"].as_str(), v["source"].as_str()),
        (Some(put.cid.as_str()), Some(did.as_str()), Some("network"))
    );
    assert_eq!(v["lexicon"]["id"], nsid.as_str());

    let out = lexperm(&cache, &args);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"], "cache");

    let out = lexperm(&cache, &["resolve", &nsid, "--offline"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&put.cid));

    // Not in the cache + offline → exit 1 with a clear message.
    let out = lexperm(&temp_cache("empty"), &["resolve", &nsid, "--offline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the resolution cache"));

    // Ambiguous authority → exit 1, the message names the record.
    let ambiguous = get(&vars, "TEST_AUTHORITY_AMBIGUOUS");
    let bad = format!(
        "{}.thing",
        ambiguous.split('.').rev().collect::<Vec<_>>().join(".")
    );
    let mut args = vec!["resolve", bad.as_str()];
    args.extend(net);
    let out = lexperm(&cache, &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("_lexicon.{ambiguous}")));
    let _ = std::fs::remove_dir_all(cache);
}

#[test]
fn logout_revokes_and_removes_the_session() {
    let Some(vars) = env_vars() else { return };
    let cache = temp_cache("logout");
    let client = XrpcClient::new(&get(&vars, "TEST_PDS_URL")).unwrap();
    let session: Session = client
        .create_session(
            &get(&vars, "TEST_HANDLE"),
            &Secret::new(get(&vars, "TEST_APP_PASSWORD")),
        )
        .unwrap();
    let store = SessionStore::new(cache.join("session.json"));
    store.save(&session).unwrap();
    let out = lexperm(&cache, &["logout"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("logged out"));
    assert!(!store.path().exists());
    // The refresh token was revoked on the PDS.
    assert!(client.refresh_session(&session.refresh_jwt).is_err());
    let out = lexperm(&cache, &["logout"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "not logged in");
    let _ = std::fs::remove_dir_all(cache);
}

fn lexperm_with_password(cache: &PathBuf, password: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .env("LEXPERM_CACHE_DIR", cache)
        .env("LEXPERM_APP_PASSWORD", password)
        .output()
        .unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn publish_dry_run_apply_update_and_refuse() {
    let Some(vars) = env_vars() else { return };
    let password = get(&vars, "TEST_APP_PASSWORD");
    let authority = get(&vars, "TEST_AUTHORITIES")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let wrong = get(&vars, "TEST_AUTHORITY_WRONG");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let reversed = |a: &str| a.split('.').rev().collect::<Vec<_>>().join(".");
    let nsid = format!("{}.pub{nanos}", reversed(&authority));
    let refused = format!("{}.thing", reversed(&wrong));

    let cache = temp_cache("publish");
    let dir = cache.join("lexicons");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |desc: &str| {
        let doc = json!({"lexicon": 1, "id": nsid, "description": desc, "defs": {"main": {"type": "token"}}});
        std::fs::write(dir.join("a.json"), doc.to_string()).unwrap();
    };
    write("first");
    let dns = get(&vars, "TEST_DNS_SERVER");
    let plc = get(&vars, "TEST_PLC_URL");
    let dir_s = dir.to_string_lossy().into_owned();
    let base = [
        "publish",
        "--handle",
        "alice.test",
        "--lexicons",
        dir_s.as_str(),
        "--dns-server",
        dns.as_str(),
        "--plc-url",
        plc.as_str(),
        "--format",
        "json",
    ];
    let mut dry = base.to_vec();
    dry.push("--dry-run");
    let mine = |lines: &[Value]| {
        lines
            .iter()
            .find(|v| v["nsid"] == nsid.as_str())
            .cloned()
            .unwrap()
    };

    // Dry run: planned create, nothing written; the password is not printed anywhere.
    let out = lexperm_with_password(&cache, &password, &dry);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains(&password));
    let v = mine(&json_lines(&out));
    common::assert_json_documented("publish --dry-run", &v);
    assert_eq!(
        (v["action"].as_str(), v["status"].as_str()),
        (Some("create"), Some("planned"))
    );
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "version",
            "nsid",
            "action",
            "reason",
            "local_cid",
            "remote_cid",
            "status"
        ]
    );
    // The session file is private and reused (no password needed now).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cache.join("session.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Apply: created, and the remote CID equals the local one.
    let out = lexperm_with_password(&cache, "", &base);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = mine(&json_lines(&out));
    assert_eq!(
        (v["action"].as_str(), v["status"].as_str()),
        (Some("create"), Some("done"))
    );
    assert_eq!(v["local_cid"], v["remote_cid"]);

    // Unchanged, then an update after editing the file.
    let out = lexperm_with_password(&cache, "", &base);
    assert_eq!(mine(&json_lines(&out))["action"], "unchanged");
    write("second");
    let out = lexperm(
        &cache,
        &base
            .iter()
            .copied()
            .filter(|a| *a != "json" && *a != "--format")
            .collect::<Vec<_>>(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("update      {nsid}")), "{text}");
    assert!(
        text.contains("~ /description: \"first\" → \"second\""),
        "{text}"
    );

    // A lexicon under an authority that points elsewhere is refused with the record to create; exit 1.
    let doc = json!({"lexicon": 1, "id": refused, "defs": {"main": {"type": "token"}}});
    std::fs::write(dir.join("b.json"), doc.to_string()).unwrap();
    let out = lexperm(&cache, &base);
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    let r = lines
        .iter()
        .find(|v| v["nsid"] == refused.as_str())
        .unwrap();
    assert_eq!(r["action"], "refused");
    let did = get(&vars, "TEST_DID");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("_lexicon.{wrong} TXT \"did={did}\"")),
        "{r}"
    );

    // A file with lint errors (here: not even JSON): nothing is published, exit 1.
    std::fs::write(dir.join("c.json"), "{").unwrap();
    let out = lexperm(&cache, &base);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing was published"), "{stderr}");
    assert!(stderr.contains("lint errors"), "{stderr}");
    let _ = std::fs::remove_dir_all(cache);
}
