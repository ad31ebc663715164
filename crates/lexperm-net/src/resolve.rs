//! Lexicon resolution: NSID → `_lexicon` TXT → DID → DID document → PDS → `getRecord` →
//! checked lexicon document, through the resolution cache.

use std::collections::HashMap;
use std::sync::Mutex;

use lexperm_datamodel::cid::Cid;
use serde_json::Value;

use crate::authority::nsid_authority;
use crate::cache::{CachedLexicon, ResolutionCache, ResolutionSource};
use crate::error::{printable, NetError, XrpcErrorKind};
use crate::identity::{DidDocument, IdentityResolver};
use crate::published::{
    authority_repository, list_repository, listing_error, ChainStep, ListingError, PublishedGroup,
};
use crate::xrpc::{XrpcClient, LEXICON_COLLECTION};
use lexperm_datamodel::proof::verify_record_proof;

/// A resolved lexicon and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedLexicon {
    /// The lexicon and its provenance (DID, PDS, URI, CID).
    pub lexicon: CachedLexicon,
    /// Network or cache (fresh/stale).
    pub source: ResolutionSource,
}

/// Check that a fetched record is a publishable lexicon for `nsid`: an object with
/// `lexicon: 1`, `id == nsid`, an object `defs`, and `$type` (when present) equal to the collection.
pub fn check_lexicon_record(nsid: &str, uri: &str, record: &Value) -> Result<(), NetError> {
    let invalid = |detail: String| NetError::InvalidLexicon {
        nsid: nsid.to_string(),
        uri: uri.to_string(),
        detail,
    };
    let obj = record
        .as_object()
        .ok_or_else(|| invalid("the record is not a JSON object".into()))?;
    if let Some(t) = obj.get("$type") {
        if t.as_str() != Some(LEXICON_COLLECTION) {
            return Err(invalid(format!(
                "`$type` is {t}, expected \"{LEXICON_COLLECTION}\""
            )));
        }
    }
    match obj.get("lexicon") {
        Some(v) if v.as_i64() == Some(1) => {}
        Some(v) => return Err(invalid(format!("`lexicon` is {v}, expected 1"))),
        None => return Err(invalid("missing `lexicon`".into())),
    }
    match obj.get("id").and_then(Value::as_str) {
        Some(id) if id == nsid => {}
        Some(id) => {
            return Err(invalid(format!(
                "`id` is \"{}\" but the record key is \"{nsid}\"",
                printable(id)
            )))
        }
        None => return Err(invalid("missing string `id`".into())),
    }
    if !obj.get("defs").is_some_and(Value::is_object) {
        return Err(invalid("missing object `defs`".into()));
    }
    Ok(())
}

/// Check that the authority's signed repository holds `cid` for the lexicon record of `nsid`:
/// `com.atproto.sync.getRecord` and [`verify_record_proof`] against the DID document's
/// `#atproto` key. Without it, a PDS could serve any content under the authority's name.
pub fn check_record_proof(
    client: &XrpcClient,
    doc: &DidDocument,
    nsid: &str,
    uri: &str,
    cid: &str,
) -> Result<(), NetError> {
    let invalid = |detail: String| NetError::InvalidLexicon {
        nsid: nsid.to_string(),
        uri: uri.to_string(),
        detail: format!("repository proof: {detail}"),
    };
    let key = doc
        .atproto_signing_key()
        .ok_or_else(|| invalid(format!("{} has no #atproto signing key", doc.id)))?;
    let cid = Cid::parse(cid).map_err(|e| invalid(format!("bad record CID: {e}")))?;
    let car = client.get_record_proof(&doc.id, LEXICON_COLLECTION, nsid)?;
    verify_record_proof(&car, &doc.id, key, LEXICON_COLLECTION, nsid, &cid)
        .map(|_| ())
        .map_err(|source| NetError::Proof {
            nsid: nsid.to_string(),
            uri: uri.to_string(),
            source: Box::new(source),
        })
}

/// Check that `record` hashes to `cid` (DAG-CBOR, CIDv1 sha2-256), so the content is the one the
/// repository commits to. (The commit signature itself is not verified; see docs/net.md.)
pub fn check_record_cid(nsid: &str, uri: &str, record: &Value, cid: &str) -> Result<(), NetError> {
    let invalid = |detail: String| NetError::InvalidLexicon {
        nsid: nsid.to_string(),
        uri: uri.to_string(),
        detail,
    };
    let local = lexperm_codegen::records::schema_record(record)
        .map_err(|e| invalid(format!("cannot recompute the record's CID: {e}")))?;
    let local = local.cid().to_string();
    if local == cid {
        Ok(())
    } else {
        Err(invalid(format!(
            "the PDS reports CID {}, but the record's content hashes to {local}",
            printable(cid)
        )))
    }
}

/// The AT-URI of the lexicon record of `nsid` in `did`'s repository.
pub fn record_uri(did: &str, nsid: &str) -> String {
    format!("at://{did}/{LEXICON_COLLECTION}/{nsid}")
}

/// The repository an authority names: its DID, DID document and PDS.
#[derive(Debug, Clone)]
pub(crate) struct Repository {
    pub(crate) did: String,
    pub(crate) doc: DidDocument,
    pub(crate) pds: String,
}

/// Resolves NSIDs to published lexicons.
///
/// Within one resolver (one command run), an authority's `_lexicon` record and its DID document
/// are looked up once and reused for every NSID of that authority: a pull of 50 lexicons of one
/// group makes two identity lookups, not a hundred.
#[derive(Debug)]
pub struct LexiconResolver {
    identity: IdentityResolver,
    cache: Option<ResolutionCache>,
    offline: bool,
    repositories: Mutex<HashMap<String, Repository>>,
}

impl LexiconResolver {
    /// A resolver; `cache` may be `None` (always fetch). `offline` uses only the cache.
    pub fn new(identity: IdentityResolver, cache: Option<ResolutionCache>, offline: bool) -> Self {
        LexiconResolver {
            identity,
            cache,
            offline,
            repositories: Mutex::new(HashMap::new()),
        }
    }

    /// The repository of `authority`, looked up once per resolver (failures are not kept, so
    /// each NSID reports its own), with the step a failure happened at.
    fn repository(&self, authority: &str) -> Result<Repository, (ChainStep, NetError)> {
        if let Some(found) = self
            .repositories
            .lock()
            .ok()
            .and_then(|known| known.get(authority).cloned())
        {
            return Ok(found);
        }
        let repository = authority_repository(&self.identity, authority)?;
        if let Ok(mut known) = self.repositories.lock() {
            known.insert(authority.to_owned(), repository.clone());
        }
        Ok(repository)
    }

    /// [`crate::published::list_published`] through this resolver: the authority's repository
    /// is looked up once for the listing and every NSID resolved after it.
    pub fn list_published(&self, authority: &str) -> Result<PublishedGroup, ListingError> {
        let repository = self
            .repository(authority)
            .map_err(|(step, error)| listing_error(authority, step, error))?;
        list_repository(&self.identity, authority, repository.did, repository.pds)
    }

    /// The identity resolver (DNS, DID documents, XRPC clients) it resolves through.
    pub fn identity(&self) -> &IdentityResolver {
        &self.identity
    }

    /// What the cache reported since the last call: discarded entries, the cache being turned
    /// off (see [`ResolutionCache::take_warnings`]).
    pub fn take_warnings(&self) -> Vec<String> {
        self.cache
            .as_ref()
            .map(ResolutionCache::take_warnings)
            .unwrap_or_default()
    }

    /// Fetch from the network, bypassing the cache.
    pub fn fetch(&self, nsid: &str) -> Result<CachedLexicon, NetError> {
        let authority = nsid_authority(nsid)?;
        let Repository { did, doc, pds } =
            self.repository(&authority).map_err(|(_, error)| error)?;
        let client = self.identity.xrpc_client(&pds)?;
        let record = client
            .get_record(&did, LEXICON_COLLECTION, nsid)
            .map_err(|e| match e.xrpc_kind() {
                Some(XrpcErrorKind::RecordNotFound) => NetError::NotPublished {
                    nsid: nsid.to_string(),
                    did: did.clone(),
                    authority: authority.clone(),
                    pds: pds.clone(),
                },
                _ => e,
            })?;
        let uri = record_uri(&did, nsid);
        if record.uri != uri {
            return Err(NetError::InvalidLexicon {
                nsid: nsid.to_string(),
                uri,
                detail: format!(
                    "the PDS answered with the record URI `{}`",
                    printable(&record.uri)
                ),
            });
        }
        check_lexicon_record(nsid, &record.uri, &record.value)?;
        check_record_cid(nsid, &record.uri, &record.value, &record.cid)?;
        check_record_proof(&client, &doc, nsid, &record.uri, &record.cid)?;
        let fetched_at = match &self.cache {
            Some(c) => c.now_secs(),
            None => crate::cache::unix_secs(std::time::SystemTime::now()),
        };
        Ok(CachedLexicon {
            nsid: nsid.to_string(),
            did,
            pds,
            uri: record.uri,
            cid: record.cid,
            record: record.value,
            fetched_at,
        })
    }

    /// Resolve through the cache policy (see [`ResolutionCache::resolve_with`]).
    pub fn resolve(&self, nsid: &str) -> Result<ResolvedLexicon, NetError> {
        nsid_authority(nsid)?;
        match &self.cache {
            Some(cache) => {
                let (lexicon, source) =
                    cache.resolve_with(nsid, self.offline, || self.fetch(nsid))?;
                Ok(ResolvedLexicon { lexicon, source })
            }
            None if self.offline => Err(NetError::NotCached {
                nsid: nsid.to_string(),
            }),
            None => Ok(ResolvedLexicon {
                lexicon: self.fetch(nsid)?,
                source: ResolutionSource::Network,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::DnsResolver;
    use crate::test_server::{
        plc_with_pds, record, record_not_found, record_proof, TestDns, TestServer,
    };
    use lexperm_datamodel::proof::ProofError;
    use serde_json::json;

    /// DNS + PLC + PDS fakes for `com.example.*` published by did:plc:abc.
    fn world() -> (TestDns, TestServer, TestServer) {
        let pds = TestServer::start_bytes(|req| {
            let rkey = req.target.split("rkey=").nth(1).unwrap_or("").to_string();
            let doc =
                |id: &str| json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": id, "defs": {}});
            let value = match rkey.as_str() {
                "com.example.good" | "com.example.tampered" | "com.example.unproven" => doc(&rkey),
                "com.example.wrongid" => doc("com.example.other"),
                _ => return record_not_found(),
            };
            let real = lexperm_codegen::records::schema_record(&value)
                .map(|r| r.cid().to_string())
                .unwrap_or_default();
            let other = "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku".to_string();
            if req.path() == "/xrpc/com.atproto.sync.getRecord" {
                // The signed repository holds other content for the unproven record.
                let proven = if rkey == "com.example.unproven" {
                    other
                } else {
                    real
                };
                return record_proof(LEXICON_COLLECTION, &rkey, &proven);
            }
            // The real CID of the content, except for the tampered record.
            let cid = if rkey == "com.example.tampered" {
                other
            } else {
                real
            };
            record(LEXICON_COLLECTION, &rkey, &cid, &value)
        });
        let plc = plc_with_pds(pds.url.clone());
        let dns = TestDns::start(vec![
            ("_lexicon.example.com", vec![vec!["did=did:plc:abc"]]),
            ("_atproto.alice.test", vec![vec!["did=did:plc:abc"]]),
        ]);
        (dns, plc, pds)
    }

    #[test]
    fn resolves_through_dns_plc_and_pds() {
        let (dns, plc, pds) = world();
        let identity =
            IdentityResolver::new(&plc.url, DnsResolver::with_name_server(dns.addr)).unwrap();
        assert_eq!(
            identity.resolve_handle("alice.test").unwrap(),
            "did:plc:abc"
        );
        assert_eq!(
            identity.resolve_account("@alice.test").unwrap(),
            ("did:plc:abc".to_string(), pds.url.clone())
        );
        let resolver = LexiconResolver::new(identity, None, false);
        let before = resolver.identity().requests().count();
        let got = resolver.resolve("com.example.good").unwrap();
        // TXT, DID document, getRecord and the repository proof.
        assert_eq!(resolver.identity().requests().count() - before, 4);
        assert_eq!(got.source, ResolutionSource::Network);
        assert_eq!(got.lexicon.did, "did:plc:abc");
        assert!(
            got.lexicon.cid.starts_with("bafyrei"),
            "{}",
            got.lexicon.cid
        );
        let err = resolver
            .resolve("com.example.tampered")
            .unwrap_err()
            .to_string();
        assert!(err.contains("hashes to"), "{err}");
        assert_eq!(got.lexicon.pds, pds.url);
        let err = resolver
            .resolve("com.example.unproven")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("repository proof: the signed repository holds bafyreihdwd"),
            "{err}"
        );
        let err = resolver.resolve("com.example.unproven").unwrap_err();
        assert!(
            matches!(
                &err,
                NetError::Proof { source, .. } if matches!(
                    source.as_ref(),
                    ProofError::RecordMismatch { found, .. }
                        if found.to_string().starts_with("bafyreihdwd")
                )
            ),
            "{err:?}"
        );
        let err = resolver.resolve("com.example.wrongid").unwrap_err();
        assert!(matches!(err, NetError::InvalidLexicon { .. }), "{err:?}");
        let err = resolver.resolve("com.example.absent").unwrap_err();
        assert!(matches!(err, NetError::NotPublished { .. }), "{err:?}");
        let err = resolver.resolve("org.nowhere.thing").unwrap_err();
        assert!(matches!(err, NetError::Authority(_)), "{err:?}");
        let offline = LexiconResolver::new(
            IdentityResolver::new(&plc.url, DnsResolver::system()).unwrap(),
            None,
            true,
        );
        assert!(matches!(
            offline.resolve("com.example.good"),
            Err(NetError::NotCached { .. })
        ));
    }

    #[test]
    fn record_checks() {
        let nsid = "com.example.foo";
        let ok =
            json!({"$type": "com.atproto.lexicon.schema", "lexicon": 1, "id": nsid, "defs": {}});
        assert!(check_lexicon_record(nsid, "at://x", &ok).is_ok());
        let cases = [
            (json!([]), "not a JSON object"),
            (
                json!({"lexicon": 2, "id": nsid, "defs": {}}),
                "`lexicon` is 2",
            ),
            (json!({"id": nsid, "defs": {}}), "missing `lexicon`"),
            (
                json!({"lexicon": 1, "id": "com.example.bar", "defs": {}}),
                "record key is",
            ),
            (json!({"lexicon": 1, "id": nsid}), "missing object `defs`"),
            (
                json!({"$type": "x.y.z", "lexicon": 1, "id": nsid, "defs": {}}),
                "`$type`",
            ),
        ];
        for (value, needle) in cases {
            let err = check_lexicon_record(nsid, "at://x", &value)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err} lacks {needle}");
        }
    }
}
