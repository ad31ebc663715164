//! `--resolve` on `expand`, `check` and `lint` end to end against the testenv
//! (`cargo xtask testenv up`): lexicons are published to the test account under an authority
//! dnsmasq serves, then resolved from a directory with no local copy. Skipped with a note when
//! `target/testenv/env` is missing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use lexperm_net::xrpc::{Swap, LEXICON_COLLECTION};
use lexperm_net::{Agent, Secret, XrpcClient};
use serde_json::{json, Value};

struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    fn load() -> Option<Env> {
        let vars = common::testenv_vars()?;
        Some(Env { vars })
    }

    fn get(&self, key: &str) -> String {
        self.vars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{key} missing from the testenv env file"))
    }

    /// `--dns-server … --plc-url …`.
    fn net(&self) -> Vec<String> {
        vec![
            "--dns-server".into(),
            self.get("TEST_DNS_SERVER"),
            "--plc-url".into(),
            self.get("TEST_PLC_URL"),
        ]
    }

    /// The NSID prefix (`net.lexperm.test.demo.`) of the authority whose `_lexicon` record
    /// names the test account.
    fn prefix(&self) -> String {
        let authorities = self.get("TEST_AUTHORITIES");
        let authority = authorities
            .split_whitespace()
            .find(|a| a.starts_with("demo."))
            .unwrap_or_else(|| authorities.split_whitespace().next().unwrap());
        let reversed: Vec<&str> = authority.split('.').rev().collect();
        format!("{}.", reversed.join("."))
    }

    fn publish(&self, docs: &[Value]) {
        let mut agent = Agent::login(
            XrpcClient::new(&self.get("TEST_PDS_URL")).unwrap(),
            &self.get("TEST_HANDLE"),
            &Secret::new(self.get("TEST_APP_PASSWORD")),
            None,
        )
        .unwrap();
        for doc in docs {
            let mut record = doc.clone();
            record["$type"] = json!(LEXICON_COLLECTION);
            let nsid = doc["id"].as_str().unwrap();
            agent
                .put_record(LEXICON_COLLECTION, nsid, &record, &Swap::Any)
                .unwrap();
        }
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// Runs `lexperm` in `dir` with its own resolution cache.
fn lexperm(dir: &Path, cache: &Path, args: &[String]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .current_dir(dir)
        .env("LEXPERM_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn args(list: &[&str], extra: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.to_string())
        .chain(extra.iter().cloned())
        .collect()
}

/// A permission set, a record, a query and a defs lexicon under a fresh name stem.
fn documents(prefix: &str, stem: &str) -> Vec<Value> {
    let set = format!("{prefix}auth{stem}");
    let post = format!("{prefix}post{stem}");
    let get = format!("{prefix}getPost{stem}");
    let defs = format!("{prefix}defs{stem}");
    vec![
        json!({"lexicon": 1, "id": set, "defs": {"main": {
        "type": "permission-set", "title": "Posts", "detail": "Write posts and read them.",
        "permissions": [
            {"type": "permission", "resource": "repo", "collection": [post], "action": ["create", "update"]},
            {"type": "permission", "resource": "rpc", "lxm": [get], "inheritAud": true}
        ]}}}),
        json!({"lexicon": 1, "id": post, "defs": {"main": {
            "type": "record", "key": "tid", "description": "A post.",
            "record": {"type": "object", "properties": {"text": {"type": "string"}}}}}}),
        json!({"lexicon": 1, "id": get, "defs": {"main": {
            "type": "query", "description": "Get a post."}}}),
        json!({"lexicon": 1, "id": defs, "defs": {"view": {
            "type": "object", "description": "A view.", "properties": {}}}}),
    ]
}

fn stem() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("R{nanos}")
}

#[test]
fn expand_check_and_lint_resolve_published_lexicons() {
    let Some(env) = Env::load() else { return };
    let prefix = env.prefix();
    let stem = stem();
    let docs = documents(&prefix, &stem);
    env.publish(&docs);
    let set = docs[0]["id"].as_str().unwrap().to_owned();
    let defs = docs[3]["id"].as_str().unwrap().to_owned();
    let include = format!("include:{set}?aud=did:web:api.example.com%23svc");

    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    // The same documents as local files, for the expected expansion.
    let local = tmp.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    for doc in &docs {
        let name = format!("{}.json", doc["id"].as_str().unwrap());
        std::fs::write(local.join(name), serde_json::to_string_pretty(doc).unwrap()).unwrap();
    }
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();

    let expected = lexperm(
        &local,
        &cache,
        &args(
            &["expand", "--lexicons", ".", "--format", "json", &include],
            &[],
        ),
    );
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    let expected = &expected.json()[0];
    assert_eq!(expected["source"], "local");
    assert_eq!(expected["granted"].as_array().unwrap().len(), 2);

    // No local copy: fetched from the network, same grants, provenance in the output.
    let run = lexperm(
        &empty,
        &cache,
        &args(
            &["expand", "--resolve", "--format", "json", &include],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = &run.json()[0];
    assert_eq!(got["granted"], expected["granted"]);
    assert_eq!(got["dropped"], expected["dropped"]);
    assert_eq!(got["source"], "remote");
    assert_eq!(got["fetched"], "network");
    let did = env.get("TEST_DID");
    assert_eq!(
        got["uri"],
        format!("at://{did}/{LEXICON_COLLECTION}/{set}").as_str()
    );
    assert!(got["cid"].as_str().unwrap().starts_with("bafyrei"), "{got}");
    let human = lexperm(
        &empty,
        &cache,
        &args(&["expand", "--resolve", &include], &env.net()),
    );
    assert_eq!(human.code, 0, "{}", human.stderr);
    let first = human.stdout.lines().next().unwrap();
    assert!(first.contains(&format!("at://{did}/")), "{first}");
    assert!(first.contains(got["cid"].as_str().unwrap()), "{first}");

    // Token scope from a whole client scope.
    let scope = format!("atproto {include}");
    let run = lexperm(
        &empty,
        &cache,
        &args(
            &["expand", "--resolve", "--format", "json", "--scope", &scope],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let token = &run.json()[0];
    let mut want: Vec<String> = expected["granted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    want.push("atproto".into());
    assert_eq!(token["token_scope"], want.join(" ").as_str());
    assert_eq!(token["includes"][0]["source"], "remote");

    // check: the fetched set grants the record's create.
    let request = format!("repo:{prefix}post{stem}?action=create");
    let run = lexperm(
        &empty,
        &cache,
        &args(
            &[
                "check",
                "--resolve",
                "--format",
                "json",
                "--scope",
                &scope,
                &request,
            ],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["source"], "remote");

    // Warm cache: --offline works without the network options.
    let run = lexperm(
        &empty,
        &cache,
        &args(&["expand", "--offline", "--format", "json", &include], &[]),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()[0]["fetched"], "cache");
    assert_eq!(run.json()[0]["granted"], expected["granted"]);

    // preview: the fetched set gives the same consent screen as the local copy.
    let local_preview = lexperm(
        &local,
        &cache,
        &args(
            &["preview", "--lexicons", ".", "--format", "json", &include],
            &[],
        ),
    );
    assert_eq!(local_preview.code, 0, "{}", local_preview.stderr);
    let run = lexperm(
        &empty,
        &cache,
        &args(
            &["preview", "--resolve", "--format", "json", &include],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json(), local_preview.json());
    assert!(
        run.stderr.contains(&format!("{set} fetched: at://")),
        "{}",
        run.stderr
    );

    // Cold cache: --offline fails with a clear error.
    let cold = tmp.path().join("cold");
    let run = lexperm(
        &empty,
        &cold,
        &args(&["expand", "--offline", &include], &[]),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("not in the resolution cache")
            && run.stderr.contains("--offline forbids the network"),
        "{}",
        run.stderr
    );
    let run = lexperm(
        &empty,
        &cold,
        &args(&["preview", "--offline", &include], &[]),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("not in the resolution cache"),
        "{}",
        run.stderr
    );

    // lint: a ref to a published def resolves, a ref to a missing def is L202, the permission
    // set's targets are fetched and checked (the query granted as a collection: P117).
    let lint_dir = tmp.path().join("lint");
    let file_dir = lint_dir.join("com/example");
    std::fs::create_dir_all(&file_dir).unwrap();
    let thing = json!({"lexicon": 1, "id": "com.example.thing", "defs": {"main": {
        "type": "object", "description": "A thing.", "properties": {
            "ok": {"type": "ref", "ref": format!("{defs}#view")},
            "bad": {"type": "ref", "ref": format!("{defs}#nope")}}}}});
    std::fs::write(
        file_dir.join("thing.json"),
        serde_json::to_string_pretty(&thing).unwrap(),
    )
    .unwrap();
    let set_dir = lint_dir.join(prefix.trim_end_matches('.').replace('.', "/"));
    std::fs::create_dir_all(&set_dir).unwrap();
    let wrong_set = json!({"lexicon": 1, "id": format!("{prefix}authWrong{stem}"), "defs": {"main": {
        "type": "permission-set", "title": "Wrong", "detail": "Grants a query as a collection.",
        "permissions": [{"type": "permission", "resource": "repo",
            "collection": [format!("{prefix}getPost{stem}")]}]}}});
    std::fs::write(
        set_dir.join(format!("authWrong{stem}.json")),
        serde_json::to_string_pretty(&wrong_set).unwrap(),
    )
    .unwrap();
    // One JSON object per diagnostic.
    let codes = |run: &Run| -> Vec<String> {
        run.json()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = lexperm(
        &lint_dir,
        &cache,
        &args(&["lint", ".", "--format", "json"], &[]),
    );
    assert_eq!(codes(&plain), ["L203", "L203"], "{}", plain.stdout);
    let run = lexperm(
        &lint_dir,
        &cache,
        &args(&["lint", ".", "--resolve", "--format", "json"], &env.net()),
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let mut found = codes(&run);
    found.sort();
    assert_eq!(found, ["L202", "P117"], "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("{defs}#nope")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!("note: fetched {defs}")),
        "{}",
        run.stderr
    );
}

#[test]
fn failures_are_clean_errors_and_lint_warnings() {
    let Some(env) = Env::load() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let reversed = |a: &str| a.split('.').rev().collect::<Vec<_>>().join(".");
    // `_lexicon.<wrong>` names another DID (unknown to the PLC directory).
    let wrong = format!("{}.authThing", reversed(&env.get("TEST_AUTHORITY_WRONG")));
    let run = lexperm(
        tmp.path(),
        &cache,
        &args(
            &["expand", "--resolve", &format!("include:{wrong}")],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let other = env.get("TEST_OTHER_DID");
    assert!(
        run.stderr.contains(&format!("cannot resolve `{wrong}`")) && run.stderr.contains(&other),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);

    // Not published under a served authority: NotFound with the DID and PDS.
    let missing = format!("{}authMissing{}", env.prefix(), stem());
    let run = lexperm(
        tmp.path(),
        &cache,
        &args(
            &[
                "expand",
                "--resolve",
                "--format",
                "json",
                &format!("include:{missing}"),
            ],
            &env.net(),
        ),
    );
    assert_eq!(run.code, 1);
    let line = &run.json()[0];
    assert_eq!(line["found"], false);
    assert_eq!(line["source"], Value::Null);
    assert!(
        line["resolve_error"]
            .as_str()
            .unwrap()
            .contains(&env.get("TEST_DID")),
        "{line}"
    );

    // In lint the same failures are L207 warnings (exit 0), not aborts.
    let dir = tmp.path().join("lint/com/example");
    std::fs::create_dir_all(&dir).unwrap();
    let doc = json!({"lexicon": 1, "id": "com.example.refs", "defs": {"main": {
        "type": "object", "description": "Refs.", "properties": {
            "w": {"type": "ref", "ref": format!("{wrong}#x")},
            "m": {"type": "ref", "ref": format!("{missing}#x")}}}}});
    std::fs::write(dir.join("refs.json"), doc.to_string()).unwrap();
    let run = lexperm(
        &tmp.path().join("lint"),
        &cache,
        &args(&["lint", ".", "--resolve", "--format", "json"], &env.net()),
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let lines = run.json();
    let codes: Vec<&str> = lines.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["L207", "L207"], "{}", run.stdout);
    assert!(
        lines[0]["message"].as_str().unwrap().contains(&other),
        "{}",
        run.stdout
    );
    assert_eq!(lines[1]["severity"], "warning");
}
