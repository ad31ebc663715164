//! HTTP for every request lexperm-net makes: one blocking client, response bodies read with a
//! bound per kind, a deadline per request and one shared by the whole command, and redirects
//! followed only within one origin (never for requests that carry credentials or a body).

use std::io::Read;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lexperm_parser::limits::{MAX_REDIRECTS, NETWORK_REQUEST_DEADLINE};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::Url;
use serde::de::DeserializeOwned;

use crate::error::{
    error_chain, printable, strip_query, BodyKind, DeadlineScope, NetError, RedirectRefusal,
};

/// Default per-request deadline ([`NETWORK_REQUEST_DEADLINE`]).
pub const DEFAULT_TIMEOUT: Duration = NETWORK_REQUEST_DEADLINE;

/// The deadline every request of one command shares: a fixed instant, so copies agree. When it
/// has passed, requests fail at once with [`NetError::Deadline`] instead of being sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline {
    end: Option<(Instant, Duration)>,
}

impl Deadline {
    /// No deadline: only the per-request one applies.
    pub fn none() -> Self {
        Deadline { end: None }
    }

    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Deadline {
            end: Instant::now().checked_add(budget).map(|end| (end, budget)),
        }
    }

    /// The budget it was made with (`None`: no deadline).
    pub fn budget(&self) -> Option<Duration> {
        self.end.map(|(_, budget)| budget)
    }

    /// Time left (`None`: no deadline; zero: passed).
    pub fn remaining(&self) -> Option<Duration> {
        self.end
            .map(|(end, _)| end.saturating_duration_since(Instant::now()))
    }

    /// True once the deadline has passed.
    pub fn is_over(&self) -> bool {
        self.remaining() == Some(Duration::ZERO)
    }

    /// The error for a request to `url` that this deadline stopped.
    pub(crate) fn error(&self, url: &str) -> NetError {
        NetError::Deadline {
            url: url.to_string(),
            scope: DeadlineScope::Command,
            limit: self.budget().unwrap_or_default(),
        }
    }
}

/// Counts the requests sent (HTTP requests, redirects included, and DNS lookups). Clones share
/// the count, so every client an [`crate::identity::IdentityResolver`] hands out adds to it.
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<AtomicUsize>);

impl RequestCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests were sent so far.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Adds one request.
    pub(crate) fn add(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Whether `url` may be used as a service endpoint (a PDS, the PLC directory): `https://`, or
/// `http://` to a loopback host (`localhost`, `127.0.0.0/8`, `::1`), as the local test
/// environment uses. Returns the parsed URL, or why it is refused.
pub fn check_endpoint(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => return Err(
            "http:// is accepted only for loopback hosts (localhost, 127.0.0.1, ::1); use https://"
                .into(),
        ),
        other => {
            return Err(format!(
                "the scheme must be https, not {}",
                printable(other)
            ))
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("the URL must not hold a user name or password".into());
    }
    Ok(parsed)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The blocking client with its deadlines. Cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: Client,
    request_deadline: Duration,
    deadline: Deadline,
    requests: RequestCounter,
}

/// A complete answer: status and the body (bounded).
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body; for non-success statuses possibly cut at the kind's bound.
    pub body: Vec<u8>,
    /// The URL that answered (after redirects), without query string.
    pub url: String,
    /// The response headers (DPoP nonces, `WWW-Authenticate`).
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header's value as text, when present and visible ASCII.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// When one request must be complete: its own deadline or the command's, whichever comes first.
struct RequestClock {
    end: Instant,
    scope: DeadlineScope,
    limit: Duration,
}

impl RequestClock {
    fn start(request_deadline: Duration, deadline: Deadline) -> Self {
        let now = Instant::now();
        let own = now.checked_add(request_deadline).unwrap_or(now);
        match deadline.end {
            Some((end, budget)) if end <= own => RequestClock {
                end,
                scope: DeadlineScope::Command,
                limit: budget,
            },
            _ => RequestClock {
                end: own,
                scope: DeadlineScope::Request,
                limit: request_deadline,
            },
        }
    }

    fn remaining(&self) -> Duration {
        self.end.saturating_duration_since(Instant::now())
    }

    fn passed(&self) -> bool {
        self.remaining().is_zero()
    }

    fn error(&self, url: &str) -> NetError {
        NetError::Deadline {
            url: url.to_string(),
            scope: self.scope,
            limit: self.limit,
        }
    }
}

impl Http {
    /// A client whose requests each take at most `request_deadline`, with no command deadline.
    pub(crate) fn new(request_deadline: Duration) -> Result<Self, NetError> {
        let client = Client::builder()
            .timeout(request_deadline)
            .connect_timeout(Duration::from_secs(10).min(request_deadline))
            // Redirects are followed here, in `exchange`, so the origin rule applies.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("lexperm/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| NetError::transport("(client setup)", e))?;
        Ok(Http {
            client,
            request_deadline,
            deadline: Deadline::none(),
            requests: RequestCounter::new(),
        })
    }

    /// The same client under the command deadline `deadline`.
    pub(crate) fn with_deadline(mut self, deadline: Deadline) -> Self {
        self.deadline = deadline;
        self
    }

    /// The command deadline.
    pub(crate) fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// The counter of the requests this client (and its clones) sent.
    pub(crate) fn requests(&self) -> RequestCounter {
        self.requests.clone()
    }

    /// GET `url` (query string included) accepting `accept`; same-origin redirects are
    /// followed.
    pub(crate) fn get(&self, url: &str, accept: &str, kind: BodyKind) -> Result<Answer, NetError> {
        self.exchange(url, kind, true, |client, url| {
            client.get(url.clone()).header("accept", accept)
        })
    }

    /// One request built by `build` for each URL asked (the first, then redirect targets when
    /// `follow_redirects`). The body is read up to `kind`'s bound: a success answer beyond it is
    /// [`NetError::TooLarge`], an error answer is cut there. Both deadlines apply to the whole
    /// exchange, redirects included.
    pub(crate) fn exchange(
        &self,
        url: &str,
        kind: BodyKind,
        follow_redirects: bool,
        build: impl Fn(&Client, &Url) -> RequestBuilder,
    ) -> Result<Answer, NetError> {
        let clock = RequestClock::start(self.request_deadline, self.deadline);
        let mut current = Url::parse(url).map_err(|e| NetError::InvalidInput {
            what: "URL",
            value: printable(url),
            detail: e.to_string(),
        })?;
        let mut redirects = 0;
        loop {
            let shown = strip_query(current.as_str());
            if clock.passed() {
                return Err(clock.error(&shown));
            }
            self.requests.add();
            let mut response = match build(&self.client, &current)
                .timeout(clock.remaining())
                .send()
            {
                Ok(response) => response,
                Err(_) if clock.passed() => return Err(clock.error(&shown)),
                Err(e) => return Err(NetError::transport(&shown, e)),
            };
            let status = response.status();
            let headers = response.headers().clone();
            if status.is_redirection() {
                if let Some(location) = response.headers().get(reqwest::header::LOCATION) {
                    let refuse = |reason| NetError::Redirect {
                        url: shown.clone(),
                        location: printable(&strip_query(&String::from_utf8_lossy(
                            location.as_bytes(),
                        ))),
                        reason,
                    };
                    if !follow_redirects {
                        return Err(refuse(RedirectRefusal::Credentials));
                    }
                    let Some(next) = location.to_str().ok().and_then(|l| current.join(l).ok())
                    else {
                        return Err(refuse(RedirectRefusal::Invalid));
                    };
                    if next.origin() != current.origin() {
                        return Err(refuse(RedirectRefusal::OtherOrigin));
                    }
                    if redirects == MAX_REDIRECTS {
                        return Err(refuse(RedirectRefusal::TooMany));
                    }
                    redirects += 1;
                    current = next;
                    continue;
                }
            }
            let limit = kind.limit();
            let too_large = || NetError::TooLarge {
                url: shown.clone(),
                kind,
                limit,
            };
            if status.is_success() && response.content_length().is_some_and(|n| n > limit as u64) {
                return Err(too_large());
            }
            let (body, cut) = read_bounded(&mut response, limit, &clock).map_err(|e| {
                if clock.passed() {
                    clock.error(&shown)
                } else {
                    NetError::Transport {
                        url: shown.clone(),
                        detail: error_chain(&e),
                    }
                }
            })?;
            if status.is_success() && cut {
                return Err(too_large());
            }
            return Ok(Answer {
                status: status.as_u16(),
                body,
                url: shown,
                headers,
            });
        }
    }
}

/// Reads at most `limit` bytes of the body; the flag says whether more was sent. Stops with
/// `TimedOut` once the request's deadline has passed, however slowly bytes still arrive.
fn read_bounded(
    response: &mut Response,
    limit: usize,
    clock: &RequestClock,
) -> std::io::Result<(Vec<u8>, bool)> {
    let expected = response.content_length().unwrap_or(0).min(limit as u64) as usize;
    let mut body = Vec::with_capacity(expected);
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if clock.passed() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let read = match response.read(&mut chunk) {
            Ok(0) => return Ok((body, false)),
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let room = limit - body.len();
        if read > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk[..read]);
    }
}

/// GET a URL and decode a JSON body of `kind`; non-2xx statuses become `HttpStatus` with the
/// body's start.
pub(crate) fn get_json<T: DeserializeOwned>(
    http: &Http,
    url: &str,
    kind: BodyKind,
) -> Result<T, NetError> {
    let answer = http.get(url, "application/json", kind)?;
    if !answer.is_success() {
        return Err(NetError::HttpStatus {
            url: answer.url,
            status: answer.status,
            body: Some(printable(&String::from_utf8_lossy(&answer.body))),
        });
    }
    serde_json::from_slice(&answer.body).map_err(|e| NetError::InvalidResponse {
        url: answer.url,
        detail: format!("invalid JSON: {}", printable(&e.to_string())),
    })
}

/// GET a URL and return the body text of `kind`; non-2xx statuses become `HttpStatus`.
pub(crate) fn get_text(http: &Http, url: &str, kind: BodyKind) -> Result<String, NetError> {
    let answer = http.get(url, "text/plain, */*", kind)?;
    if !answer.is_success() {
        return Err(NetError::HttpStatus {
            url: answer.url,
            status: answer.status,
            body: None,
        });
    }
    Ok(String::from_utf8_lossy(&answer.body).into_owned())
}

/// `text` cut to at most `max` bytes (on a character boundary), with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::DnsResolver;
    use crate::identity::IdentityResolver;
    use crate::test_server::TestServer;

    #[test]
    fn statuses_are_fields_and_messages_are_unchanged() {
        let server = TestServer::start(|req| match req.path() {
            "/gone" => (404, "not here".into()),
            _ => (500, String::new()),
        });
        let http = Http::new(DEFAULT_TIMEOUT).unwrap();
        let err = get_json::<serde_json::Value>(
            &http,
            &format!("{}/gone?x=1", server.url),
            BodyKind::DidDocument,
        )
        .unwrap_err();
        assert!(
            matches!(&err, NetError::HttpStatus { status: 404, body: Some(b), .. } if b == "not here"),
            "{err:?}"
        );
        assert_eq!(err.http_status(), Some(404));
        assert_eq!(
            err.to_string(),
            format!(
                "unexpected response from {}/gone: HTTP 404: not here",
                server.url
            )
        );
        let err = get_text(
            &http,
            &format!("{}/broken", server.url),
            BodyKind::HandleDid,
        )
        .unwrap_err();
        assert_eq!(err.http_status(), Some(500));
        assert_eq!(
            err.to_string(),
            format!("unexpected response from {}/broken: HTTP 500", server.url)
        );
    }

    #[test]
    fn a_missing_did_document_is_classified_by_status_not_text() {
        // A 500 whose body reads like a 404 stays a server error; a 404 with any body is
        // "no DID document".
        let plc = TestServer::start(|req| match req.path() {
            "/did:plc:broken" => (500, "HTTP 404".into()),
            _ => (404, "{}".into()),
        });
        let resolver = IdentityResolver::new(&plc.url, DnsResolver::system()).unwrap();
        let err = resolver.resolve_did("did:plc:broken").unwrap_err();
        assert!(
            matches!(err, NetError::HttpStatus { status: 500, .. }),
            "{err:?}"
        );
        let err = resolver.resolve_did("did:plc:missing").unwrap_err();
        assert!(
            matches!(&err, NetError::Identity { subject, detail }
                if subject == "did:plc:missing" && detail.ends_with("(HTTP 404)")),
            "{err:?}"
        );
    }

    #[test]
    fn endpoints_are_https_or_loopback() {
        for ok in [
            "https://pds.example.com",
            "https://pds.example.com:8443/base/",
            "http://localhost:2583",
            "http://LOCALHOST:2583",
            "http://127.0.0.1:2583",
            "http://127.1.2.3",
            "http://[::1]:2583",
        ] {
            assert!(check_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://pds.example.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "ftp://localhost",
            "https://user:pw@pds.example.com",
            "not a url",
        ] {
            assert!(check_endpoint(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_passed_command_deadline_sends_nothing() {
        let server = TestServer::start(|_| (200, "{}".into()));
        let http = Http::new(DEFAULT_TIMEOUT)
            .unwrap()
            .with_deadline(Deadline::after(Duration::ZERO));
        let err =
            get_json::<serde_json::Value>(&http, &server.url, BodyKind::XrpcJson).unwrap_err();
        assert!(
            matches!(
                err,
                NetError::Deadline {
                    scope: DeadlineScope::Command,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("deadline: "), "{err}");
        assert!(server.requests().is_empty());
    }
}
