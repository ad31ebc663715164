//! [`NetLexiconSource`]: the resolver's [`LexiconSource`] over the network resolution chain
//! (DNS `_lexicon` TXT → DID → DID document → PDS → `getRecord` → checked record), through the
//! resolution cache.
//!
//! The resolver only sees a location (the record's AT-URI) and the document text; what else is
//! known about each fetch (DID, PDS, CID, network or cache) is kept here, by NSID, for callers
//! that want to show it ([`NetLexiconSource::provenance`]).

use std::collections::BTreeMap;

use lexperm_parser::syntax::Nsid;
use lexperm_resolver::{FetchedLexicon, LexiconSource, ResolveError};

use crate::error::NetError;
use crate::resolve::{LexiconResolver, ResolvedLexicon};

/// Fetches missing lexicons through a [`LexiconResolver`] (which applies the cache policy and
/// `--offline`) and remembers where each came from.
#[derive(Debug)]
pub struct NetLexiconSource {
    resolver: LexiconResolver,
    resolved: BTreeMap<String, ResolvedLexicon>,
    attempts: usize,
}

impl NetLexiconSource {
    /// A source over `resolver`.
    pub fn new(resolver: LexiconResolver) -> Self {
        NetLexiconSource {
            resolver,
            resolved: BTreeMap::new(),
            attempts: 0,
        }
    }

    /// Where a successfully fetched `nsid` came from (AT-URI, CID, DID, PDS, network or cache).
    pub fn provenance(&self, nsid: &str) -> Option<&ResolvedLexicon> {
        self.resolved.get(nsid)
    }

    /// Every successful fetch, by NSID.
    pub fn fetched(&self) -> impl Iterator<Item = &ResolvedLexicon> {
        self.resolved.values()
    }

    /// What the resolution cache reported since the last call (see
    /// [`LexiconResolver::take_warnings`]).
    pub fn take_warnings(&self) -> Vec<String> {
        self.resolver.take_warnings()
    }

    /// How many fetches were asked for (successful or not).
    pub fn attempts(&self) -> usize {
        self.attempts
    }
}

impl LexiconSource for NetLexiconSource {
    fn fetch(&mut self, nsid: &Nsid) -> Result<FetchedLexicon, ResolveError> {
        self.attempts += 1;
        let resolved = self
            .resolver
            .resolve(nsid.as_str())
            .map_err(|e| resolve_error(nsid.as_str(), e))?;
        let text = serde_json::to_string_pretty(&resolved.lexicon.record).map_err(|e| {
            ResolveError::Source {
                nsid: nsid.as_str().to_owned(),
                message: format!("cannot encode the record: {e}"),
            }
        })?;
        let location = resolved.lexicon.uri.clone();
        self.resolved.insert(nsid.as_str().to_owned(), resolved);
        Ok(FetchedLexicon { location, text })
    }
}

/// A network error as the resolver's error: "the authority has no such record" is
/// [`ResolveError::NotFound`]; everything else (DNS, DID, PDS, verification, offline) is
/// [`ResolveError::Source`] with the full message.
fn resolve_error(nsid: &str, error: NetError) -> ResolveError {
    match error {
        NetError::NotPublished {
            did,
            authority,
            pds,
            ..
        } => ResolveError::NotFound {
            nsid: nsid.to_owned(),
            detail: Some(format!(
                "{did} (named by _lexicon.{authority}) has no com.atproto.lexicon.schema record `{nsid}` on {pds}"
            )),
        },
        other => ResolveError::Source {
            nsid: nsid.to_owned(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{ResolutionCache, ResolutionSource};
    use crate::dns::DnsResolver;
    use crate::identity::IdentityResolver;
    use crate::test_server::{
        plc_with_pds, record, record_not_found, record_proof, TestDns, TestServer,
    };
    use crate::xrpc::LEXICON_COLLECTION;
    use lexperm_resolver::{Catalog, Origin};
    use serde_json::json;

    const SET: &str = "com.example.authBasic";

    /// DNS + PLC + PDS fakes: `_lexicon.example.com` → did:plc:abc, whose PDS has one
    /// permission set and one record; `_lexicon.other.com` names a DID the PLC does not know.
    fn world() -> (TestDns, TestServer, TestServer) {
        let pds = TestServer::start_bytes(|req| {
            let rkey = req.target.split("rkey=").nth(1).unwrap_or("").to_string();
            let value = match rkey.as_str() {
                SET => {
                    json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": SET, "defs": {"main": {
                    "type": "permission-set", "title": "Basic", "permissions": [
                        {"type": "permission", "resource": "repo", "collection": ["com.example.post"]}]}}})
                }
                "com.example.post" => {
                    json!({"$type": LEXICON_COLLECTION, "lexicon": 1, "id": rkey, "defs": {"main": {
                    "type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}})
                }
                _ => return record_not_found(),
            };
            let cid = lexperm_codegen::records::schema_record(&value)
                .unwrap()
                .cid()
                .to_string();
            if req.path() == "/xrpc/com.atproto.sync.getRecord" {
                return record_proof(LEXICON_COLLECTION, &rkey, &cid);
            }
            record(LEXICON_COLLECTION, &rkey, &cid, &value)
        });
        let plc = plc_with_pds(pds.url.clone());
        let dns = TestDns::start(vec![
            ("_lexicon.example.com", vec![vec!["did=did:plc:abc"]]),
            ("_lexicon.other.com", vec![vec!["did=did:plc:zzz"]]),
        ]);
        (dns, plc, pds)
    }

    fn source(
        dns: &TestDns,
        plc: &TestServer,
        cache: Option<ResolutionCache>,
        offline: bool,
    ) -> NetLexiconSource {
        let identity =
            IdentityResolver::new(&plc.url, DnsResolver::with_name_server(dns.addr)).unwrap();
        NetLexiconSource::new(LexiconResolver::new(identity, cache, offline))
    }

    #[test]
    fn fetched_sets_join_the_catalog_and_expand() {
        let (dns, plc, _pds) = world();
        let mut source = source(&dns, &plc, None, false);
        let mut catalog = Catalog::new();
        let fetched = catalog.resolve_includes(&format!("atproto include:{SET}"), &mut source);
        assert_eq!(fetched.len(), 1);
        let resolved = fetched[0].as_ref().unwrap();
        assert_eq!(
            resolved.location,
            format!("at://did:plc:abc/{LEXICON_COLLECTION}/{SET}")
        );
        assert_eq!(catalog.get(SET).unwrap().origin, Origin::Remote);
        let token = catalog.token_scope(&format!("atproto include:{SET}"));
        assert_eq!(
            token.token_scope().as_deref(),
            Some("repo:com.example.post atproto")
        );
        let provenance = source.provenance(SET).unwrap();
        assert_eq!(provenance.source, ResolutionSource::Network);
        assert!(provenance.lexicon.cid.starts_with("bafyrei"));
        assert_eq!(source.attempts(), 1);
    }

    #[test]
    fn failures_become_resolve_errors() {
        let (dns, plc, _pds) = world();
        let mut source = source(&dns, &plc, None, false);
        let missing = Nsid::parse("com.example.absent").unwrap();
        let err = source.fetch(&missing).unwrap_err();
        assert!(
            matches!(&err, ResolveError::NotFound { detail: Some(d), .. } if d.contains("did:plc:abc")),
            "{err:?}"
        );
        // The authority names a DID the PLC directory does not know.
        let elsewhere = Nsid::parse("com.other.thing").unwrap();
        let err = source.fetch(&elsewhere).unwrap_err();
        assert!(
            matches!(&err, ResolveError::Source { message, .. } if message.contains("did:plc:zzz")),
            "{err:?}"
        );
        assert!(source.provenance("com.example.absent").is_none());
    }

    #[test]
    fn offline_uses_only_the_cache() {
        let (dns, plc, _pds) = world();
        let dir = std::env::temp_dir().join(format!("lexperm-net-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let nsid = Nsid::parse(SET).unwrap();
        let mut cold = source(&dns, &plc, Some(ResolutionCache::new(&dir)), true);
        let err = cold.fetch(&nsid).unwrap_err().to_string();
        assert!(err.contains("not in the resolution cache"), "{err}");
        let mut online = source(&dns, &plc, Some(ResolutionCache::new(&dir)), false);
        let first = online.fetch(&nsid).unwrap();
        let mut warm = source(&dns, &plc, Some(ResolutionCache::new(&dir)), true);
        assert_eq!(warm.fetch(&nsid).unwrap(), first);
        assert_eq!(
            warm.provenance(SET).unwrap().source,
            ResolutionSource::CacheFresh
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
