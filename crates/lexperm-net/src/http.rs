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

/// GET a URL and decode a JSON body; non-2xx statuses become `InvalidResponse`.
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
        return Err(NetError::InvalidResponse {
            url: strip_query(url),
            detail: format!("HTTP {}: {}", status.as_u16(), truncate(&body, 200)),
        });
    }
    serde_json::from_str(&body).map_err(|e| NetError::InvalidResponse {
        url: strip_query(url),
        detail: format!("invalid JSON: {e}"),
    })
}

/// GET a URL and return the body text (2xx only).
pub(crate) fn get_text(client: &reqwest::blocking::Client, url: &str) -> Result<String, NetError> {
    let response = client
        .get(url)
        .send()
        .map_err(|e| NetError::transport(url, e))?;
    let status = response.status();
    let body = response.text().map_err(|e| NetError::transport(url, e))?;
    if !status.is_success() {
        return Err(NetError::InvalidResponse {
            url: strip_query(url),
            detail: format!("HTTP {}", status.as_u16()),
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
