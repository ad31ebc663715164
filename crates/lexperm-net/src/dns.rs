//! Blocking DNS TXT lookups (hickory-resolver on an internal current-thread tokio runtime).

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;

use lexperm_parser::limits::MAX_TXT_ANSWER_BYTES;

use crate::error::{BodyKind, NetError};
use crate::http::{Deadline, RequestCounter};

/// The answer to a TXT query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtLookup {
    /// One entry per TXT resource record, each the list of its character strings (lossy UTF-8).
    Records(Vec<Vec<String>>),
    /// NXDOMAIN, or the name exists without TXT records.
    NotFound,
}

impl TxtLookup {
    /// The records found; none for [`TxtLookup::NotFound`].
    pub fn into_records(self) -> Vec<Vec<String>> {
        match self {
            TxtLookup::Records(records) => records,
            TxtLookup::NotFound => Vec::new(),
        }
    }
}

/// A blocking TXT resolver, either the system's (`/etc/resolv.conf`) or one name server `IP:PORT`.
pub struct DnsResolver {
    name_server: Option<SocketAddr>,
    timeout: Duration,
    deadline: Deadline,
    requests: RequestCounter,
}

impl fmt::Debug for DnsResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DnsResolver")
            .field("name_server", &self.name_server)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl DnsResolver {
    /// The system resolver.
    pub fn system() -> Self {
        DnsResolver {
            name_server: None,
            timeout: Duration::from_secs(5),
            deadline: Deadline::none(),
            requests: RequestCounter::new(),
        }
    }

    /// A resolver that asks only `addr` (UDP, then TCP), e.g. `127.0.0.1:5354`.
    pub fn with_name_server(addr: SocketAddr) -> Self {
        DnsResolver {
            name_server: Some(addr),
            timeout: Duration::from_secs(2),
            deadline: Deadline::none(),
            requests: RequestCounter::new(),
        }
    }

    /// `None` → system resolver, `Some(addr)` → that name server.
    pub fn from_option(addr: Option<SocketAddr>) -> Self {
        match addr {
            Some(addr) => Self::with_name_server(addr),
            None => Self::system(),
        }
    }

    /// Parse `IP:PORT` (as given to `--dns-server`).
    pub fn parse_server(text: &str) -> Result<SocketAddr, NetError> {
        text.parse().map_err(|_| NetError::InvalidInput {
            what: "DNS server",
            value: text.to_string(),
            detail: "expected IP:PORT, e.g. 127.0.0.1:5354".into(),
        })
    }

    /// The configured name server, if not the system's.
    pub fn name_server(&self) -> Option<SocketAddr> {
        self.name_server
    }

    /// Per-query timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// The command deadline every lookup shares: lookups wait at most until it, and fail at
    /// once with [`NetError::Deadline`] after it.
    pub fn set_deadline(&mut self, deadline: Deadline) {
        self.deadline = deadline;
    }

    /// Count the lookups in `requests` (see [`RequestCounter`]).
    pub fn set_request_counter(&mut self, requests: RequestCounter) {
        self.requests = requests;
    }

    fn build(&self, timeout: Duration) -> Result<TokioResolver, NetError> {
        let mut opts = ResolverOpts::default();
        opts.timeout = timeout;
        opts.attempts = 1;
        opts.cache_size = 0;
        let builder = match self.name_server {
            None => TokioResolver::builder_tokio().map_err(|e| NetError::Dns {
                name: "(system configuration)".into(),
                detail: e.to_string(),
            })?,
            Some(addr) => {
                let (mut udp, mut tcp) = (ConnectionConfig::udp(), ConnectionConfig::tcp());
                udp.port = addr.port();
                tcp.port = addr.port();
                let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                let config = ResolverConfig::from_name_servers(vec![server]);
                TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
            }
        };
        builder
            .with_options(opts)
            .build()
            .map_err(|e| NetError::Dns {
                name: "(resolver setup)".into(),
                detail: e.to_string(),
            })
    }

    /// Look up the TXT records of `name` (treated as fully qualified; no search domains). The
    /// answer is bounded: more than [`MAX_TXT_ANSWER_BYTES`] of TXT data is
    /// [`NetError::TooLarge`].
    pub fn txt(&self, name: &str) -> Result<TxtLookup, NetError> {
        let fqdn = if name.ends_with('.') {
            name.to_string()
        } else {
            format!("{name}.")
        };
        let late = || self.deadline.error(&format!("DNS TXT {name}"));
        let timeout = match self.deadline.remaining() {
            Some(left) if left.is_zero() => return Err(late()),
            Some(left) => self.timeout.min(left),
            None => self.timeout,
        };
        self.requests.add();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| NetError::Dns {
                name: name.to_string(),
                detail: format!("cannot start the DNS runtime: {e}"),
            })?;
        let answer = runtime.block_on(async {
            let resolver = self.build(timeout)?;
            let lookup = resolver.txt_lookup(fqdn.as_str());
            match self.deadline.remaining() {
                Some(left) => tokio::time::timeout(left, lookup).await.ok(),
                None => Some(lookup.await),
            }
            .map(|result| txt_records(name, result))
            .transpose()
        });
        match answer {
            Ok(Some(lookup)) => Ok(lookup),
            Ok(None) => Err(late()),
            Err(_) if self.deadline.is_over() => Err(late()),
            Err(e) => Err(e),
        }
    }

    /// The DID named by `_lexicon.<authority>` (exactly one `did=` entry required).
    pub fn lexicon_authority_did(&self, authority: &str) -> Result<String, NetError> {
        let name = crate::authority::lexicon_record_name(authority);
        let records = self.txt(&name)?.into_records();
        Ok(crate::authority::did_from_txt(&name, &records)?)
    }

    /// Check that `_lexicon.<authority>` names exactly `expected_did`.
    pub fn check_lexicon_authority(
        &self,
        authority: &str,
        expected_did: &str,
    ) -> Result<(), NetError> {
        let name = crate::authority::lexicon_record_name(authority);
        let records = self.txt(&name)?.into_records();
        Ok(crate::authority::check_txt_authority(
            &name,
            &records,
            expected_did,
        )?)
    }
}

/// The TXT records of a lookup result, at most [`MAX_TXT_ANSWER_BYTES`] of them (counted as on
/// the wire: each string and its length byte).
fn txt_records(
    name: &str,
    result: Result<hickory_resolver::lookup::Lookup, hickory_resolver::net::NetError>,
) -> Result<TxtLookup, NetError> {
    let lookup = match result {
        Ok(lookup) => lookup,
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => return Ok(TxtLookup::NotFound),
        Err(e) => {
            return Err(NetError::Dns {
                name: name.to_string(),
                detail: e.to_string(),
            })
        }
    };
    let mut records = Vec::new();
    let mut size = 0usize;
    for record in lookup.answers() {
        if let RData::TXT(txt) = &record.data {
            size += txt
                .txt_data
                .iter()
                .map(|chunk| chunk.len() + 1)
                .sum::<usize>();
            if size > MAX_TXT_ANSWER_BYTES {
                return Err(NetError::TooLarge {
                    url: name.to_string(),
                    kind: BodyKind::TxtAnswer,
                    limit: MAX_TXT_ANSWER_BYTES,
                });
            }
            records.push(
                txt.txt_data
                    .iter()
                    .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                    .collect(),
            );
        }
    }
    if records.is_empty() {
        Ok(TxtLookup::NotFound)
    } else {
        Ok(TxtLookup::Records(records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::AuthorityError;
    use crate::test_server::TestDns;

    fn server() -> TestDns {
        TestDns::start(vec![
            ("_lexicon.example.com", vec![vec!["did=did:plc:right"]]),
            (
                "_lexicon.two.example.com",
                vec![vec!["did=did:plc:a"], vec!["did=did:plc:b"]],
            ),
            (
                "_lexicon.chunked.example.com",
                vec![vec!["did=did:plc:", "chunked"]],
            ),
            ("_lexicon.spf.example.com", vec![vec!["v=spf1 -all"]]),
        ])
    }

    #[test]
    fn txt_records_and_not_found() {
        let dns = server();
        let resolver = DnsResolver::with_name_server(dns.addr);
        assert_eq!(
            resolver.txt("_lexicon.Example.com.").unwrap(),
            TxtLookup::Records(vec![vec!["did=did:plc:right".to_string()]])
        );
        assert_eq!(
            resolver.txt("_lexicon.chunked.example.com").unwrap(),
            TxtLookup::Records(vec![vec![
                "did=did:plc:".to_string(),
                "chunked".to_string()
            ]])
        );
        assert_eq!(
            resolver.txt("_lexicon.nothing.example.com").unwrap(),
            TxtLookup::NotFound
        );
    }

    #[test]
    fn lexicon_authority_outcomes() {
        let dns = server();
        let resolver = DnsResolver::with_name_server(dns.addr);
        assert_eq!(
            resolver.lexicon_authority_did("example.com").unwrap(),
            "did:plc:right"
        );
        assert_eq!(
            resolver
                .lexicon_authority_did("chunked.example.com")
                .unwrap(),
            "did:plc:chunked"
        );
        let authority = |a: &str| match resolver.lexicon_authority_did(a) {
            Err(NetError::Authority(e)) => e,
            other => panic!("{a}: {other:?}"),
        };
        assert!(matches!(
            authority("two.example.com"),
            AuthorityError::Ambiguous { .. }
        ));
        assert!(matches!(
            authority("spf.example.com"),
            AuthorityError::NoDidEntry { .. }
        ));
        assert!(matches!(
            authority("missing.example.com"),
            AuthorityError::Missing { .. }
        ));
        assert!(resolver
            .check_lexicon_authority("example.com", "did:plc:right")
            .is_ok());
        assert!(matches!(
            resolver.check_lexicon_authority("example.com", "did:plc:other"),
            Err(NetError::Authority(AuthorityError::Mismatch { .. }))
        ));
    }

    #[test]
    fn server_address_parsing() {
        assert_eq!(
            DnsResolver::parse_server("127.0.0.1:5354").unwrap(),
            "127.0.0.1:5354".parse().unwrap()
        );
        assert!(DnsResolver::parse_server("localhost").is_err());
    }
}
