//! The error type of every network operation.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use lexperm_parser::limits;

/// Well-known XRPC error names that callers react to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XrpcErrorKind {
    /// `InvalidSwap`: the record was not at the CID given as `swapRecord` (or exists on create-only).
    InvalidSwap,
    /// `RecordNotFound`: `getRecord` on a missing record key (HTTP 400, not 404).
    RecordNotFound,
    /// `AuthenticationRequired`: bad identifier or password, or no token.
    AuthenticationRequired,
    /// `ExpiredToken`: the access (or refresh) token has expired.
    ExpiredToken,
    /// `InvalidToken`: the token is malformed or revoked.
    InvalidToken,
    /// `InvalidRequest`: the server rejected the input (for example record validation).
    InvalidRequest,
    /// Any other error name.
    Other(String),
}

impl XrpcErrorKind {
    /// Map an XRPC `error` field to a kind.
    pub fn from_name(name: &str) -> Self {
        match name {
            "InvalidSwap" => Self::InvalidSwap,
            "RecordNotFound" => Self::RecordNotFound,
            "AuthenticationRequired" => Self::AuthenticationRequired,
            "ExpiredToken" => Self::ExpiredToken,
            "InvalidToken" => Self::InvalidToken,
            "InvalidRequest" => Self::InvalidRequest,
            other => Self::Other(other.to_string()),
        }
    }
}

/// An error from lexperm-net. Messages never contain passwords or tokens.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// The XRPC server answered with a non-success status.
    #[error("{method} failed with HTTP {status}{}", xrpc_suffix(error.as_deref(), message.as_deref()))]
    Xrpc {
        /// The XRPC method NSID, e.g. `com.atproto.repo.putRecord`.
        method: String,
        /// The HTTP status code.
        status: u16,
        /// The XRPC `error` name from the body, if any.
        error: Option<String>,
        /// The XRPC `message` from the body, if any.
        message: Option<String>,
    },
    /// A plain HTTP request (DID document, `.well-known`) answered with a non-success status.
    #[error("unexpected response from {url}: HTTP {status}{}", body.as_deref().map(|b| format!(": {b}")).unwrap_or_default())]
    HttpStatus {
        /// The URL that was requested (without query string).
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body, when the caller reads it.
        body: Option<String>,
    },
    /// The server could not be reached (connection refused, timeout, TLS, ...).
    #[error("cannot reach {url}: {detail}")]
    Transport {
        /// The URL that was requested (without query string).
        url: String,
        /// The underlying error chain.
        detail: String,
    },
    /// The server answered, but not with what the protocol promises.
    #[error("unexpected response from {url}: {detail}")]
    InvalidResponse {
        /// The URL that was requested.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// A DNS lookup failed for another reason than "no such name".
    #[error("DNS lookup of {name} failed: {detail}")]
    Dns {
        /// The name that was looked up.
        name: String,
        /// The resolver's error.
        detail: String,
    },
    /// A `_lexicon` authority record is missing, ambiguous or points elsewhere.
    #[error(transparent)]
    Authority(#[from] crate::authority::AuthorityError),
    /// A handle or DID could not be resolved.
    #[error("cannot resolve identity {subject}: {detail}")]
    Identity {
        /// The handle or DID.
        subject: String,
        /// Why.
        detail: String,
    },
    /// An input value is not valid (NSID, DID, URL, ...).
    #[error("invalid {what} `{value}`: {detail}")]
    InvalidInput {
        /// What kind of value, e.g. "NSID".
        what: &'static str,
        /// The offending value.
        value: String,
        /// Why it is invalid.
        detail: String,
    },
    /// A fetched lexicon record is not a valid published lexicon.
    #[error("lexicon {nsid} at {uri} is invalid: {detail}")]
    InvalidLexicon {
        /// The NSID that was resolved.
        nsid: String,
        /// The AT-URI of the record.
        uri: String,
        /// What is wrong.
        detail: String,
    },
    /// The authority's signed repository does not prove the fetched record.
    #[error("lexicon {nsid} at {uri} is invalid: repository proof: {source}")]
    Proof {
        /// The NSID that was resolved.
        nsid: String,
        /// The AT-URI of the record.
        uri: String,
        /// Which link of the proof failed (boxed: it carries CIDs and keeps `NetError` small).
        source: Box<lexperm_datamodel::proof::ProofError>,
    },
    /// The authority's repository has no record for this NSID.
    #[error("{nsid} is not published: {did} (named by _lexicon.{authority}) has no com.atproto.lexicon.schema record `{nsid}` on {pds}")]
    NotPublished {
        /// The NSID.
        nsid: String,
        /// The authority DID.
        did: String,
        /// The authority domain.
        authority: String,
        /// The PDS that was asked.
        pds: String,
    },
    /// Offline mode and no usable cache entry.
    #[error("{nsid} is not in the resolution cache (or the entry expired) and --offline forbids the network")]
    NotCached {
        /// The NSID.
        nsid: String,
    },
    /// No stored session.
    #[error("not logged in (no session file at {})", path.display())]
    NoSession {
        /// The session file path that was looked at.
        path: PathBuf,
    },
    /// A response body was larger than the bound for its kind; reading stopped at the bound.
    #[error("{kind} from {url} is larger than {} ({}); lexperm stopped reading it there", size(*limit), kind.limit_name())]
    TooLarge {
        /// The URL that sent it (without query string), or the DNS name for a TXT answer.
        url: String,
        /// What was being read.
        kind: BodyKind,
        /// The bound, in bytes.
        limit: usize,
    },
    /// A deadline passed before the answer was complete.
    #[error("deadline: {}", deadline_message(url, *scope, *limit))]
    Deadline {
        /// The URL (without query string) or `DNS TXT <name>` that was not answered in time.
        url: String,
        /// Which deadline: the request's own or the command's.
        scope: DeadlineScope,
        /// That deadline's length.
        limit: Duration,
    },
    /// A redirect was not followed.
    #[error("{url} redirects to {location}; not followed: {reason}")]
    Redirect {
        /// The URL that answered with the redirect (without query string).
        url: String,
        /// The redirect target as sent (without query string, control characters escaped).
        location: String,
        /// Why it was not followed.
        reason: RedirectRefusal,
    },
    /// An OAuth step failed or its answer was refused (wrong `state`, issuer or account, a
    /// scope without the rights asked for, an error from the authorization server).
    #[error("OAuth {step}: {detail}")]
    OAuth {
        /// The step: `discovery`, `pushed authorization request`, `redirect`, `token request`,
        /// `refresh`, `revocation`, `session`.
        step: &'static str,
        /// What went wrong, and what to do about it.
        detail: String,
    },
    /// Reading or writing a local file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. "cannot write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

/// What kind of response body is read; each kind has its own bound in
/// [`lexperm_parser::limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// A DID document from the PLC directory or a did:web host
    /// ([`limits::MAX_DID_DOCUMENT_BYTES`]).
    DidDocument,
    /// The DID at `https://<handle>/.well-known/atproto-did` ([`limits::MAX_HANDLE_DID_BYTES`]).
    HandleDid,
    /// The JSON answer of one XRPC call ([`limits::MAX_XRPC_JSON_BYTES`]).
    XrpcJson,
    /// One page of `com.atproto.repo.listRecords` ([`limits::MAX_RECORD_LIST_BYTES`]).
    RecordList,
    /// The CAR file of `com.atproto.sync.getRecord` ([`limits::MAX_RECORD_PROOF_BYTES`]).
    RecordProof,
    /// The TXT records of one DNS name ([`limits::MAX_TXT_ANSWER_BYTES`]).
    TxtAnswer,
}

impl BodyKind {
    /// The bound in bytes.
    pub fn limit(self) -> usize {
        match self {
            BodyKind::DidDocument => limits::MAX_DID_DOCUMENT_BYTES,
            BodyKind::HandleDid => limits::MAX_HANDLE_DID_BYTES,
            BodyKind::XrpcJson => limits::MAX_XRPC_JSON_BYTES,
            BodyKind::RecordList => limits::MAX_RECORD_LIST_BYTES,
            BodyKind::RecordProof => limits::MAX_RECORD_PROOF_BYTES,
            BodyKind::TxtAnswer => limits::MAX_TXT_ANSWER_BYTES,
        }
    }

    /// The name of the bound's constant in [`lexperm_parser::limits`] (and `docs/limits.md`).
    pub fn limit_name(self) -> &'static str {
        match self {
            BodyKind::DidDocument => "MAX_DID_DOCUMENT_BYTES",
            BodyKind::HandleDid => "MAX_HANDLE_DID_BYTES",
            BodyKind::XrpcJson => "MAX_XRPC_JSON_BYTES",
            BodyKind::RecordList => "MAX_RECORD_LIST_BYTES",
            BodyKind::RecordProof => "MAX_RECORD_PROOF_BYTES",
            BodyKind::TxtAnswer => "MAX_TXT_ANSWER_BYTES",
        }
    }
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BodyKind::DidDocument => "DID document",
            BodyKind::HandleDid => "handle DID",
            BodyKind::XrpcJson => "XRPC response",
            BodyKind::RecordList => "record list page",
            BodyKind::RecordProof => "repository proof (CAR)",
            BodyKind::TxtAnswer => "TXT answer",
        })
    }
}

/// Which deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineScope {
    /// The deadline of one request ([`limits::NETWORK_REQUEST_DEADLINE`]).
    Request,
    /// The deadline shared by every request of the command (`--network-deadline`).
    Command,
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectRefusal {
    /// The request carries credentials or a body; such requests are never redirected.
    Credentials,
    /// The target is on another origin (scheme, host or port).
    OtherOrigin,
    /// More than [`limits::MAX_REDIRECTS`] redirects in a row.
    TooMany,
    /// The `Location` header is missing or not a URL.
    Invalid,
}

impl fmt::Display for RedirectRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectRefusal::Credentials => {
                f.write_str("requests that carry credentials or a body are never redirected")
            }
            RedirectRefusal::OtherOrigin => f.write_str(
                "only redirects within the same origin (scheme, host, port) are followed",
            ),
            RedirectRefusal::TooMany => write!(
                f,
                "more than {} redirects (MAX_REDIRECTS)",
                limits::MAX_REDIRECTS
            ),
            RedirectRefusal::Invalid => f.write_str("the Location header is not a valid URL"),
        }
    }
}

fn deadline_message(url: &str, scope: DeadlineScope, limit: Duration) -> String {
    let secs = limit.as_secs_f64();
    match scope {
        DeadlineScope::Request => format!(
            "{url} did not answer in full within {secs} s (the per-request deadline, NETWORK_REQUEST_DEADLINE)"
        ),
        DeadlineScope::Command => format!(
            "the command's network deadline of {secs} s (--network-deadline) passed before {url} answered"
        ),
    }
}

/// `128 KiB`, `16 MiB`, or bytes.
fn size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Server-supplied text made fit for an error message: control characters (C0, DEL, C1),
/// bidirectional controls and line separators escaped as `\uXXXX`
/// ([`lexperm_parser::text::push_escape`]), cut after [`limits::MAX_SERVER_TEXT_CHARS`]
/// characters with `…`.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(limits::MAX_SERVER_TEXT_CHARS + 8));
    for (count, ch) in text.chars().enumerate() {
        if count == limits::MAX_SERVER_TEXT_CHARS {
            out.push('…');
            break;
        }
        if lexperm_parser::text::is_hidden_format(ch) {
            lexperm_parser::text::push_escape(&mut out, ch);
        } else {
            out.push(ch);
        }
    }
    out
}

fn xrpc_suffix(error: Option<&str>, message: Option<&str>) -> String {
    match (error, message) {
        (Some(e), Some(m)) => format!(": {e}: {m}"),
        (Some(e), None) => format!(": {e}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

impl NetError {
    /// The XRPC error kind, when this is an XRPC error with an `error` name.
    pub fn xrpc_kind(&self) -> Option<XrpcErrorKind> {
        match self {
            NetError::Xrpc {
                error: Some(name), ..
            } => Some(XrpcErrorKind::from_name(name)),
            _ => None,
        }
    }

    /// The HTTP status of a non-success answer (XRPC or plain HTTP).
    pub fn http_status(&self) -> Option<u16> {
        match self {
            NetError::Xrpc { status, .. } | NetError::HttpStatus { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when this is an XRPC error of the given kind.
    pub fn is_xrpc(&self, kind: &XrpcErrorKind) -> bool {
        self.xrpc_kind().as_ref() == Some(kind)
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        NetError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A transport error; the URL (with its query string) is left out of the detail.
    pub(crate) fn transport(url: &str, err: reqwest::Error) -> Self {
        let err = err.without_url();
        NetError::Transport {
            url: strip_query(url),
            detail: error_chain(&err),
        }
    }
}

/// Render an error and its sources on one line.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

pub(crate) fn strip_query(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// A secret string (password or token) whose `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value; call only where it is sent to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
