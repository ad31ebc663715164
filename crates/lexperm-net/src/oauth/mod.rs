//! atproto OAuth for lexperm as a native public client on the loopback interface, asking for the
//! least privilege publishing needs: `atproto repo:com.atproto.lexicon.schema`.
//!
//! The login ([`begin_login`], [`PendingLogin::finish`]) follows the atproto OAuth profile:
//! handle → DID → PDS → protected resource metadata → authorization server metadata; a pushed
//! authorization request (PAR) with PKCE (S256), `state` and a DPoP proof by an ES256 key made
//! for the session; the redirect to `http://127.0.0.1:<port>/callback` ([`callback`]); the code
//! exchanged for DPoP-bound tokens. Before a session is returned, the `state` and the issuer of
//! the redirect, the account (`sub`) and the granted scope are checked: the scope must allow
//! creating, updating and deleting `com.atproto.lexicon.schema` records, matched by the same
//! [`ScopeSet`] code as `lexperm check`.
//!
//! The client id is the loopback form `http://localhost?redirect_uri=…&scope=…`: no client
//! metadata document is published. Server nonces (`use_dpop_nonce`) are handled at the
//! authorization server and at the PDS, a rotated nonce included: the request is sent once more
//! with the new one.

pub mod callback;
pub mod crypto;

use std::path::{Path, PathBuf};
use std::time::Duration;

use lexperm_parser::scope::{
    NsidPattern, RepoAction, RepoScope, Scope, ScopeRequest, ScopeSet, StaticScope,
};
use lexperm_parser::syntax::Nsid;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{printable, BodyKind, NetError, Secret};
use crate::http::{check_endpoint, get_json, Answer, Http};
use crate::identity::IdentityResolver;
use crate::session::PrivateJsonFile;
use crate::xrpc::{XrpcClient, LEXICON_COLLECTION};

use callback::{CallbackListener, CallbackParams};
use crypto::{now_secs, random_token, DpopKey, Pkce};

/// An OAuth access token is refreshed when it expires within this margin.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The scope lexperm asks for: `atproto` and every action on `com.atproto.lexicon.schema`
/// records, built with lexperm's scope types and written in canonical form.
pub fn requested_scope() -> String {
    let mut scopes = vec![Scope::Static(StaticScope::Atproto)];
    if let Ok(nsid) = Nsid::parse(LEXICON_COLLECTION) {
        scopes.push(Scope::Repo(RepoScope {
            collections: vec![NsidPattern::Nsid(nsid)],
            actions: RepoAction::ALL.to_vec(),
        }));
    }
    scopes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that a granted scope string allows what publishing needs: `atproto`, and creating,
/// updating and deleting `com.atproto.lexicon.schema` records. The error names what is missing.
pub fn check_granted_scope(granted: &str) -> Result<(), String> {
    let set = ScopeSet::parse(granted);
    let mut missing: Vec<String> = Vec::new();
    if !set.has_atproto() {
        missing.push("atproto".into());
    }
    for &action in RepoAction::ALL {
        let request = ScopeRequest::Repo {
            collection: LEXICON_COLLECTION.into(),
            action,
        };
        if set.allows(&request).is_none() {
            missing.push(format!(
                "{} of {LEXICON_COLLECTION} records",
                action.as_str()
            ));
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the granted scope `{}` does not allow {}",
            printable(granted),
            missing.join(", ")
        ))
    }
}

/// The loopback client id: `http://localhost?redirect_uri=<uri>&scope=<scope>`.
pub fn loopback_client_id(redirect_uri: &str, scope: &str) -> String {
    format!(
        "http://localhost?{}",
        form(&[("redirect_uri", redirect_uri), ("scope", scope)])
    )
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// What the PDS says about itself as an OAuth protected resource.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceMetadata {
    /// The resource (the PDS URL).
    pub resource: String,
    /// Its authorization servers (the first one is used).
    #[serde(default)]
    pub authorization_servers: Vec<String>,
}

/// The authorization server metadata (RFC 8414) lexperm reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// Where the person authorizes.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: String,
    /// Where authorization requests are pushed (required by atproto).
    #[serde(default)]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// Where tokens are revoked.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// The DPoP algorithms accepted (must include `ES256`).
    #[serde(default)]
    pub dpop_signing_alg_values_supported: Vec<String>,
    /// Whether redirects carry `iss` (RFC 9207).
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

fn discovery_error(detail: String) -> NetError {
    NetError::OAuth {
        step: "discovery",
        detail,
    }
}

/// The authorization server of the PDS `client` is for: the protected resource metadata names
/// the issuer, whose metadata must carry the same issuer, usable endpoints, PAR and ES256 DPoP.
pub fn discover(client: &XrpcClient) -> Result<ServerMetadata, NetError> {
    let (http, pds) = (client.http(), client.base_url());
    let resource: ResourceMetadata = get_json(
        http,
        &format!("{pds}/.well-known/oauth-protected-resource"),
        BodyKind::XrpcJson,
    )
    .map_err(|e| match e.http_status() {
        Some(404) => discovery_error(format!(
            "{pds} does not offer OAuth (no /.well-known/oauth-protected-resource); publish with an app password (--auth app-password)"
        )),
        _ => e,
    })?;
    if resource.resource.trim_end_matches('/') != pds {
        return Err(discovery_error(format!(
            "{pds} describes itself as the resource {}",
            printable(&resource.resource)
        )));
    }
    let issuer = resource
        .authorization_servers
        .first()
        .ok_or_else(|| discovery_error(format!("{pds} names no authorization server")))?;
    check_endpoint(issuer)
        .map_err(|e| discovery_error(format!("authorization server {}: {e}", printable(issuer))))?;
    let meta: ServerMetadata = get_json(
        http,
        &format!(
            "{}/.well-known/oauth-authorization-server",
            issuer.trim_end_matches('/')
        ),
        BodyKind::XrpcJson,
    )?;
    if &meta.issuer != issuer {
        return Err(discovery_error(format!(
            "the authorization server of {pds} is {}, but its metadata names the issuer {}",
            printable(issuer),
            printable(&meta.issuer)
        )));
    }
    let endpoints = [
        ("authorization_endpoint", Some(&meta.authorization_endpoint)),
        ("token_endpoint", Some(&meta.token_endpoint)),
        (
            "pushed_authorization_request_endpoint",
            meta.pushed_authorization_request_endpoint.as_ref(),
        ),
        ("revocation_endpoint", meta.revocation_endpoint.as_ref()),
    ];
    for (name, url) in endpoints {
        if let Some(url) = url {
            check_endpoint(url)
                .map_err(|e| discovery_error(format!("{name} {}: {e}", printable(url))))?;
        }
    }
    if meta.pushed_authorization_request_endpoint.is_none() {
        return Err(discovery_error(format!(
            "{} offers no pushed authorization requests (atproto requires them)",
            printable(issuer)
        )));
    }
    if !meta
        .dpop_signing_alg_values_supported
        .iter()
        .any(|a| a == "ES256")
    {
        return Err(discovery_error(format!(
            "{} does not accept ES256 DPoP proofs",
            printable(issuer)
        )));
    }
    Ok(meta)
}

/// Whether an answer asks for a (new) DPoP nonce: `use_dpop_nonce` in the `WWW-Authenticate`
/// header (resource servers) or as the JSON `error` (authorization servers).
pub(crate) fn asks_for_nonce(answer: &Answer) -> bool {
    if answer.is_success() || answer.header("dpop-nonce").is_none() {
        return false;
    }
    let in_header = answer
        .header("www-authenticate")
        .is_some_and(|h| h.contains("use_dpop_nonce"));
    let in_body = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .is_some_and(|v| v["error"] == "use_dpop_nonce");
    in_header || in_body
}

/// Sends one DPoP-bound request: a fresh proof by `key` under the server's last `nonce` (with
/// `ath` when `token` is given), handed to `build` with the client and URL. Every nonce the
/// server sends is kept in `nonce`; when the server asks for a (new) nonce, the request is sent
/// once more with it. Never follows redirects.
#[allow(clippy::too_many_arguments)]
pub(crate) fn dpop_exchange(
    http: &Http,
    method: &str,
    url: &str,
    kind: BodyKind,
    key: &DpopKey,
    token: Option<&Secret>,
    nonce: &mut Option<String>,
    build: impl Fn(&reqwest::blocking::Client, &reqwest::Url, &str) -> reqwest::blocking::RequestBuilder,
) -> Result<Answer, NetError> {
    let mut retried = false;
    loop {
        let proof = key.dpop_proof(method, url, nonce.as_deref(), token)?;
        let answer = http.exchange(url, kind, false, |client, url| build(client, url, &proof))?;
        if let Some(fresh) = answer.header("dpop-nonce") {
            *nonce = Some(fresh.to_string());
        }
        if !retried && asks_for_nonce(&answer) {
            retried = true;
            continue;
        }
        return Ok(answer);
    }
}

/// A POST of a form to the authorization server with a DPoP proof (no token), sent once more
/// when the server asks for a new nonce. Errors carry the server's `error` and description.
fn as_post(
    http: &Http,
    url: &str,
    pairs: &[(&str, &str)],
    key: &DpopKey,
    nonce: &mut Option<String>,
    step: &'static str,
) -> Result<Value, NetError> {
    let body = form(pairs);
    let answer = dpop_exchange(
        http,
        "POST",
        url,
        BodyKind::XrpcJson,
        key,
        None,
        nonce,
        |client, url, proof| {
            client
                .post(url.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("dpop", proof)
                .body(body.clone())
        },
    )?;
    if !answer.is_success() {
        let parsed: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        let error = parsed["error"].as_str().unwrap_or("no error code");
        let description = parsed["error_description"].as_str().unwrap_or("");
        return Err(NetError::OAuth {
            step,
            detail: format!(
                "{} answered HTTP {}: {}{}",
                answer.url,
                answer.status,
                printable(error),
                if description.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", printable(description))
                }
            ),
        });
    }
    serde_json::from_slice(&answer.body).map_err(|e| NetError::InvalidResponse {
        url: answer.url.clone(),
        detail: format!("invalid JSON: {}", printable(&e.to_string())),
    })
}

/// A stored OAuth session: DPoP-bound tokens, the key they are bound to, the server nonces and
/// where to refresh and revoke them. `Debug` redacts the tokens and the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthSession {
    /// The PDS URL (the protected resource).
    pub service: String,
    /// The account DID (the token's `sub`).
    pub did: String,
    /// The account handle, as resolved at login.
    pub handle: String,
    /// The authorization server (issuer).
    pub issuer: String,
    /// The loopback client id the tokens were issued to.
    pub client_id: String,
    /// The token endpoint (refresh).
    pub token_endpoint: String,
    /// The revocation endpoint (logout), when the server has one.
    pub revocation_endpoint: Option<String>,
    /// The granted scope.
    pub scope: String,
    /// The ES256 key the tokens are bound to.
    pub dpop_key: DpopKey,
    /// The access token.
    pub access_token: Secret,
    /// The refresh token.
    pub refresh_token: Option<Secret>,
    /// When the access token expires (seconds since the Unix epoch).
    pub expires_at: Option<u64>,
    /// The authorization server's last DPoP nonce.
    pub as_nonce: Option<String>,
    /// The PDS's last DPoP nonce.
    pub pds_nonce: Option<String>,
}

impl OAuthSession {
    /// True when the access token expires within [`REFRESH_MARGIN`] (or has expired).
    pub fn expires_soon(&self) -> bool {
        self.expires_at
            .is_some_and(|at| at <= now_secs() + REFRESH_MARGIN.as_secs())
    }
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    refresh_token: Option<String>,
    scope: Option<String>,
    sub: Option<String>,
}

/// Reads and checks a token answer: a DPoP token for `did` whose scope allows publishing.
fn read_tokens(
    value: Value,
    did: &str,
    step: &'static str,
) -> Result<(TokenBody, String), NetError> {
    let bad = |detail: String| NetError::OAuth { step, detail };
    let body: TokenBody = serde_json::from_value(value)
        .map_err(|e| bad(format!("the token answer cannot be read: {e}")))?;
    if !body.token_type.eq_ignore_ascii_case("DPoP") {
        return Err(bad(format!(
            "the token type is {}, not DPoP",
            printable(&body.token_type)
        )));
    }
    match body.sub.as_deref() {
        Some(sub) if sub == did => {}
        Some(sub) => {
            return Err(bad(format!(
                "the tokens are for {}, not for {did}: sign in as the account you named",
                printable(sub)
            )))
        }
        None => return Err(bad("the token answer names no account (sub)".into())),
    }
    let scope = body.scope.clone().unwrap_or_default();
    check_granted_scope(&scope).map_err(|e| bad(format!("{e}; allow it on the consent screen")))?;
    Ok((body, scope))
}

/// A login in progress: the authorization request is pushed, the browser (or the person) must
/// open [`PendingLogin::authorize_url`], and the redirect is awaited on the loopback listener.
#[derive(Debug)]
pub struct PendingLogin {
    client: XrpcClient,
    did: String,
    handle: String,
    meta: ServerMetadata,
    listener: CallbackListener,
    redirect_uri: String,
    client_id: String,
    pkce: Pkce,
    state: String,
    key: DpopKey,
    as_nonce: Option<String>,
    authorize_url: String,
}

/// Starts a login as `account` (handle or DID): resolves the account and its PDS (or uses
/// `pds_override`), discovers the authorization server, binds the loopback listener and pushes
/// the authorization request.
pub fn begin_login(
    identity: &IdentityResolver,
    account: &str,
    pds_override: Option<&str>,
) -> Result<PendingLogin, NetError> {
    let account = account.trim_start_matches('@');
    let did = if account.starts_with("did:") {
        account.to_string()
    } else {
        identity.resolve_handle(account)?
    };
    let doc = identity.resolve_did(&did)?;
    let pds = match pds_override {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => doc.pds_endpoint()?,
    };
    let handle = match doc.handle() {
        Some(h) => h.to_string(),
        None if !account.starts_with("did:") => account.to_ascii_lowercase(),
        None => did.clone(),
    };
    let client = identity.xrpc_client(&pds)?;
    let meta = discover(&client)?;
    let listener = CallbackListener::bind()?;
    let redirect_uri = listener.redirect_uri();
    let scope = requested_scope();
    let client_id = loopback_client_id(&redirect_uri, &scope);
    let pkce = Pkce::new()?;
    let state = random_token(24)?;
    let key = DpopKey::generate()?;
    let mut as_nonce = None;
    let par = meta
        .pushed_authorization_request_endpoint
        .clone()
        .unwrap_or_default();
    let pushed = as_post(
        client.http(),
        &par,
        &[
            ("client_id", &client_id),
            ("response_type", "code"),
            ("redirect_uri", &redirect_uri),
            ("scope", &scope),
            ("state", &state),
            ("code_challenge", &pkce.challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", &handle),
        ],
        &key,
        &mut as_nonce,
        "pushed authorization request",
    )?;
    let request_uri = pushed["request_uri"]
        .as_str()
        .ok_or_else(|| NetError::OAuth {
            step: "pushed authorization request",
            detail: "the answer has no request_uri".into(),
        })?;
    let authorize_url = format!(
        "{}?{}",
        meta.authorization_endpoint,
        form(&[("client_id", &client_id), ("request_uri", request_uri)])
    );
    Ok(PendingLogin {
        client,
        did,
        handle,
        meta,
        listener,
        redirect_uri,
        client_id,
        pkce,
        state,
        key,
        as_nonce,
        authorize_url,
    })
}

impl PendingLogin {
    /// The URL to open in a browser.
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    /// The redirect URI (`http://127.0.0.1:<port>/callback`).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The account DID the login is for.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The account handle.
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// The authorization server.
    pub fn issuer(&self) -> &str {
        &self.meta.issuer
    }

    /// Waits up to `timeout` for the redirect.
    pub fn wait(&self, timeout: Duration) -> Result<CallbackParams, NetError> {
        self.listener.wait(timeout)
    }

    /// Checks the redirect (`state`, error, issuer), exchanges the code for tokens and checks
    /// them (DPoP, `sub`, scope). Tokens that fail a check are revoked before the error returns.
    pub fn finish(self, params: CallbackParams) -> Result<OAuthSession, NetError> {
        let redirect = |detail: String| NetError::OAuth {
            step: "redirect",
            detail,
        };
        if params.state.as_deref() != Some(self.state.as_str()) {
            return Err(redirect(
                "the redirect's state does not match this login (a stale or forged redirect); nothing was exchanged; run `lexperm login` again".into(),
            ));
        }
        if let Some(error) = &params.error {
            return Err(redirect(format!(
                "the authorization server refused: {}{}",
                printable(error),
                params
                    .error_description
                    .as_deref()
                    .map(|d| format!(" ({})", printable(d)))
                    .unwrap_or_default()
            )));
        }
        match &params.iss {
            Some(iss) if iss != &self.meta.issuer => {
                return Err(redirect(format!(
                    "the redirect comes from the issuer {}, not {}",
                    printable(iss),
                    self.meta.issuer
                )))
            }
            None if self.meta.authorization_response_iss_parameter_supported => {
                return Err(redirect(format!(
                    "the redirect has no iss, but {} promises one",
                    self.meta.issuer
                )))
            }
            _ => {}
        }
        let code = params
            .code
            .ok_or_else(|| redirect("the redirect carries no code".into()))?;
        let mut as_nonce = self.as_nonce;
        let answer = as_post(
            self.client.http(),
            &self.meta.token_endpoint,
            &[
                ("grant_type", "authorization_code"),
                ("code", code.expose()),
                ("redirect_uri", &self.redirect_uri),
                ("client_id", &self.client_id),
                ("code_verifier", self.pkce.verifier.expose()),
            ],
            &self.key,
            &mut as_nonce,
            "token request",
        )?;
        let raw = answer.clone();
        let (tokens, scope) = match read_tokens(answer, &self.did, "token request") {
            Ok(read) => read,
            Err(e) => {
                // Do not leave a grant behind that lexperm will not use.
                if let (Some(url), Some(token)) = (
                    &self.meta.revocation_endpoint,
                    raw["refresh_token"]
                        .as_str()
                        .or(raw["access_token"].as_str()),
                ) {
                    let _ = revoke_token(
                        self.client.http(),
                        url,
                        token,
                        &self.client_id,
                        &self.key,
                        &mut as_nonce,
                    );
                }
                return Err(e);
            }
        };
        Ok(OAuthSession {
            service: self.client.base_url().to_string(),
            did: self.did,
            handle: self.handle,
            issuer: self.meta.issuer,
            client_id: self.client_id,
            token_endpoint: self.meta.token_endpoint,
            revocation_endpoint: self.meta.revocation_endpoint,
            scope,
            dpop_key: self.key,
            access_token: Secret::new(tokens.access_token),
            refresh_token: tokens.refresh_token.map(Secret::new),
            expires_at: tokens.expires_in.map(|s| now_secs() + s),
            as_nonce,
            pds_nonce: None,
        })
    }
}

/// Refreshes the session's tokens at its token endpoint (DPoP-bound, same key) with `client`'s
/// deadlines; the new tokens are checked like at login.
pub fn refresh(client: &XrpcClient, session: &mut OAuthSession) -> Result<(), NetError> {
    let http = client.http();
    let Some(refresh_token) = session.refresh_token.clone() else {
        return Err(NetError::OAuth {
            step: "refresh",
            detail: "the access token expired and the session has no refresh token; run `lexperm login` again".into(),
        });
    };
    let answer = as_post(
        http,
        &session.token_endpoint,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", &session.client_id),
        ],
        &session.dpop_key,
        &mut session.as_nonce,
        "refresh",
    )
    .map_err(|e| match e {
        NetError::OAuth { step, detail } => NetError::OAuth {
            step,
            detail: format!(
                "{detail}; the session was revoked or has expired: run `lexperm login` again"
            ),
        },
        other => other,
    })?;
    let (tokens, scope) = read_tokens(answer, &session.did, "refresh")?;
    session.access_token = Secret::new(tokens.access_token);
    if let Some(fresh) = tokens.refresh_token {
        session.refresh_token = Some(Secret::new(fresh));
    }
    session.expires_at = tokens.expires_in.map(|s| now_secs() + s);
    session.scope = scope;
    Ok(())
}

/// Revokes the session's refresh token (which ends the grant) at its revocation endpoint, with
/// `client`'s deadlines; `Ok(false)` when the server has none.
pub fn revoke(client: &XrpcClient, session: &mut OAuthSession) -> Result<bool, NetError> {
    let http = client.http();
    let Some(url) = session.revocation_endpoint.clone() else {
        return Ok(false);
    };
    let token = session
        .refresh_token
        .clone()
        .unwrap_or_else(|| session.access_token.clone());
    revoke_token(
        http,
        &url,
        token.expose(),
        &session.client_id,
        &session.dpop_key,
        &mut session.as_nonce,
    )?;
    Ok(true)
}

/// Revokes `token` (a refresh token ends the whole grant) at the revocation endpoint `url`.
fn revoke_token(
    http: &Http,
    url: &str,
    token: &str,
    client_id: &str,
    key: &DpopKey,
    nonce: &mut Option<String>,
) -> Result<Value, NetError> {
    as_post(
        http,
        url,
        &[("token", token), ("client_id", client_id)],
        key,
        nonce,
        "revocation",
    )
}

/// Where an OAuth session is kept: a JSON file, mode 0600, like [`crate::session::SessionStore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthSessionStore {
    file: PrivateJsonFile,
}

impl OAuthSessionStore {
    /// A store at an explicit file path.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        OAuthSessionStore {
            file: PrivateJsonFile::new(path),
        }
    }

    /// `<cache dir>/oauth-session.json` (see [`crate::session::default_cache_dir`]).
    pub fn default_location() -> Result<Self, NetError> {
        Ok(OAuthSessionStore {
            file: PrivateJsonFile::in_cache_dir("oauth-session.json")?,
        })
    }

    /// The session file path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The stored session, if any.
    pub fn load(&self) -> Result<Option<OAuthSession>, NetError> {
        self.file.load("cannot parse the OAuth session file")
    }

    /// Write the session (mode 0600, atomic rename).
    pub fn save(&self, session: &OAuthSession) -> Result<(), NetError> {
        self.file.save(session)
    }

    /// Delete the session file; `Ok(false)` when there was none.
    pub fn remove(&self) -> Result<bool, NetError> {
        self.file.remove()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_requested_scope_is_the_least_privilege_and_passes_its_own_check() {
        assert_eq!(requested_scope(), "atproto repo:com.atproto.lexicon.schema");
        assert_eq!(check_granted_scope(&requested_scope()), Ok(()));
        assert_eq!(check_granted_scope("atproto repo:*"), Ok(()));
        assert!(check_granted_scope("atproto transition:generic").is_err());
        let e = check_granted_scope("atproto repo:com.atproto.lexicon.schema?action=create")
            .unwrap_err();
        assert!(
            e.contains("update of com.atproto.lexicon.schema records")
                && e.contains("delete of")
                && !e.contains("create of"),
            "{e}"
        );
        let e = check_granted_scope("repo:com.atproto.lexicon.schema").unwrap_err();
        assert!(e.ends_with("does not allow atproto"), "{e}");
        assert!(check_granted_scope("").is_err());
    }

    #[test]
    fn loopback_client_id_carries_redirect_and_scope() {
        let id = loopback_client_id(
            "http://127.0.0.1:4321/callback",
            "atproto repo:com.atproto.lexicon.schema",
        );
        assert_eq!(
            id,
            "http://localhost?redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Fcallback&scope=atproto+repo%3Acom.atproto.lexicon.schema"
        );
    }

    fn session() -> OAuthSession {
        OAuthSession {
            service: "http://localhost:2583".into(),
            did: "did:plc:abc".into(),
            handle: "alice.test".into(),
            issuer: "http://localhost:2583".into(),
            client_id: "http://localhost".into(),
            token_endpoint: "http://localhost:2583/oauth/token".into(),
            revocation_endpoint: None,
            scope: requested_scope(),
            dpop_key: DpopKey::generate().unwrap(),
            access_token: Secret::new("access-token-value"),
            refresh_token: Some(Secret::new("refresh-token-value")),
            expires_at: Some(now_secs() + 3600),
            as_nonce: None,
            pds_nonce: None,
        }
    }

    #[test]
    fn discovery_checks_the_issuer_and_the_endpoints() {
        use crate::test_server::TestServer;
        use std::sync::{Arc, Mutex};
        let meta = Arc::new(Mutex::new(Value::Null));
        let served = meta.clone();
        let server = TestServer::start(move |req| match req.path() {
            "/.well-known/oauth-protected-resource" => {
                let base = format!("http://{}", req.header("host").unwrap());
                let body = serde_json::json!({"resource": base, "authorization_servers": [base]});
                (200, body.to_string())
            }
            "/.well-known/oauth-authorization-server" => (200, served.lock().unwrap().to_string()),
            _ => (404, "{}".into()),
        });
        let client = XrpcClient::new(&server.url).unwrap();
        let base = server.url.clone();
        let good = serde_json::json!({
            "issuer": base, "authorization_endpoint": format!("{base}/oauth/authorize"),
            "token_endpoint": format!("{base}/oauth/token"),
            "pushed_authorization_request_endpoint": format!("{base}/oauth/par"),
            "revocation_endpoint": format!("{base}/oauth/revoke"),
            "dpop_signing_alg_values_supported": ["ES256"],
            "authorization_response_iss_parameter_supported": true,
        });
        *meta.lock().unwrap() = good.clone();
        assert_eq!(discover(&client).unwrap().issuer, base);
        let cases = [
            ("issuer", serde_json::json!("https://other.example"), "names the issuer https://other.example"),
            ("pushed_authorization_request_endpoint", Value::Null, "no pushed authorization requests"),
            ("dpop_signing_alg_values_supported", serde_json::json!(["RS256"]), "does not accept ES256"),
            ("token_endpoint", serde_json::json!("http://example.com/token"), "token_endpoint http://example.com/token: http:// is accepted only for loopback hosts"),
        ];
        for (key, value, message) in cases {
            let mut bad = good.clone();
            bad[key] = value;
            *meta.lock().unwrap() = bad;
            let e = discover(&client).unwrap_err().to_string();
            assert!(
                e.starts_with("OAuth discovery: ") && e.contains(message),
                "{key}: {e}"
            );
        }
        let no_oauth = XrpcClient::new(&format!("{}/nothing", server.url)).unwrap();
        let e = discover(&no_oauth).unwrap_err().to_string();
        assert!(
            e.contains("does not offer OAuth") && e.contains("--auth app-password"),
            "{e}"
        );
    }

    /// A PDS that is its own authorization server, answering the token request with the `sub`
    /// and `scope` the test sets; and a PLC directory for did:plc:abc on it.
    #[test]
    fn finish_checks_state_issuer_account_and_scope() {
        use crate::dns::DnsResolver;
        use crate::test_server::{plc_with_pds, TestServer};
        use std::sync::{Arc, Mutex};
        let answer = Arc::new(Mutex::new(("did:plc:abc".to_string(), requested_scope())));
        let given = answer.clone();
        let server = TestServer::start(move |req| {
            let base = format!("http://{}", req.header("host").unwrap());
            let body = match req.path() {
                "/.well-known/oauth-protected-resource" => {
                    serde_json::json!({"resource": base, "authorization_servers": [base]})
                }
                "/.well-known/oauth-authorization-server" => serde_json::json!({
                    "issuer": base, "authorization_endpoint": format!("{base}/oauth/authorize"),
                    "token_endpoint": format!("{base}/oauth/token"),
                    "pushed_authorization_request_endpoint": format!("{base}/oauth/par"),
                    "revocation_endpoint": format!("{base}/oauth/revoke"),
                    "dpop_signing_alg_values_supported": ["ES256"],
                    "authorization_response_iss_parameter_supported": true,
                }),
                "/oauth/par" => {
                    return (201, serde_json::json!({"request_uri": "urn:ietf:params:oauth:request_uri:req-1", "expires_in": 60}).to_string());
                }
                "/oauth/token" => {
                    let (sub, scope) = given.lock().unwrap().clone();
                    serde_json::json!({"access_token": "at", "token_type": "DPoP", "refresh_token": "rt", "expires_in": 60, "sub": sub, "scope": scope})
                }
                "/oauth/revoke" => serde_json::json!({}),
                _ => return (404, "{}".into()),
            };
            (200, body.to_string())
        });
        let plc = plc_with_pds(server.url.clone());
        let identity = IdentityResolver::new(&plc.url, DnsResolver::system()).unwrap();
        let start = || begin_login(&identity, "did:plc:abc", None).unwrap();
        let good = |pending: &PendingLogin| CallbackParams {
            code: Some(Secret::new("code-1")),
            state: Some(pending.state.clone()),
            iss: Some(server.url.clone()),
            ..CallbackParams::default()
        };
        let paths = || -> Vec<String> {
            server
                .requests()
                .iter()
                .map(|r| r.path().to_string())
                .collect()
        };

        let pending = start();
        assert!(pending.authorize_url().starts_with(&format!(
            "{}/oauth/authorize?client_id=http%3A%2F%2Flocalhost%3Fredirect_uri%3D",
            server.url
        )));
        let par = server
            .requests()
            .into_iter()
            .find(|r| r.path() == "/oauth/par")
            .unwrap();
        for part in [
            "response_type=code",
            "code_challenge_method=S256",
            "scope=atproto+repo%3Acom.atproto.lexicon.schema",
            "login_hint=did%3Aplc%3Aabc",
        ] {
            assert!(par.body.contains(part), "{part} in {}", par.body);
        }
        assert!(par.header("dpop").is_some());
        // The redirect of another login (its state) does not finish this one.
        let other = pending.finish(good(&start())).unwrap_err();
        assert!(
            other.to_string().contains("state does not match"),
            "{other}"
        );

        type Edit = fn(&mut CallbackParams);
        let checks: [(Edit, &str); 4] = [
            (|p| p.state = Some("forged".into()), "state does not match"),
            (
                |p| p.iss = Some("https://evil.example".into()),
                "comes from the issuer https://evil.example",
            ),
            (|p| p.iss = None, "has no iss"),
            (
                |p| p.error = Some("access_denied".into()),
                "refused: access_denied",
            ),
        ];
        for (edit, message) in checks {
            let pending = start();
            let mut params = good(&pending);
            edit(&mut params);
            let before = paths().iter().filter(|p| *p == "/oauth/token").count();
            let e = pending.finish(params).unwrap_err().to_string();
            assert!(e.contains(message), "{message}: {e}");
            assert_eq!(
                paths().iter().filter(|p| *p == "/oauth/token").count(),
                before,
                "no exchange"
            );
        }

        let refusals = [
            (
                "did:plc:other",
                requested_scope(),
                "the tokens are for did:plc:other, not for did:plc:abc",
            ),
            (
                "did:plc:abc",
                "atproto".to_string(),
                "does not allow create of com.atproto.lexicon.schema records",
            ),
        ];
        for (sub, scope, message) in refusals {
            *answer.lock().unwrap() = (sub.to_string(), scope);
            let pending = start();
            let params = good(&pending);
            let e = pending.finish(params).unwrap_err().to_string();
            assert!(
                e.starts_with("OAuth token request: ") && e.contains(message),
                "{e}"
            );
            let revoked = server
                .requests()
                .into_iter()
                .rev()
                .find(|r| r.path() == "/oauth/revoke");
            assert!(
                revoked.is_some_and(|r| r.body.contains("token=rt")),
                "the unused grant is revoked"
            );
        }

        *answer.lock().unwrap() = ("did:plc:abc".into(), requested_scope());
        let pending = start();
        let params = good(&pending);
        let session = pending.finish(params).unwrap();
        assert_eq!(
            (session.did.as_str(), session.issuer.as_str()),
            ("did:plc:abc", server.url.as_str())
        );
        assert_eq!(session.scope, requested_scope());
        assert_eq!(session.access_token.expose(), "at");
        assert!(session
            .expires_at
            .is_some_and(|t| t > now_secs() && t <= now_secs() + 60));
        let token = server
            .requests()
            .into_iter()
            .rev()
            .find(|r| r.path() == "/oauth/token")
            .unwrap();
        for part in [
            "grant_type=authorization_code",
            "code=code-1",
            "code_verifier=",
        ] {
            assert!(token.body.contains(part), "{part} in {}", token.body);
        }
    }

    /// The verified claims of a DPoP proof (checked with the key in its own header).
    fn proof_claims(proof: &str) -> Value {
        use data_encoding::BASE64URL_NOPAD;
        use p256::ecdsa::signature::Verifier;
        let part = |p: &str| -> Value {
            serde_json::from_slice(&BASE64URL_NOPAD.decode(p.as_bytes()).unwrap()).unwrap()
        };
        let parts: Vec<&str> = proof.split('.').collect();
        let header = part(parts[0]);
        let mut sec1 = vec![4u8];
        for c in ["x", "y"] {
            let v = header["jwk"][c].as_str().unwrap();
            sec1.extend(BASE64URL_NOPAD.decode(v.as_bytes()).unwrap());
        }
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let sig = BASE64URL_NOPAD.decode(parts[2].as_bytes()).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
            .expect("the proof verifies");
        part(parts[1])
    }

    /// A PDS and authorization server in one: both demand the current nonce (which the test
    /// rotates), the PDS accepts only the access token `a2` bound by `ath`, the token endpoint
    /// trades the refresh token `r1` for `a2`/`r2` and refuses any other.
    #[test]
    fn nonces_rotate_and_a_refused_token_is_refreshed_once() {
        use crate::test_server::{Reply, TestServer};
        use std::sync::{Arc, Mutex};
        let nonce = Arc::new(Mutex::new("n1".to_string()));
        let current = nonce.clone();
        let server = TestServer::start_replies(move |req| {
            let now = current.lock().unwrap().clone();
            let claims = proof_claims(req.header("dpop").expect("every request has a proof"));
            let with_nonce = |status: u16, extra: Vec<(String, String)>, body: Value| {
                let mut headers = vec![("DPoP-Nonce".to_string(), now.clone())];
                headers.extend(extra);
                Reply::WithHeaders(status, headers, body.to_string().into_bytes())
            };
            assert_eq!(claims["htm"], "POST");
            assert!(claims["htu"].as_str().unwrap().ends_with(req.path()));
            if claims["nonce"] != now.as_str() {
                return match req.path() {
                    "/oauth/token" => {
                        with_nonce(400, vec![], serde_json::json!({"error": "use_dpop_nonce"}))
                    }
                    _ => with_nonce(
                        401,
                        vec![(
                            "WWW-Authenticate".into(),
                            r#"DPoP error="use_dpop_nonce""#.into(),
                        )],
                        serde_json::json!({"error": "use_dpop_nonce"}),
                    ),
                };
            }
            match req.path() {
                "/oauth/token" => {
                    assert!(claims.get("ath").is_none(), "no token hash at the AS");
                    if req.body.contains("refresh_token=r1") {
                        with_nonce(
                            200,
                            vec![],
                            serde_json::json!({
                                "access_token": "a2", "token_type": "DPoP", "refresh_token": "r2",
                                "expires_in": 3600, "sub": "did:plc:abc",
                                "scope": "atproto repo:com.atproto.lexicon.schema",
                            }),
                        )
                    } else {
                        with_nonce(
                            400,
                            vec![],
                            serde_json::json!({"error": "invalid_grant", "error_description": "Invalid refresh token"}),
                        )
                    }
                }
                _ if req.header("authorization") == Some("DPoP a2")
                    && claims["ath"] == crypto::sha256_b64url("a2").as_str() =>
                {
                    with_nonce(
                        200,
                        vec![],
                        serde_json::json!({"uri": "at://did:plc:abc/c/k", "cid": "bafyok"}),
                    )
                }
                _ => with_nonce(
                    401,
                    vec![(
                        "WWW-Authenticate".into(),
                        r#"DPoP error="invalid_token""#.into(),
                    )],
                    serde_json::json!({"error": "InvalidToken", "message": "bad token"}),
                ),
            }
        });
        let mut start = session();
        start.service = server.url.clone();
        start.token_endpoint = format!("{}/oauth/token", server.url);
        start.access_token = Secret::new("a1");
        start.refresh_token = Some(Secret::new("r1"));
        let client = XrpcClient::new(&server.url).unwrap();
        let mut agent = crate::Agent::from_oauth(client, start, None);
        let record = serde_json::json!({"lexicon": 1});
        let put = |agent: &mut crate::Agent| {
            agent.put_record(LEXICON_COLLECTION, "k", &record, &crate::xrpc::Swap::Any)
        };
        // No nonce yet (PDS) → nonce n1 → a1 refused → refresh (AS wants n1 too) → a2 accepted.
        assert_eq!(put(&mut agent).unwrap().cid, "bafyok");
        let paths: Vec<String> = server
            .requests()
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "/xrpc/com.atproto.repo.putRecord",
                "/xrpc/com.atproto.repo.putRecord",
                "/oauth/token",
                "/oauth/token",
                "/xrpc/com.atproto.repo.putRecord"
            ]
        );
        let s = agent.oauth_session().unwrap();
        assert_eq!(
            (
                s.access_token.expose(),
                s.refresh_token.as_ref().map(Secret::expose)
            ),
            ("a2", Some("r2"))
        );
        assert_eq!(s.pds_nonce.as_deref(), Some("n1"));
        // The server rotates its nonce mid-session: one more round trip, then it works.
        *nonce.lock().unwrap() = "n2".into();
        let before = server.requests().len();
        assert_eq!(put(&mut agent).unwrap().cid, "bafyok");
        assert_eq!(server.requests().len() - before, 2);
        assert_eq!(
            agent.oauth_session().unwrap().pds_nonce.as_deref(),
            Some("n2")
        );
        // A refused token whose refresh is refused too: one refresh only, and a clear error.
        let mut dead = agent.oauth_session().unwrap().clone();
        dead.access_token = Secret::new("a-dead");
        let mut agent = crate::Agent::from_oauth(XrpcClient::new(&server.url).unwrap(), dead, None);
        let before = server.requests().len();
        let e = put(&mut agent).unwrap_err().to_string();
        assert!(
            e.contains("invalid_grant") && e.contains("run `lexperm login` again"),
            "{e}"
        );
        assert!(!e.contains("r2") && !e.contains("a-dead"), "{e}");
        // One write, one refresh (sent twice: the authorization server's nonce rotated too).
        let paths: Vec<String> = server.requests()[before..]
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "/xrpc/com.atproto.repo.putRecord",
                "/oauth/token",
                "/oauth/token"
            ]
        );
    }

    #[test]
    fn session_store_round_trip_private_and_redacted() {
        let dir =
            std::env::temp_dir().join(format!("lexperm-net-oauth-store-{}", std::process::id()));
        let store = OAuthSessionStore::new(dir.join("oauth-session.json"));
        assert_eq!(store.load().unwrap(), None);
        let s = session();
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap(), Some(s.clone()));
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
        let shown = format!("{s:?}");
        assert!(!shown.contains("access-token-value") && !shown.contains("refresh-token-value"));
        assert!(!shown.contains(s.dpop_key.to_secret().expose()));
        assert!(!s.expires_soon());
        let mut old = s;
        old.expires_at = Some(now_secs() + 10);
        assert!(old.expires_soon());
        assert!(store.remove().unwrap());
        std::fs::write(store.path(), "{").unwrap();
        assert!(store
            .load()
            .unwrap_err()
            .to_string()
            .contains("OAuth session file"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
