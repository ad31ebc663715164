//! The lexicon resolution cache: stale after 24 h (refresh, but use the old copy if the refresh
//! fails), expired after 90 days (never used). One JSON file per NSID under the cache dir.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::NetError;

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

/// The on-disk cache.
#[derive(Clone)]
pub struct ResolutionCache {
    dir: PathBuf,
    clock: Arc<dyn Clock>,
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
        }
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

    /// Look an NSID up.
    pub fn get(&self, nsid: &str) -> Result<CacheLookup, NetError> {
        let path = self.file(nsid)?;
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(CacheLookup::Missing),
            Err(e) => return Err(NetError::io("cannot read", &path, e)),
        };
        let Some(entry) = CachedLexicon::decode(&bytes) else {
            // A damaged entry is as good as none; it is overwritten on the next fetch.
            return Ok(CacheLookup::Missing);
        };
        let age = self.now_secs().saturating_sub(entry.fetched_at);
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
                self.put(&entry)?;
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

    fn entry(cache: &ResolutionCache, cid: &str) -> CachedLexicon {
        CachedLexicon {
            nsid: "com.example.foo".into(),
            did: "did:plc:abc".into(),
            pds: "http://localhost:2583".into(),
            uri: "at://did:plc:abc/com.atproto.lexicon.schema/com.example.foo".into(),
            cid: cid.into(),
            record: serde_json::json!({"lexicon": 1, "id": "com.example.foo", "defs": {}}),
            fetched_at: cache.now_secs(),
        }
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
        assert_eq!((e.cid.as_str(), src), ("c1", ResolutionSource::Network));
        let (_, src) = cache
            .resolve_with(nsid, false, || {
                panic!("fresh entries must not be refetched")
            })
            .unwrap();
        assert_eq!(src, ResolutionSource::CacheFresh);
        // Stale: a failed refresh falls back to the old copy; offline uses it as is.
        clock.advance(STALE_AFTER);
        let (e, src) = cache.resolve_with(nsid, false, fail).unwrap();
        assert_eq!(e.cid, "c1");
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
        assert_eq!((e.cid.as_str(), src), ("c2", ResolutionSource::Network));
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
    fn unsafe_keys_are_rejected() {
        let (cache, _, _) = setup("keys");
        assert!(cache.get("../etc/passwd").is_err());
        assert!(cache.get("").is_err());
    }
}
