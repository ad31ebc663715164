//! `lexperm pull NSID|GROUP.*…`: fetch published lexicons and their dependency closure into the
//! lexicon folder, through the same resolution chain, proof checks and cache as `resolve`, and pin
//! them in `lexicons.json` (the lockfile of `@atproto/lex install`).
//!
//! The closure is always that of every root (the NSIDs asked for now and the lockfile's
//! `lexicons`), so a pin no root reaches any more is dropped with its file. Lexicons already
//! pinned are kept without `--update`: their files are checked against the pin and not fetched
//! again. A file that is not pinned (or, with `--update`, no longer matches its pin) is never
//! replaced without `--force`. Files are written as `@atproto/lex install` writes them (the
//! record, `$type` included, two-space JSON with a final newline). Files and the lockfile are
//! staged in a folder beside the lockfile and moved into place together; on any failure the
//! previous state is left as it was. `--ci` runs the offline check of `lexperm lockfile verify`
//! and nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use clap::Args;
use lexperm_codegen::lockfile::{self, Lockfile, Resolution};
use lexperm_net::authority::nsid_authority;
use lexperm_net::cache::CachedLexicon;
use lexperm_net::resolve::LexiconResolver;
use lexperm_net::{NetError, RequestCounter};
use lexperm_parser::syntax::Nsid;
use lexperm_parser::wording::count;
use serde_json::Value;

use super::lockfile::{found_for, read_lockfile, LockfileCommand, VerifyArgs};
use super::net_args::NetArgs;
use super::remote::resolver;
use crate::config;
use crate::sources::fold_dots;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// `lexperm pull` arguments.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// NSIDs to pull (e.g. `com.example.calendar.authBasic`), or `GROUP.*` for every lexicon of
    /// an NSID group its authority publishes (e.g. `com.example.calendar.*`). Without any, the
    /// roots of the existing lockfile are pulled again.
    #[arg(value_name = "NSID|GROUP.*")]
    pub targets: Vec<String>,
    /// The lexicon folder to write into; the lockfile is `lexicons.json` beside it.
    #[arg(long, value_name = "DIR", default_value = "lexicons")]
    pub lexicons: PathBuf,
    /// Resolve every lexicon again, pinned ones included, and pin what is published now.
    #[arg(long)]
    pub update: bool,
    /// Only check offline that the pinned files match the lockfile (as `lexperm lockfile
    /// verify`); no network.
    #[arg(long, conflicts_with_all = ["update", "no_cache", "targets"])]
    pub ci: bool,
    /// Neither read nor write the resolution cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Replace local files that are not the pinned or published record (a file the lockfile
    /// does not pin, or a pinned file edited since).
    #[arg(long, conflicts_with = "ci")]
    pub force: bool,
    /// How many requests may run at the same time.
    #[arg(long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    #[command(flatten)]
    pub net: NetArgs,
}

/// One lexicon of the closure, as it will be pinned.
struct Pulled {
    record: Value,
    uri: String,
    cid: String,
    /// The file text to write; `None` when the file is kept as it is.
    text: Option<String>,
}

/// What `closure` may do with the files already in the lexicon folder.
#[derive(Clone, Copy)]
struct FilePolicy {
    /// Fetch pinned lexicons again.
    update: bool,
    /// Replace files that are neither pinned nor the published record.
    force: bool,
}

/// Run `lexperm pull`; returns the exit code.
pub fn run(args: PullArgs) -> u8 {
    if args.ci {
        return super::lockfile::run(LockfileCommand::Verify(VerifyArgs {
            lexicons: args.lexicons,
            lockfile: None,
        }));
    }
    let mut requests = None;
    let jobs = args.jobs;
    let code = match pull(&args, &mut requests) {
        Ok(()) => EXIT_OK,
        Err((code, message)) => {
            eprintln!("{message}");
            eprintln!("nothing was written");
            code
        }
    };
    if let Some(requests) = requests {
        eprintln!(
            "{} made (at most {jobs} at a time)",
            count(requests.count(), "request", "requests")
        );
    }
    code
}

type Failure = (u8, String);

fn usage(message: String) -> Failure {
    (EXIT_USAGE, format!("error: {message}"))
}

/// Pulls what `args` asks for; `requests` is set to the request counter once there is one.
fn pull(args: &PullArgs, requests: &mut Option<RequestCounter>) -> Result<(), Failure> {
    let mut names = Vec::new();
    let mut groups = Vec::new();
    for target in &args.targets {
        match target.strip_suffix(".*") {
            Some(group) => {
                // A group is valid when a name in it is a valid NSID.
                Nsid::parse(&format!("{group}.x"))
                    .map_err(|e| usage(format!("`{target}` is not an NSID group: {e}")))?;
                groups.push(group.to_owned());
            }
            None => {
                Nsid::parse(target)
                    .map_err(|e| usage(format!("`{target}` is not an NSID: {e}")))?;
                names.push(target.clone());
            }
        }
    }
    let (lock_path, root) = lockfile_location(&args.lexicons);
    let previous = if lock_path.is_file() {
        read_lockfile(&lock_path).map_err(usage)?
    } else {
        Lockfile::default()
    };

    let mut roots: BTreeSet<String> = previous.lexicons.iter().cloned().collect();
    if names.is_empty() && groups.is_empty() && roots.is_empty() {
        return Err(usage(format!(
            "nothing to pull: name an NSID or `GROUP.*`, or keep the roots to pull in {}",
            lock_path.display()
        )));
    }

    let deadline = config::network_deadline().map_err(usage)?;
    let resolver = resolver(&args.net, deadline, args.no_cache, false).map_err(usage)?;
    *requests = Some(resolver.identity().requests());
    let jobs = usize::from(args.jobs);
    let policy = FilePolicy {
        update: args.update,
        force: args.force,
    };
    let result = (|| {
        for group in &groups {
            names.extend(group_members(&resolver, group)?);
        }
        roots.extend(names.iter().cloned());
        let roots: Vec<String> = roots.iter().cloned().collect();
        closure(&resolver, &roots, &previous, &root, policy, jobs)
    })();
    for warning in resolver.take_warnings() {
        eprintln!("warning: {warning}");
    }
    let pulled = result?;

    let mut next = Lockfile {
        lexicons: roots.into_iter().collect(),
        resolutions: BTreeMap::new(),
    };
    let mut writes: Vec<(PathBuf, Option<String>)> = Vec::new();
    let mut fetched = 0;
    // Pins no root reaches any more: dropped, and their files removed when they are still the
    // pinned record (a file edited since is left where it is).
    let mut pruned = Vec::new();
    for (nsid, pin) in &previous.resolutions {
        if pulled.contains_key(nsid) {
            continue;
        }
        let file = root.join(lockfile::lexicon_path(nsid));
        let unchanged = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| lockfile::record_cid(&text).ok())
            .is_some_and(|(_, cid)| cid.to_string() == pin.cid);
        if unchanged {
            writes.push((file, None));
        } else if file.exists() {
            eprintln!(
                "warning: {}: {nsid} is no longer needed by any root, but the file is not the pinned record; it is left in place",
                file.display()
            );
        }
        pruned.push(nsid.clone());
    }
    for (nsid, item) in &pulled {
        next.resolutions.insert(
            nsid.clone(),
            Resolution {
                uri: item.uri.clone(),
                cid: item.cid.clone(),
            },
        );
        if let Some(text) = &item.text {
            fetched += 1;
            writes.push((root.join(lockfile::lexicon_path(nsid)), Some(text.clone())));
        }
    }
    writes.push((lock_path.clone(), Some(next.to_json())));
    commit(&lock_path, &writes).map_err(|e| {
        (
            EXIT_USAGE,
            format!("error: cannot write the pulled lexicons: {e}"),
        )
    })?;
    println!(
        "{} in the closure ({} written, {} kept) under {}; {} written",
        count(pulled.len(), "lexicon", "lexicons"),
        fetched,
        pulled.len() - fetched,
        root.display(),
        lock_path.display()
    );
    if !pruned.is_empty() {
        println!(
            "dropped {} no root needs any more: {}",
            count(pruned.len(), "pin", "pins"),
            pruned.join(", ")
        );
    }
    Ok(())
}

/// The lockfile to write and the folder it pins paths under: the one found for `dir` (beside it,
/// or inside it with a `lexicons/` folder), else `lexicons.json` beside `dir`.
fn lockfile_location(dir: &Path) -> (PathBuf, PathBuf) {
    if let Some(found) = found_for(dir) {
        return found;
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let absolute = fold_dots(&cwd.join(dir));
    let parent = absolute.parent().unwrap_or(Path::new("/"));
    let path = parent.join(lockfile::LOCKFILE_NAME);
    let shown = path
        .strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or(path);
    (shown, dir.to_path_buf())
}

/// Which step of the resolution chain an error comes from.
fn chain_step(error: &NetError) -> &'static str {
    match error {
        NetError::Authority(_) | NetError::Dns { .. } => "DNS `_lexicon` TXT record",
        NetError::Identity { .. } => "DID document",
        NetError::NotPublished { .. } | NetError::Xrpc { .. } => "lexicon record on the PDS",
        NetError::InvalidLexicon { .. } => "checks of the fetched record",
        NetError::Proof { .. } => "repository proof",
        NetError::InvalidInput { .. } => "NSID",
        NetError::Deadline { .. } => "network deadline",
        _ => "request",
    }
}

fn net_failure(nsid: &str, error: &NetError) -> String {
    format!(
        "error: {nsid}: resolution failed at the {}: {error}",
        chain_step(error)
    )
}

/// The NSIDs of `group` (names directly in it) that its authority publishes: the authority's
/// `com.atproto.lexicon.schema` records, listed from its PDS (`list_published`; a listed record
/// that fails its checks stays a member, so resolving it reports why).
fn group_members(resolver: &LexiconResolver, group: &str) -> Result<Vec<String>, Failure> {
    let shown = format!("{group}.*");
    let authority =
        nsid_authority(&format!("{group}.x")).map_err(|e| (EXIT_USAGE, net_failure(&shown, &e)))?;
    let listed = resolver.list_published(&authority).map_err(|e| {
        (
            EXIT_USAGE,
            format!(
                "error: {shown}: resolution failed at the {}: {}",
                e.step, e.error
            ),
        )
    })?;
    let prefix = format!("{group}.");
    let directly_in_group = |nsid: &str| {
        nsid.strip_prefix(&prefix)
            .is_some_and(|name| !name.contains('.'))
    };
    let members: Vec<String> = listed
        .records
        .iter()
        .map(|entry| entry.rkey())
        .chain(listed.refused.iter().map(|r| r.nsid.as_str()))
        .filter(|nsid| directly_in_group(nsid))
        .map(str::to_owned)
        .collect();
    if members.is_empty() {
        return Err((
            EXIT_USAGE,
            format!(
                "error: {shown}: {} (named by _lexicon.{authority}) publishes no lexicon of the group on {}",
                listed.did, listed.pds
            ),
        ));
    }
    Ok(members)
}

/// Resolves `roots` and everything they need. Pinned lexicons whose file is present are kept
/// (unless `policy.update`) after checking the file against the pin; the others are fetched, at
/// most `jobs` at a time, and checked against the file already at their path.
fn closure(
    resolver: &LexiconResolver,
    roots: &[String],
    previous: &Lockfile,
    root: &Path,
    policy: FilePolicy,
    jobs: usize,
) -> Result<BTreeMap<String, Pulled>, Failure> {
    let update = policy.update;
    let mut pulled: BTreeMap<String, Pulled> = BTreeMap::new();
    let mut pending: BTreeSet<String> = roots.iter().cloned().collect();
    while !pending.is_empty() {
        let mut to_fetch = Vec::new();
        let mut local_errors = Vec::new();
        for nsid in std::mem::take(&mut pending) {
            let pin = previous.resolutions.get(&nsid);
            let file = root.join(lockfile::lexicon_path(&nsid));
            match pin {
                Some(pin) if !update && file.is_file() => match keep_pinned(&nsid, pin, &file) {
                    Ok(item) => {
                        pulled.insert(nsid, item);
                    }
                    Err(message) => local_errors.push(message),
                },
                _ => to_fetch.push(nsid),
            }
        }
        if !local_errors.is_empty() {
            return Err((EXIT_FAILURE, local_errors.join("\n")));
        }
        let results = fetch_all(resolver, &to_fetch, update, jobs);
        let mut errors = Vec::new();
        for (nsid, result) in to_fetch.into_iter().zip(results) {
            match result {
                Ok(lexicon) => match fetched(&nsid, lexicon, previous, update) {
                    Ok(item) => {
                        let file = root.join(lockfile::lexicon_path(&nsid));
                        match against_local_file(&nsid, item, &file, previous, policy) {
                            Ok(item) => {
                                pulled.insert(nsid, item);
                            }
                            Err(message) => local_errors.push(message),
                        }
                    }
                    Err(message) => errors.push(message),
                },
                Err(e) => errors.push(net_failure(&nsid, &e)),
            }
        }
        if !errors.is_empty() {
            errors.extend(local_errors);
            return Err((EXIT_USAGE, errors.join("\n")));
        }
        if !local_errors.is_empty() {
            return Err((EXIT_FAILURE, local_errors.join("\n")));
        }
        for item in pulled.values() {
            for dep in lockfile::dependencies(&item.record) {
                if !pulled.contains_key(&dep) {
                    pending.insert(dep);
                }
            }
        }
    }
    Ok(pulled)
}

/// A pinned lexicon kept as it is: its file must make the pinned record CID.
fn keep_pinned(nsid: &str, pin: &Resolution, file: &Path) -> Result<Pulled, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("error: {}: cannot read: {e}", file.display()))?;
    let invalid = |reason: String| {
        format!(
            "error: {}: pinned {nsid} is not a valid lexicon: {reason}",
            file.display()
        )
    };
    let record: Value =
        serde_json::from_str(&text).map_err(|err| invalid(format!("not valid JSON: {err}")))?;
    let (id, cid) = lockfile::record_cid_of(&record).map_err(invalid)?;
    let cid = cid.to_string();
    if id != nsid || cid != pin.cid {
        return Err(format!(
            "error: {}: pinned {nsid} has record CID {cid}, but lexicons.json pins {}\n  help: restore the file, or run `lexperm pull --update` to fetch what is published now",
            file.display(),
            pin.cid
        ));
    }
    Ok(Pulled {
        record,
        uri: pin.uri.clone(),
        cid,
        text: None,
    })
}

/// A fetched lexicon against the file already at its path: a file that is already the fetched
/// record is kept as it is; one that is the pinned record (being updated) is replaced; any other
/// file (not pinned, or edited since it was pinned) is refused unless `policy.force`.
fn against_local_file(
    nsid: &str,
    mut item: Pulled,
    file: &Path,
    previous: &Lockfile,
    policy: FilePolicy,
) -> Result<Pulled, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(item),
        Err(_) if policy.force => return Ok(item),
        Err(e) => return Err(format!("error: {}: cannot read: {e}", file.display())),
    };
    let local = lockfile::record_cid(&text)
        .ok()
        .filter(|(id, _)| id == nsid);
    let local_cid = local.as_ref().map(|(_, cid)| cid.to_string());
    if local_cid.as_deref() == Some(item.cid.as_str()) {
        item.text = None;
        return Ok(item);
    }
    let pin = previous.resolutions.get(nsid);
    if policy.force || (pin.is_some() && local_cid.as_deref() == pin.map(|p| p.cid.as_str())) {
        return Ok(item);
    }
    let what = match (&local_cid, pin) {
        (Some(cid), Some(pin)) => format!(
            "was edited since it was pinned (record CID {cid}, lexicons.json pins {})",
            pin.cid
        ),
        (Some(cid), None) => format!(
            "is not pinned in lexicons.json and is not the published record (record CID {cid}, {} publishes {})",
            item.uri, item.cid
        ),
        (None, _) => format!("is not a lexicon with the id {nsid}"),
    };
    Err(format!(
        "error: {}: {what}\n  help: it may be your own copy: move it away, or pass --force to replace it with the published record",
        file.display()
    ))
}

/// A fetched lexicon, ready to write: without `update`, a pinned lexicon (whose file was
/// missing) must still be published with the pinned CID.
fn fetched(
    nsid: &str,
    lexicon: CachedLexicon,
    previous: &Lockfile,
    update: bool,
) -> Result<Pulled, String> {
    if let Some(pin) = previous.resolutions.get(nsid) {
        if !update && pin.cid != lexicon.cid {
            return Err(format!(
                "error: {nsid}: lexicons.json pins {}, but {} now publishes {}\n  help: run `lexperm pull --update` to pin what is published now",
                pin.cid, lexicon.uri, lexicon.cid
            ));
        }
    }
    // As `@atproto/lex install` writes it: `JSON.stringify(record, null, 2) + '\n'`, `$type`
    // included, so `lex install --ci` finds the pinned CID in the file as it is.
    let mut text = serde_json::to_string_pretty(&lexicon.record).map_err(|e| e.to_string())?;
    text.push('\n');
    // The file written must make the record that was proven.
    match lockfile::record_cid(&text) {
        Ok((_, cid)) if cid.to_string() == lexicon.cid => {}
        Ok((_, cid)) => {
            return Err(format!(
                "error: {nsid}: the file written from {} would have record CID {cid}, not {}",
                lexicon.uri, lexicon.cid
            ))
        }
        Err(reason) => return Err(format!("error: {nsid}: {reason}")),
    }
    Ok(Pulled {
        record: lexicon.record,
        uri: lexicon.uri,
        cid: lexicon.cid,
        text: Some(text),
    })
}

/// Resolves `nsids` with at most `jobs` requests in flight; `update` bypasses the cache.
fn fetch_all(
    resolver: &LexiconResolver,
    nsids: &[String],
    update: bool,
    jobs: usize,
) -> Vec<Result<CachedLexicon, NetError>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<CachedLexicon, NetError>>>> =
        nsids.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(nsids.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(nsid) = nsids.get(i) else { break };
                let result = if update {
                    resolver.fetch(nsid)
                } else {
                    resolver.resolve(nsid).map(|resolved| resolved.lexicon)
                };
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .zip(nsids)
        .map(|(slot, nsid)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(NetError::InvalidInput {
                    what: "NSID",
                    value: nsid.clone(),
                    detail: "the fetch did not finish".to_owned(),
                })
            })
        })
        .collect()
}

/// Writes every `(path, Some(text))` and removes every `(path, None)` together: texts are staged
/// in a folder beside the lockfile, then moved into place (removed files are moved aside); when a
/// step fails, the ones done are undone (replaced and removed files restored, created folders
/// removed), so the previous state is left as it was.
fn commit(lock_path: &Path, writes: &[(PathBuf, Option<String>)]) -> Result<(), String> {
    let base = match lock_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let staging = base.join(format!(".lexperm-pull-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = stage_and_move(&staging, writes);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn stage_and_move(staging: &Path, writes: &[(PathBuf, Option<String>)]) -> Result<(), String> {
    let new_dir = staging.join("new");
    let old_dir = staging.join("old");
    for dir in [&new_dir, &old_dir] {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    for (i, (_, text)) in writes.iter().enumerate() {
        let Some(text) = text else { continue };
        let staged = new_dir.join(i.to_string());
        std::fs::write(&staged, text)
            .map_err(|e| format!("cannot write {}: {e}", staged.display()))?;
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    // (target, where its previous content was moved, whether a new file was moved in)
    let mut moved: Vec<(PathBuf, Option<PathBuf>, bool)> = Vec::new();
    let mut failure = None;
    for (i, (target, text)) in writes.iter().enumerate() {
        let step = (|| {
            if text.is_none() {
                if target.exists() {
                    let backup = old_dir.join(i.to_string());
                    std::fs::rename(target, &backup)
                        .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
                    moved.push((target.clone(), Some(backup), false));
                }
                return Ok(());
            }
            if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
                let mut missing = Vec::new();
                let mut dir = parent;
                while !dir.as_os_str().is_empty() && !dir.exists() {
                    missing.push(dir.to_path_buf());
                    dir = dir.parent().unwrap_or(Path::new(""));
                }
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                created_dirs.extend(missing.into_iter().rev());
            }
            let backup = if target.exists() {
                let backup = old_dir.join(i.to_string());
                std::fs::rename(target, &backup)
                    .map_err(|e| format!("cannot move {} aside: {e}", target.display()))?;
                Some(backup)
            } else {
                None
            };
            let staged = new_dir.join(i.to_string());
            if let Err(e) = std::fs::rename(&staged, target) {
                if let Some(backup) = &backup {
                    let _ = std::fs::rename(backup, target);
                }
                return Err(format!("cannot move {} into place: {e}", target.display()));
            }
            moved.push((target.clone(), backup, true));
            Ok(())
        })();
        if let Err(message) = step {
            failure = Some(message);
            break;
        }
    }
    let Some(message) = failure else {
        remove_empty_parents(writes, staging);
        return Ok(());
    };
    for (target, backup, written) in moved.iter().rev() {
        if *written {
            let _ = std::fs::remove_file(target);
        }
        if let Some(backup) = backup {
            let _ = std::fs::rename(backup, target);
        }
    }
    for dir in created_dirs.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
    Err(message)
}

/// After removing files, the folders they leave empty go too, up to the lexicon folder (a folder
/// in the lockfile's folder), which stays.
fn remove_empty_parents(writes: &[(PathBuf, Option<String>)], staging: &Path) {
    let top = staging.parent().unwrap_or(Path::new(""));
    for (target, text) in writes {
        if text.is_some() {
            continue;
        }
        let mut dir = target.parent();
        while let Some(d) = dir.filter(|d| d.parent().is_some_and(|p| p != top)) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lexperm-pull-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn writes_move_into_place_together() {
        let dir = temp("commit");
        std::fs::write(dir.join("lexicons.json"), "old lock").unwrap();
        let writes = vec![
            (dir.join("lexicons/a/b/c.json"), Some("c".to_owned())),
            (dir.join("lexicons.json"), Some("new lock".to_owned())),
        ];
        commit(&dir.join("lexicons.json"), &writes).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("lexicons/a/b/c.json")).unwrap(),
            "c"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("lexicons.json")).unwrap(),
            "new lock"
        );
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 2, "the staging folder is removed: {left:?}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_move_restores_the_previous_state() {
        let dir = temp("rollback");
        std::fs::create_dir_all(dir.join("lexicons/a")).unwrap();
        std::fs::write(dir.join("lexicons/a/x.json"), "old x").unwrap();
        std::fs::write(dir.join("lexicons.json"), "old lock").unwrap();
        // A file where a folder must be: the third write cannot be moved into place.
        std::fs::write(dir.join("blocker"), "").unwrap();
        let writes = vec![
            (dir.join("lexicons/a/x.json"), Some("new x".to_owned())),
            (dir.join("lexicons/n/e/w.json"), Some("new".to_owned())),
            (dir.join("blocker/y.json"), Some("y".to_owned())),
            (dir.join("lexicons.json"), Some("new lock".to_owned())),
        ];
        let err = commit(&dir.join("lexicons.json"), &writes).unwrap_err();
        assert!(err.contains("blocker"), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.join("lexicons/a/x.json")).unwrap(),
            "old x"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("lexicons.json")).unwrap(),
            "old lock"
        );
        assert!(
            !dir.join("lexicons/n").exists(),
            "created folders are removed"
        );
        let mut left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["blocker", "lexicons", "lexicons.json"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn removals_go_with_the_writes_and_are_undone_with_them() {
        let dir = temp("remove");
        std::fs::create_dir_all(dir.join("lexicons/gone/deep")).unwrap();
        std::fs::write(dir.join("lexicons/gone/deep/x.json"), "x").unwrap();
        std::fs::write(dir.join("lexicons.json"), "old lock").unwrap();
        std::fs::write(dir.join("blocker"), "").unwrap();
        let failing = vec![
            (dir.join("lexicons/gone/deep/x.json"), None),
            (dir.join("blocker/y.json"), Some("y".to_owned())),
            (dir.join("lexicons.json"), Some("new lock".to_owned())),
        ];
        commit(&dir.join("lexicons.json"), &failing).unwrap_err();
        assert_eq!(
            std::fs::read_to_string(dir.join("lexicons/gone/deep/x.json")).unwrap(),
            "x",
            "a removal is undone when a later step fails"
        );
        let writes = vec![
            (dir.join("lexicons/gone/deep/x.json"), None),
            (dir.join("lexicons.json"), Some("new lock".to_owned())),
        ];
        commit(&dir.join("lexicons.json"), &writes).unwrap();
        assert!(
            !dir.join("lexicons/gone").exists(),
            "emptied folders go too"
        );
        assert!(dir.join("lexicons").is_dir());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
