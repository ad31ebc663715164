//! A small blocking XRPC client for the `com.atproto` methods lexperm needs.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use reqwest::Url;

use crate::error::{printable, BodyKind, NetError, Secret, XrpcErrorKind};
use crate::http::{check_endpoint, Answer, Deadline, Http, DEFAULT_TIMEOUT};
use crate::oauth::crypto::DpopKey;
use crate::oauth::{OAuthSession, OAuthSessionStore};
use crate::session::{Session, SessionStore};

/// The collection of published lexicons.
pub const LEXICON_COLLECTION: &str = "com.atproto.lexicon.schema";

/// Page size used by [`XrpcClient::list_records`].
pub const LIST_PAGE_SIZE: u32 = 100;

/// One record as returned by `getRecord` / `listRecords`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RecordEntry {
    /// `at://<did>/<collection>/<rkey>`.
    pub uri: String,
    /// The record CID.
    pub cid: String,
    /// The record value.
    pub value: Value,
}

impl RecordEntry {
    /// The record key (last AT-URI segment).
    pub fn rkey(&self) -> &str {
        self.uri.rsplit('/').next().unwrap_or("")
    }
}

/// Compare-and-swap mode of `putRecord` / `deleteRecord`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Swap {
    /// No `swapRecord`: unconditional write.
    Any,
    /// `swapRecord: null`: only create; fails with `InvalidSwap` if the record exists.
    CreateOnly,
    /// `swapRecord: <cid>`: only if the record is currently at this CID.
    Cid(String),
}

/// What `putRecord` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutRecordOutput {
    /// The record AT-URI.
    pub uri: String,
    /// The CID of the stored record.
    pub cid: String,
    /// False when the PDS made no new commit (the identical record was already stored).
    pub committed: bool,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    did: String,
    handle: String,
    access_jwt: String,
    refresh_jwt: String,
}

#[derive(Deserialize)]
struct ListBody {
    records: Vec<RecordEntry>,
    cursor: Option<String>,
}

#[derive(Deserialize)]
struct PutBody {
    uri: String,
    cid: String,
    commit: Option<Value>,
}

impl From<PutBody> for PutRecordOutput {
    fn from(out: PutBody) -> Self {
        PutRecordOutput {
            uri: out.uri,
            cid: out.cid,
            committed: out.commit.is_some(),
        }
    }
}

/// A blocking XRPC client bound to one service (a PDS).
///
/// Answers are read up to the bound of their kind ([`BodyKind`]); every request has a deadline
/// (`lexperm_parser::limits::NETWORK_REQUEST_DEADLINE`, or the one given) and shares the command's [`Deadline`] when one is
/// set. Only unauthenticated queries follow redirects, and only within the service's origin.
#[derive(Debug, Clone)]
pub struct XrpcClient {
    http: Http,
    base_url: String,
}

impl XrpcClient {
    /// A client for `base_url` (e.g. `https://pds.example.com`, or `http://localhost:2583` on a
    /// loopback host), with the default per-request deadline.
    pub fn new(base_url: &str) -> Result<Self, NetError> {
        Self::with_timeout(base_url, DEFAULT_TIMEOUT)
    }

    /// A client for `base_url` whose requests each take at most `timeout`.
    pub fn with_timeout(base_url: &str, timeout: Duration) -> Result<Self, NetError> {
        Self::with_http(Http::new(timeout)?, base_url)
    }

    /// A client for `base_url` over an existing HTTP client (its deadlines included).
    pub(crate) fn with_http(http: Http, base_url: &str) -> Result<Self, NetError> {
        check_endpoint(base_url).map_err(|detail| NetError::InvalidInput {
            what: "service URL",
            value: printable(base_url),
            detail,
        })?;
        Ok(XrpcClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
        })
    }

    /// The same client under the command deadline `deadline`.
    pub fn with_deadline(mut self, deadline: Deadline) -> Self {
        self.http = self.http.with_deadline(deadline);
        self
    }

    /// The service URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn url(&self, method: &str, params: &[(&str, &str)]) -> Result<String, NetError> {
        let url = format!("{}/xrpc/{method}", self.base_url);
        if params.is_empty() {
            return Ok(url);
        }
        Url::parse_with_params(&url, params)
            .map(String::from)
            .map_err(|e| NetError::InvalidInput {
                what: "URL",
                value: url,
                detail: e.to_string(),
            })
    }

    /// The XRPC error of a non-success answer: status, plus `error` and `message` from a JSON
    /// body (control characters escaped, cut to a printable length).
    fn xrpc_error(method: &str, answer: &Answer) -> NetError {
        let parsed: Option<ErrorBody> = serde_json::from_slice(&answer.body).ok();
        let (error, message) = parsed.map_or((None, None), |b| (b.error, b.message));
        NetError::Xrpc {
            method: method.to_string(),
            status: answer.status,
            error: error.as_deref().map(printable),
            message: message.as_deref().map(printable),
        }
    }

    fn decode<T: DeserializeOwned>(method: &str, answer: Answer) -> Result<T, NetError> {
        if !answer.is_success() {
            return Err(Self::xrpc_error(method, &answer));
        }
        let body: &[u8] = if answer.body.is_empty() {
            b"null"
        } else {
            &answer.body
        };
        serde_json::from_slice(body).map_err(|e| NetError::InvalidResponse {
            url: answer.url.clone(),
            detail: format!(
                "{method}: cannot decode the response: {}",
                printable(&e.to_string())
            ),
        })
    }

    /// A GET of `method`; redirects are followed (same origin) only without credentials.
    fn get(
        &self,
        method: &str,
        params: &[(&str, &str)],
        auth: &mut Auth<'_>,
        kind: BodyKind,
    ) -> Result<Answer, NetError> {
        let url = self.url(method, params)?;
        self.send(reqwest::Method::GET, &url, None, auth, kind)
    }

    /// A POST of `method` with an optional JSON body and credentials; never redirected.
    fn post<T: DeserializeOwned>(
        &self,
        method: &str,
        body: Option<&Value>,
        auth: &mut Auth<'_>,
    ) -> Result<T, NetError> {
        let url = self.url(method, &[])?;
        let answer = self.send(reqwest::Method::POST, &url, body, auth, BodyKind::XrpcJson)?;
        Self::decode(method, answer)
    }

    /// One request with its credentials. A DPoP-bound request carries a fresh proof (with the
    /// server's last nonce and the token hash); when the server answers that it wants a (new)
    /// nonce, the request is sent once more with it. Every nonce the server sends is kept.
    fn send(
        &self,
        http_method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        auth: &mut Auth<'_>,
        kind: BodyKind,
    ) -> Result<Answer, NetError> {
        // Only unauthenticated queries follow redirects.
        let follow = http_method == reqwest::Method::GET && matches!(auth, Auth::None);
        let build = |client: &reqwest::blocking::Client, url: &reqwest::Url| {
            let request = client
                .request(http_method.clone(), url.clone())
                .header("accept", "application/json");
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        match auth {
            Auth::None => self.http.exchange(url, kind, follow, build),
            Auth::Bearer(token) => self.http.exchange(url, kind, false, |client, url| {
                build(client, url).bearer_auth(token.expose())
            }),
            Auth::Dpop { key, token, nonce } => crate::oauth::dpop_exchange(
                &self.http,
                http_method.as_str(),
                url,
                kind,
                key,
                Some(token),
                nonce,
                |client, url, proof| {
                    build(client, url)
                        .header("authorization", format!("DPoP {}", token.expose()))
                        .header("dpop", proof)
                },
            ),
        }
    }

    /// Call an XRPC query (HTTP GET).
    pub fn query<T: DeserializeOwned>(
        &self,
        method: &str,
        params: &[(&str, &str)],
        access_jwt: Option<&Secret>,
    ) -> Result<T, NetError> {
        let answer = self.get(
            method,
            params,
            &mut Auth::of(access_jwt),
            BodyKind::XrpcJson,
        )?;
        Self::decode(method, answer)
    }

    /// Call an XRPC procedure (HTTP POST with a JSON body).
    pub fn procedure<T: DeserializeOwned>(
        &self,
        method: &str,
        body: &Value,
        bearer: Option<&Secret>,
    ) -> Result<T, NetError> {
        self.post(method, Some(body), &mut Auth::of(bearer))
    }

    fn session_from(&self, body: SessionBody) -> Session {
        Session {
            service: self.base_url.clone(),
            did: body.did,
            handle: body.handle,
            access_jwt: Secret::new(body.access_jwt),
            refresh_jwt: Secret::new(body.refresh_jwt),
        }
    }

    /// `com.atproto.server.createSession` with a handle/DID and an (app) password.
    pub fn create_session(&self, identifier: &str, password: &Secret) -> Result<Session, NetError> {
        let body = serde_json::json!({"identifier": identifier, "password": password.expose()});
        let out: SessionBody = self.procedure("com.atproto.server.createSession", &body, None)?;
        Ok(self.session_from(out))
    }

    /// `com.atproto.server.refreshSession` (authenticated with the refresh token).
    pub fn refresh_session(&self, refresh_jwt: &Secret) -> Result<Session, NetError> {
        let out: SessionBody = self.post(
            "com.atproto.server.refreshSession",
            None,
            &mut Auth::Bearer(refresh_jwt),
        )?;
        Ok(self.session_from(out))
    }

    /// `com.atproto.server.deleteSession` (revokes the refresh token).
    pub fn delete_session(&self, refresh_jwt: &Secret) -> Result<(), NetError> {
        let _: Value = self.post(
            "com.atproto.server.deleteSession",
            None,
            &mut Auth::Bearer(refresh_jwt),
        )?;
        Ok(())
    }

    /// `com.atproto.identity.resolveHandle`.
    pub fn resolve_handle(&self, handle: &str) -> Result<String, NetError> {
        #[derive(Deserialize)]
        struct Out {
            did: String,
        }
        let out: Out = self.query(
            "com.atproto.identity.resolveHandle",
            &[("handle", handle)],
            None,
        )?;
        Ok(out.did)
    }

    /// `com.atproto.repo.getRecord`. A missing record is the XRPC error `RecordNotFound`.
    pub fn get_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<RecordEntry, NetError> {
        self.query(
            "com.atproto.repo.getRecord",
            &[("repo", repo), ("collection", collection), ("rkey", rkey)],
            None,
        )
    }

    /// `com.atproto.sync.getRecord`: the CAR file proving a record (signed commit, MST path,
    /// record block); see `lexperm_datamodel::proof`.
    pub fn get_record_proof(
        &self,
        did: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Vec<u8>, NetError> {
        let method = "com.atproto.sync.getRecord";
        let params = [("did", did), ("collection", collection), ("rkey", rkey)];
        let answer = self.get(method, &params, &mut Auth::None, BodyKind::RecordProof)?;
        if !answer.is_success() {
            return Err(Self::xrpc_error(method, &answer));
        }
        Ok(answer.body)
    }

    /// Like [`get_record`](Self::get_record), with `RecordNotFound` mapped to `None`.
    pub fn get_record_opt(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<RecordEntry>, NetError> {
        match self.get_record(repo, collection, rkey) {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.is_xrpc(&XrpcErrorKind::RecordNotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `com.atproto.repo.listRecords`, following the cursor until the end.
    pub fn list_records(&self, repo: &str, collection: &str) -> Result<Vec<RecordEntry>, NetError> {
        let limit = LIST_PAGE_SIZE.to_string();
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut params = vec![
                ("repo", repo),
                ("collection", collection),
                ("limit", limit.as_str()),
            ];
            if let Some(c) = cursor.as_deref() {
                params.push(("cursor", c));
            }
            let method = "com.atproto.repo.listRecords";
            let page: ListBody = Self::decode(
                method,
                self.get(method, &params, &mut Auth::None, BodyKind::RecordList)?,
            )?;
            let count = page.records.len();
            all.extend(page.records);
            match page.cursor {
                Some(next) if count > 0 && Some(&next) != cursor.as_ref() => cursor = Some(next),
                _ => break,
            }
        }
        Ok(all)
    }

    /// `com.atproto.repo.putRecord` with the given swap mode.
    pub fn put_record(
        &self,
        access_jwt: &Secret,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &Value,
        swap: &Swap,
    ) -> Result<PutRecordOutput, NetError> {
        let write = RecordWrite {
            repo,
            collection,
            rkey,
        };
        self.put_record_with(&mut Auth::Bearer(access_jwt), &write, record, swap)
    }

    fn put_record_with(
        &self,
        auth: &mut Auth<'_>,
        at: &RecordWrite<'_>,
        record: &Value,
        swap: &Swap,
    ) -> Result<PutRecordOutput, NetError> {
        let mut body = serde_json::json!({
            "repo": at.repo, "collection": at.collection, "rkey": at.rkey, "record": record,
        });
        match swap {
            Swap::Any => {}
            Swap::CreateOnly => body["swapRecord"] = Value::Null,
            Swap::Cid(cid) => body["swapRecord"] = Value::String(cid.clone()),
        }
        let out: PutBody = self.post("com.atproto.repo.putRecord", Some(&body), auth)?;
        Ok(out.into())
    }

    /// `com.atproto.repo.deleteRecord`, optionally only if the record is at `swap_cid`. True
    /// when the PDS made a commit; false when there was no such record (the PDS answers a
    /// delete of a missing record, `swapRecord` or not, with success and no commit).
    pub fn delete_record(
        &self,
        access_jwt: &Secret,
        repo: &str,
        collection: &str,
        rkey: &str,
        swap_cid: Option<&str>,
    ) -> Result<bool, NetError> {
        let at = RecordWrite {
            repo,
            collection,
            rkey,
        };
        self.delete_record_with(&mut Auth::Bearer(access_jwt), &at, swap_cid)
    }

    fn delete_record_with(
        &self,
        auth: &mut Auth<'_>,
        at: &RecordWrite<'_>,
        swap_cid: Option<&str>,
    ) -> Result<bool, NetError> {
        let mut body =
            serde_json::json!({"repo": at.repo, "collection": at.collection, "rkey": at.rkey});
        if let Some(cid) = swap_cid {
            body["swapRecord"] = Value::String(cid.to_string());
        }
        let out: Value = self.post("com.atproto.repo.deleteRecord", Some(&body), auth)?;
        Ok(out.get("commit").is_some_and(|commit| !commit.is_null()))
    }

    /// The HTTP client (for the OAuth authorization server, which shares its deadlines).
    pub(crate) fn http(&self) -> &Http {
        &self.http
    }
}

/// Where a record write goes.
struct RecordWrite<'a> {
    repo: &'a str,
    collection: &'a str,
    rkey: &'a str,
}

/// The credentials of one request.
pub(crate) enum Auth<'a> {
    /// None: a public query.
    None,
    /// `Authorization: Bearer <token>` (app-password sessions).
    Bearer(&'a Secret),
    /// `Authorization: DPoP <token>` with a `DPoP` proof by `key`, under the server's `nonce`
    /// (updated from every answer).
    Dpop {
        /// The session's key.
        key: &'a DpopKey,
        /// The access token.
        token: &'a Secret,
        /// The resource server's last nonce.
        nonce: &'a mut Option<String>,
    },
}

impl<'a> Auth<'a> {
    fn of(token: Option<&'a Secret>) -> Self {
        token.map_or(Auth::None, Auth::Bearer)
    }
}

/// The kind of credentials an [`Agent`] writes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// An app-password session (`createSession`): bearer tokens with the account's full rights
    /// except account management.
    AppPassword,
    /// An OAuth session: DPoP-bound tokens limited to the granted scope.
    OAuth,
}

impl AuthKind {
    /// `app-password` or `oauth`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKind::AppPassword => "app-password",
            AuthKind::OAuth => "oauth",
        }
    }
}

/// The session an [`Agent`] holds, of either kind, with the store it is saved to.
#[derive(Debug)]
enum Credentials {
    AppPassword {
        session: Session,
        store: Option<SessionStore>,
    },
    OAuth {
        session: Box<OAuthSession>,
        store: Option<OAuthSessionStore>,
    },
}

/// An authenticated client for one account's repository, over an app-password session or an
/// OAuth session. The token is refreshed (once per call) when the PDS says it expired or is
/// invalid, and an OAuth token also shortly before it expires; refreshed sessions are saved to
/// the attached store.
#[derive(Debug)]
pub struct Agent {
    client: XrpcClient,
    credentials: Credentials,
}

/// Whether an error says the access token is no longer accepted.
pub(crate) fn is_auth_error(e: &NetError) -> bool {
    matches!(
        e.xrpc_kind(),
        Some(
            XrpcErrorKind::ExpiredToken
                | XrpcErrorKind::InvalidToken
                | XrpcErrorKind::AuthenticationRequired
        )
    ) || matches!(e, NetError::Xrpc { status: 401, .. })
}

impl Agent {
    /// Log in with `createSession` and save the session when a store is given.
    pub fn login(
        client: XrpcClient,
        identifier: &str,
        password: &Secret,
        store: Option<SessionStore>,
    ) -> Result<Self, NetError> {
        let session = client.create_session(identifier, password)?;
        if let Some(store) = &store {
            store.save(&session)?;
        }
        Ok(Self::from_session(client, session, store))
    }

    /// Resume an existing app-password session (for example one loaded from a
    /// [`SessionStore`]).
    pub fn from_session(client: XrpcClient, session: Session, store: Option<SessionStore>) -> Self {
        Agent {
            client,
            credentials: Credentials::AppPassword { session, store },
        }
    }

    /// Resume an OAuth session (for example one loaded from an [`OAuthSessionStore`]); `client`
    /// must be for the session's PDS.
    pub fn from_oauth(
        client: XrpcClient,
        session: OAuthSession,
        store: Option<OAuthSessionStore>,
    ) -> Self {
        Agent {
            client,
            credentials: Credentials::OAuth {
                session: Box::new(session),
                store,
            },
        }
    }

    /// Which kind of session this is.
    pub fn kind(&self) -> AuthKind {
        match &self.credentials {
            Credentials::AppPassword { .. } => AuthKind::AppPassword,
            Credentials::OAuth { .. } => AuthKind::OAuth,
        }
    }

    /// The account DID.
    pub fn did(&self) -> &str {
        match &self.credentials {
            Credentials::AppPassword { session, .. } => &session.did,
            Credentials::OAuth { session, .. } => &session.did,
        }
    }

    /// The account handle.
    pub fn handle(&self) -> &str {
        match &self.credentials {
            Credentials::AppPassword { session, .. } => &session.handle,
            Credentials::OAuth { session, .. } => &session.handle,
        }
    }

    /// The app-password session, when this is one.
    pub fn app_password_session(&self) -> Option<&Session> {
        match &self.credentials {
            Credentials::AppPassword { session, .. } => Some(session),
            Credentials::OAuth { .. } => None,
        }
    }

    /// The OAuth session, when this is one.
    pub fn oauth_session(&self) -> Option<&OAuthSession> {
        match &self.credentials {
            Credentials::OAuth { session, .. } => Some(session),
            Credentials::AppPassword { .. } => None,
        }
    }

    /// The underlying client (unauthenticated reads).
    pub fn client(&self) -> &XrpcClient {
        &self.client
    }

    /// Refresh the tokens now (and save them).
    pub fn refresh(&mut self) -> Result<(), NetError> {
        match &mut self.credentials {
            Credentials::AppPassword { session, store } => {
                let fresh = self.client.refresh_session(&session.refresh_jwt)?;
                if let Some(store) = store {
                    store.save(&fresh)?;
                }
                *session = fresh;
            }
            Credentials::OAuth { session, store } => {
                crate::oauth::refresh(&self.client, session)?;
                if let Some(store) = store {
                    store.save(session)?;
                }
            }
        }
        Ok(())
    }

    /// Runs `call` with the credentials; refreshes once and runs it again when the token was
    /// refused (or, for OAuth, first when it is about to expire).
    fn with_refresh<T>(
        &mut self,
        call: impl Fn(&XrpcClient, &mut Auth<'_>, &str) -> Result<T, NetError>,
    ) -> Result<T, NetError> {
        if let Credentials::OAuth { session, .. } = &self.credentials {
            if session.expires_soon() {
                self.refresh()?;
            }
        }
        let kind = self.kind();
        let refused = |e: &NetError| match kind {
            AuthKind::AppPassword => e.is_xrpc(&XrpcErrorKind::ExpiredToken),
            AuthKind::OAuth => is_auth_error(e),
        };
        match self.call_once(&call) {
            Err(e) if refused(&e) => {
                self.refresh()?;
                self.call_once(&call)
            }
            other => other,
        }
    }

    fn call_once<T>(
        &mut self,
        call: &impl Fn(&XrpcClient, &mut Auth<'_>, &str) -> Result<T, NetError>,
    ) -> Result<T, NetError> {
        match &mut self.credentials {
            Credentials::AppPassword { session, .. } => call(
                &self.client,
                &mut Auth::Bearer(&session.access_jwt),
                &session.did,
            ),
            Credentials::OAuth { session, store } => {
                let before = session.pds_nonce.clone();
                let session = &mut **session;
                let result = call(
                    &self.client,
                    &mut Auth::Dpop {
                        key: &session.dpop_key,
                        token: &session.access_token,
                        nonce: &mut session.pds_nonce,
                    },
                    &session.did,
                );
                if session.pds_nonce != before {
                    if let Some(store) = store {
                        store.save(session)?;
                    }
                }
                result
            }
        }
    }

    /// `putRecord` into the session's own repository.
    pub fn put_record(
        &mut self,
        collection: &str,
        rkey: &str,
        record: &Value,
        swap: &Swap,
    ) -> Result<PutRecordOutput, NetError> {
        self.with_refresh(|c, auth, did| {
            let at = RecordWrite {
                repo: did,
                collection,
                rkey,
            };
            c.put_record_with(auth, &at, record, swap)
        })
    }

    /// `createRecord` in the session's own repository (the PDS picks the record key).
    pub fn create_record(
        &mut self,
        collection: &str,
        record: &Value,
    ) -> Result<PutRecordOutput, NetError> {
        self.with_refresh(|c, auth, did| {
            let body = serde_json::json!({"repo": did, "collection": collection, "record": record});
            let out: PutBody = c.post("com.atproto.repo.createRecord", Some(&body), auth)?;
            Ok(out.into())
        })
    }

    /// `deleteRecord` in the session's own repository; true when a commit was made (see
    /// [`XrpcClient::delete_record`]).
    pub fn delete_record(
        &mut self,
        collection: &str,
        rkey: &str,
        swap_cid: Option<&str>,
    ) -> Result<bool, NetError> {
        self.with_refresh(|c, auth, did| {
            let at = RecordWrite {
                repo: did,
                collection,
                rkey,
            };
            c.delete_record_with(auth, &at, swap_cid)
        })
    }

    /// An authenticated query (for methods that need auth).
    pub fn query<T: DeserializeOwned>(
        &mut self,
        method: &str,
        params: &[(&str, &str)],
    ) -> Result<T, NetError> {
        self.with_refresh(|c, auth, _| {
            let answer = c.get(method, params, auth, BodyKind::XrpcJson)?;
            XrpcClient::decode(method, answer)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::TestServer;
    use serde_json::json;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    const SESSION: &str = r#"{"did":"did:plc:abc","handle":"alice.test","accessJwt":"acc-1","refreshJwt":"ref-1","active":true}"#;

    fn err(status: u16, name: &str, message: &str) -> (u16, String) {
        (
            status,
            json!({"error": name, "message": message}).to_string(),
        )
    }

    #[test]
    fn create_session_good_and_bad_password() {
        let server = TestServer::start(|req| {
            assert_eq!(
                (req.method.as_str(), req.path()),
                ("POST", "/xrpc/com.atproto.server.createSession")
            );
            if req.json()["password"] == "right" {
                (200, SESSION.into())
            } else {
                err(
                    401,
                    "AuthenticationRequired",
                    "Invalid identifier or password",
                )
            }
        });
        let client = XrpcClient::new(&format!("{}/", server.url)).unwrap();
        let session = client
            .create_session("alice.test", &Secret::new("right"))
            .unwrap();
        assert_eq!(session.did, "did:plc:abc");
        assert_eq!(session.service, server.url);
        assert_eq!(session.access_jwt.expose(), "acc-1");
        let e = client
            .create_session("alice.test", &Secret::new("wrong"))
            .unwrap_err();
        assert_eq!(e.xrpc_kind(), Some(XrpcErrorKind::AuthenticationRequired));
        let text = e.to_string();
        assert_eq!(
            text,
            "com.atproto.server.createSession failed with HTTP 401: AuthenticationRequired: Invalid identifier or password"
        );
        assert!(!text.contains("wrong") && !format!("{e:?}").contains("wrong"));
    }

    #[test]
    fn get_record_not_found_is_typed() {
        let server = TestServer::start(|req| {
            if req.target.contains("rkey=com.example.there") {
                (200, json!({"uri": "at://did:plc:abc/c/com.example.there", "cid": "bafy1", "value": {"lexicon": 1}}).to_string())
            } else {
                err(400, "RecordNotFound", "Could not locate record")
            }
        });
        let client = XrpcClient::new(&server.url).unwrap();
        let rec = client
            .get_record("did:plc:abc", LEXICON_COLLECTION, "com.example.there")
            .unwrap();
        assert_eq!(
            (rec.cid.as_str(), rec.rkey()),
            ("bafy1", "com.example.there")
        );
        let e = client
            .get_record("did:plc:abc", LEXICON_COLLECTION, "com.example.gone")
            .unwrap_err();
        assert!(e.is_xrpc(&XrpcErrorKind::RecordNotFound));
        assert_eq!(
            client
                .get_record_opt("did:plc:abc", LEXICON_COLLECTION, "com.example.gone")
                .unwrap(),
            None
        );
        let query = &server.requests()[0].target;
        assert!(
            query.contains("collection=com.atproto.lexicon.schema"),
            "{query}"
        );
    }

    #[test]
    fn list_records_follows_the_cursor() {
        let server = TestServer::start(|req| {
            let rec = |k: &str| json!({"uri": format!("at://did:plc:abc/c/{k}"), "cid": format!("cid-{k}"), "value": {}});
            if req.target.contains("cursor=b") {
                (
                    200,
                    json!({"records": [rec("c")], "cursor": "c"}).to_string(),
                )
            } else if req.target.contains("cursor=c") {
                (200, json!({"records": []}).to_string())
            } else {
                (
                    200,
                    json!({"records": [rec("a"), rec("b")], "cursor": "b"}).to_string(),
                )
            }
        });
        let client = XrpcClient::new(&server.url).unwrap();
        let all = client.list_records("did:plc:abc", "c").unwrap();
        let keys: Vec<&str> = all.iter().map(RecordEntry::rkey).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(server.requests().len(), 3);
        assert!(server.requests()[0].target.contains("limit=100"));
    }

    #[test]
    fn put_record_sends_the_swap_mode() {
        let server = TestServer::start(|req| {
            let body = req.json();
            match body.get("swapRecord") {
                Some(serde_json::Value::Null) => err(400, "InvalidSwap", "Record was at bafyold"),
                Some(_) => (200, json!({"uri": "at://x/c/k", "cid": "bafynew", "commit": {"cid": "c", "rev": "r"}}).to_string()),
                None => (200, json!({"uri": "at://x/c/k", "cid": "bafysame"}).to_string()),
            }
        });
        let client = XrpcClient::new(&server.url).unwrap();
        let tok = Secret::new("acc");
        let record = json!({"lexicon": 1});
        let out = client
            .put_record(&tok, "did:plc:abc", "c", "k", &record, &Swap::Any)
            .unwrap();
        assert_eq!((out.cid.as_str(), out.committed), ("bafysame", false));
        let out = client
            .put_record(
                &tok,
                "did:plc:abc",
                "c",
                "k",
                &record,
                &Swap::Cid("bafyold".into()),
            )
            .unwrap();
        assert_eq!((out.cid.as_str(), out.committed), ("bafynew", true));
        let e = client
            .put_record(&tok, "did:plc:abc", "c", "k", &record, &Swap::CreateOnly)
            .unwrap_err();
        assert!(e.is_xrpc(&XrpcErrorKind::InvalidSwap));
        let reqs = server.requests();
        assert_eq!(reqs[1].json()["swapRecord"], "bafyold");
        assert_eq!(reqs[0].header("authorization"), Some("Bearer acc"));
    }

    #[test]
    fn agent_refreshes_an_expired_token_once_and_saves_it() {
        let puts = Arc::new(AtomicUsize::new(0));
        let counter = puts.clone();
        let server = TestServer::start(move |req| match req.path() {
            "/xrpc/com.atproto.server.refreshSession" => {
                assert_eq!(req.header("authorization"), Some("Bearer ref-1"));
                (
                    200,
                    SESSION.replace("acc-1", "acc-2").replace("ref-1", "ref-2"),
                )
            }
            "/xrpc/com.atproto.repo.putRecord" => {
                counter.fetch_add(1, Ordering::SeqCst);
                if req.header("authorization") == Some("Bearer acc-2") {
                    (200, json!({"uri": "at://x/c/k", "cid": "bafy"}).to_string())
                } else {
                    err(400, "ExpiredToken", "Token has expired")
                }
            }
            _ => (200, SESSION.into()),
        });
        let dir = std::env::temp_dir().join(format!("lexperm-net-agent-{}", std::process::id()));
        let store = SessionStore::new(dir.join("session.json"));
        let client = XrpcClient::new(&server.url).unwrap();
        let mut agent = Agent::login(
            client,
            "alice.test",
            &Secret::new("pw"),
            Some(store.clone()),
        )
        .unwrap();
        assert_eq!(store.load().unwrap().unwrap().access_jwt.expose(), "acc-1");
        let out = agent.put_record("c", "k", &json!({}), &Swap::Any).unwrap();
        assert_eq!(out.cid, "bafy");
        assert_eq!(puts.load(Ordering::SeqCst), 2);
        assert_eq!(
            agent.app_password_session().unwrap().access_jwt.expose(),
            "acc-2"
        );
        assert_eq!(store.load().unwrap().unwrap().refresh_jwt.expose(), "ref-2");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn agent_gives_up_after_one_refresh() {
        let server = TestServer::start(|req| match req.path() {
            "/xrpc/com.atproto.server.refreshSession" => (200, SESSION.into()),
            _ => err(400, "ExpiredToken", "Token has expired"),
        });
        let client = XrpcClient::new(&server.url).unwrap();
        let session = client.refresh_session(&Secret::new("r")).unwrap();
        let mut agent = Agent::from_session(client, session, None);
        let e = agent.delete_record("c", "k", None).unwrap_err();
        assert!(e.is_xrpc(&XrpcErrorKind::ExpiredToken));
        let calls: Vec<String> = server
            .requests()
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        assert_eq!(calls.len(), 4, "{calls:?}");
    }

    #[test]
    fn unreachable_server_is_a_transport_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = XrpcClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let e = client.resolve_handle("alice.test").unwrap_err();
        assert!(matches!(e, NetError::Transport { .. }), "{e:?}");
        assert!(
            !e.to_string().contains('?'),
            "query strings are not echoed: {e}"
        );
    }

    #[test]
    fn non_json_error_bodies_still_give_the_status() {
        let server = TestServer::start(|_| (502, "<html>bad gateway</html>".into()));
        let client = XrpcClient::new(&server.url).unwrap();
        let e = client.list_records("did:plc:abc", "c").unwrap_err();
        assert!(
            matches!(
                e,
                NetError::Xrpc {
                    status: 502,
                    error: None,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(XrpcClient::new("ftp://x").is_err());
    }
}
