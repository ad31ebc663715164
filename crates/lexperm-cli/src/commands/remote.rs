//! `--resolve` for the commands that read lexicon directories (`expand`, `check`, `lint`,
//! `preview`): fetch permission sets and lexicons that are not in the local directories from
//! their authority (DNS `_lexicon` TXT → DID → DID document → PDS → record), through the
//! resolution cache.

use std::collections::BTreeMap;

use clap::Args;
use lexperm_net::cache::{ResolutionCache, ResolutionSource};
use lexperm_net::resolve::LexiconResolver;
use lexperm_net::NetLexiconSource;
use lexperm_parser::diagnostics::Severity;
use lexperm_parser::scope::Scope;
use lexperm_parser::syntax::Nsid;
use lexperm_resolver::{Origin, ResolveError, Resolved};
use serde_json::{json, Value};

use super::lexicons::{LexiconDirs, Loaded};
use super::net_args::NetArgs;
use crate::config;
use crate::sources::{SourceFile, Sources};

/// The `--resolve` option and the network options that go with it.
#[derive(Debug, Clone, Args)]
pub struct RemoteArgs {
    /// Fetch permission sets and lexicons missing from the local directories from their
    /// authority: DNS `_lexicon` TXT → DID → PDS → record (cached: fresh 24 h, kept 90 days).
    #[arg(long)]
    pub resolve: bool,
    /// Resolve from the cache only, never the network (implies --resolve).
    #[arg(long, conflicts_with = "no_cache")]
    pub offline: bool,
    /// With --resolve: neither read nor write the resolution cache.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

/// The resolution cache for these options: `None` with `--no-cache` (or when no cache dir is
/// known and the network may be used); an error when `--offline` has no cache to read.
pub fn resolution_cache(no_cache: bool, offline: bool) -> Result<Option<ResolutionCache>, String> {
    if no_cache {
        return Ok(None);
    }
    match ResolutionCache::default_location() {
        Some(cache) => Ok(Some(cache)),
        None if offline => Err(
            "--offline needs a cache dir, but neither LEXPERM_CACHE_DIR, XDG_CACHE_HOME nor HOME is set"
                .to_owned(),
        ),
        None => Ok(None),
    }
}

/// The resolver of a command's network options: the identity resolver of `net` (with the
/// configuration's `[network] deadline`), the resolution cache as `no_cache` and `offline` ask.
/// Errors are usage errors.
pub fn resolver(
    net: &NetArgs,
    config_deadline: Option<u64>,
    no_cache: bool,
    offline: bool,
) -> Result<LexiconResolver, String> {
    let identity = net.identity(config_deadline)?;
    let cache = resolution_cache(no_cache, offline)?;
    Ok(LexiconResolver::new(identity, cache, offline))
}

impl RemoteArgs {
    /// True with `--resolve` or `--offline`.
    pub fn enabled(&self) -> bool {
        self.resolve || self.offline
    }

    /// The lexicons of `dirs` (a missing default directory is fine with `--resolve`) and the
    /// remote source. Errors of the network options are printed; the caller exits with the usage
    /// code. Paths that cannot be loaded are not errors here (see [`Loaded::failed`]).
    pub fn load(&self, dirs: &LexiconDirs) -> Result<(Loaded, Option<Remote>), ()> {
        let loaded = dirs.load_for(self.enabled());
        match config::network_deadline().and_then(|deadline| self.remote(deadline)) {
            Ok(remote) => Ok((loaded, remote)),
            Err(message) => {
                eprintln!("error: {message}");
                Err(())
            }
        }
    }

    /// The remote source, or `None` without `--resolve`/`--offline`. `config_deadline` is the
    /// `[network] deadline` of the command's configuration. Errors are usage errors.
    pub fn remote(&self, config_deadline: Option<u64>) -> Result<Option<Remote>, String> {
        if !self.enabled() {
            return Ok(None);
        }
        let resolver = resolver(&self.net, config_deadline, self.no_cache, self.offline)?;
        Ok(Some(Remote {
            source: NetLexiconSource::new(resolver),
            errors: BTreeMap::new(),
        }))
    }
}

/// The network source of one run and what it could not fetch.
pub struct Remote {
    source: NetLexiconSource,
    errors: BTreeMap<String, ResolveError>,
}

impl Remote {
    /// The source, for the resolver's APIs.
    pub fn source(&mut self) -> &mut NetLexiconSource {
        &mut self.source
    }

    /// Fetches `nsid` into `loaded` when the catalog lacks it. Failures are kept for
    /// [`Remote::error`]; a stale cached copy and a fetched document with errors are warned about.
    pub fn fetch(&mut self, loaded: &mut Loaded, nsid: &Nsid) {
        if self.errors.contains_key(nsid.as_str()) {
            return;
        }
        match loaded.catalog.resolve(nsid, &mut self.source) {
            Ok(Some(resolved)) => self.added(&mut loaded.sources, &resolved),
            Ok(None) => {}
            Err(error) => {
                self.errors.insert(nsid.as_str().to_owned(), error);
            }
        }
        self.print_cache_warnings();
    }

    /// Prints what the resolution cache reported since the last call (discarded entries, the
    /// cache being turned off), one `warning:` line each.
    pub fn print_cache_warnings(&self) {
        for warning in self.source.take_warnings() {
            eprintln!("warning: {warning}");
        }
    }

    /// Fetches every permission set an `include:` value of `scope` names.
    pub fn fetch_includes(&mut self, loaded: &mut Loaded, scope: &str) {
        for value in scope.split(' ') {
            if let Ok(Scope::Include(include)) = Scope::parse(value) {
                self.fetch(loaded, &include.nsid);
            }
        }
    }

    /// Records a document a resolver API fetched: its text joins `sources` (so diagnostics can
    /// show it; ids line up because fetched documents get the next free id, in order), and the
    /// warnings are printed.
    pub fn added(&self, sources: &mut Sources, resolved: &Resolved) {
        let id = sources.add_fetched(SourceFile::new(
            resolved.location.clone(),
            resolved.text.clone(),
        ));
        debug_assert_eq!(id, resolved.file, "fetched documents take the next file id");
        for diagnostic in resolved
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            eprintln!(
                "warning: {}: fetched lexicon: {} [{}]",
                resolved.location, diagnostic.message, diagnostic.code
            );
        }
        let nsid = resolved.location.rsplit('/').next().unwrap_or_default();
        if let Some(provenance) = self.source.provenance(nsid) {
            if let ResolutionSource::CacheStale {
                refresh_error: Some(e),
            } = &provenance.source
            {
                eprintln!("warning: {nsid}: refresh failed, using the cached copy: {e}");
            }
        }
    }

    /// Why `nsid` could not be fetched, when it could not.
    pub fn error(&self, nsid: &str) -> Option<&ResolveError> {
        self.errors.get(nsid)
    }

    /// `(AT-URI, CID, "network"|"cache"|"stale-cache")` of a fetched NSID.
    pub fn provenance(&self, nsid: &str) -> Option<(&str, &str, &'static str)> {
        let p = self.source.provenance(nsid)?;
        Some((&p.lexicon.uri, &p.lexicon.cid, source_name(&p.source)))
    }
}

/// `network`, `cache` or `stale-cache`.
pub fn source_name(source: &ResolutionSource) -> &'static str {
    match source {
        ResolutionSource::Network => "network",
        ResolutionSource::CacheFresh => "cache",
        ResolutionSource::CacheStale { .. } => "stale-cache",
    }
}

/// `"local"`, `"remote"` or `null` (not in the catalog) for `nsid`.
pub fn origin_json(loaded: &Loaded, nsid: Option<&str>) -> Value {
    match nsid.and_then(|n| loaded.catalog.get(n)).map(|d| d.origin) {
        Some(Origin::Local) => json!("local"),
        Some(Origin::Remote) => json!("remote"),
        None => Value::Null,
    }
}

/// JSON members describing where `nsid` came from: `source`, plus `uri`, `cid` and `fetched`
/// when it was fetched, or `resolve_error` when fetching failed.
pub fn provenance_json(
    loaded: &Loaded,
    remote: Option<&Remote>,
    nsid: Option<&str>,
) -> serde_json::Map<String, Value> {
    let mut members = serde_json::Map::new();
    members.insert("source".to_owned(), origin_json(loaded, nsid));
    let (Some(remote), Some(nsid)) = (remote, nsid) else {
        return members;
    };
    if let Some((uri, cid, fetched)) = remote.provenance(nsid) {
        members.insert("uri".to_owned(), json!(uri));
        members.insert("cid".to_owned(), json!(cid));
        members.insert("fetched".to_owned(), json!(fetched));
    }
    if let Some(error) = remote.error(nsid) {
        members.insert("resolve_error".to_owned(), json!(error.to_string()));
    }
    members
}
