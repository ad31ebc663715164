//! Shared blocking HTTP client construction and JSON helpers.

use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::error::{strip_query, NetError};

/// Default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Build the blocking HTTP client used everywhere (rustls, timeouts, a lexperm user agent).
pub fn build_client(timeout: Duration) -> Result<reqwest::blocking::Client, NetError> {
    reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10).min(timeout))
        .user_agent(concat!("lexperm/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| NetError::transport("(client setup)", e))
}

/// GET a URL and decode a JSON body; non-2xx statuses become `HttpStatus` with the body's start.
pub(crate) fn get_json<T: DeserializeOwned>(
    client: &reqwest::blocking::Client,
    url: &str,
) -> Result<T, NetError> {
    let response = client
        .get(url)
        .header("accept", "application/json")
        .send()
        .map_err(|e| NetError::transport(url, e))?;
    let status = response.status();
    let body = response.text().map_err(|e| NetError::transport(url, e))?;
    if !status.is_success() {
        return Err(NetError::HttpStatus {
            url: strip_query(url),
            status: status.as_u16(),
            body: Some(truncate(&body, 200)),
        });
    }
    serde_json::from_str(&body).map_err(|e| NetError::InvalidResponse {
        url: strip_query(url),
        detail: format!("invalid JSON: {e}"),
    })
}

/// GET a URL and return the body text; non-2xx statuses become `HttpStatus`.
pub(crate) fn get_text(client: &reqwest::blocking::Client, url: &str) -> Result<String, NetError> {
    let response = client
        .get(url)
        .send()
        .map_err(|e| NetError::transport(url, e))?;
    let status = response.status();
    let body = response.text().map_err(|e| NetError::transport(url, e))?;
    if !status.is_success() {
        return Err(NetError::HttpStatus {
            url: strip_query(url),
            status: status.as_u16(),
            body: None,
        });
    }
    Ok(body)
}

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
        let client = build_client(DEFAULT_TIMEOUT).unwrap();
        let err = get_json::<serde_json::Value>(&client, &format!("{}/gone?x=1", server.url))
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
        let err = get_text(&client, &format!("{}/broken", server.url)).unwrap_err();
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
}
