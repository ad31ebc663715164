//! Identity: handle → DID, DID → DID document (did:plc via a PLC directory, did:web via HTTPS),
//! DID document → PDS endpoint.

use std::time::Duration;

use serde::Deserialize;

use crate::dns::{DnsResolver, TxtLookup};
use crate::error::{printable, BodyKind, NetError};
use crate::http::{
    check_endpoint, get_json, get_text, Deadline, Http, RequestCounter, DEFAULT_TIMEOUT,
};
use crate::xrpc::XrpcClient;

/// The public PLC directory, used when no other is configured.
pub const DEFAULT_PLC_URL: &str = "https://plc.directory";

/// Check DID syntax ([`lexperm_parser::syntax::Did`]): `did:<method>:<id>`, method lowercase
/// letters, id from the allowed set; the error says which rule is broken.
pub fn validate_did(did: &str) -> Result<(), String> {
    lexperm_parser::syntax::Did::check(did).map_err(|err| err.message)
}

/// A DID document, reduced to what lexperm uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct DidDocument {
    /// The DID.
    pub id: String,
    /// `alsoKnownAs` URIs (e.g. `at://alice.test`).
    #[serde(default, rename = "alsoKnownAs")]
    pub also_known_as: Vec<String>,
    /// Services.
    #[serde(default)]
    pub service: Vec<DidService>,
    /// Verification methods (the `#atproto` one signs the repository).
    #[serde(default, rename = "verificationMethod")]
    pub verification_method: Vec<VerificationMethod>,
}

/// One verification method of a DID document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct VerificationMethod {
    /// `#atproto` or `<did>#atproto` for the repository signing key.
    pub id: String,
    /// `Multikey` for atproto keys.
    #[serde(rename = "type")]
    pub kind: String,
    /// The key: `z` + base58btc of the multicodec key bytes.
    #[serde(default, rename = "publicKeyMultibase")]
    pub public_key_multibase: Option<String>,
}

/// One service entry of a DID document.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct DidService {
    /// `#atproto_pds` or `<did>#atproto_pds`.
    pub id: String,
    /// Service type, `AtprotoPersonalDataServer` for a PDS.
    #[serde(rename = "type")]
    pub kind: String,
    /// The endpoint URL (a string for the services lexperm uses).
    #[serde(rename = "serviceEndpoint")]
    pub endpoint: serde_json::Value,
}

impl DidDocument {
    /// The `#atproto_pds` service endpoint, without a trailing slash. It must be `https://`
    /// (`http://` only for a loopback host, see [`check_endpoint`]); anything else is refused
    /// with the reason.
    pub fn pds_endpoint(&self) -> Result<String, NetError> {
        let refuse = |detail: String| NetError::Identity {
            subject: printable(&self.id),
            detail,
        };
        let service = self
            .service
            .iter()
            .find(|s| {
                (s.id == "#atproto_pds" || s.id == format!("{}#atproto_pds", self.id))
                    && s.kind == "AtprotoPersonalDataServer"
            })
            .ok_or_else(|| refuse("the DID document has no #atproto_pds service".into()))?;
        let endpoint = service
            .endpoint
            .as_str()
            .ok_or_else(|| refuse("the #atproto_pds service endpoint is not a string".into()))?;
        let url = check_endpoint(endpoint).map_err(|why| {
            refuse(format!(
                "the #atproto_pds service endpoint `{}` is refused: {why}",
                printable(endpoint)
            ))
        })?;
        Ok(url.as_str().trim_end_matches('/').to_string())
    }

    /// The repository signing key: the `#atproto` verification method's type and
    /// `publicKeyMultibase`.
    pub fn atproto_signing_key(&self) -> Option<lexperm_datamodel::proof::SigningKey<'_>> {
        let method = self.verification_method.iter().find(|m| {
            m.id == "#atproto" || m.id.strip_suffix("#atproto") == Some(self.id.as_str())
        })?;
        Some(lexperm_datamodel::proof::SigningKey {
            kind: &method.kind,
            public_key_multibase: method.public_key_multibase.as_deref()?,
        })
    }

    /// The handle claimed in `alsoKnownAs` (`at://<handle>`), if any.
    pub fn handle(&self) -> Option<&str> {
        self.also_known_as
            .iter()
            .find_map(|a| a.strip_prefix("at://"))
    }
}

/// The HTTPS URL of a did:web document: `did:web:example.com` → `https://example.com/.well-known/did.json`,
/// `did:web:example.com:u:alice` → `https://example.com/u/alice/did.json`; `%3A` in the host is a port.
pub fn did_web_url(did: &str) -> Result<String, NetError> {
    let invalid = |detail: &str| NetError::InvalidInput {
        what: "did:web",
        value: did.to_string(),
        detail: detail.to_string(),
    };
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| invalid("not a did:web"))?;
    let mut parts = rest.split(':');
    let host_enc = parts
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| invalid("missing host"))?;
    let host = percent_encoding::percent_decode_str(host_enc)
        .decode_utf8()
        .map_err(|_| invalid("host is not UTF-8"))?
        .to_string();
    if host.contains('/') || host.contains('@') {
        return Err(invalid("host contains `/` or `@`"));
    }
    let path: Vec<&str> = parts.collect();
    if path.is_empty() {
        Ok(format!("https://{host}/.well-known/did.json"))
    } else {
        Ok(format!("https://{host}/{}/did.json", path.join("/")))
    }
}

/// Resolves handles and DIDs. Blocking.
#[derive(Debug)]
pub struct IdentityResolver {
    http: Http,
    plc_url: String,
    dns: DnsResolver,
}

impl IdentityResolver {
    /// A resolver using `plc_url` (e.g. [`DEFAULT_PLC_URL`]) and the given DNS resolver.
    pub fn new(plc_url: &str, dns: DnsResolver) -> Result<Self, NetError> {
        Self::with_timeout(plc_url, dns, DEFAULT_TIMEOUT)
    }

    /// Same, with a per-request deadline. The PLC URL must be `https://` (`http://` only for a
    /// loopback host).
    pub fn with_timeout(
        plc_url: &str,
        dns: DnsResolver,
        timeout: Duration,
    ) -> Result<Self, NetError> {
        check_endpoint(plc_url).map_err(|detail| NetError::InvalidInput {
            what: "PLC directory URL",
            value: printable(plc_url),
            detail,
        })?;
        let http = Http::new(timeout)?;
        let mut dns = dns;
        dns.set_request_counter(http.requests());
        Ok(IdentityResolver {
            http,
            plc_url: plc_url.trim_end_matches('/').to_string(),
            dns,
        })
    }

    /// The same resolver under the command deadline `deadline` (HTTP and DNS), which the
    /// clients it hands out ([`IdentityResolver::xrpc_client`]) share.
    pub fn with_deadline(mut self, deadline: Deadline) -> Self {
        self.http = self.http.with_deadline(deadline);
        self.dns.set_deadline(deadline);
        self
    }

    /// The command deadline.
    pub fn deadline(&self) -> Deadline {
        self.http.deadline()
    }

    /// An XRPC client for `base_url` with this resolver's deadlines.
    pub fn xrpc_client(&self, base_url: &str) -> Result<XrpcClient, NetError> {
        XrpcClient::with_http(self.http.clone(), base_url)
    }

    /// The count of the requests sent through this resolver: DNS lookups and HTTP requests,
    /// those of the XRPC clients it handed out included.
    pub fn requests(&self) -> RequestCounter {
        self.http.requests()
    }

    /// The DNS resolver in use.
    pub fn dns(&self) -> &DnsResolver {
        &self.dns
    }

    /// Handle → DID: DNS `_atproto.<handle>` TXT `did=…` first, then
    /// `https://<handle>/.well-known/atproto-did`.
    pub fn resolve_handle(&self, handle: &str) -> Result<String, NetError> {
        let handle = handle.trim_start_matches('@').to_ascii_lowercase();
        let name = format!("_atproto.{handle}");
        let dns_problem = match self.dns.txt(&name) {
            Ok(TxtLookup::Records(records)) => {
                let dids: Vec<String> = records
                    .iter()
                    .map(|r| r.concat())
                    .filter_map(|v| v.strip_prefix("did=").map(str::to_string))
                    .collect();
                match dids.as_slice() {
                    [one] if validate_did(one).is_ok() => return Ok(one.clone()),
                    [one] => format!("{name} holds an invalid DID `{}`", printable(one)),
                    [] => format!("{name} has no `did=` TXT entry"),
                    _ => format!("{name} has {} `did=` TXT entries", dids.len()),
                }
            }
            Ok(TxtLookup::NotFound) => format!("no TXT record at {name}"),
            Err(e @ NetError::Deadline { .. }) => return Err(e),
            Err(e) => e.to_string(),
        };
        let url = format!("https://{handle}/.well-known/atproto-did");
        match get_text(&self.http, &url, BodyKind::HandleDid) {
            Ok(body) => {
                let did = body.trim().to_string();
                validate_did(&did).map_err(|detail| NetError::Identity {
                    subject: handle.clone(),
                    detail: format!("{url} returned an invalid DID: {detail}"),
                })?;
                Ok(did)
            }
            Err(e @ NetError::Deadline { .. }) => Err(e),
            Err(https_err) => Err(NetError::Identity {
                subject: handle,
                detail: format!("DNS: {dns_problem}; HTTPS: {https_err}"),
            }),
        }
    }

    /// Handle → DID through a PDS's `com.atproto.identity.resolveHandle`.
    pub fn resolve_handle_via_pds(
        &self,
        pds: &XrpcClient,
        handle: &str,
    ) -> Result<String, NetError> {
        pds.resolve_handle(handle.trim_start_matches('@'))
    }

    /// DID → DID document (did:plc via the PLC directory, did:web via HTTPS).
    pub fn resolve_did(&self, did: &str) -> Result<DidDocument, NetError> {
        validate_did(did).map_err(|detail| NetError::InvalidInput {
            what: "DID",
            value: did.to_string(),
            detail,
        })?;
        let url = if did.starts_with("did:plc:") {
            format!("{}/{}", self.plc_url, did)
        } else if did.starts_with("did:web:") {
            did_web_url(did)?
        } else {
            return Err(NetError::Identity {
                subject: did.to_string(),
                detail: "only did:plc and did:web are supported".into(),
            });
        };
        let doc: DidDocument =
            get_json(&self.http, &url, BodyKind::DidDocument).map_err(|e| match e {
                NetError::HttpStatus { status: 404, .. } => NetError::Identity {
                    subject: did.to_string(),
                    detail: format!("no DID document at {url} (HTTP 404)"),
                },
                other => other,
            })?;
        if doc.id != did {
            return Err(NetError::Identity {
                subject: did.to_string(),
                detail: format!("{url} returned the document of {}", printable(&doc.id)),
            });
        }
        Ok(doc)
    }

    /// DID → PDS endpoint URL.
    pub fn pds_of(&self, did: &str) -> Result<String, NetError> {
        self.resolve_did(did)?.pds_endpoint()
    }

    /// A handle or DID → (DID, PDS endpoint).
    pub fn resolve_account(&self, handle_or_did: &str) -> Result<(String, String), NetError> {
        let did = if handle_or_did.starts_with("did:") {
            handle_or_did.to_string()
        } else {
            self.resolve_handle(handle_or_did)?
        };
        let pds = self.pds_of(&did)?;
        Ok((did, pds))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_syntax() {
        assert!(validate_did("did:plc:5agkmcx3amx3mzd4mutehtlq").is_ok());
        assert!(validate_did("did:web:example.com%3A8080").is_ok());
        for bad in [
            "did:plc:",
            "plc:abc",
            "did:PLC:abc",
            "did:plc:a b",
            "did:plc:abc:",
            "did=did:plc:x",
        ] {
            assert!(validate_did(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn did_web_urls() {
        assert_eq!(
            did_web_url("did:web:example.com").unwrap(),
            "https://example.com/.well-known/did.json"
        );
        assert_eq!(
            did_web_url("did:web:localhost%3A8443:u:alice").unwrap(),
            "https://localhost:8443/u/alice/did.json"
        );
        assert!(did_web_url("did:web:").is_err());
        assert!(did_web_url("did:plc:abc").is_err());
    }

    #[test]
    fn resolve_did_via_plc_server() {
        let plc = crate::test_server::TestServer::start(|req| {
            match req.path() {
            "/did:plc:abc" => (
                200,
                r##"{"id":"did:plc:abc","service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"http://localhost:1"}]}"##.into(),
            ),
            "/did:plc:liar" => (200, r#"{"id":"did:plc:other"}"#.into()),
            _ => (404, r#"{"message":"DID not registered"}"#.into()),
        }
        });
        let resolver = IdentityResolver::new(&plc.url, DnsResolver::system()).unwrap();
        assert_eq!(
            resolver.pds_of("did:plc:abc").unwrap(),
            "http://localhost:1"
        );
        let err = resolver
            .resolve_did("did:plc:missing")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no DID document at") && err.contains("HTTP 404"),
            "{err}"
        );
        let err = resolver
            .resolve_did("did:plc:liar")
            .unwrap_err()
            .to_string();
        assert!(err.contains("document of did:plc:other"), "{err}");
        let err = resolver
            .resolve_did("did:key:zabc")
            .unwrap_err()
            .to_string();
        assert!(err.contains("only did:plc and did:web"), "{err}");
        let err = resolver
            .resolve_account("did:plc:liar")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did:plc:other"), "{err}");
    }

    #[test]
    fn pds_endpoint_from_document() {
        let doc: DidDocument = serde_json::from_value(serde_json::json!({
            "id": "did:plc:abc",
            "alsoKnownAs": ["at://alice.test"],
            "service": [
                {"id": "#other", "type": "X", "serviceEndpoint": "https://x"},
                {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": "http://localhost:2583/"}
            ]
        }))
        .unwrap();
        assert_eq!(doc.pds_endpoint().unwrap(), "http://localhost:2583");
        assert_eq!(doc.handle(), Some("alice.test"));
        let none: DidDocument =
            serde_json::from_value(serde_json::json!({"id": "did:plc:abc"})).unwrap();
        let err = none.pds_endpoint().unwrap_err().to_string();
        assert!(err.contains("no #atproto_pds service"), "{err}");
        let plain_http: DidDocument = serde_json::from_value(serde_json::json!({
            "id": "did:plc:abc",
            "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                         "serviceEndpoint": "http://pds.example.com"}]
        }))
        .unwrap();
        let err = plain_http.pds_endpoint().unwrap_err().to_string();
        assert!(err.contains("`http://pds.example.com` is refused"), "{err}");
    }
}
