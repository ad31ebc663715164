//! The base version `lexperm breaking` compares against (`--base`): a git ref read from the
//! object database (no checkout, the working tree is not touched), a directory, or the published
//! records of the working tree's NSID groups.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use lexperm_net::authority::nsid_authority;
use lexperm_net::cache::ResolutionSource;
use lexperm_net::resolve::ResolvedLexicon;
use lexperm_net::NetError;
use lexperm_parser::diagnostics::{Diagnostic, Span};
use lexperm_parser::syntax::Nsid;

use crate::commands::remote::resolver;
use crate::engine;
use crate::load::{self, WalkOptions};
use crate::sources::{SourceFile, Sources};

/// The value of `--base` that selects the published records.
pub const PUBLISHED: &str = "published";

/// Where the base version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// A git ref (`HEAD`, `origin/main`, a commit), read from the object database.
    Git(String),
    /// A directory (or file) of lexicons.
    Directory(PathBuf),
    /// The published records of each NSID group of the after version.
    Published,
}

impl Base {
    /// `published`, else an existing path, else a git ref. A directory named like a ref wins;
    /// `./published` names a directory called `published`.
    pub fn parse(value: &str) -> Base {
        if value == PUBLISHED {
            Base::Published
        } else if Path::new(value).exists() {
            Base::Directory(PathBuf::from(value))
        } else {
            Base::Git(value.to_owned())
        }
    }
}

/// The `*.json` files under `paths` (and the files given as such) at `reference`, read from the
/// object database of the repository holding the current directory. Paths are relative to the
/// current directory, as on the command line; each file is shown as `REF:path`.
///
/// Three git processes: `git rev-parse --show-toplevel` (is there a repository?), `git ls-tree
/// -r -z REF -- PATH…` (git maps the paths, relative to the current directory, onto the tree and
/// prints the names relative to it, so no path arithmetic happens here), and one `git cat-file
/// --batch` for every blob. A missing git, no repository or an unknown ref is an `Err` with
/// what to do. Files under a folder given are left out as the walk of `options` leaves them out
/// (`exclude` globs, JSON that is not a lexicon); files named are always read.
pub fn from_git(
    reference: &str,
    paths: &[PathBuf],
    options: &WalkOptions,
) -> Result<Vec<SourceFile>, String> {
    if reference.is_empty() || reference.starts_with('-') {
        return Err(format!("`{reference}` is not a git ref"));
    }
    let toplevel = git(&["rev-parse", "--show-toplevel"]).map_err(|failure| match failure {
        GitFailure::Exited(message) => format!(
            "--base {reference}: the current directory is not in a git repository ({message})\n  \
             help: run lexperm inside the repository, or give --base a directory"
        ),
        other => other.message(reference),
    })?;
    if toplevel.is_empty() {
        return Err(format!("--base {reference}: git found no repository"));
    }

    let mut args: Vec<String> = vec!["ls-tree".into(), "-r".into(), "-z".into()];
    args.push(reference.to_owned());
    args.push("--".into());
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listing = git(&args).map_err(|failure| match failure {
        GitFailure::Exited(message) => format!(
            "--base {reference}: git cannot read `{reference}` ({message})\n  \
             help: give a branch, tag or commit that exists here (`git fetch` it first in a \
             shallow CI checkout)"
        ),
        other => other.message(reference),
    })?;

    let given: Vec<PathBuf> = paths.iter().map(|p| normalized(p)).collect();
    let mut entries: Vec<(String, String, bool)> = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut fields = meta.split(' ');
        let (Some(mode), Some(kind), Some(object)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        // Symlinks (120000) and submodules are not lexicon files.
        if kind != "blob" || mode == "120000" {
            continue;
        }
        let named = given.contains(&normalized(Path::new(path)));
        if named {
            entries.push((object.to_owned(), path.to_owned(), true));
        } else if path.ends_with(".json") {
            let listed = normalized(Path::new(path));
            let root = given.iter().find(|root| listed.starts_with(root));
            if !root.is_some_and(|root| load::walk_leaves_out(options, root, &listed)) {
                entries.push((object.to_owned(), path.to_owned(), false));
            }
        }
    }
    for (path, given) in paths.iter().zip(&given) {
        let found = entries
            .iter()
            .any(|(_, entry, _)| Path::new(entry).starts_with(given));
        if !found {
            eprintln!(
                "note: {} holds no .json files at {reference}; everything there is new",
                path.display()
            );
        }
    }
    if entries.is_empty() {
        return Ok(Vec::new());
    }

    let request: String = entries
        .iter()
        .map(|(object, _, _)| format!("{object}\n"))
        .collect();
    let blobs = cat_file_batch(&request, entries.len()).map_err(|m| m.message(reference))?;
    let mut files = Vec::with_capacity(entries.len());
    for ((_, path, named), bytes) in entries.iter().zip(blobs) {
        let text = String::from_utf8(bytes).map_err(|err| {
            format!(
                "cannot read {reference}:{path}: not UTF-8 (invalid byte at offset {})",
                err.utf8_error().valid_up_to()
            )
        })?;
        if *named || load::is_lexicon_candidate(&text) {
            files.push(SourceFile::new(format!("{reference}:{path}"), text));
        }
    }
    Ok(files)
}

/// `path` without `.` components, for comparing a given path with a listed one.
fn normalized(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// How running git went wrong.
enum GitFailure {
    /// git could not be started.
    NotInstalled(std::io::Error),
    /// git ran and exited with an error; its message.
    Exited(String),
    /// git's output was not what `cat-file --batch` promises.
    Protocol(String),
}

impl GitFailure {
    fn message(self, reference: &str) -> String {
        match self {
            GitFailure::NotInstalled(err) => format!(
                "--base {reference} needs git, which could not be run ({err})\n  help: install \
                 git, or give --base a directory holding the base version"
            ),
            GitFailure::Exited(message) => format!("--base {reference}: git failed: {message}"),
            GitFailure::Protocol(message) => {
                format!("--base {reference}: unexpected output from git cat-file: {message}")
            }
        }
    }
}

/// Runs `git ARGS` in the current directory and returns its standard output (trimmed of a final
/// newline), or why it failed.
fn git(args: &[&str]) -> Result<String, GitFailure> {
    let output = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitFailure::NotInstalled)?;
    if !output.status.success() {
        let message = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        return Err(GitFailure::Exited(if message.is_empty() {
            format!("exit status {}", output.status)
        } else {
            message
        }));
    }
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

/// Runs one `git cat-file --batch` for the object ids in `request` (one per line) and returns
/// the `count` contents in order.
fn cat_file_batch(request: &str, count: usize) -> Result<Vec<Vec<u8>>, GitFailure> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitFailure::NotInstalled)?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = request.to_owned();
    // Written from a thread: git answers while it reads, and a full pipe would block both sides.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let stdout = child.stdout.take().expect("stdout is piped");
    let read = read_batch(BufReader::new(stdout), count);
    let _ = writer.join();
    let output = child.wait_with_output().map_err(GitFailure::NotInstalled)?;
    if !output.status.success() {
        return Err(GitFailure::Exited(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    read
}

/// Reads `count` answers of `git cat-file --batch`: `<oid> <type> <size>\n<content>\n` each.
fn read_batch(mut reader: impl BufRead, count: usize) -> Result<Vec<Vec<u8>>, GitFailure> {
    let mut blobs = Vec::with_capacity(count);
    let mut header = String::new();
    for _ in 0..count {
        header.clear();
        reader
            .read_line(&mut header)
            .map_err(|e| GitFailure::Protocol(e.to_string()))?;
        let fields: Vec<&str> = header.trim_end().split(' ').collect();
        let size = match fields.as_slice() {
            [_, _, size] => size
                .parse::<usize>()
                .map_err(|_| GitFailure::Protocol(format!("bad header `{}`", header.trim_end())))?,
            _ => return Err(GitFailure::Protocol(format!("`{}`", header.trim_end()))),
        };
        let mut content = Vec::new();
        (&mut reader)
            .take(size as u64 + 1)
            .read_to_end(&mut content)
            .map_err(|e| GitFailure::Protocol(e.to_string()))?;
        if content.len() != size + 1 {
            return Err(GitFailure::Protocol("output ended early".to_owned()));
        }
        content.pop();
        blobs.push(content);
    }
    Ok(blobs)
}

/// The published version of the after side's lexicons: what was fetched, and one finding per
/// NSID group that could not be fetched.
pub struct Published {
    /// The published documents, shown as their AT-URIs.
    pub files: Vec<SourceFile>,
    /// `base-unavailable` findings, at the group's first lexicon in the after version.
    pub unavailable: Vec<Diagnostic>,
}

/// Options of `--base published`.
pub struct PublishedOptions<'a> {
    /// DNS and PLC settings.
    pub net: &'a crate::commands::net_args::NetArgs,
    /// Use only the cache.
    pub offline: bool,
    /// Neither read nor write the cache.
    pub no_cache: bool,
    /// The `[network] deadline` of the command's configuration.
    pub network_deadline: Option<u64>,
}

/// The NSIDs the files of `sources` declare (valid ones only), each with the span of its `id`:
/// what `--base published` fetches.
pub fn nsids(sources: &Sources) -> Vec<(Nsid, Span)> {
    sources
        .iter()
        .filter_map(|(id, file)| {
            let doc = lexperm_parser::lexicon::load(id, &file.text).doc?;
            let nsid = Nsid::parse(doc.id_str()?).ok()?;
            Some((nsid, doc.anchor()))
        })
        .collect()
}

/// The published record of `nsid` as a base file named by its AT-URI; warns on stderr when it
/// is a cached copy that could not be refreshed.
pub fn published_source(nsid: &str, resolved: &ResolvedLexicon) -> Result<SourceFile, String> {
    if let ResolutionSource::CacheStale {
        refresh_error: Some(e),
    } = &resolved.source
    {
        eprintln!("warning: {nsid}: refresh failed, comparing against the cached copy: {e}");
    }
    let text = serde_json::to_string_pretty(&resolved.lexicon.record)
        .map_err(|e| format!("{nsid}: cannot encode the published record: {e}"))?;
    Ok(SourceFile::new(resolved.lexicon.uri.clone(), text))
}

/// The published version of the groups of `after` (`(nsid, span of its id)`), group by group.
/// Online, each group's authority is listed first
/// ([`lexperm_net::resolve::LexiconResolver::list_published`]: DNS `_lexicon` TXT → DID → PDS →
/// `listRecords`): what it publishes is the base, the NSIDs of the after version and those whose
/// file was deleted alike; an NSID it does not publish is new and is not fetched. Each published NSID is then fetched through the same resolver and cache as `lexperm
/// resolve` (record checks and repository proof). With `--offline` no listing is possible: the
/// NSIDs of the after version are looked up in the cache, and a deleted file goes unseen.
///
/// A group whose listing fails, or whose first NSID fails otherwise than by being absent (a
/// record that fails verification, a PDS that stops answering), is reported as unavailable and
/// not tried further (its other NSIDs would wait for the same timeouts); other failures, and
/// NSIDs missing from the cache with `--offline`, are counted in the group's finding while the
/// rest of the group is still compared.
pub fn from_published(
    after: &[(Nsid, Span)],
    options: &PublishedOptions<'_>,
) -> Result<Published, String> {
    let resolver = resolver(
        options.net,
        options.network_deadline,
        options.no_cache,
        options.offline,
    )?;
    let mut groups: BTreeMap<&str, Vec<&(Nsid, Span)>> = BTreeMap::new();
    for entry in after {
        groups
            .entry(entry.0.group_prefix())
            .or_default()
            .push(entry);
    }
    let mut published = Published {
        files: Vec::new(),
        unavailable: Vec::new(),
    };
    for (group, members) in groups {
        let unavailable = |count: usize, detail: &str| {
            engine::base_unavailable(members[0].1, group, count, detail)
        };
        let nsids: Vec<String> = if options.offline {
            members.iter().map(|(nsid, _)| nsid.to_string()).collect()
        } else {
            let listing = nsid_authority(members[0].0.as_str())
                .map_err(|error| error.to_string())
                .and_then(|authority| {
                    resolver.list_published(&authority).map_err(|failure| {
                        format!("listing failed at the {}: {}", failure.step, failure.error)
                    })
                });
            match listing {
                Ok(listing) => {
                    let mut nsids: Vec<String> = listing
                        .records
                        .iter()
                        .map(|r| r.rkey().to_owned())
                        .chain(listing.refused.iter().map(|r| r.nsid.clone()))
                        .collect();
                    nsids.sort();
                    nsids.dedup();
                    nsids
                }
                Err(detail) => {
                    published
                        .unavailable
                        .push(unavailable(members.len(), &detail));
                    continue;
                }
            }
        };
        // How many NSIDs of the group were not compared, and the first reason.
        let mut failed: Option<(usize, String)> = None;
        for (index, nsid) in nsids.iter().enumerate() {
            match resolver.resolve(nsid) {
                Ok(resolved) => published.files.push(published_source(nsid, &resolved)?),
                Err(NetError::NotPublished { .. }) => {}
                Err(error) => {
                    let whole_group = index == 0 && !matches!(error, NetError::NotCached { .. });
                    let (count, _) = failed.get_or_insert((0, error.to_string()));
                    if whole_group {
                        *count = nsids.len();
                        break;
                    }
                    *count += 1;
                }
            }
        }
        if let Some((count, detail)) = failed {
            published.unavailable.push(unavailable(count, &detail));
        }
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_picks_published_then_paths_then_refs() {
        assert_eq!(Base::parse("published"), Base::Published);
        assert_eq!(Base::parse("."), Base::Directory(PathBuf::from(".")));
        assert_eq!(
            Base::parse("origin/main-that-is-no-path"),
            Base::Git("origin/main-that-is-no-path".to_owned())
        );
    }

    #[test]
    fn batch_output_is_split_by_size() {
        let out = b"aaa blob 3\n{ }\nbbb blob 0\n\n".to_vec();
        let blobs = read_batch(&out[..], 2).ok().unwrap();
        assert_eq!(blobs, [b"{ }".to_vec(), Vec::new()]);
        assert!(read_batch(&b"aaa blob 9\n{}\n"[..], 1).is_err());
        assert!(read_batch(&b"x missing\n"[..], 1).is_err());
    }

    #[test]
    fn refs_that_look_like_options_are_refused() {
        let err = from_git("--output=x", &[], &WalkOptions::default()).unwrap_err();
        assert!(err.contains("not a git ref"), "{err}");
    }
}
