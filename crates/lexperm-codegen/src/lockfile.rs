//! `lexicons.json`: the lockfile `@atproto/lex install` writes, read, written and verified offline.
//!
//! The format (`docs/lockfile.md`):
//!
//! ```json
//! {
//!   "version": 1,
//!   "lexicons": [
//!     "app.bsky.feed.post"
//!   ],
//!   "resolutions": {
//!     "app.bsky.feed.post": {
//!       "uri": "at://did:plc:z72i7hdynmk6r22z27h6tvur/com.atproto.lexicon.schema/app.bsky.feed.post",
//!       "cid": "bafyreia…"
//!     }
//!   }
//! }
//! ```
//!
//! `lexicons` lists the NSIDs asked for (sorted), `resolutions` every lexicon fetched, asked for or
//! a dependency (sorted by NSID), with the record it came from and that record's CID. The text is
//! `JSON.stringify(manifest, null, 2) + '\n'`: two-space indentation and a final newline, as
//! `@atproto/lex` 0.3 writes it (older releases wrote no newline; both are read).
//!
//! [`verify`] checks, without the network, that the lexicon file of every pinned NSID makes the
//! schema record with the pinned CID ([`crate::records::schema_record`], as `lexperm gen records`
//! and `lexperm publish` compute it). The caller reads the files; this module does no IO.
//!
//! ```
//! use lexperm_codegen::lockfile::{verify, LocalFile, Lockfile};
//!
//! let text = "{\n  \"version\": 1,\n  \"lexicons\": [],\n  \"resolutions\": {}\n}\n";
//! let lockfile = Lockfile::parse(text).unwrap();
//! assert_eq!(lockfile.to_json(), text);
//! assert!(verify(&lockfile, |_path| LocalFile::Missing).is_empty());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use lexperm_datamodel::cid::Cid;
use lexperm_parser::diagnostics::{FileId, LineIndex};
use lexperm_parser::json::{self, JsonKind, JsonValue};
use lexperm_parser::syntax::{AtUri, Nsid};
use lexperm_parser::wording::a_word;
use serde_json::Value;

pub use lexperm_lint::file_rules::l134_lockfile_mismatch::Mismatch;

use crate::records::{schema_record, SCHEMA_COLLECTION};

/// The lockfile's file name.
pub const LOCKFILE_NAME: &str = "lexicons.json";

/// The only lockfile version.
pub const LOCKFILE_VERSION: i64 = 1;

/// A parsed `lexicons.json`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lockfile {
    /// The NSIDs asked for (the roots), in file order; written sorted.
    pub lexicons: Vec<String>,
    /// Every pinned lexicon by NSID (sorted).
    pub resolutions: BTreeMap<String, Resolution>,
}

/// Where a pinned lexicon came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The record's AT-URI: `at://<did>/com.atproto.lexicon.schema/<nsid>`.
    pub uri: String,
    /// The record's CID.
    pub cid: String,
}

/// Why a lockfile text was refused, with the byte range it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockfileError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte range of the text.
    pub range: std::ops::Range<usize>,
}

impl LockfileError {
    fn at(value: &JsonValue, message: impl Into<String>) -> Self {
        LockfileError {
            message: message.into(),
            range: value.span.start as usize..value.span.end as usize,
        }
    }

    /// The 1-based line and column (in characters) of the start of [`LockfileError::range`] in
    /// `text`, the text that was parsed.
    pub fn line_col(&self, text: &str) -> (usize, usize) {
        let (line, column) = LineIndex::new(text).line_col(text, self.range.start as u32);
        (line as usize, column as usize)
    }
}

impl fmt::Display for LockfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LockfileError {}

impl Lockfile {
    /// Reads a lockfile strictly: valid JSON with no duplicate keys, exactly the members
    /// `version` (1), `lexicons` (NSIDs) and `resolutions` (NSID → `{uri, cid}`, nothing else), each
    /// `uri` the schema record of its NSID and each `cid` a CID.
    pub fn parse(text: &str) -> Result<Lockfile, LockfileError> {
        let parsed = json::parse_document(FileId(0), text);
        if let Some(first) = parsed.diagnostics.first() {
            return Err(LockfileError {
                message: format!("not valid JSON: {}", first.message),
                range: first.span.start as usize..first.span.end as usize,
            });
        }
        let Some(root) = parsed.value else {
            return Err(LockfileError {
                message: "the file is empty".to_owned(),
                range: 0..0,
            });
        };
        let object = expect_object(&root, "the lockfile")?;
        check_members(&root, &["version", "lexicons", "resolutions"])?;
        let member = |key: &str| {
            object.value(key).ok_or_else(|| {
                LockfileError::at(&root, format!("the lockfile has no `{key}` member"))
            })
        };

        let version = member("version")?;
        if version.as_integer() != Some(LOCKFILE_VERSION) {
            return Err(LockfileError::at(
                version,
                format!("`version` must be {LOCKFILE_VERSION}, the only lockfile version"),
            ));
        }

        let roots = member("lexicons")?;
        let Some(items) = roots.as_array() else {
            return Err(LockfileError::at(
                roots,
                format!(
                    "`lexicons` must be an array of NSIDs, not {}",
                    a_word(roots.kind_name())
                ),
            ));
        };
        let mut lexicons = Vec::with_capacity(items.len());
        for item in items {
            lexicons.push(expect_nsid(item, "an entry of `lexicons`")?.to_owned());
        }

        let pins = member("resolutions")?;
        let pins_object = expect_object(pins, "`resolutions`")?;
        let mut resolutions = BTreeMap::new();
        for entry in &pins_object.members {
            if let Some((problem, _)) = Nsid::problem(&entry.key) {
                return Err(LockfileError {
                    message: format!(
                        "`resolutions` key {:?} is not an NSID: {problem}",
                        entry.key
                    ),
                    range: entry.key_span.start as usize..entry.key_span.end as usize,
                });
            }
            let value = &entry.value;
            let what = format!("resolutions[{:?}]", entry.key);
            let fields = expect_object(value, &what)?;
            check_members(value, &["uri", "cid"])?;
            let field = |key: &str| {
                fields.value(key).ok_or_else(|| {
                    LockfileError::at(value, format!("{what} has no `{key}` member"))
                })
            };
            let uri_value = field("uri")?;
            let uri = expect_string(uri_value, &format!("{what}.uri"))?;
            if let Err(err) = AtUri::check(uri) {
                return Err(LockfileError::at(
                    uri_value,
                    format!("{what}.uri is not an AT-URI: {err}"),
                ));
            }
            let expected_tail = format!("/{SCHEMA_COLLECTION}/{}", entry.key);
            if !uri.ends_with(&expected_tail) || uri.matches('/').count() != 4 {
                return Err(LockfileError::at(
                    uri_value,
                    format!(
                        "{what}.uri must be the lexicon's schema record, at://<did>{expected_tail}; found {uri:?}"
                    ),
                ));
            }
            let cid_value = field("cid")?;
            let cid = expect_string(cid_value, &format!("{what}.cid"))?;
            if let Err(err) = Cid::parse(cid) {
                return Err(LockfileError::at(
                    cid_value,
                    format!("{what}.cid is not a CID: {err}"),
                ));
            }
            resolutions.insert(
                entry.key.clone(),
                Resolution {
                    uri: uri.to_owned(),
                    cid: cid.to_owned(),
                },
            );
        }
        Ok(Lockfile {
            lexicons,
            resolutions,
        })
    }

    /// The lockfile's text, byte for byte what `@atproto/lex install` writes for it: `lexicons`
    /// sorted, `resolutions` sorted by NSID, each entry `uri` then `cid`, two-space indentation and
    /// a newline at the end.
    pub fn to_json(&self) -> String {
        let mut roots = self.lexicons.clone();
        roots.sort();
        let mut out = format!("{{\n  \"version\": {LOCKFILE_VERSION},\n  \"lexicons\": ");
        if roots.is_empty() {
            out.push_str("[]");
        } else {
            out.push('[');
            for (i, nsid) in roots.iter().enumerate() {
                out.push_str(if i == 0 { "\n    " } else { ",\n    " });
                out.push_str(&json::quote(nsid));
            }
            out.push_str("\n  ]");
        }
        out.push_str(",\n  \"resolutions\": ");
        if self.resolutions.is_empty() {
            out.push_str("{}");
        } else {
            out.push('{');
            for (i, (nsid, pin)) in self.resolutions.iter().enumerate() {
                out.push_str(if i == 0 { "\n    " } else { ",\n    " });
                out.push_str(&format!(
                    "{}: {{\n      \"uri\": {},\n      \"cid\": {}\n    }}",
                    json::quote(nsid),
                    json::quote(&pin.uri),
                    json::quote(&pin.cid)
                ));
            }
            out.push_str("\n  }");
        }
        out.push_str("\n}\n");
        out
    }
}

fn expect_object<'a>(
    value: &'a JsonValue,
    what: &str,
) -> Result<&'a json::JsonObject, LockfileError> {
    value.as_object().ok_or_else(|| {
        LockfileError::at(
            value,
            format!(
                "{what} must be a JSON object, not {}",
                a_word(value.kind_name())
            ),
        )
    })
}

fn expect_string<'a>(value: &'a JsonValue, what: &str) -> Result<&'a str, LockfileError> {
    value.as_str().ok_or_else(|| {
        LockfileError::at(
            value,
            format!("{what} must be a string, not {}", a_word(value.kind_name())),
        )
    })
}

fn expect_nsid<'a>(value: &'a JsonValue, what: &str) -> Result<&'a str, LockfileError> {
    let nsid = expect_string(value, what)?;
    match Nsid::problem(nsid) {
        None => Ok(nsid),
        Some((problem, _)) => Err(LockfileError::at(
            value,
            format!("{what} {nsid:?} is not an NSID: {problem}"),
        )),
    }
}

/// Refuses a member of `value` (an object) that is not one of `allowed`.
fn check_members(value: &JsonValue, allowed: &[&str]) -> Result<(), LockfileError> {
    let JsonKind::Object(object) = &value.kind else {
        return Ok(());
    };
    match object
        .members
        .iter()
        .find(|m| !allowed.contains(&m.key.as_str()))
    {
        None => Ok(()),
        Some(extra) => Err(LockfileError {
            message: format!(
                "unexpected member {:?}; the members here are {}",
                extra.key,
                allowed
                    .iter()
                    .map(|key| format!("`{key}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            range: extra.key_span.start as usize..extra.key_span.end as usize,
        }),
    }
}

/// The path of an NSID's lexicon file, relative to the lexicon folder, with `/` separators:
/// `app.bsky.feed.post` → `app/bsky/feed/post.json` (where `@atproto/lex install` writes it).
pub fn lexicon_path(nsid: &str) -> String {
    format!("{}.json", nsid.replace('.', "/"))
}

/// The other lexicons a lexicon document needs, as `lexperm pull` follows them: the NSID of every
/// `ref` and union `refs` entry (local `#def` refs skipped), of every token reference
/// (`nsid#name`) among a string's `knownValues`, the `collection`, `lxm` and `spaceType` of
/// permission entries, and a space declaration's `collections`. All but the last two are what
/// `@atproto/lex install` follows; it does not know space entries and declarations. Wildcards (`*`,
/// `GROUP.*`), values that are not NSIDs and the document's own `id` are skipped.
pub fn dependencies(doc: &Value) -> BTreeSet<String> {
    let own = doc.get("id").and_then(Value::as_str).unwrap_or("");
    let mut found = BTreeSet::new();
    collect_dependencies(doc, &mut found);
    found.remove(own);
    found
}

fn collect_dependencies(value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Array(items) => {
            for item in items {
                collect_dependencies(item, found);
            }
        }
        Value::Object(members) => {
            let kind = members.get("type").and_then(Value::as_str).unwrap_or("");
            let keys: &[&str] = match kind {
                "ref" => &["ref"],
                "union" => &["refs"],
                "string" => &["knownValues"],
                "permission" => &["collection", "lxm", "spaceType"],
                "space" => &["collections"],
                _ => &[],
            };
            for key in keys {
                let names = match members.get(*key) {
                    Some(Value::String(one)) => vec![one.as_str()],
                    Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                for name in names {
                    // A known value names a lexicon only as a token reference `nsid#name`.
                    if *key == "knownValues"
                        && !name
                            .split_once('#')
                            .is_some_and(|(_, def)| !def.is_empty() && !def.contains('#'))
                    {
                        continue;
                    }
                    let nsid = name.split('#').next().unwrap_or("");
                    if Nsid::parse(nsid).is_ok() {
                        found.insert(nsid.to_owned());
                    }
                }
            }
            for member in members.values() {
                collect_dependencies(member, found);
            }
        }
        _ => {}
    }
}

/// Where the lockfile of the lexicon folder `dir` may be, in the order to look, each with the
/// lexicon folder it pins paths under: beside the folder (`<dir>/../lexicons.json`, pinning under
/// `dir`; skipped when `dir` ends in `.` or `..`: pass a folded absolute path), then inside it
/// with the `lexicons/` folder `@atproto/lex` uses by default (`<dir>/lexicons.json`, pinning
/// under `<dir>/lexicons`). The caller checks which exist.
pub fn candidates(dir: &Path) -> Vec<(PathBuf, PathBuf)> {
    let mut found = Vec::with_capacity(2);
    if dir.file_name().is_some() {
        let parent = dir.parent().unwrap_or(Path::new(""));
        found.push((parent.join(LOCKFILE_NAME), dir.to_path_buf()));
    }
    found.push((dir.join(LOCKFILE_NAME), dir.join("lexicons")));
    found
}

/// A pinned lexicon's file as the caller found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalFile {
    /// There is no file at the path.
    Missing,
    /// The file exists but cannot be read: the reason.
    Unreadable(String),
    /// The file's text.
    Text(String),
}

/// A pinned lexicon whose file is not what the lockfile pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedMismatch {
    /// The pinned NSID.
    pub nsid: String,
    /// Its file, relative to the lexicon folder ([`lexicon_path`]).
    pub path: String,
    /// What is wrong.
    pub mismatch: Mismatch,
}

/// The CID of the `com.atproto.lexicon.schema` record made from a lexicon file's text, and the
/// document's `id`; an error names what keeps the text from being a record.
pub fn record_cid(text: &str) -> Result<(String, Cid), String> {
    let doc: Value = serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    record_cid_of(&doc)
}

/// [`record_cid`] of a document already parsed.
pub fn record_cid_of(doc: &Value) -> Result<(String, Cid), String> {
    let record = schema_record(doc).map_err(|err| err.to_string())?;
    Ok((record.nsid().to_owned(), record.cid().clone()))
}

/// Checks every pinned lexicon offline: `read` is called with each pinned NSID's
/// [`lexicon_path`] and returns the file found there. Returns one [`PinnedMismatch`] per file
/// that is missing, unreadable, not a lexicon with that `id`, or whose record CID differs from
/// the pinned one, in NSID order. Files the lockfile does not pin are never asked for.
pub fn verify(lockfile: &Lockfile, mut read: impl FnMut(&str) -> LocalFile) -> Vec<PinnedMismatch> {
    let mut found = Vec::new();
    for (nsid, pin) in &lockfile.resolutions {
        let path = lexicon_path(nsid);
        let mismatch = match read(&path) {
            LocalFile::Missing => Some(Mismatch::Missing),
            LocalFile::Unreadable(detail) => Some(Mismatch::Unreadable { detail }),
            LocalFile::Text(text) => match record_cid(&text) {
                Err(reason) => Some(Mismatch::Invalid { reason }),
                Ok((id, _)) if id != *nsid => Some(Mismatch::Invalid {
                    reason: format!("its `id` is {id:?}"),
                }),
                Ok((_, cid)) => {
                    let local = cid.to_string();
                    (local != pin.cid).then(|| Mismatch::CidDiffers {
                        pinned: pin.cid.clone(),
                        local,
                    })
                }
            },
        };
        if let Some(mismatch) = mismatch {
            found.push(PinnedMismatch {
                nsid: nsid.clone(),
                path,
                mismatch,
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_follow_refs_permissions_and_spaces() {
        let doc = serde_json::json!({"lexicon": 1, "id": "a.b.set", "defs": {
            "main": {"type": "permission-set", "permissions": [
                {"type": "permission", "resource": "repo", "collection": ["a.b.post", "a.b.*", "*"]},
                {"type": "permission", "resource": "rpc", "lxm": ["a.b.getPost"], "aud": "*"},
                {"type": "permission", "resource": "space", "spaceType": "a.b.space"}]},
            "obj": {"type": "object", "properties": {
                "x": {"type": "ref", "ref": "c.d.defs#thing"},
                "y": {"type": "ref", "ref": "#local"},
                "z": {"type": "union", "refs": ["e.f.one", "a.b.set#obj"]},
                "k": {"type": "string",
                      "knownValues": ["i.j.defs#token", "k.l.plain", "#local", "m.n.x#a#b"]}}},
            "sp": {"type": "space", "collections": ["g.h.rec", "*"]}}});
        let found: Vec<String> = dependencies(&doc).into_iter().collect();
        assert_eq!(
            found,
            [
                "a.b.getPost",
                "a.b.post",
                "a.b.space",
                "c.d.defs",
                "e.f.one",
                "g.h.rec",
                "i.j.defs"
            ]
        );
    }

    const DOC: &str =
        r#"{"lexicon": 1, "id": "com.example.thing", "defs": {"main": {"type": "token"}}}"#;

    fn pinned(cid: &str) -> Lockfile {
        let mut lockfile = Lockfile {
            lexicons: vec!["com.example.thing".into()],
            ..Lockfile::default()
        };
        lockfile.resolutions.insert(
            "com.example.thing".into(),
            Resolution {
                uri: "at://did:plc:abc/com.atproto.lexicon.schema/com.example.thing".into(),
                cid: cid.into(),
            },
        );
        lockfile
    }

    #[test]
    fn writes_what_json_stringify_writes() {
        let mut lockfile = pinned("bafyreiaaaa");
        lockfile.lexicons.insert(0, "org.example.b".into());
        assert_eq!(
            lockfile.to_json(),
            "{\n  \"version\": 1,\n  \"lexicons\": [\n    \"com.example.thing\",\n    \"org.example.b\"\n  ],\n  \"resolutions\": {\n    \"com.example.thing\": {\n      \"uri\": \"at://did:plc:abc/com.atproto.lexicon.schema/com.example.thing\",\n      \"cid\": \"bafyreiaaaa\"\n    }\n  }\n}\n"
        );
        assert_eq!(
            Lockfile::default().to_json(),
            "{\n  \"version\": 1,\n  \"lexicons\": [],\n  \"resolutions\": {}\n}\n"
        );
    }

    #[test]
    fn refuses_bad_lockfiles_with_a_location() {
        let cid = record_cid(DOC).unwrap().1.to_string();
        let good = pinned(&cid).to_json();
        assert_eq!(Lockfile::parse(&good).unwrap(), pinned(&cid));
        assert_eq!(Lockfile::parse(&format!("{good}\n")).unwrap(), pinned(&cid));
        let cases = [
            ("[]", "the lockfile must be a JSON object, not an array", (1, 1)),
            ("{\"version\": 1,", "not valid JSON", (1, 15)),
            (
                "{\n  \"version\": 2, \"lexicons\": [], \"resolutions\": {}}",
                "`version` must be 1",
                (2, 14),
            ),
            (
                "{\"version\": 1, \"lexicons\": [], \"resolutions\": {}, \"extra\": 1}",
                "unexpected member \"extra\"",
                (1, 51),
            ),
            (
                "{\"version\": 1, \"lexicons\": []}",
                "no `resolutions` member",
                (1, 1),
            ),
            (
                "{\"version\": 1, \"lexicons\": [\"nope\"], \"resolutions\": {}}",
                "an entry of `lexicons` \"nope\" is not an NSID",
                (1, 29),
            ),
            (
                "{\"version\": 1, \"lexicons\": [], \"resolutions\": {\"a.b.c\": {\"uri\": \"at://did:plc:x/com.atproto.lexicon.schema/a.b.d\", \"cid\": \"bafyreiaaaa\"}}}",
                "must be the lexicon's schema record",
                (1, 65),
            ),
            (
                "{\"version\": 1, \"lexicons\": [], \"resolutions\": {\"a.b.c\": {\"uri\": \"at://did:plc:x/com.atproto.lexicon.schema/a.b.c\", \"cid\": \"nope\"}}}",
                "resolutions[\"a.b.c\"].cid is not a CID",
                (1, 123),
            ),
            (
                "{\"version\": 1, \"lexicons\": [], \"resolutions\": {\"a.b.c\": {\"uri\": \"x\", \"cid\": \"b\", \"cid\": \"b\"}}}",
                "not valid JSON: duplicate key",
                (1, 82),
            ),
        ];
        for (text, message, location) in cases {
            let err = Lockfile::parse(text).unwrap_err();
            assert!(err.message.contains(message), "{text}: {}", err.message);
            assert_eq!(err.line_col(text), location, "{text}: {}", err.message);
        }
    }

    #[test]
    fn verify_reports_each_kind_of_mismatch() {
        let cid = record_cid(DOC).unwrap().1.to_string();
        let lockfile = pinned(&cid);
        let check = |file: LocalFile| {
            let mut asked = Vec::new();
            let found = verify(&lockfile, |path| {
                asked.push(path.to_owned());
                file.clone()
            });
            assert_eq!(asked, ["com/example/thing.json"]);
            found.into_iter().map(|m| m.mismatch).next()
        };
        assert_eq!(check(LocalFile::Text(DOC.into())), None);
        // Key order and whitespace do not change the record.
        let reordered = r#"{"defs": {"main": {"type": "token"}}, "id": "com.example.thing", "lexicon": 1, "$type": "com.atproto.lexicon.schema"}"#;
        assert_eq!(check(LocalFile::Text(reordered.into())), None);
        assert_eq!(check(LocalFile::Missing), Some(Mismatch::Missing));
        assert_eq!(
            check(LocalFile::Unreadable("permission denied".into())),
            Some(Mismatch::Unreadable {
                detail: "permission denied".into()
            })
        );
        let tampered = DOC.replace("token", "string");
        let local = record_cid(&tampered).unwrap().1.to_string();
        assert_eq!(
            check(LocalFile::Text(tampered)),
            Some(Mismatch::CidDiffers {
                pinned: cid.clone(),
                local
            })
        );
        let Some(Mismatch::Invalid { reason }) = check(LocalFile::Text("{".into())) else {
            panic!("invalid JSON is a mismatch");
        };
        assert!(reason.starts_with("not valid JSON"), "{reason}");
        let Some(Mismatch::Invalid { reason }) = check(LocalFile::Text(
            DOC.replace("com.example.thing", "com.example.other"),
        )) else {
            panic!("another id is a mismatch");
        };
        assert_eq!(reason, "its `id` is \"com.example.other\"");
    }

    #[test]
    fn candidates_look_beside_then_inside() {
        assert_eq!(
            candidates(Path::new("/p/lexicons")),
            [
                (
                    PathBuf::from("/p/lexicons.json"),
                    PathBuf::from("/p/lexicons")
                ),
                (
                    PathBuf::from("/p/lexicons/lexicons.json"),
                    PathBuf::from("/p/lexicons/lexicons")
                ),
            ]
        );
        assert_eq!(
            candidates(Path::new("/p/..")),
            [(
                PathBuf::from("/p/../lexicons.json"),
                PathBuf::from("/p/../lexicons")
            )]
        );
    }
}
