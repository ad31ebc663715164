//! `lexperm status`: every local lexicon against what its authority publishes (`published`,
//! `differs`, `unpublished`, `unavailable`), plus the records of those authorities that are not
//! local (`remote-only`). One listing per authority: DNS `_lexicon` TXT → DID → DID document →
//! PDS → `listRecords`, each record checked against its CID ([`lexperm_net::published`]).

use std::collections::BTreeMap;

use clap::Args;
use lexperm_net::authority::nsid_authority;
use lexperm_net::publish::LocalLexicon;
use lexperm_net::published::{
    compare_status, list_published, LexiconStatus, ListingError, PublishedGroup, StatusEntry,
};
use lexperm_parser::diagnostics::FileId;
use serde_json::Value;

use super::lexicons::{Format, LexiconDirs, Loaded};
use super::net_args::NetArgs;
use crate::config;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// `lexperm status` arguments.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub lexicons: LexiconDirs,
    #[command(flatten)]
    pub net: NetArgs,
    /// Output format: lines grouped by authority with a summary, or one JSON object per NSID.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// A local lexicon: the file it is in, its document and its record (with the record CID
/// `publish` and `gen records` compute).
pub struct Local {
    /// The file's id in the run's sources.
    pub file: FileId,
    /// The file's path as shown.
    pub path: String,
    /// The record and its CID.
    pub lexicon: LocalLexicon,
}

/// The local lexicons of `loaded`, each NSID once (the first file declaring it: the catalog has
/// warned about the others). A file that is not a lexicon record (not JSON, no valid `id`) is
/// reported on stderr and counted in the second value.
pub fn local_lexicons(loaded: &Loaded) -> (Vec<Local>, usize) {
    let mut locals: Vec<Local> = Vec::new();
    let mut broken = 0;
    for (file, source) in loaded.sources.iter() {
        match LocalLexicon::from_text(&source.text) {
            Ok(lexicon) if locals.iter().any(|l| l.lexicon.nsid == lexicon.nsid) => {}
            Ok(lexicon) => locals.push(Local {
                file,
                path: source.path.clone(),
                lexicon,
            }),
            Err(message) => {
                broken += 1;
                eprintln!(
                    "error: {}: {message} (run `lexperm lint` for details)",
                    source.path
                );
            }
        }
    }
    (locals, broken)
}

/// Run `lexperm status`; returns the exit code.
pub fn run(args: StatusArgs) -> u8 {
    let identity = match config::network_deadline().and_then(|d| args.net.identity(d)) {
        Ok(identity) => identity,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let loaded = args.lexicons.load();
    let (locals, broken) = local_lexicons(&loaded);
    if locals.is_empty() {
        if broken == 0 && loaded.failed == 0 {
            eprintln!(
                "error: no lexicon files (*.json) found; give the folder with --lexicons DIR"
            );
        }
        return EXIT_USAGE;
    }
    let mut listings: BTreeMap<String, Result<PublishedGroup, ListingError>> = BTreeMap::new();
    for local in &locals {
        let Ok(authority) = nsid_authority(&local.lexicon.nsid) else {
            continue;
        };
        if let std::collections::btree_map::Entry::Vacant(slot) = listings.entry(authority) {
            let listing = list_published(&identity, slot.key());
            slot.insert(listing);
        }
    }
    crate::verbose(format_args!(
        "{} requests for {} authorities",
        identity.requests().count(),
        listings.len()
    ));
    let lexicons: Vec<LocalLexicon> = locals.iter().map(|l| l.lexicon.clone()).collect();
    let entries = compare_status(&lexicons, &listings);
    let path_of = |nsid: &str| {
        locals
            .iter()
            .find(|l| l.lexicon.nsid == nsid)
            .map(|l| l.path.as_str())
    };
    match args.format {
        Format::Json => {
            for entry in &entries {
                println!("{}", entry_json(entry, path_of(&entry.nsid)));
            }
        }
        Format::Human => print_human(&entries, &listings, path_of),
    }
    let clean = entries.iter().all(|e| e.status == LexiconStatus::Published);
    let code = if broken > 0 {
        EXIT_USAGE
    } else if clean {
        EXIT_OK
    } else {
        EXIT_FAILURE
    };
    loaded.exit_code(code)
}

/// One JSON line: `version`, the entry's members, then `file` (the local file, or `null`).
fn entry_json(entry: &StatusEntry, path: Option<&str>) -> Value {
    let mut line = crate::render::versioned(entry);
    line.insert("file".to_owned(), path.into());
    Value::Object(line)
}

/// Lines grouped by authority (a header with the DID and PDS, or why it is unavailable), then
/// the summary line.
fn print_human<'a>(
    entries: &[StatusEntry],
    listings: &BTreeMap<String, Result<PublishedGroup, ListingError>>,
    path_of: impl Fn(&str) -> Option<&'a str>,
) {
    let cid = |c: &Option<String>| c.clone().unwrap_or_else(|| "-".into());
    let mut start = 0;
    while start < entries.len() {
        let authority = &entries[start].authority;
        let end = entries[start..]
            .iter()
            .position(|e| &e.authority != authority)
            .map_or(entries.len(), |n| start + n);
        let group = &entries[start..end];
        match listings.get(authority) {
            Some(Ok(listing)) => {
                println!("{authority} ({} on {})", listing.did, listing.pds)
            }
            Some(Err(failure)) => println!(
                "{authority}: unavailable: listing failed at the {}: {}",
                failure.step, failure.error
            ),
            None => println!("{}", group[0].nsid),
        }
        let width = group.iter().map(|e| e.nsid.len()).max().unwrap_or(0);
        for entry in group {
            let detail = match entry.status {
                LexiconStatus::Published => cid(&entry.local_cid),
                LexiconStatus::Differs => format!(
                    "local {}, published {}",
                    cid(&entry.local_cid),
                    cid(&entry.remote_cid)
                ),
                LexiconStatus::Unpublished => {
                    format!(
                        "{}  {}",
                        cid(&entry.local_cid),
                        path_of(&entry.nsid).unwrap_or("")
                    )
                }
                LexiconStatus::RemoteOnly => format!("{} (no local file)", cid(&entry.remote_cid)),
                LexiconStatus::Unavailable => match (&entry.error, listings.get(authority)) {
                    // The group's header says why.
                    (_, Some(Err(_))) | (None, _) => cid(&entry.local_cid),
                    (Some(error), _) => format!(
                        "{}: {}: {}",
                        cid(&entry.local_cid),
                        error.code,
                        error.message
                    ),
                },
            };
            println!(
                "  {:<12} {:<width$}  {detail}",
                entry.status.as_str(),
                entry.nsid
            );
        }
        start = end;
    }
    println!("{}", summary(entries));
}

/// `3 published, 1 differs, 1 unpublished, 1 remote-only` (and `, N unavailable` when some are).
fn summary(entries: &[StatusEntry]) -> String {
    let mut parts = Vec::new();
    for status in LexiconStatus::ALL {
        let n = entries.iter().filter(|e| e.status == status).count();
        if status != LexiconStatus::Unavailable || n > 0 {
            parts.push(format!("{n} {}", status.as_str()));
        }
    }
    parts.join(", ")
}
