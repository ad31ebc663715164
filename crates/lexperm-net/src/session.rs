//! Sessions and their persistence (a JSON file with mode 0600 under the user's cache dir).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{NetError, Secret};

/// A logged-in session. `Debug` redacts both tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The PDS URL the session belongs to.
    pub service: String,
    /// The account DID.
    pub did: String,
    /// The account handle.
    pub handle: String,
    /// Short-lived access token.
    pub access_jwt: Secret,
    /// Longer-lived refresh token.
    pub refresh_jwt: Secret,
}

/// The lexperm cache dir: `$LEXPERM_CACHE_DIR`, else `$XDG_CACHE_HOME/lexperm`, else
/// `$HOME/.cache/lexperm`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = non_empty("LEXPERM_CACHE_DIR") {
        return Some(dir);
    }
    if let Some(xdg) = non_empty("XDG_CACHE_HOME") {
        return Some(xdg.join("lexperm"));
    }
    non_empty("HOME").map(|home| home.join(".cache").join("lexperm"))
}

/// A JSON file only its owner can read (mode 0600, in a 0700 folder when one is created,
/// written through a temporary file and a rename): where both kinds of session are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrivateJsonFile {
    path: PathBuf,
}

impl PrivateJsonFile {
    pub(crate) fn new(path: impl Into<PathBuf>) -> Self {
        PrivateJsonFile { path: path.into() }
    }

    /// `<cache dir>/<name>` (see [`default_cache_dir`]).
    pub(crate) fn in_cache_dir(name: &str) -> Result<Self, NetError> {
        let dir = default_cache_dir().ok_or_else(|| NetError::InvalidInput {
            what: "environment",
            value: "HOME".into(),
            detail: "neither LEXPERM_CACHE_DIR, XDG_CACHE_HOME nor HOME is set".into(),
        })?;
        Ok(PrivateJsonFile::new(dir.join(name)))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The stored value; `None` when there is no file; `what` names a file that cannot be parsed.
    pub(crate) fn load<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
    ) -> Result<Option<T>, NetError> {
        read_json(&self.path, what)
    }

    pub(crate) fn save<T: Serialize>(&self, value: &T) -> Result<(), NetError> {
        let text = serde_json::to_string_pretty(value).map_err(|e| {
            NetError::io(
                "cannot encode",
                &self.path,
                std::io::Error::other(e.to_string()),
            )
        })?;
        write_private(&self.path, text.as_bytes())
    }

    /// Delete the file; `Ok(false)` when there was none.
    pub(crate) fn remove(&self) -> Result<bool, NetError> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(NetError::io("cannot remove", &self.path, e)),
        }
    }
}

/// Where an app-password session is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStore {
    file: PrivateJsonFile,
}

impl SessionStore {
    /// A store at an explicit file path.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SessionStore {
            file: PrivateJsonFile::new(path),
        }
    }

    /// `<cache dir>/session.json` (see [`default_cache_dir`]).
    pub fn default_location() -> Result<Self, NetError> {
        Ok(SessionStore {
            file: PrivateJsonFile::in_cache_dir("session.json")?,
        })
    }

    /// The session file path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// The stored session, if any.
    pub fn load(&self) -> Result<Option<Session>, NetError> {
        self.file.load("cannot parse the session file")
    }

    /// Write the session (file mode 0600, directory 0700 when created; atomic rename).
    pub fn save(&self, session: &Session) -> Result<(), NetError> {
        self.file.save(session)
    }

    /// Delete the session file; `Ok(false)` when there was none.
    pub fn remove(&self) -> Result<bool, NetError> {
        self.file.remove()
    }
}

/// The JSON value stored at `path`; `None` when there is no file, an error naming `what` when it
/// cannot be read.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
) -> Result<Option<T>, NetError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(NetError::io("cannot read", path, e)),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        NetError::io(
            what,
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        )
    })
}

/// Write `bytes` to `path` readable by the owner only, through a temporary file and a rename.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), NetError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&tmp)
        .map_err(|e| NetError::io("cannot write", &tmp, e))?;
    file.write_all(bytes)
        .map_err(|e| NetError::io("cannot write", &tmp, e))?;
    file.sync_all()
        .map_err(|e| NetError::io("cannot write", &tmp, e))?;
    drop(file);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))
            .map_err(|e| NetError::io("cannot set permissions of", &tmp, e))?;
    }
    fs::rename(&tmp, path).map_err(|e| NetError::io("cannot write", path, e))
}

fn create_private_dir(dir: &Path) -> Result<(), NetError> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| NetError::io("cannot create directory", dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Session {
        Session {
            service: "http://localhost:2583".into(),
            did: "did:plc:abc".into(),
            handle: "alice.test".into(),
            access_jwt: Secret::new("access-token-value"),
            refresh_jwt: Secret::new("refresh-token-value"),
        }
    }

    #[test]
    fn debug_redacts_tokens() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("access-token-value"), "{text}");
        assert!(!text.contains("refresh-token-value"), "{text}");
        assert!(text.contains("<redacted>"));
    }

    #[test]
    fn save_load_remove_with_private_mode() {
        let dir = std::env::temp_dir().join(format!("lexperm-net-session-{}", std::process::id()));
        let store = SessionStore::new(dir.join("nested/session.json"));
        assert_eq!(store.load().unwrap(), None);
        store.save(&sample()).unwrap();
        assert_eq!(store.load().unwrap(), Some(sample()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(store.remove().unwrap());
        assert!(!store.remove().unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_file_is_an_error_not_a_panic() {
        let dir =
            std::env::temp_dir().join(format!("lexperm-net-session-bad-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("session.json");
        fs::write(&path, "{not json").unwrap();
        let err = SessionStore::new(&path).load().unwrap_err();
        assert!(
            err.to_string().contains("cannot parse the session file"),
            "{err}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
