//! Hostile servers: a PLC directory, PDS or DNS server on 127.0.0.1 that sends huge or endless
//! bodies, drips bytes, redirects, lies in the cache's stead or embeds terminal escapes. Each test
//! names the bound of `lexperm_parser::limits` it exercises.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lexperm_net::authority::AuthorityError;
use lexperm_net::dns::DnsResolver;
use lexperm_net::identity::IdentityResolver;
use lexperm_net::test_server::{
    plc_with_pds, record, record_proof, Reply, Request, TestDns, TestServer,
};
use lexperm_net::xrpc::LEXICON_COLLECTION;
use lexperm_net::{
    BodyKind, DeadlineScope, NetError, RedirectRefusal, Secret, XrpcClient, XrpcErrorKind,
};
use lexperm_parser::limits;
use serde_json::{json, Value};

/// `lexperm resolve` of one record, without cache, as JSON lines.
const RESOLVE_POST: [&str; 5] = [
    "resolve",
    "com.example.post",
    "--no-cache",
    "--format",
    "json",
];

/// One GiB: what a hostile server offers.
const GIB: u64 = 1 << 30;

/// The lexicon published under `rkey`: a permission set for `*.auth*` NSIDs, a record otherwise.
fn lexicon(rkey: &str) -> Value {
    let main = if rkey.contains(".auth") {
        json!({"type": "permission-set", "title": "Basic", "permissions": [
            {"type": "permission", "resource": "repo", "collection": ["com.example.post"]}]})
    } else {
        json!({"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}})
    };
    json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": rkey, "defs": {"main": main}})
}

fn rkey(request: &Request) -> String {
    request
        .target
        .split("rkey=")
        .nth(1)
        .unwrap_or("")
        .to_string()
}

/// The honest answer of did:plc:abc's PDS: every lexicon exists, with its proof.
fn honest(request: &Request) -> Reply {
    let rkey = rkey(request);
    let value = lexicon(&rkey);
    let cid = lexperm_codegen::records::schema_record(&value)
        .expect("a valid lexicon")
        .cid()
        .to_string();
    let (status, body) = if request.path() == "/xrpc/com.atproto.sync.getRecord" {
        record_proof(LEXICON_COLLECTION, &rkey, &cid)
    } else {
        record(LEXICON_COLLECTION, &rkey, &cid, &value)
    };
    Reply::Body(status, body)
}

/// DNS (`_lexicon.example.com` → did:plc:abc), a PLC directory and a PDS. The PDS answers with
/// `hostile` where it returns a reply, honestly otherwise; the PLC directory is `plc` when
/// given, else an honest one pointing at the PDS.
struct World {
    dns: TestDns,
    plc: TestServer,
    pds: TestServer,
}

impl World {
    fn new(hostile: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static) -> Self {
        let pds = TestServer::start_replies(move |request| {
            hostile(request).unwrap_or_else(|| honest(request))
        });
        let plc = plc_with_pds(pds.url.clone());
        World::with_plc(pds, plc)
    }

    fn with_plc(pds: TestServer, plc: TestServer) -> Self {
        let dns = TestDns::start(vec![(
            "_lexicon.example.com",
            vec![vec!["did=did:plc:abc"]],
        )]);
        World { dns, plc, pds }
    }

    fn net_args(&self) -> Vec<String> {
        vec![
            "--dns-server".into(),
            self.dns.addr.to_string(),
            "--plc-url".into(),
            self.plc.url.clone(),
        ]
    }

    fn identity(&self) -> IdentityResolver {
        IdentityResolver::new(&self.plc.url, DnsResolver::with_name_server(self.dns.addr))
            .expect("a loopback PLC URL")
    }

    /// `lexperm resolve com.example.post --no-cache --format json` in a fresh directory (with
    /// `config` as its `lexperm.toml` when given): the exit code and the line's `error`.
    fn resolve_post(&self, config: Option<&str>) -> (Option<i32>, String) {
        let tmp = tempfile::tempdir().unwrap();
        if let Some(config) = config {
            std::fs::write(tmp.path().join("lexperm.toml"), config).unwrap();
        }
        let out = self.run(tmp.path(), &RESOLVE_POST);
        let error = resolve_lines(&out)[0].2.clone().unwrap_or_default();
        (out.status.code(), error)
    }

    /// Runs `lexperm` with `words` and this world's network options in `dir`, which is also the
    /// cache directory.
    fn run(&self, dir: &Path, words: &[&str]) -> Output {
        lexperm(dir, dir, &args(words, self))
    }

    fn record_fetches(&self) -> usize {
        self.pds
            .requests()
            .iter()
            .filter(|r| r.path() == "/xrpc/com.atproto.repo.getRecord")
            .count()
    }
}

/// Runs `lexperm` in `dir` with `LEXPERM_CACHE_DIR=cache`.
fn lexperm(dir: &Path, cache: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .current_dir(dir)
        .env("LEXPERM_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .output()
        .expect("lexperm runs")
}

fn args(words: &[&str], world: &World) -> Vec<String> {
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out.extend(world.net_args());
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `resolve --format json` lines, by NSID: the `error` or `source` member.
fn resolve_lines(output: &Output) -> Vec<(String, Option<String>, Option<String>)> {
    text(&output.stdout)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).expect("a JSON line");
            let member = |key: &str| value[key].as_str().map(str::to_owned);
            let error = value["error"]["message"].as_str().map(str::to_owned);
            (member("nsid").unwrap_or_default(), member("source"), error)
        })
        .collect()
}

// ---- bounded bodies -------------------------------------------------------------------------

#[test]
fn a_one_gib_did_document_is_refused_at_its_announced_length() {
    let pds = TestServer::start_replies(honest);
    let plc = TestServer::start_replies(|_| Reply::Sized {
        len: GIB,
        fill: b' ',
    });
    let world = World::with_plc(pds, plc);
    let started = Instant::now();
    let (code, error) = world.resolve_post(None);
    assert_eq!(code, Some(1));
    assert!(
        error.contains(&format!("DID document from {}/did:plc:abc", world.plc.url))
            && error.contains("larger than 128 KiB (MAX_DID_DOCUMENT_BYTES)"),
        "{error}"
    );
    assert_eq!(limits::MAX_DID_DOCUMENT_BYTES, 128 * 1024);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn an_endless_chunked_record_is_cut_at_the_xrpc_bound() {
    let world = World::new(|request| {
        (request.path() == "/xrpc/com.atproto.repo.getRecord").then(|| Reply::Endless {
            prefix: br#"{"uri":""#.to_vec(),
        })
    });
    let (code, error) = world.resolve_post(None);
    assert_eq!(code, Some(1));
    assert!(
        error.contains(&format!(
            "XRPC response from {}/xrpc/com.atproto.repo.getRecord is larger than 1 MiB (MAX_XRPC_JSON_BYTES)",
            world.pds.url
        )),
        "{error}"
    );
    assert_eq!(limits::MAX_XRPC_JSON_BYTES, 1 << 20);
}

#[test]
fn an_endless_repository_proof_is_cut_at_its_bound_in_expand_resolve() {
    let world = World::new(|request| {
        (request.path() == "/xrpc/com.atproto.sync.getRecord")
            .then(|| Reply::Endless { prefix: Vec::new() })
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = world.run(
        tmp.path(),
        &[
            "expand",
            "include:com.example.authBasic",
            "--resolve",
            "--no-cache",
            "--format",
            "json",
        ],
    );
    let stdout = text(&out.stdout);
    let line: Value = serde_json::from_str(stdout.lines().next().unwrap_or("{}")).unwrap();
    let error = line["resolve_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("repository proof (CAR) from")
            && error.contains("larger than 2 MiB (MAX_RECORD_PROOF_BYTES)"),
        "{stdout}"
    );
    assert_eq!(limits::MAX_RECORD_PROOF_BYTES, 2 << 20);
}

#[test]
fn lint_resolve_reports_an_oversized_record_as_unavailable() {
    let world = World::new(|request| {
        (request.path() == "/xrpc/com.atproto.repo.getRecord").then_some(Reply::Sized {
            len: GIB,
            fill: b'{',
        })
    });
    let tmp = tempfile::tempdir().unwrap();
    let lexicons = tmp.path().join("lexicons");
    std::fs::create_dir(&lexicons).unwrap();
    let local = json!({"lexicon": 1, "id": "org.other.thing", "defs": {"main": {
        "type": "object", "properties": {"post": {"type": "ref", "ref": "com.example.post"}}}}});
    std::fs::write(lexicons.join("thing.json"), local.to_string()).unwrap();
    let out = world.run(
        tmp.path(),
        &[
            "lint",
            "lexicons",
            "--resolve",
            "--no-cache",
            "--format",
            "json",
        ],
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("L207") && stdout.contains("MAX_XRPC_JSON_BYTES"),
        "{stdout}\n{}",
        text(&out.stderr)
    );
}

#[test]
fn txt_answers_are_bounded() {
    // 20 TXT records of 250 bytes: 5 KiB of TXT data, served over TCP after a truncated UDP
    // answer, as a real server does.
    let filler = "x".repeat(250);
    let records: Vec<Vec<&str>> = (0..20).map(|_| vec![filler.as_str()]).collect();
    let dns = TestDns::start(vec![("_lexicon.big.example.com", records)]);
    let err = DnsResolver::with_name_server(dns.addr)
        .lexicon_authority_did("big.example.com")
        .unwrap_err();
    assert!(
        matches!(
            &err,
            NetError::TooLarge { kind: BodyKind::TxtAnswer, limit, url }
                if *limit == limits::MAX_TXT_ANSWER_BYTES && url == "_lexicon.big.example.com"
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("MAX_TXT_ANSWER_BYTES"), "{err}");
}

// ---- deadlines --------------------------------------------------------------------------------

/// A body dripped one byte per 200 ms: about a minute for the whole record.
fn drip() -> Reply {
    Reply::Drip {
        body: vec![b' '; 300],
        interval: Duration::from_millis(200),
    }
}

#[test]
fn a_slow_drip_is_cut_by_the_command_deadline_and_earlier_results_are_kept() {
    let world = World::new(|request| {
        (request.path() == "/xrpc/com.atproto.repo.getRecord"
            && rkey(request).starts_with("com.example.slow"))
        .then(drip)
    });
    let tmp = tempfile::tempdir().unwrap();
    let mut words = vec!["resolve", "com.example.post"];
    let slow: Vec<String> = (0..20).map(|i| format!("com.example.slow{i}")).collect();
    words.extend(slow.iter().map(String::as_str));
    words.extend(["--no-cache", "--format", "json", "--network-deadline", "2"]);
    let started = Instant::now();
    let out = world.run(tmp.path(), &words);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let lines = resolve_lines(&out);
    assert_eq!(lines.len(), 21);
    assert_eq!(
        (lines[0].0.as_str(), lines[0].1.as_deref()),
        ("com.example.post", Some("network"))
    );
    for (nsid, _, error) in &lines[1..] {
        let error = error.as_deref().unwrap_or_default();
        assert!(
            error.starts_with("deadline: the command's network deadline of 2 s"),
            "{nsid}: {error}"
        );
    }
    // One drip was cut at the deadline; the other nineteen were not even asked.
    assert_eq!(world.record_fetches(), 2);
    assert_eq!(limits::DEFAULT_NETWORK_DEADLINE, Duration::from_secs(300));
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
}

#[test]
fn the_network_deadline_comes_from_the_config_file() {
    let world =
        World::new(|request| (request.path() == "/xrpc/com.atproto.repo.getRecord").then(drip));
    let started = Instant::now();
    let (_, error) = world.resolve_post(Some("[network]\ndeadline = 1\n"));
    assert!(error.contains("network deadline of 1 s"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[test]
fn one_slow_request_is_cut_at_its_own_deadline() {
    // Each byte comes well within the deadline; the whole body does not.
    let server = TestServer::start_replies(|_| Reply::Drip {
        body: br#"{"did":"did:plc:abc"}"#.to_vec(),
        interval: Duration::from_millis(100),
    });
    let client = XrpcClient::with_timeout(&server.url, Duration::from_millis(700)).unwrap();
    let started = Instant::now();
    let err = client.resolve_handle("alice.test").unwrap_err();
    assert!(
        matches!(
            err,
            NetError::Deadline {
                scope: DeadlineScope::Request,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(limits::NETWORK_REQUEST_DEADLINE, Duration::from_secs(20));
}

// ---- redirects and endpoints ----------------------------------------------------------------

#[test]
fn create_session_is_never_redirected_so_the_password_stays_home() {
    let elsewhere = TestServer::start(|_| (200, "{}".into()));
    let target = format!("{}/xrpc/com.atproto.server.createSession", elsewhere.url);
    let same_origin = Arc::new(AtomicUsize::new(0));
    let counter = same_origin.clone();
    let redirect_to = target.clone();
    let pds = TestServer::start_replies(move |request| {
        if request.path() == "/moved" {
            counter.fetch_add(1, Ordering::SeqCst);
        }
        match request.path() {
            "/xrpc/com.atproto.server.createSession" => Reply::Redirect(307, redirect_to.clone()),
            _ => Reply::Redirect(308, "/moved".into()),
        }
    });
    let client = XrpcClient::new(&pds.url).unwrap();
    let err = client
        .create_session("alice.test", &Secret::new("app-password"))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            NetError::Redirect {
                reason: RedirectRefusal::Credentials,
                location,
                ..
            } if location == &target
        ),
        "{err:?}"
    );
    assert!(elsewhere.requests().is_empty(), "the password left the PDS");
    // Not even within the origin: a token-bearing refresh is not redirected either.
    let err = client.refresh_session(&Secret::new("refresh")).unwrap_err();
    assert!(matches!(err, NetError::Redirect { .. }), "{err:?}");
    assert_eq!(same_origin.load(Ordering::SeqCst), 0);
}

#[test]
fn public_requests_follow_only_same_origin_redirects_a_few_times() {
    let elsewhere = TestServer::start(|_| (200, "{}".into()));
    let away = format!("{}/did:plc:abc", elsewhere.url);
    let plc = TestServer::start_replies(move |request| match request.path() {
        "/did:plc:abc" => Reply::Redirect(302, "/moved/did:plc:abc".into()),
        "/moved/did:plc:abc" => Reply::Body(200, json!({"id": "did:plc:abc"}).to_string().into()),
        "/did:plc:away" => Reply::Redirect(302, away.clone()),
        path => Reply::Redirect(302, format!("{path}x")),
    });
    let identity = IdentityResolver::new(
        &plc.url,
        DnsResolver::with_name_server(([127, 0, 0, 1], 9).into()),
    )
    .unwrap();
    assert_eq!(
        identity.resolve_did("did:plc:abc").unwrap().id,
        "did:plc:abc"
    );
    let err = identity.resolve_did("did:plc:away").unwrap_err();
    assert!(
        matches!(
            err,
            NetError::Redirect {
                reason: RedirectRefusal::OtherOrigin,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(elsewhere.requests().is_empty());
    let before = plc.requests().len();
    let err = identity.resolve_did("did:plc:loop").unwrap_err();
    assert!(
        matches!(
            err,
            NetError::Redirect {
                reason: RedirectRefusal::TooMany,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(plc.requests().len() - before, limits::MAX_REDIRECTS + 1);
}

#[test]
fn a_plain_http_pds_endpoint_is_refused_unless_loopback() {
    let pds = TestServer::start_replies(honest);
    let plc = TestServer::start(|_| {
        (
            200,
            json!({"id": "did:plc:abc", "service": [{"id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer", "serviceEndpoint": "http://pds.example.com"}]})
            .to_string(),
        )
    });
    let world = World::with_plc(pds, plc);
    let (_, error) = world.resolve_post(None);
    assert!(
        error
            .contains("`http://pds.example.com` is refused: http:// is accepted only for loopback"),
        "{error}"
    );
    assert!(world.pds.requests().is_empty());
    // A loopback PDS is accepted over http:// (the local test environment uses one).
    assert!(World::new(|_| None)
        .identity()
        .pds_of("did:plc:abc")
        .unwrap()
        .starts_with("http://127.0.0.1:"));
}

// ---- the resolution cache ---------------------------------------------------------------------

fn cached_entry(cache: &Path, nsid: &str) -> (std::path::PathBuf, Value) {
    let path = cache.join("resolve").join(format!("{nsid}.json"));
    let entry = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, entry)
}

#[test]
fn cache_entries_are_checked_again_when_read() {
    let world = World::new(|_| None);
    let tmp = tempfile::tempdir().unwrap();
    let resolve = |nsid: &str| world.run(tmp.path(), &["resolve", nsid, "--format", "json"]);
    for nsid in ["com.example.post", "com.example.other"] {
        assert_eq!(
            resolve_lines(&resolve(nsid))[0].1.as_deref(),
            Some("network")
        );
    }
    assert_eq!(
        resolve_lines(&resolve("com.example.post"))[0].1.as_deref(),
        Some("cache")
    );

    // Content changed under its CID.
    let (path, mut entry) = cached_entry(tmp.path(), "com.example.post");
    entry["record"]["defs"]["main"]["key"] = "any".into();
    std::fs::write(&path, entry.to_string()).unwrap();
    let out = resolve("com.example.post");
    assert_eq!(resolve_lines(&out)[0].1.as_deref(), Some("network"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: discarded the cached copy of com.example.post")
            && stderr.contains("hashes to"),
        "{stderr}"
    );

    // Another NSID's (valid) entry filed under this one.
    let (_, other) = cached_entry(tmp.path(), "com.example.other");
    std::fs::write(&path, other.to_string()).unwrap();
    let out = resolve("com.example.post");
    let line: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(line["source"], "network");
    assert_eq!(line["lexicon"]["id"], "com.example.post");
    assert!(text(&out.stderr).contains("entry of `com.example.other`"));

    // Dated far in the future: stale, so refreshed.
    let (path, mut entry) = cached_entry(tmp.path(), "com.example.post");
    entry["fetched_at"] = json!(u64::MAX / 2);
    std::fs::write(&path, entry.to_string()).unwrap();
    let fetches = world.record_fetches();
    assert_eq!(
        resolve_lines(&resolve("com.example.post"))[0].1.as_deref(),
        Some("network")
    );
    assert_eq!(world.record_fetches(), fetches + 1);
    assert_eq!(limits::CACHE_CLOCK_SKEW, Duration::from_secs(300));
}

#[test]
fn an_unusable_cache_directory_means_network_only_with_one_warning() {
    let world = World::new(|_| None);
    let tmp = tempfile::tempdir().unwrap();
    let not_a_dir = tmp.path().join("cache-file");
    std::fs::write(&not_a_dir, "").unwrap();
    let out = lexperm(
        tmp.path(),
        &not_a_dir,
        &args(
            &[
                "resolve",
                "com.example.post",
                "com.example.other",
                "--format",
                "json",
            ],
            &world,
        ),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sources: Vec<Option<String>> = resolve_lines(&out).into_iter().map(|l| l.1).collect();
    assert_eq!(sources, [Some("network".into()), Some("network".into())]);
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("warning: ").count(), 1, "{stderr}");
    assert!(stderr.contains("is not usable"), "{stderr}");
}

// ---- terminal escapes -----------------------------------------------------------------------

fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| c.is_control())
}

#[test]
fn server_text_in_errors_carries_no_raw_control_characters() {
    let long = "m".repeat(5000);
    let pds = TestServer::start(move |_| {
        (
            400,
            json!({"error": "Evil\u{1b}[2J", "message": format!("\u{1b}]0;owned\u{7}{long}")})
                .to_string(),
        )
    });
    let err = XrpcClient::new(&pds.url)
        .unwrap()
        .get_record("did:plc:abc", LEXICON_COLLECTION, "com.example.post")
        .unwrap_err();
    let shown = err.to_string();
    assert!(!has_raw_controls(&shown), "{shown:?}");
    assert!(shown.contains("Evil\\u001b[2J"), "{shown}");
    assert!(
        shown.chars().count() < 2 * limits::MAX_SERVER_TEXT_CHARS + 100,
        "{}",
        shown.len()
    );
    assert_eq!(
        err.xrpc_kind(),
        Some(XrpcErrorKind::Other("Evil\\u001b[2J".into()))
    );

    let dns = TestDns::start(vec![
        (
            "_lexicon.ctl.example.com",
            vec![vec!["v=spf1 \u{1b}[31m-all"]],
        ),
        (
            "_lexicon.bad.example.com",
            vec![vec!["did=did:plc:\u{1b}[0m"]],
        ),
    ]);
    let resolver = DnsResolver::with_name_server(dns.addr);
    for authority in ["ctl.example.com", "bad.example.com"] {
        let err = resolver.lexicon_authority_did(authority).unwrap_err();
        assert!(
            matches!(
                err,
                NetError::Authority(
                    AuthorityError::NoDidEntry { .. } | AuthorityError::InvalidDid { .. }
                )
            ),
            "{err:?}"
        );
        let shown = err.to_string();
        assert!(!has_raw_controls(&shown), "{shown:?}");
    }
}
