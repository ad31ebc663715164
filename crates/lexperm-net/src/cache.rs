//! The lexicon resolution cache: stale after 24 h (refresh, but use the old copy if the refresh
//! fails), expired after 90 days (never used). One JSON file per NSID under the cache dir.
//!
//! An entry is checked again when it is read, as a fetched record is: it must be the entry of the
//! NSID asked for, hold a lexicon with that `id`, and hash to its CID. A broken entry is deleted
//! with a warning; an entry dated in the future (beyond [`CACHE_CLOCK_SKEW`]) counts as stale. A
//! cache directory that cannot be read or written turns the cache off for the rest of the run,
//! with one warning; resolution then goes to the network. Warnings are collected for the caller
//! ([`ResolutionCache::take_warnings`]).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lexperm_parser::limits::{CACHE_CLOCK_SKEW, MAX_CACHE_ENTRY_BYTES};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::NetError;
use crate::identity::validate_did;
use crate::resolve::{check_lexicon_record, check_record_cid, record_uri};

/// Age after which an entry is refreshed before use.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Age after which an entry is never used.
pub const EXPIRE_AFTER: Duration = Duration::from_secs(90 * 24 * 60 * 60);

/// A source of the current time (injectable for tests).
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Seconds since the Unix epoch (0 for times before it).
pub(crate) fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A resolved lexicon as kept in the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedLexicon {
    /// The NSID.
    pub nsid: String,
    /// The authority DID.
    pub did: String,
    /// The PDS it was fetched from.
    pub pds: String,
    /// The record AT-URI.
    pub uri: String,
    /// The record CID.
    pub cid: String,
    /// The record value (the lexicon document).
    pub record: Value,
    /// When it was fetched, seconds since the Unix epoch.
    pub fetched_at: u64,
}

impl CachedLexicon {
    /// Reads a cache entry from the bytes of its file; `None` when they are not one (not UTF-8,
    /// not JSON, or missing a field).
    pub fn decode(bytes: &[u8]) -> Option<CachedLexicon> {
        serde_json::from_slice(bytes).ok()
    }
}

/// What the cache holds for an NSID.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheLookup {
    /// Younger than [`STALE_AFTER`]: use without asking the network.
    Fresh(CachedLexicon),
    /// Older than [`STALE_AFTER`] but younger than [`EXPIRE_AFTER`]: refresh; use if that fails.
    Stale(CachedLexicon),
    /// Older than [`EXPIRE_AFTER`]: unusable.
    Expired,
    /// Nothing cached.
    Missing,
}

/// Where a resolution result came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolutionSource {
    /// Fetched from the network just now.
    Network,
    /// A fresh cache entry.
    CacheFresh,
    /// A stale cache entry; `refresh_error` says why the refresh failed (`None` when offline).
    CacheStale {
        /// The error of the failed refresh, if one was tried.
        refresh_error: Option<String>,
    },
}

/// The on-disk cache. Clones share the on/off state and the warnings.
#[derive(Clone)]
pub struct ResolutionCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<CacheState>>,
}

/// Whether the cache directory proved unusable, and the warnings not yet taken.
#[derive(Debug, Default)]
struct CacheState {
    off: bool,
    warnings: Vec<String>,
}

impl std::fmt::Debug for ResolutionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolutionCache")
            .field("dir", &self.dir)
            .finish()
    }
}

impl ResolutionCache {
    /// A cache in `dir` using the system clock.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self::with_clock(dir, Arc::new(SystemClock))
    }

    /// A cache in `dir` with an injected clock.
    pub fn with_clock(dir: impl Into<PathBuf>, clock: Arc<dyn Clock>) -> Self {
        ResolutionCache {
            dir: dir.into(),
            clock,
            state: Arc::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, CacheState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Warnings since the last call: discarded entries, and the cache being turned off.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.state().warnings)
    }

    /// False once the directory proved unreadable or unwritable in this run.
    pub fn is_usable(&self) -> bool {
        !self.state().off
    }

    /// Turns the cache off for the rest of the run, with one warning.
    fn turn_off(&self, problem: &NetError) {
        let mut state = self.state();
        if !state.off {
            state.off = true;
            state.warnings.push(format!(
                "the resolution cache {} is not usable ({problem}); resolving from the network without it",
                self.dir.display()
            ));
        }
    }

    /// Deletes a broken entry (best effort), with a warning.
    fn discard(&self, nsid: &str, path: &Path, reason: &str) {
        let _ = fs::remove_file(path);
        self.state().warnings.push(format!(
            "discarded the cached copy of {nsid} ({}): {reason}",
            path.display()
        ));
    }

    /// `<cache dir>/resolve` (see [`crate::session::default_cache_dir`]).
    pub fn default_location() -> Option<Self> {
        crate::session::default_cache_dir().map(|d| Self::new(d.join("resolve")))
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current time in seconds since the epoch, by the cache's clock.
    pub fn now_secs(&self) -> u64 {
        unix_secs(self.clock.now())
    }

    fn file(&self, nsid: &str) -> Result<PathBuf, NetError> {
        // NSIDs are letters, digits, hyphens and dots; anything else would escape the dir.
        let safe = !nsid.is_empty()
            && !nsid.starts_with('.')
            && nsid
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !safe {
            return Err(NetError::InvalidInput {
                what: "NSID",
                value: nsid.to_string(),
                detail: "not usable as a cache key".into(),
            });
        }
        Ok(self.dir.join(format!("{nsid}.json")))
    }

    /// Look an NSID up. A broken entry is discarded (and reported as [`CacheLookup::Missing`]);
    /// so is everything once the directory proved unusable.
    pub fn get(&self, nsid: &str) -> Result<CacheLookup, NetError> {
        let path = self.file(nsid)?;
        if !self.is_usable() {
            return Ok(CacheLookup::Missing);
        }
        let text = match read_bounded(&path) {
            Ok(Some(text)) => text,
            Ok(None) => {
                self.discard(
                    nsid,
                    &path,
                    &format!("larger than {MAX_CACHE_ENTRY_BYTES} bytes (MAX_CACHE_ENTRY_BYTES)"),
                );
                return Ok(CacheLookup::Missing);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CacheLookup::Missing),
            Err(e) => {
                // The directory itself, or only this entry?
                match fs::read_dir(&self.dir) {
                    Err(dir_error) => {
                        self.turn_off(&NetError::io("cannot read", &self.dir, dir_error))
                    }
                    Ok(_) => self.discard(nsid, &path, &format!("cannot be read: {e}")),
                }
                return Ok(CacheLookup::Missing);
            }
        };
        let Some(entry) = CachedLexicon::decode(text.as_bytes()) else {
            self.discard(nsid, &path, "not a cache entry");
            return Ok(CacheLookup::Missing);
        };
        if let Err(reason) = verify_entry(nsid, &entry) {
            self.discard(nsid, &path, &reason);
            return Ok(CacheLookup::Missing);
        }
        let now = self.now_secs();
        if entry.fetched_at > now.saturating_add(CACHE_CLOCK_SKEW.as_secs()) {
            // Dated in the future: its age is unknown, so it is refreshed before use.
            return Ok(CacheLookup::Stale(entry));
        }
        let age = now.saturating_sub(entry.fetched_at);
        Ok(if age >= EXPIRE_AFTER.as_secs() {
            CacheLookup::Expired
        } else if age >= STALE_AFTER.as_secs() {
            CacheLookup::Stale(entry)
        } else {
            CacheLookup::Fresh(entry)
        })
    }

    /// Store an entry.
    pub fn put(&self, entry: &CachedLexicon) -> Result<(), NetError> {
        let path = self.file(&entry.nsid)?;
        let text = serde_json::to_string_pretty(entry).map_err(|e| {
            NetError::io("cannot encode", &path, std::io::Error::other(e.to_string()))
        })?;
        crate::session::write_private(&path, text.as_bytes())
    }

    /// Apply the cache policy: fresh entries are used as they are; otherwise `fetch` is called
    /// (unless `offline`) and its result stored; when it fails, a stale entry is used instead.
    pub fn resolve_with(
        &self,
        nsid: &str,
        offline: bool,
        fetch: impl FnOnce() -> Result<CachedLexicon, NetError>,
    ) -> Result<(CachedLexicon, ResolutionSource), NetError> {
        let cached = self.get(nsid)?;
        if let CacheLookup::Fresh(entry) = cached {
            return Ok((entry, ResolutionSource::CacheFresh));
        }
        let stale = match cached {
            CacheLookup::Stale(entry) => Some(entry),
            _ => None,
        };
        if offline {
            return match stale {
                Some(entry) => Ok((
                    entry,
                    ResolutionSource::CacheStale {
                        refresh_error: None,
                    },
                )),
                None => Err(NetError::NotCached {
                    nsid: nsid.to_string(),
                }),
            };
        }
        match fetch() {
            Ok(entry) => {
                if self.is_usable() {
                    if let Err(problem) = self.put(&entry) {
                        self.turn_off(&problem);
                    }
                }
                Ok((entry, ResolutionSource::Network))
            }
            Err(err) => match stale {
                Some(entry) => Ok((
                    entry,
                    ResolutionSource::CacheStale {
                        refresh_error: Some(err.to_string()),
                    },
                )),
                None => Err(err),
            },
        }
    }
}

/// The text of `path`, or `None` when it is larger than [`MAX_CACHE_ENTRY_BYTES`].
fn read_bounded(path: &Path) -> std::io::Result<Option<String>> {
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_CACHE_ENTRY_BYTES as u64 + 1)
        .read_to_string(&mut text)?;
    Ok((text.len() <= MAX_CACHE_ENTRY_BYTES).then_some(text))
}

/// What a fetch checked, checked again: the entry is the one of `nsid`, its URI names the lexicon
/// record of its DID, the record is a lexicon with `id` = `nsid`, and it hashes to its CID.
fn verify_entry(nsid: &str, entry: &CachedLexicon) -> Result<(), String> {
    if entry.nsid != nsid {
        return Err(format!(
            "it is the entry of `{}`",
            crate::error::printable(&entry.nsid)
        ));
    }
    validate_did(&entry.did).map_err(|e| format!("invalid DID: {e}"))?;
    if entry.uri != record_uri(&entry.did, nsid) {
        return Err("its AT-URI is not the lexicon record of its DID".into());
    }
    check_lexicon_record(nsid, &entry.uri, &entry.record).map_err(|e| e.to_string())?;
    check_record_cid(nsid, &entry.uri, &entry.record, &entry.cid).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct FakeClock(Mutex<SystemTime>);

    impl Clock for FakeClock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    impl FakeClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    fn setup(name: &str) -> (ResolutionCache, Arc<FakeClock>, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("lexperm-net-cache-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let clock = Arc::new(FakeClock(Mutex::new(
            UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        )));
        (ResolutionCache::with_clock(&dir, clock.clone()), clock, dir)
    }

    /// A valid entry for com.example.foo whose lexicon has `version` as its description.
    fn entry(cache: &ResolutionCache, version: &str) -> CachedLexicon {
        let record = serde_json::json!({
            "$type": "com.atproto.lexicon.schema", "lexicon": 1, "id": "com.example.foo",
            "description": version, "defs": {},
        });
        CachedLexicon {
            nsid: "com.example.foo".into(),
            did: "did:plc:abc".into(),
            pds: "http://localhost:2583".into(),
            uri: "at://did:plc:abc/com.atproto.lexicon.schema/com.example.foo".into(),
            cid: lexperm_codegen::records::schema_record(&record)
                .unwrap()
                .cid()
                .to_string(),
            record,
            fetched_at: cache.now_secs(),
        }
    }

    fn version(entry: &CachedLexicon) -> &str {
        entry.record["description"].as_str().unwrap()
    }

    fn fail() -> Result<CachedLexicon, NetError> {
        Err(NetError::Transport {
            url: "http://pds".into(),
            detail: "connection refused".into(),
        })
    }

    #[test]
    fn ages_move_from_fresh_to_stale_to_expired() {
        let (cache, clock, dir) = setup("ages");
        assert_eq!(cache.get("com.example.foo").unwrap(), CacheLookup::Missing);
        cache.put(&entry(&cache, "c1")).unwrap();
        assert!(matches!(
            cache.get("com.example.foo").unwrap(),
            CacheLookup::Fresh(_)
        ));
        clock.advance(STALE_AFTER - Duration::from_secs(1));
        assert!(matches!(
            cache.get("com.example.foo").unwrap(),
            CacheLookup::Fresh(_)
        ));
        clock.advance(Duration::from_secs(1));
        assert!(matches!(
            cache.get("com.example.foo").unwrap(),
            CacheLookup::Stale(_)
        ));
        clock.advance(EXPIRE_AFTER - STALE_AFTER);
        assert_eq!(cache.get("com.example.foo").unwrap(), CacheLookup::Expired);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn policy_fresh_stale_offline_expired() {
        let (cache, clock, dir) = setup("policy");
        let nsid = "com.example.foo";
        // Missing + fetch failure → error; offline → NotCached.
        assert!(cache.resolve_with(nsid, false, fail).is_err());
        assert!(matches!(
            cache.resolve_with(nsid, true, fail),
            Err(NetError::NotCached { .. })
        ));
        // Fetch stores the entry; the next call uses it without fetching.
        let (e, src) = cache
            .resolve_with(nsid, false, || Ok(entry(&cache, "c1")))
            .unwrap();
        assert_eq!((version(&e), src), ("c1", ResolutionSource::Network));
        let (_, src) = cache
            .resolve_with(nsid, false, || {
                panic!("fresh entries must not be refetched")
            })
            .unwrap();
        assert_eq!(src, ResolutionSource::CacheFresh);
        // Stale: a failed refresh falls back to the old copy; offline uses it as is.
        clock.advance(STALE_AFTER);
        let (e, src) = cache.resolve_with(nsid, false, fail).unwrap();
        assert_eq!(version(&e), "c1");
        assert!(
            matches!(src, ResolutionSource::CacheStale { refresh_error: Some(ref m) } if m.contains("connection refused"))
        );
        let (_, src) = cache.resolve_with(nsid, true, fail).unwrap();
        assert_eq!(
            src,
            ResolutionSource::CacheStale {
                refresh_error: None
            }
        );
        // Stale + successful refresh → new copy.
        let (e, src) = cache
            .resolve_with(nsid, false, || Ok(entry(&cache, "c2")))
            .unwrap();
        assert_eq!((version(&e), src), ("c2", ResolutionSource::Network));
        // Expired: never used.
        clock.advance(EXPIRE_AFTER);
        assert!(cache.resolve_with(nsid, false, fail).is_err());
        assert!(matches!(
            cache.resolve_with(nsid, true, fail),
            Err(NetError::NotCached { .. })
        ));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entries_are_checked_again_when_read() {
        let (cache, _, dir) = setup("verify");
        let nsid = "com.example.foo";
        let path = dir.join(format!("{nsid}.json"));
        let good = entry(&cache, "c1");
        let mut tampered = good.clone();
        tampered.record["description"] = "changed".into();
        let mut wrong_id = good.clone();
        wrong_id.record["id"] = "com.example.bar".into();
        let mut other_nsid = good.clone();
        other_nsid.nsid = "com.example.bar".into();
        let mut other_uri = good.clone();
        other_uri.uri = "at://did:plc:evil/com.atproto.lexicon.schema/com.example.foo".into();
        for (broken, reason) in [
            (tampered, "hashes to"),
            (wrong_id, "`id` is"),
            (other_nsid, "entry of `com.example.bar`"),
            (other_uri, "AT-URI"),
        ] {
            fs::create_dir_all(&dir).unwrap();
            fs::write(&path, serde_json::to_string(&broken).unwrap()).unwrap();
            assert_eq!(cache.get(nsid).unwrap(), CacheLookup::Missing, "{reason}");
            assert!(!path.exists(), "a broken entry is deleted ({reason})");
            let warnings = cache.take_warnings();
            assert!(
                warnings.len() == 1 && warnings[0].contains(reason),
                "{warnings:?}"
            );
        }
        fs::write(&path, "{not json").unwrap();
        assert_eq!(cache.get(nsid).unwrap(), CacheLookup::Missing);
        assert!(cache.take_warnings()[0].contains("not a cache entry"));
        cache.put(&good).unwrap();
        assert!(matches!(cache.get(nsid).unwrap(), CacheLookup::Fresh(_)));
        assert!(cache.take_warnings().is_empty());
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_damaged_entry_is_missing() {
        let (cache, _, dir) = setup("damaged");
        fs::create_dir_all(&dir).unwrap();
        for bytes in [&b"\xff\xfe not UTF-8"[..], b"{\"nsid\": 1}", b"[]"] {
            fs::write(dir.join("com.example.foo.json"), bytes).unwrap();
            assert_eq!(cache.get("com.example.foo").unwrap(), CacheLookup::Missing);
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn entries_dated_in_the_future_are_stale() {
        let (cache, _, dir) = setup("future");
        let mut future = entry(&cache, "c1");
        future.fetched_at = cache.now_secs() + CACHE_CLOCK_SKEW.as_secs();
        cache.put(&future).unwrap();
        assert!(matches!(
            cache.get("com.example.foo").unwrap(),
            CacheLookup::Fresh(_)
        ));
        future.fetched_at += 1;
        cache.put(&future).unwrap();
        assert!(matches!(
            cache.get("com.example.foo").unwrap(),
            CacheLookup::Stale(_)
        ));
        future.fetched_at = u64::MAX;
        cache.put(&future).unwrap();
        let (e, src) = cache
            .resolve_with("com.example.foo", false, || Ok(entry(&cache, "c2")))
            .unwrap();
        assert_eq!((version(&e), src), ("c2", ResolutionSource::Network));
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn an_unusable_directory_turns_the_cache_off_with_one_warning() {
        let (_, clock, dir) = setup("unusable");
        // The cache directory is a file: nothing can be read or written under it.
        fs::write(&dir, "not a directory").unwrap();
        let cache = ResolutionCache::with_clock(&dir, clock);
        for _ in 0..3 {
            let (e, src) = cache
                .resolve_with("com.example.foo", false, || Ok(entry(&cache, "c1")))
                .unwrap();
            assert_eq!((version(&e), src), ("c1", ResolutionSource::Network));
        }
        let warnings = cache.take_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("not usable"), "{warnings:?}");
        assert!(!cache.is_usable());
        assert!(matches!(
            cache.resolve_with("com.example.foo", true, fail),
            Err(NetError::NotCached { .. })
        ));
        fs::remove_file(dir).unwrap();
    }

    #[test]
    fn unsafe_keys_are_rejected() {
        let (cache, _, _) = setup("keys");
        assert!(cache.get("../etc/passwd").is_err());
        assert!(cache.get("").is_err());
    }
}
