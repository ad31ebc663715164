//! `lexperm new KIND NSID`: writes a lexicon file with a minimal, lint-clean body of one kind at
//! the path its NSID gives (`lexicons/com/example/thing.json` for `com.example.thing`).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use lexperm_parser::syntax::Nsid;
use lexperm_resolver::Catalog;
use serde_json::{json, Value};

use super::lexicons::DEFAULT_LEXICONS;
use crate::load::{self, WalkOptions};

/// Arguments of `lexperm new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The kind of lexicon to write.
    #[arg(value_enum)]
    kind: Kind,
    /// Its NSID, e.g. `com.example.thing`.
    nsid: String,
    /// The lexicon folder the file goes in, under the NSID's path.
    #[arg(long = "lexicons", value_name = "DIR", default_value = DEFAULT_LEXICONS)]
    dir: PathBuf,
    /// Overwrite the file when it exists.
    #[arg(long)]
    force: bool,
}

/// The kinds of lexicon `lexperm new` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A record (key `tid`, a required `createdAt` datetime).
    Record,
    /// A query (parameters and a JSON output).
    Query,
    /// A procedure (JSON input and output).
    Procedure,
    /// A subscription (a `cursor` parameter and a message union).
    Subscription,
    /// A permission set granting the records and endpoints of its namespace found in the folder.
    PermissionSet,
    /// A space type (permissioned data).
    Space,
}

/// Runs `new` and returns the exit code.
pub fn run(args: NewArgs) -> u8 {
    let nsid = match Nsid::parse(&args.nsid) {
        Ok(nsid) => nsid,
        Err(err) => {
            eprintln!("error: `{}`: {err}", args.nsid);
            return crate::EXIT_USAGE;
        }
    };
    let document = match args.kind {
        Kind::PermissionSet => {
            let members = Members::find(&args.dir, &nsid);
            if members.records.is_empty() && members.endpoints.is_empty() {
                eprintln!(
                    "error: no record, query or procedure under {} is in the namespace `{}*`, so the permission set would grant nothing",
                    args.dir.display(),
                    nsid.group_prefix()
                );
                eprintln!(
                    "  help: write one first, e.g. `lexperm new record {}post`, then run this again",
                    nsid.group_prefix()
                );
                return crate::EXIT_USAGE;
            }
            permission_set(&nsid, &members)
        }
        kind => document(kind, &nsid),
    };
    let path = lexicon_path(&args.dir, &nsid);
    match write_file(&path, &to_text(&document), args.force) {
        Ok(Written::Created) => println!("created {}", path.display()),
        Ok(Written::Replaced) => println!("overwrote {}", path.display()),
        Ok(Written::Kept) => {
            eprintln!("error: {} exists; it was left as it is", path.display());
            eprintln!("  help: --force overwrites it");
            return crate::EXIT_USAGE;
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", path.display());
            return crate::EXIT_USAGE;
        }
    }
    crate::EXIT_OK
}

/// Where the lexicon `nsid` lives under `dir`: one folder per segment, the name as the file
/// (`DIR/com/example/thing.json`).
pub fn lexicon_path(dir: &Path, nsid: &Nsid) -> PathBuf {
    let mut path = dir.to_path_buf();
    let mut segments = nsid.as_str().split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_some() {
            path.push(segment);
        } else {
            path.push(format!("{segment}.json"));
        }
    }
    path
}

/// What [`write_file`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file did not exist and was written.
    Created,
    /// The file existed and was overwritten (`force`).
    Replaced,
    /// The file existed and was left as it is.
    Kept,
}

/// Writes `text` to `path`, creating its folders. An existing file is kept unless `force`.
pub fn write_file(path: &Path, text: &str, force: bool) -> io::Result<Written> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let existed = path.symlink_metadata().is_ok();
    if existed && !force {
        return Ok(Written::Kept);
    }
    let mut options = OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // Fails rather than overwrite a file made since the check above.
        options.create_new(true);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(text.as_bytes())?;
            Ok(if existed {
                Written::Replaced
            } else {
                Written::Created
            })
        }
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(Written::Kept),
        Err(err) => Err(err),
    }
}

/// A document as written: two-space indentation, a final line feed.
pub fn to_text(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// The lexicon document of `kind` (any but [`Kind::PermissionSet`], which needs [`Members`]).
pub fn document(kind: Kind, nsid: &Nsid) -> Value {
    let name = nsid.name();
    let defs = match kind {
        Kind::Record => json!({
            "main": {
                "type": "record",
                "description": format!("A {name} record."),
                "key": "tid",
                "record": {
                    "type": "object",
                    "required": ["createdAt"],
                    "properties": {
                        "createdAt": {
                            "type": "string",
                            "format": "datetime",
                            "description": "When the record was created, as the client declares it."
                        }
                    }
                }
            }
        }),
        Kind::Query => json!({
            "main": {
                "type": "query",
                "description": format!("The {name} query: a page of items."),
                "parameters": {
                    "type": "params",
                    "properties": {
                        "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 50 },
                        "cursor": { "type": "string" }
                    }
                },
                "output": {
                    "encoding": "application/json",
                    "schema": {
                        "type": "object",
                        "required": ["items"],
                        "properties": {
                            "cursor": { "type": "string" },
                            "items": {
                                "type": "array",
                                "items": { "type": "string", "format": "at-uri" }
                            }
                        }
                    }
                }
            }
        }),
        Kind::Procedure => json!({
            "main": {
                "type": "procedure",
                "description": format!("The {name} procedure: acts on one record."),
                "input": {
                    "encoding": "application/json",
                    "schema": {
                        "type": "object",
                        "required": ["subject"],
                        "properties": {
                            "subject": { "type": "string", "format": "at-uri" }
                        }
                    }
                },
                "output": {
                    "encoding": "application/json",
                    "schema": {
                        "type": "object",
                        "required": ["uri", "cid"],
                        "properties": {
                            "uri": { "type": "string", "format": "at-uri" },
                            "cid": { "type": "string", "format": "cid" }
                        }
                    }
                }
            }
        }),
        Kind::Subscription => json!({
            "main": {
                "type": "subscription",
                "description": format!("The {name} stream of events."),
                "parameters": {
                    "type": "params",
                    "properties": {
                        "cursor": {
                            "type": "integer",
                            "description": "The last sequence number seen, to resume after."
                        }
                    }
                },
                "message": {
                    "schema": { "type": "union", "refs": ["#event"] }
                }
            },
            "event": {
                "type": "object",
                "required": ["seq", "time"],
                "properties": {
                    "seq": { "type": "integer" },
                    "time": { "type": "string", "format": "datetime" }
                }
            }
        }),
        Kind::Space => json!({
            "main": {
                "type": "space",
                "description": format!("The {name} space type: records visible to its members only."),
                "key": "tid",
                "name": name,
                "collections": []
            }
        }),
        Kind::PermissionSet => unreachable!("permission sets are built by `permission_set`"),
    };
    json!({ "lexicon": 1, "id": nsid.as_str(), "defs": defs })
}

/// The records and endpoints a permission set may grant: those in its namespace (the set's NSID
/// group and the groups under it) in the lexicon folder.
#[derive(Debug, Default)]
pub struct Members {
    /// Record NSIDs, sorted.
    pub records: Vec<String>,
    /// Query and procedure NSIDs, sorted.
    pub endpoints: Vec<String>,
}

impl Members {
    /// The members of `set`'s namespace among the lexicons under `dir` (none when it does not
    /// exist; files that cannot be read are left out, `lexperm lint` reports them).
    pub fn find(dir: &Path, set: &Nsid) -> Members {
        let mut members = Members::default();
        if !dir.exists() {
            return members;
        }
        let files = load::load(&[dir.to_path_buf()], &WalkOptions::default());
        let (catalog, _) = Catalog::load(
            files
                .sources
                .iter()
                .map(|(id, file)| (id, file.path.as_str(), file.text.as_str())),
        );
        let in_namespace = |nsid: &str| set.is_parent_authority_of(nsid) && nsid != set.as_str();
        for (doc, _) in catalog.records() {
            if in_namespace(doc.nsid_str()) {
                members.records.push(doc.nsid_str().to_owned());
            }
        }
        for (doc, _) in catalog.endpoints() {
            if in_namespace(doc.nsid_str()) {
                members.endpoints.push(doc.nsid_str().to_owned());
            }
        }
        members.records.sort();
        members.records.dedup();
        members.endpoints.sort();
        members.endpoints.dedup();
        members
    }
}

/// A permission set granting `members`: a `repo` entry for the records, an `rpc` entry (with
/// `inheritAud`) for the endpoints.
pub fn permission_set(nsid: &Nsid, members: &Members) -> Value {
    let group = nsid.group_prefix().trim_end_matches('.');
    let mut permissions = Vec::new();
    let mut grants = Vec::new();
    if !members.records.is_empty() {
        permissions.push(json!({
            "type": "permission",
            "resource": "repo",
            "collection": members.records
        }));
        grants.push(format!("Create, update and delete {group} records"));
    }
    if !members.endpoints.is_empty() {
        permissions.push(json!({
            "type": "permission",
            "resource": "rpc",
            "lxm": members.endpoints,
            "inheritAud": true
        }));
        let call = if grants.is_empty() { "Call" } else { "call" };
        grants.push(format!("{call} {group} queries and procedures"));
    }
    json!({
        "lexicon": 1,
        "id": nsid.as_str(),
        "defs": {
            "main": {
                "type": "permission-set",
                "title": format!("Use {group}"),
                "detail": format!("{}.", grants.join(", and ")),
                "permissions": permissions
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_has_one_folder_per_segment() {
        let nsid = Nsid::parse("com.example.feed.post").unwrap();
        assert_eq!(
            lexicon_path(Path::new("lexicons"), &nsid),
            Path::new("lexicons/com/example/feed/post.json")
        );
    }

    #[test]
    fn permission_set_grants_members() {
        let nsid = Nsid::parse("com.example.authFull").unwrap();
        let members = Members {
            records: vec!["com.example.post".into()],
            endpoints: vec![],
        };
        let set = permission_set(&nsid, &members);
        let permissions = &set["defs"]["main"]["permissions"];
        assert_eq!(permissions.as_array().unwrap().len(), 1);
        assert_eq!(permissions[0]["collection"][0], "com.example.post");
    }
}
