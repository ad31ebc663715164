//! `lexperm login` (atproto OAuth, least privilege), `publish` with the OAuth session and
//! `logout`, end to end against the testenv PDS and its own OAuth provider
//! (`cargo xtask testenv up`); skipped with a note when `target/testenv/env` is missing.
//!
//! Nobody signs in by hand: the test plays the browser against the provider's HTTP interface
//! (the authorization page sets the cookies, then the sign-in and consent endpoints of its API
//! are called as the page's script calls them, with the same CSRF token, origin and referrer),
//! and follows the provider's redirect to the listener of `lexperm login`.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use lexperm_net::oauth::{OAuthSession, OAuthSessionStore};
use lexperm_net::xrpc::{Swap, LEXICON_COLLECTION};
use lexperm_net::{Agent, AuthKind, XrpcClient};
use reqwest::Url;
use serde_json::{json, Value};

use common::{both_outputs as text, testenv_get as get, testenv_vars as env_vars, workspace_root};

/// The provider's API prefix (`@atproto/oauth-provider-api`).
const API: &str = "/@atproto/oauth-provider/~api";

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lexperm-oauth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn net_args(vars: &[(String, String)]) -> Vec<String> {
    vec![
        "--dns-server".into(),
        get(vars, "TEST_DNS_SERVER"),
        "--plc-url".into(),
        get(vars, "TEST_PLC_URL"),
    ]
}

/// Runs `lexperm args…` with `cache` as the cache dir, no app password and no stdin.
fn lexperm(cache: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .env("LEXPERM_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .env_remove("LEXPERM_APP_PASSWORD")
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A browser for the provider's pages: keeps cookies, sends the fetch metadata a browser sends.
struct Browser {
    http: reqwest::blocking::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new() -> Self {
        Browser {
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::blocking::Response) {
        for value in response.headers().get_all("set-cookie") {
            let first = value.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = first.split_once('=') {
                self.cookies
                    .insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }

    /// A top-level navigation to `url` (`referer`: the page it comes from).
    fn navigate(&mut self, url: &str, referer: Option<&str>) -> reqwest::blocking::Response {
        let mut request = self
            .http
            .get(url)
            .header("sec-fetch-mode", "navigate")
            .header("sec-fetch-dest", "document")
            .header(
                "sec-fetch-site",
                if referer.is_some() {
                    "same-origin"
                } else {
                    "none"
                },
            )
            .header("cookie", self.cookie_header());
        if let Some(referer) = referer {
            request = request.header("referer", referer);
        }
        let response = request.send().unwrap();
        self.keep_cookies(&response);
        response
    }

    /// A call of the provider's API from the authorization page `page`.
    fn api(&mut self, page: &str, endpoint: &str, body: Value) -> (u16, Value) {
        let url = Url::parse(page).unwrap();
        let origin = url.origin().ascii_serialization();
        let csrf = self.cookies.get("csrf-token").cloned().unwrap_or_default();
        let response = self
            .http
            .post(format!("{origin}{API}{endpoint}"))
            .header("sec-fetch-mode", "same-origin")
            .header("sec-fetch-site", "same-origin")
            .header("sec-fetch-dest", "empty")
            .header("origin", &origin)
            .header("referer", page)
            .header("x-csrf-token", csrf)
            .header("cookie", self.cookie_header())
            .json(&body)
            .send()
            .unwrap();
        self.keep_cookies(&response);
        let status = response.status().as_u16();
        (status, response.json().unwrap_or(Value::Null))
    }

    /// Opens the authorization page, signs in as `username`, consents for `did`, and returns
    /// where the provider redirects the browser (the client's redirect URI with code, state
    /// and iss).
    fn approve(&mut self, page: &str, username: &str, password: &str, did: &str) -> Url {
        let opened = self.navigate(page, None);
        assert_eq!(opened.status().as_u16(), 200, "authorization page");
        let (status, signed_in) = self.api(
            page,
            "/sign-in",
            json!({"locale": "en", "username": username, "password": password, "remember": true}),
        );
        assert_eq!(status, 200, "sign-in: {signed_in}");
        let (status, consent) = self.api(page, "/consent", json!({ "did": did }));
        assert_eq!(status, 200, "consent: {consent}");
        let redirect = consent["url"]
            .as_str()
            .expect("consent gives a URL")
            .to_string();
        let response = self.navigate(&redirect, Some(page));
        let location = response
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("the provider redirects: {}", response.status()))
            .to_str()
            .unwrap()
            .to_string();
        Url::parse(&location).unwrap()
    }
}

/// A running `lexperm login`: its sign-in URL and redirect URI, read from its stderr.
struct LoginRun {
    child: Child,
    authorize_url: String,
    redirect_uri: String,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

fn start_login(cache: &Path, handle: &str, vars: &[(String, String)]) -> LoginRun {
    let mut args = vec![
        "login".to_string(),
        "--handle".into(),
        handle.into(),
        "--no-browser".into(),
        "--timeout".into(),
        "60".into(),
    ];
    args.extend(net_args(vars));
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(&args)
        .env("LEXPERM_CACHE_DIR", cache)
        .env("NO_COLOR", "1")
        .env_remove("BROWSER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut run = LoginRun {
        child,
        authorize_url: String::new(),
        redirect_uri: String::new(),
        lines,
        seen: Vec::new(),
    };
    while run.authorize_url.is_empty() || run.redirect_uri.is_empty() {
        let line = run
            .lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("login printed no URL: {:?}", run.seen));
        if line.starts_with("http") {
            run.authorize_url = line.clone();
        }
        if let Some(rest) = line.split(" for the redirect to ").nth(1) {
            run.redirect_uri = rest.trim().to_string();
        }
        run.seen.push(line);
    }
    run
}

impl LoginRun {
    /// Sends the browser to `callback` (the login's listener) and waits for the command.
    fn deliver(mut self, callback: &Url) -> (Option<i32>, String, String) {
        let answer = reqwest::blocking::get(callback.as_str()).unwrap();
        assert_eq!(answer.status().as_u16(), 200, "the listener answers");
        let status = self.child.wait().unwrap();
        let mut stdout = String::new();
        use std::io::Read;
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push(line);
        }
        (status.code(), stdout, self.seen.join("\n"))
    }
}

/// Signs in as `username` (password `password`, DID `did`) through a `lexperm login --handle
/// handle`, returning the redirect the provider sends to the login's listener (not delivered).
fn approved(
    cache: &Path,
    handle: &str,
    vars: &[(String, String)],
    (username, password, did): (&str, &str, &str),
) -> (LoginRun, Url) {
    let run = start_login(cache, handle, vars);
    let callback = Browser::new().approve(&run.authorize_url, username, password, did);
    assert!(
        callback.as_str().starts_with(&run.redirect_uri),
        "{callback} is the login's redirect URI {}",
        run.redirect_uri
    );
    (run, callback)
}

fn with_param(url: &Url, key: &str, value: &str) -> Url {
    let mut out = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key {
                value.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    out.query_pairs_mut().clear().extend_pairs(pairs);
    out
}

fn param(url: &Url, key: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

fn secrets_of(session: &OAuthSession) -> Vec<String> {
    let mut all = vec![
        session.access_token.expose().to_string(),
        session.dpop_key.to_secret().expose().to_string(),
    ];
    if let Some(r) = &session.refresh_token {
        all.push(r.expose().to_string());
    }
    all
}

#[track_caller]
fn assert_no_secret(output: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !output.contains(secret.as_str()),
            "a secret was printed:\n{output}"
        );
    }
}

/// The testenv's variables, when they include the account password (written by `up` since
/// OAuth is tested; an older env file is skipped with a note, or fails under
/// `LEXPERM_REQUIRE_TESTENV`).
fn oauth_env() -> Option<Vec<(String, String)>> {
    let vars = env_vars()?;
    if vars.iter().any(|(k, _)| k == "TEST_PASSWORD") {
        return Some(vars);
    }
    assert!(
        std::env::var_os("LEXPERM_REQUIRE_TESTENV").is_none(),
        "the testenv env file has no TEST_PASSWORD; run `cargo xtask testenv up` again"
    );
    eprintln!("note: the testenv env file has no TEST_PASSWORD; skipping (run `cargo xtask testenv up` again)");
    None
}

fn alice(vars: &[(String, String)]) -> (String, String, String) {
    (
        get(vars, "TEST_HANDLE"),
        get(vars, "TEST_PASSWORD"),
        get(vars, "TEST_DID"),
    )
}

/// A copy of the example authority's lexicons with one description changed (so publishing it
/// writes), and the NSID changed.
fn changed_copy(dir: &Path) -> String {
    common::copy_tree(&workspace_root().join("lexicons"), dir);
    let path = dir.join("org/lexperm/example/calendar/event.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["description"] = Value::String(format!("An event (OAuth publish test {}).", nanos()));
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    doc["id"].as_str().unwrap().to_string()
}

fn publish(cache: &Path, vars: &[(String, String)], lexicons: &Path) -> Output {
    let mut args: Vec<String> = [
        "publish",
        "--handle",
        &get(vars, "TEST_HANDLE"),
        "--lexicons",
        &lexicons.to_string_lossy(),
        "--auth",
        "oauth",
        "--format",
        "json",
    ]
    .map(String::from)
    .to_vec();
    args.extend(net_args(vars));
    lexperm(cache, &args)
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn edit_session(store: &OAuthSessionStore, edit: impl FnOnce(&mut OAuthSession)) {
    let mut session = store.load().unwrap().unwrap();
    edit(&mut session);
    store.save(&session).unwrap();
}

#[test]
fn login_publish_least_privilege_nonce_refresh_and_logout() {
    let Some(vars) = oauth_env() else { return };
    let (handle, password, did) = alice(&vars);
    let pds = get(&vars, "TEST_PDS_URL");
    let cache = temp_dir("flow");

    // Login, driven through the provider's sign-in and consent.
    let (run, callback) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let code = param(&callback, "code");
    let (status, stdout, stderr) = run.deliver(&callback);
    assert_eq!(status, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("logged in as {handle} ({did})"))
            && stdout.contains("granted: atproto repo:com.atproto.lexicon.schema"),
        "{stdout}"
    );
    let store = OAuthSessionStore::new(cache.join("oauth-session.json"));
    let session = store.load().unwrap().expect("the session is saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(session.did, did);
    assert_eq!(session.scope, "atproto repo:com.atproto.lexicon.schema");
    assert!(session.refresh_token.is_some());
    let mut secrets = secrets_of(&session);
    secrets.push(code);
    assert_no_secret(&format!("{stdout}{stderr}"), &secrets);

    // Logging in again replaces the session and revokes the one it replaces.
    let first = session;
    let (run, callback) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let (status, stdout, stderr) = run.deliver(&callback);
    assert_eq!(status, Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let session = store.load().unwrap().unwrap();
    assert_ne!(session.refresh_token, first.refresh_token);
    let mut old = Agent::from_oauth(XrpcClient::new(&first.service).unwrap(), first, None);
    let e = old.refresh().unwrap_err().to_string();
    assert!(e.contains("revoked or has expired"), "{e}");

    // Publish a changed copy of the example authority with the OAuth session: DPoP-bound
    // writes, each read back and proven (publish compares the CIDs itself).
    let copy = temp_dir("lexicons");
    let changed = changed_copy(&copy);
    let out = publish(&cache, &vars, &copy);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("with the OAuth session"),
        "{}",
        text(&out)
    );
    assert_no_secret(&text(&out), &secrets_of(&store.load().unwrap().unwrap()));
    let lines = json_lines(&out);
    let line = lines
        .iter()
        .find(|l| l["nsid"] == changed.as_str())
        .unwrap();
    // `create` on a fresh test environment, `update` once the example was published.
    assert!(
        matches!(line["action"].as_str(), Some("create" | "update")) && line["status"] == "done",
        "{line}"
    );
    assert_eq!(line["local_cid"], line["remote_cid"]);
    let client = XrpcClient::new(&pds).unwrap();
    let stored = client
        .get_record(&did, LEXICON_COLLECTION, &changed)
        .unwrap();
    assert_eq!(Some(stored.cid.as_str()), line["local_cid"].as_str());

    // A DPoP nonce that changed under the session (stale at the PDS and the authorization
    // server): the servers answer use_dpop_nonce, the request goes again with the new one.
    edit_session(&store, |s| {
        s.pds_nonce = Some("stale-nonce".into());
        s.as_nonce = Some("stale-nonce".into());
    });
    let original = workspace_root().join("lexicons");
    let out = publish(&cache, &vars, &original);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let line = json_lines(&out)
        .into_iter()
        .find(|l| l["nsid"] == changed.as_str())
        .unwrap();
    assert_eq!(line["status"], "done", "{line}");
    let after = store.load().unwrap().unwrap();
    assert!(
        after.pds_nonce.is_some() && after.pds_nonce.as_deref() != Some("stale-nonce"),
        "the PDS's new nonce is kept"
    );

    // Least privilege: the same session cannot write an app.bsky.feed.post record.
    let mut agent = Agent::from_oauth(
        XrpcClient::new(&after.service).unwrap(),
        after.clone(),
        Some(store.clone()),
    );
    assert_eq!(agent.kind(), AuthKind::OAuth);
    let posts_before = client
        .list_records(&did, "app.bsky.feed.post")
        .unwrap()
        .len();
    let refused = agent
        .create_record(
            "app.bsky.feed.post",
            &json!({"$type": "app.bsky.feed.post", "text": "must not be written", "createdAt": "2026-01-01T00:00:00.000Z"}),
        )
        .unwrap_err();
    assert_eq!(
        refused.http_status(),
        Some(403),
        "refused by the PDS: {refused}"
    );
    assert!(
        refused
            .to_string()
            .contains("repo:app.bsky.feed.post?action=create"),
        "the PDS names the missing scope: {refused}"
    );
    assert_eq!(
        client
            .list_records(&did, "app.bsky.feed.post")
            .unwrap()
            .len(),
        posts_before,
        "nothing was written"
    );
    assert_no_secret(&refused.to_string(), &secrets_of(&after));

    // An expired access token is refreshed once (before the call), and an access token the
    // PDS refuses is refreshed once (after the call); both save the new tokens.
    let record = stored.value.clone();
    let republish = |agent: &mut Agent| {
        agent
            .put_record(LEXICON_COLLECTION, &changed, &record, &Swap::Any)
            .map(|_| ())
    };
    edit_session(&store, |s| s.expires_at = Some(0));
    let before = store.load().unwrap().unwrap();
    let mut agent = Agent::from_oauth(
        XrpcClient::new(&before.service).unwrap(),
        before.clone(),
        Some(store.clone()),
    );
    republish(&mut agent).unwrap();
    let refreshed = store.load().unwrap().unwrap();
    assert_ne!(refreshed.access_token, before.access_token);
    assert!(!refreshed.expires_soon());
    edit_session(&store, |s| {
        s.access_token = lexperm_net::Secret::new("not-a-token")
    });
    let broken = store.load().unwrap().unwrap();
    let mut agent = Agent::from_oauth(
        XrpcClient::new(&broken.service).unwrap(),
        broken,
        Some(store.clone()),
    );
    republish(&mut agent).unwrap();
    assert_ne!(
        store.load().unwrap().unwrap().access_token.expose(),
        "not-a-token"
    );

    // Logout revokes the grant and deletes the file; a copy of the revoked session cannot be
    // refreshed, and publish says to log in again.
    let kept = store.load().unwrap().unwrap();
    let out = lexperm(&cache, &["logout".into(), "--auth".into(), "oauth".into()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("logged out {handle} (OAuth")),
        "{}",
        text(&out)
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{}",
        text(&out)
    );
    assert!(store.load().unwrap().is_none());
    let mut revoked = kept.clone();
    revoked.expires_at = Some(0);
    store.save(&revoked).unwrap();
    let out = publish(&cache, &vars, &original);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("revoked or has expired") && all.contains("lexperm login"),
        "{all}"
    );
    assert_no_secret(&all, &secrets_of(&kept));

    // `--auth app-password` passes over the stored OAuth session; it puts the example back.
    let mut args: Vec<String> = ["publish", "--handle", &handle, "--auth", "app-password"]
        .map(String::from)
        .to_vec();
    args.extend(["--lexicons".into(), original.to_string_lossy().into_owned()]);
    args.extend(net_args(&vars));
    let out = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(&args)
        .env("LEXPERM_CACHE_DIR", &cache)
        .env("LEXPERM_APP_PASSWORD", get(&vars, "TEST_APP_PASSWORD"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("with an app password"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&cache);
    let _ = std::fs::remove_dir_all(&copy);
}

#[test]
fn login_refuses_wrong_state_replayed_code_and_another_account() {
    let Some(vars) = oauth_env() else { return };
    let (handle, password, did) = alice(&vars);
    let cache = temp_dir("negative");
    let store = OAuthSessionStore::new(cache.join("oauth-session.json"));

    // A redirect whose state is not the login's: refused before any exchange.
    let (run, callback) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let code = param(&callback, "code");
    let (status, stdout, stderr) = run.deliver(&with_param(&callback, "state", "forged"));
    assert_eq!(status, Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("state does not match"), "{stderr}");
    assert!(!stderr.contains(&code), "{stderr}");
    assert!(store.load().unwrap().is_none());

    // A redirect from another issuer than the account's authorization server.
    let (run, callback) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let (status, stdout, stderr) =
        run.deliver(&with_param(&callback, "iss", "https://elsewhere.example"));
    assert_eq!(status, Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("comes from the issuer https://elsewhere.example"),
        "{stderr}"
    );
    assert!(store.load().unwrap().is_none());

    // The person declines on the consent screen: the provider redirects with access_denied.
    let run = start_login(&cache, &handle, &vars);
    let mut browser = Browser::new();
    assert_eq!(
        browser.navigate(&run.authorize_url, None).status().as_u16(),
        200
    );
    let (status, rejected) = browser.api(&run.authorize_url, "/reject", json!({}));
    assert_eq!(status, 200, "reject: {rejected}");
    let response = browser.navigate(rejected["url"].as_str().unwrap(), Some(&run.authorize_url));
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let (status, stdout, stderr) = run.deliver(&Url::parse(&location).unwrap());
    assert_eq!(status, Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the authorization server refused: access_denied"),
        "{stderr}"
    );
    assert!(store.load().unwrap().is_none());

    // A code used once, then sent to another login: the authorization server refuses it.
    let (first, used) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let (status, stdout, stderr) = first.deliver(&used);
    assert_eq!(status, Some(0), "{stdout}\n{stderr}");
    std::fs::remove_file(store.path()).unwrap();
    let (second, fresh) = approved(&cache, &handle, &vars, (&handle, &password, &did));
    let replay = with_param(&fresh, "code", &param(&used, "code"));
    let (status, stdout, stderr) = second.deliver(&replay);
    assert_eq!(status, Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("OAuth token request") && stderr.contains("invalid_grant"),
        "{stderr}"
    );
    assert!(!stderr.contains(&param(&used, "code")), "{stderr}");
    assert!(store.load().unwrap().is_none());

    // Signing in as another account than the one named: the tokens' sub is refused.
    let pds = get(&vars, "TEST_PDS_URL");
    let bob_handle = format!("bob{}.test", nanos() % 1_000_000_000);
    let bob_password = format!("pw-{}", nanos());
    let bob: Value = XrpcClient::new(&pds)
        .unwrap()
        .procedure(
            "com.atproto.server.createAccount",
            &json!({"handle": bob_handle, "email": format!("{bob_handle}@example.com"), "password": bob_password}),
            None,
        )
        .unwrap();
    let bob_did = bob["did"].as_str().unwrap();
    let (run, callback) = approved(
        &cache,
        &handle,
        &vars,
        (&bob_handle, &bob_password, bob_did),
    );
    let (status, stdout, stderr) = run.deliver(&callback);
    assert_eq!(status, Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("the tokens are for {bob_did}, not for {did}")),
        "{stderr}"
    );
    assert!(store.load().unwrap().is_none());
    let _ = std::fs::remove_dir_all(&cache);
}
