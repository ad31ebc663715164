//! The error type of every network operation.

use std::fmt;
use std::path::PathBuf;

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
