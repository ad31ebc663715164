//! The loopback redirect target of a native OAuth client: a tiny blocking HTTP listener on
//! `127.0.0.1` (an ephemeral port) that waits, up to a timeout, for the one redirect to
//! `/callback` and ignores every other request (a browser's `/favicon.ico`, probes).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use reqwest::Url;

use crate::error::{printable, NetError, Secret};

/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";

/// The largest request head read from the browser.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// The query parameters of the redirect. `Debug` redacts the code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackParams {
    /// The authorization code (success).
    pub code: Option<Secret>,
    /// The `state` sent with the request, echoed back.
    pub state: Option<String>,
    /// The issuer (RFC 9207), when the server sends it.
    pub iss: Option<String>,
    /// The error code (failure), e.g. `access_denied`.
    pub error: Option<String>,
    /// The error's description.
    pub error_description: Option<String>,
}

impl CallbackParams {
    /// The parameters of a redirect URL's query string.
    pub fn from_url(url: &Url) -> Self {
        let mut params = CallbackParams::default();
        for (key, value) in url.query_pairs() {
            let value = value.into_owned();
            match key.as_ref() {
                "code" => params.code = Some(Secret::new(value)),
                "state" => params.state = Some(value),
                "iss" => params.iss = Some(value),
                "error" => params.error = Some(value),
                "error_description" => params.error_description = Some(value),
                _ => {}
            }
        }
        params
    }
}

/// A listener on `127.0.0.1:<ephemeral port>` for the redirect.
#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
    port: u16,
}

impl CallbackListener {
    /// Bind an ephemeral port on the IPv4 loopback address.
    pub fn bind() -> Result<Self, NetError> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| NetError::io("cannot listen on", "127.0.0.1:0", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| NetError::io("cannot listen on", "127.0.0.1:0", e))?
            .port();
        Ok(CallbackListener { listener, port })
    }

    /// `http://127.0.0.1:<port>/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Wait up to `timeout` for a `GET /callback?…`; answers it with a short page telling the
    /// person to go back to the terminal, answers anything else with 404 and keeps waiting.
    pub fn wait(&self, timeout: Duration) -> Result<CallbackParams, NetError> {
        let io_err = |e| NetError::io("cannot accept on", self.redirect_uri(), e);
        self.listener.set_nonblocking(true).map_err(io_err)?;
        let end = Instant::now() + timeout;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(params) = self.serve(stream) {
                        return Ok(params);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= end {
                        return Err(NetError::OAuth {
                            step: "redirect",
                            detail: format!(
                                "no redirect to {} within {} s; run `lexperm login` again and finish signing in in time",
                                self.redirect_uri(),
                                timeout.as_secs()
                            ),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(25));
                }
                Err(e) => return Err(io_err(e)),
            }
        }
    }

    /// One connection: the parameters when it is the redirect, `None` otherwise.
    fn serve(&self, mut stream: TcpStream) -> Option<CallbackParams> {
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut chunk = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REQUEST_HEAD {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&head);
        let mut words = text.lines().next().unwrap_or("").split(' ');
        let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let url = Url::parse(&format!("http://127.0.0.1:{}{target}", self.port)).ok();
        match url {
            Some(url) if method == "GET" && url.path() == CALLBACK_PATH => {
                let params = CallbackParams::from_url(&url);
                let page = if params.error.is_some() {
                    "lexperm: the authorization was not granted. You can close this window."
                } else {
                    "lexperm: received. You can close this window and go back to the terminal."
                };
                respond(&mut stream, "200 OK", page);
                Some(params)
            }
            _ => {
                respond(&mut stream, "404 Not Found", "not found");
                None
            }
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    let body = format!(
        "<!doctype html><meta charset=utf-8><title>lexperm</title><p>{}</p>\n",
        printable(text)
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn ignores_stray_requests_and_returns_the_redirect() {
        let listener = CallbackListener::bind().unwrap();
        let port = listener.port;
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{port}/callback")
        );
        let client = std::thread::spawn(move || {
            let stray = get(port, "/favicon.ico");
            let done = get(
                port,
                "/callback?code=c-1&state=s-1&iss=http%3A%2F%2Flocalhost%3A1",
            );
            (stray, done)
        });
        let params = listener.wait(Duration::from_secs(10)).unwrap();
        let (stray, done) = client.join().unwrap();
        assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
        assert!(done.starts_with("HTTP/1.1 200"), "{done}");
        assert_eq!(params.code.as_ref().map(Secret::expose), Some("c-1"));
        assert_eq!(params.state.as_deref(), Some("s-1"));
        assert_eq!(params.iss.as_deref(), Some("http://localhost:1"));
        assert!(
            !format!("{params:?}").contains("c-1"),
            "the code is redacted"
        );
    }

    #[test]
    fn times_out_with_a_clear_error() {
        let listener = CallbackListener::bind().unwrap();
        let e = listener.wait(Duration::from_millis(100)).unwrap_err();
        assert!(
            e.to_string().contains("no redirect to http://127.0.0.1:"),
            "{e}"
        );
    }
}
