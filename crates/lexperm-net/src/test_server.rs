//! Loopback servers for tests (nothing beyond 127.0.0.1): a small HTTP/1.1 server whose handler
//! picks each [`Reply`] (a plain body, or a hostile one: a huge or endless body, a body dripped
//! byte by byte, a redirect), an authoritative DNS server for TXT records, and the answers of the
//! fake PLC directory and PDS the resolution tests share.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as seen by the server.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path including the query string.
    pub target: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (lossy UTF-8).
    pub body: String,
}

impl Request {
    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// What the server answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status and a complete body, with its `content-length`.
    Body(u16, Vec<u8>),
    /// 200 announcing `content-length: len`, then `len` bytes of `fill`, as fast as the client
    /// reads them.
    Sized {
        /// The announced and sent length.
        len: u64,
        /// The byte sent.
        fill: u8,
    },
    /// 200 with a chunked body that never ends: `prefix`, then chunks of `a` until the client
    /// goes away.
    Endless {
        /// The first bytes of the body.
        prefix: Vec<u8>,
    },
    /// 200 with `body` (its `content-length` announced) written one byte per `interval`.
    Drip {
        /// The whole body.
        body: Vec<u8>,
        /// The pause before each byte.
        interval: Duration,
    },
    /// A redirect: `status` with a `location` header and an empty body.
    Redirect(u16, String),
    /// A status, extra headers (`name`, `value`) and a complete JSON body.
    WithHeaders(u16, Vec<(String, String)>, Vec<u8>),
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 (one thread per connection, `connection: close`).
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Every request answered so far, in the order they were read.
    pub requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `handler`'s `(status, JSON text)`.
    pub fn start(handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> Self {
        TestServer::start_bytes(move |request| {
            let (status, body) = handler(request);
            (status, body.into_bytes())
        })
    }

    /// Serves `handler`'s `(status, body bytes)`: JSON, or a CAR file for `com.atproto.sync.*`.
    pub fn start_bytes(
        handler: impl Fn(&Request) -> (u16, Vec<u8>) + Send + Sync + 'static,
    ) -> Self {
        TestServer::start_replies(move |request| {
            let (status, body) = handler(request);
            Reply::Body(status, body)
        })
    }

    /// Serves `handler`'s [`Reply`] for each request.
    pub fn start_replies(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (handler, requests) = (handler.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, handler.as_ref(), &requests));
                }
            })
        };
        TestServer {
            url: format!("http://{addr}"),
            requests,
            stop,
            addr,
            thread: Some(thread),
        }
    }

    /// A copy of the requests answered so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests lock").clone()
    }
}

/// The `getRecord` answer for `rkey` of `collection` in did:plc:abc's repo: `value` with `cid`.
pub fn record(
    collection: &str,
    rkey: &str,
    cid: &str,
    value: &serde_json::Value,
) -> (u16, Vec<u8>) {
    let uri = format!("at://did:plc:abc/{collection}/{rkey}");
    (
        200,
        serde_json::json!({"uri": uri, "cid": cid, "value": value})
            .to_string()
            .into_bytes(),
    )
}

/// The `getRecord` answer for a record the repo does not have.
pub fn record_not_found() -> (u16, Vec<u8>) {
    let body = serde_json::json!({"error": "RecordNotFound", "message": "Could not locate record"});
    (400, body.to_string().into_bytes())
}

/// A PLC directory that knows one DID, did:plc:abc, whose PDS is at `pds_url` and whose
/// signing key is [`signing_key`].
pub fn plc_with_pds(pds_url: String) -> TestServer {
    let key = key_multibase(&signing_key());
    TestServer::start(move |req| {
        match req.path() {
        "/did:plc:abc" => (
            200,
            serde_json::json!({
                "id": "did:plc:abc",
                "verificationMethod": [{
                    "id": "did:plc:abc#atproto",
                    "type": "Multikey",
                    "controller": "did:plc:abc",
                    "publicKeyMultibase": key,
                }],
                "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds_url}],
            })
            .to_string(),
        ),
        _ => (404, "{}".into()),
    }
    })
}

/// The repository signing key of did:plc:abc in these fakes.
pub fn signing_key() -> k256::ecdsa::SigningKey {
    k256::ecdsa::SigningKey::from_slice(&[7; 32]).expect("a valid secp256k1 key")
}

pub use lexperm_datamodel::test_support::{
    base64, car_file, dag_cbor_block, key_multibase, signed_commit,
};

/// The `com.atproto.sync.getRecord` answer of did:plc:abc for a repository whose MST is one
/// node holding `collection/rkey` → `cid`.
pub fn record_proof(collection: &str, rkey: &str, cid: &str) -> (u16, Vec<u8>) {
    let key = format!("{collection}/{rkey}");
    let node = dag_cbor_block(&serde_json::json!({
        "e": [{"k": {"$bytes": base64(key.as_bytes())}, "p": 0, "t": null, "v": {"$link": cid}}],
        "l": null,
    }));
    let commit = signed_commit("did:plc:abc", &node.0, &signing_key());
    (200, car_file(&commit.0, &[commit.clone(), node]))
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answers one request. It is recorded before the response is written, so a client that has
/// its answer always finds its request in [`TestServer::requests`].
fn serve(stream: TcpStream, handler: &Handler, requests: &Mutex<Vec<Request>>) -> Option<()> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let request = Request {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = handler(&request);
    let content_type = if request.path().starts_with("/xrpc/com.atproto.sync.") {
        "application/vnd.ipld.car"
    } else {
        "application/json"
    };
    requests.lock().ok()?.push(request);
    let mut stream = stream;
    let head = |status: u16, extra: &str| {
        format!(
            "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\n{extra}connection: close\r\n\r\n"
        )
    };
    match reply {
        Reply::Body(status, body) => {
            let head = head(status, &format!("content-length: {}\r\n", body.len()));
            stream.write_all(head.as_bytes()).ok()?;
            stream.write_all(&body).ok()?;
        }
        Reply::Sized { len, fill } => {
            stream
                .write_all(head(200, &format!("content-length: {len}\r\n")).as_bytes())
                .ok()?;
            let block = vec![fill; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let now = left.min(block.len() as u64) as usize;
                stream.write_all(&block[..now]).ok()?;
                left -= now as u64;
            }
        }
        Reply::Endless { prefix } => {
            stream
                .write_all(head(200, "transfer-encoding: chunked\r\n").as_bytes())
                .ok()?;
            // (A zero-length chunk would end the body.)
            if !prefix.is_empty() {
                write!(stream, "{:x}\r\n", prefix.len()).ok()?;
                stream.write_all(&prefix).ok()?;
                stream.write_all(b"\r\n").ok()?;
            }
            let block = vec![b'a'; 64 * 1024];
            loop {
                write!(stream, "{:x}\r\n", block.len()).ok()?;
                stream.write_all(&block).ok()?;
                stream.write_all(b"\r\n").ok()?;
            }
        }
        Reply::Drip { body, interval } => {
            let head = head(200, &format!("content-length: {}\r\n", body.len()));
            stream.write_all(head.as_bytes()).ok()?;
            for byte in body {
                std::thread::sleep(interval);
                stream.write_all(&[byte]).ok()?;
                stream.flush().ok()?;
            }
        }
        Reply::Redirect(status, location) => {
            let extra = format!("location: {location}\r\ncontent-length: 0\r\n");
            stream.write_all(head(status, &extra).as_bytes()).ok()?;
        }
        Reply::WithHeaders(status, headers, body) => {
            let mut extra = format!("content-length: {}\r\n", body.len());
            for (name, value) in headers {
                extra.push_str(&format!("{name}: {value}\r\n"));
            }
            stream.write_all(head(status, &extra).as_bytes()).ok()?;
            stream.write_all(&body).ok()?;
        }
    }
    stream.flush().ok()?;
    Some(())
}

/// A minimal authoritative DNS server on 127.0.0.1 answering TXT queries from a table (name
/// without trailing dot → records, each a list of strings of at most 255 bytes); other names get
/// NXDOMAIN. Answers longer than 512 bytes are truncated over UDP (TC) and served in full over
/// TCP on the same port, as a real server does.
pub struct TestDns {
    /// `127.0.0.1:<port>`, for `--dns-server` or [`crate::dns::DnsResolver::with_name_server`].
    pub addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Largest DNS answer sent over UDP (without EDNS).
const UDP_ANSWER_BYTES: usize = 512;

type TxtTable = std::collections::HashMap<String, Vec<Vec<String>>>;

impl TestDns {
    /// Serves `records` until dropped.
    pub fn start(records: Vec<(&str, Vec<Vec<&str>>)>) -> Self {
        let table: TxtTable = records
            .into_iter()
            .map(|(name, rrs)| {
                let rrs = rrs
                    .into_iter()
                    .map(|rr| rr.into_iter().map(str::to_string).collect())
                    .collect();
                (name.to_ascii_lowercase(), rrs)
            })
            .collect();
        let table = Arc::new(table);
        let (socket, listener) = bind_udp_and_tcp();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("UDP read timeout");
        let addr = socket.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let udp = {
            let (stop, table) = (stop.clone(), table.clone());
            std::thread::spawn(move || {
                let mut buf = [0u8; 1500];
                while !stop.load(Ordering::SeqCst) {
                    let Ok((len, peer)) = socket.recv_from(&mut buf) else {
                        continue;
                    };
                    if let Some(reply) = dns_reply(&buf[..len], &table, true) {
                        let _ = socket.send_to(&reply, peer);
                    }
                }
            })
        };
        let tcp = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let table = table.clone();
                    std::thread::spawn(move || serve_dns_tcp(stream, &table));
                }
            })
        };
        TestDns {
            addr,
            stop,
            threads: vec![udp, tcp],
        }
    }
}

/// A UDP socket and a TCP listener on the same free port of 127.0.0.1.
fn bind_udp_and_tcp() -> (std::net::UdpSocket, TcpListener) {
    for _ in 0..64 {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind UDP 127.0.0.1");
        let addr = socket.local_addr().expect("local address");
        if let Ok(listener) = TcpListener::bind(addr) {
            return (socket, listener);
        }
    }
    panic!("no port free for both UDP and TCP on 127.0.0.1");
}

/// Answers length-prefixed queries on one TCP connection until it closes.
fn serve_dns_tcp(mut stream: TcpStream, table: &TxtTable) -> Option<()> {
    loop {
        let mut len = [0u8; 2];
        stream.read_exact(&mut len).ok()?;
        let mut query = vec![0u8; u16::from_be_bytes(len) as usize];
        stream.read_exact(&mut query).ok()?;
        let reply = dns_reply(&query, table, false)?;
        stream.write_all(&(reply.len() as u16).to_be_bytes()).ok()?;
        stream.write_all(&reply).ok()?;
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The answer to `query`. Over `udp`, an answer longer than [`UDP_ANSWER_BYTES`] becomes its
/// header and question with TC set: "ask again over TCP".
fn dns_reply(query: &[u8], table: &TxtTable, udp: bool) -> Option<Vec<u8>> {
    if query.len() < 12 {
        return None;
    }
    // Question: labels from offset 12, then QTYPE and QCLASS.
    let mut pos = 12;
    let mut labels = Vec::new();
    loop {
        let len = *query.get(pos)? as usize;
        pos += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(pos..pos + len)?).to_ascii_lowercase());
        pos += len;
    }
    let qtype = u16::from_be_bytes([*query.get(pos)?, *query.get(pos + 1)?]);
    let question_end = pos + 4;
    let name = labels.join(".");
    let answers = table.get(&name).filter(|_| qtype == 16);
    let rcode: u8 = if table.contains_key(&name) { 0 } else { 3 };
    let mut out = Vec::new();
    out.extend_from_slice(&query[0..2]);
    out.push(0x84 | (query[2] & 0x01)); // QR, AA, copy RD
    out.push(0x80 | rcode); // RA, RCODE
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(answers.map_or(0, |a| a.len()) as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(query.get(12..question_end)?);
    for rr in answers.into_iter().flatten() {
        let mut rdata = Vec::new();
        for chunk in rr {
            rdata.push(chunk.len() as u8);
            rdata.extend_from_slice(chunk.as_bytes());
        }
        out.extend_from_slice(&[0xC0, 0x0C, 0, 16, 0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(&rdata);
    }
    if udp && out.len() > UDP_ANSWER_BYTES {
        out.truncate(question_end);
        out[2] |= 0x02; // TC
        out[6..8].fill(0); // no answers
    }
    Some(out)
}
