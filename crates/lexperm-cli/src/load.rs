//! The one loader of local lexicon files: every command that reads lexicons goes through
//! [`load`]. It walks the paths given, reads each file within bounds, and turns every path it did
//! not load into a diagnostic for that path. Loading never fails.
//!
//! Symbolic links:
//! - A path named on the command line is read as named: a link there is followed (as `cat` or
//!   `rg` do).
//! - The walk of a folder never goes through a link. A link whose target (every link on the way
//!   resolved) lies inside one of the folders given needs no following: the walk reaches the
//!   target under its real path. A `*.json` link to a file there is read under the link's name
//!   when the walk would not read the file itself (its name does not end in `.json`).
//! - A link whose target lies outside every folder given is not followed: nothing is read from it,
//!   and it is reported (L133) with its target. With `--follow-outside-links` it is followed; a
//!   folder reached that way is walked once, so links that loop end.
//! - Each file is read once, under its real path when the walk found it there.
//!
//! Reading: only regular files are opened (a FIFO, device or socket is reported, L132); a file
//! whose size is above [`MAX_FILE_SIZE`] is reported (L101) unread; at most `MAX_FILE_SIZE + 1`
//! bytes are read from any file, whatever its size claims; bytes that are not UTF-8 are reported
//! (L132).

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::{Diagnostic, FileId};
use lexperm_parser::limits::MAX_FILE_SIZE;

use crate::config::RuleControl;
use crate::engine::{self, Unreadable};
use crate::sources::{display_path, fold_dots, io_message, SourceFile, Sources};

/// How the walk treats what it finds.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Follow symbolic links that lead outside every folder given (`--follow-outside-links`).
    pub follow_outside_links: bool,
    /// Folders left out of the walk (`gen records` leaves out its output folder). Compared with
    /// the real paths of the folders walked.
    pub exclude: Vec<PathBuf>,
    /// Show the files found under a folder relative to it (`gen records` names
    /// `com/example/post.json`), instead of as found (`lexicons/com/example/post.json`).
    pub relative_to_folder: bool,
}

/// The files of one run: those read, and a diagnostic for every path that was not.
#[derive(Debug)]
pub struct LoadedFiles {
    /// Every file read, plus an empty entry (for its path) per path not loaded.
    pub sources: Sources,
    /// One diagnostic per path not loaded (L132, L133, or L101 for a file over the size limit),
    /// on that path's file id, in walk order.
    pub problems: Vec<Diagnostic>,
    /// Folders given that hold no `*.json` file.
    pub empty: Vec<PathBuf>,
}

impl LoadedFiles {
    /// How many paths could not be loaded at all (L132, L133): the run's answer is incomplete.
    pub fn failed(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| engine::is_load_failure(d))
            .count()
    }

    /// [`LoadedFiles::failed`] after rule settings: a path whose finding `control` turns off does
    /// not count (as in `lexperm lint`).
    pub fn failed_under(&self, control: &RuleControl) -> usize {
        let mut problems = self.problems.clone();
        control.apply(&mut problems);
        problems
            .iter()
            .filter(|d| engine::is_load_failure(d))
            .count()
    }
}

/// Why one file was not loaded.
#[derive(Debug)]
pub enum NotLoaded {
    /// It cannot be read as text (L132).
    Unreadable(Unreadable),
    /// Its bytes are not UTF-8 (L132): `valid` is the text before the first invalid byte, kept so
    /// that the finding can point at that byte's line and column.
    NotUtf8 {
        /// The bytes before the first invalid one.
        valid: String,
    },
    /// It is larger than [`MAX_FILE_SIZE`] (L101): its size, when known.
    TooLarge(Option<u64>),
    /// A symbolic link that leads outside the folders given (L133).
    Outside {
        /// The link's target as written in the link.
        target: String,
        /// Where it resolves to, when the written target does not say.
        resolved: Option<String>,
        /// The folder given that was being walked.
        root: String,
    },
}

impl NotLoaded {
    /// The diagnostic for the path with id `file`.
    fn diagnostic(&self, file: FileId) -> Diagnostic {
        match self {
            NotLoaded::Unreadable(reason) => engine::unreadable_file(file, reason),
            NotLoaded::NotUtf8 { valid } => engine::unreadable_file(
                file,
                &Unreadable::NotUtf8 {
                    offset: valid.len(),
                },
            ),
            NotLoaded::TooLarge(size) => lexperm_parser::json::too_large(file, *size),
            NotLoaded::Outside {
                target,
                resolved,
                root,
            } => engine::link_outside_root(file, target, resolved.as_deref(), root),
        }
    }

    /// The problem in one line of plain text, for files that are not lexicons (`lexperm.toml`).
    pub fn message(&self) -> String {
        self.diagnostic(FileId(0)).message
    }
}

/// One thing the walk found.
#[derive(Debug)]
enum Found {
    /// A file to read: the path shown, its real path, whether the walk reached it through a link.
    File {
        path: PathBuf,
        real: PathBuf,
        via_link: bool,
    },
    /// A path that is not loaded.
    Problem { path: PathBuf, problem: NotLoaded },
}

/// Loads `paths` (files, or folders walked for `*.json` files in name order) under `options`.
pub fn load(paths: &[PathBuf], options: &WalkOptions) -> LoadedFiles {
    let mut walk = Walk {
        options,
        roots: Vec::new(),
        visited: HashSet::new(),
        found: Vec::new(),
    };
    let mut empty = Vec::new();
    // The real paths of the folders given: links inside any of them stay inside.
    let mut named = Vec::new();
    for path in paths {
        let kind = match fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => fs::canonicalize(path).map(Some),
            Ok(_) => Ok(None),
            Err(err) => Err(err),
        };
        if let Ok(Some(real)) = &kind {
            walk.roots.push(real.clone());
        }
        named.push((path, kind));
    }
    for (path, kind) in named {
        match kind {
            Ok(Some(real)) => {
                // A folder given twice is walked once.
                if walk.visited.insert(real.clone()) {
                    let before = walk.found.len();
                    walk.folder(path, real);
                    if walk.found.len() == before {
                        empty.push(path.clone());
                    }
                }
            }
            Ok(None) => {
                let real = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                walk.found.push(Found::File {
                    path: path.clone(),
                    real,
                    via_link: false,
                });
            }
            Err(err) => walk.found.push(Found::Problem {
                path: path.clone(),
                problem: named_path_problem(path, &err),
            }),
        }
    }
    let shown_under: &[PathBuf] = if options.relative_to_folder {
        paths
    } else {
        &[]
    };
    read_found(once_each(walk.found), shown_under, empty)
}

/// The problem of a path named on the command line that cannot be opened.
fn named_path_problem(path: &Path, err: &io::Error) -> NotLoaded {
    let is_link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    NotLoaded::Unreadable(if is_link {
        Unreadable::BrokenLink {
            target: link_target(path),
            detail: io_message(err),
        }
    } else {
        Unreadable::Io {
            detail: io_message(err),
        }
    })
}

/// The state of one walk over every path given.
struct Walk<'a> {
    options: &'a WalkOptions,
    /// Real paths of the folders given.
    roots: Vec<PathBuf>,
    /// Real paths of the folders walked from their top (given, or reached through a followed link).
    visited: HashSet<PathBuf>,
    found: Vec<Found>,
}

/// One entry of a folder being walked: the path shown, its real path, its type (links not
/// followed).
type Entry = (PathBuf, PathBuf, fs::FileType);

impl Walk<'_> {
    /// Walks the folder `top` (real path `real`) depth first in name order, as `walkdir` with
    /// sorted names does: a subfolder is walked where its name sorts. No recursion: a stack of the
    /// folders being listed.
    fn folder(&mut self, top: &Path, real: PathBuf) {
        let mut stack: Vec<std::vec::IntoIter<Entry>> = Vec::new();
        if let Some(entries) = self.list(top, &real) {
            stack.push(entries);
        }
        while let Some(level) = stack.last_mut() {
            let Some((path, real, file_type)) = level.next() else {
                stack.pop();
                continue;
            };
            let is_json = path.extension().is_some_and(|ext| ext == "json");
            if file_type.is_dir() {
                if self.options.exclude.contains(&real) {
                    continue;
                }
                if let Some(entries) = self.list(&path, &real) {
                    stack.push(entries);
                }
            } else if file_type.is_symlink() {
                if let Some(followed) = self.link(top, path, &real, is_json) {
                    stack.push(followed);
                }
            } else if is_json {
                // Not only regular files: a FIFO or device named `*.json` is reported by the
                // reader without being opened.
                self.found.push(Found::File {
                    path,
                    real,
                    via_link: false,
                });
            }
        }
    }

    /// The entries of the folder `path` (real path `real`), sorted by name; a folder that cannot be
    /// listed is reported.
    fn list(&mut self, path: &Path, real: &Path) -> Option<std::vec::IntoIter<Entry>> {
        let problem = |err: &io::Error| Found::Problem {
            path: path.to_path_buf(),
            problem: NotLoaded::Unreadable(Unreadable::Folder {
                detail: io_message(err),
            }),
        };
        let reader = match fs::read_dir(path) {
            Ok(reader) => reader,
            Err(err) => {
                self.found.push(problem(&err));
                return None;
            }
        };
        let mut names: Vec<(OsString, fs::FileType)> = Vec::new();
        for entry in reader {
            match entry.and_then(|entry| Ok((entry.file_name(), entry.file_type()?))) {
                Ok(named) => names.push(named),
                Err(err) => {
                    self.found.push(problem(&err));
                    break;
                }
            }
        }
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let entries: Vec<Entry> = names
            .into_iter()
            .map(|(name, file_type)| (path.join(&name), real.join(&name), file_type))
            .collect();
        Some(entries.into_iter())
    }

    /// Handles the link `path` (real path of the link itself `link_real`) found under the folder
    /// given `top`. Returns the entries of a folder to walk when the link is followed to one.
    fn link(
        &mut self,
        top: &Path,
        path: PathBuf,
        link_real: &Path,
        is_json: bool,
    ) -> Option<std::vec::IntoIter<Entry>> {
        let target = match fs::canonicalize(&path).and_then(|t| Ok((fs::metadata(&t)?, t))) {
            Ok(target) => target,
            Err(err) => {
                if is_json {
                    self.found.push(Found::Problem {
                        problem: NotLoaded::Unreadable(Unreadable::BrokenLink {
                            target: link_target(&path),
                            detail: io_message(&err),
                        }),
                        path,
                    });
                }
                return None;
            }
        };
        let (metadata, resolved) = target;
        let inside = self.roots.iter().any(|root| resolved.starts_with(root));
        if !inside && !self.options.follow_outside_links {
            if is_json || metadata.is_dir() {
                let written = fs::read_link(&path).unwrap_or_default();
                // The resolved path is named when the written target does not lead there by
                // itself (it goes through another link).
                let lexical = link_real.parent().map(|dir| fold_dots(&dir.join(&written)));
                let resolved =
                    (lexical.as_ref() != Some(&resolved)).then(|| display_path(&resolved));
                self.found.push(Found::Problem {
                    path,
                    problem: NotLoaded::Outside {
                        target: display_path(&written),
                        resolved,
                        root: display_path(top),
                    },
                });
            }
            return None;
        }
        if metadata.is_dir() {
            // A folder inside is walked under its real path anyway; one outside (followed on
            // request) is walked once, however many links lead to it.
            if inside
                || self.options.exclude.contains(&resolved)
                || !self.visited.insert(resolved.clone())
            {
                return None;
            }
            return self.list(&path, &resolved);
        }
        if is_json {
            self.found.push(Found::File {
                path,
                real: resolved,
                via_link: true,
            });
        }
        None
    }
}

/// The target written in the link at `path`, with `/` separators (empty when it cannot be read).
fn link_target(path: &Path) -> String {
    fs::read_link(path)
        .map(|target| display_path(&target))
        .unwrap_or_default()
}

/// Keeps each real file once: where the walk found it under its real path (or where it was
/// named), else at the first link to it.
fn once_each(found: Vec<Found>) -> Vec<Found> {
    let direct: HashSet<PathBuf> = found
        .iter()
        .filter_map(|item| match item {
            Found::File {
                real,
                via_link: false,
                ..
            } => Some(real.clone()),
            _ => None,
        })
        .collect();
    let mut seen = HashSet::new();
    found
        .into_iter()
        .filter(|item| match item {
            Found::File { real, via_link, .. } => {
                (!via_link || !direct.contains(real)) && seen.insert(real.clone())
            }
            Found::Problem { .. } => true,
        })
        .collect()
}

/// Reads every file found (on a few threads, results in walk order) into [`LoadedFiles`]; paths
/// under a folder of `shown_under` are shown relative to it.
fn read_found(found: Vec<Found>, shown_under: &[PathBuf], empty: Vec<PathBuf>) -> LoadedFiles {
    let shown = |path: &Path| {
        let relative = shown_under
            .iter()
            .find_map(|folder| path.strip_prefix(folder).ok())
            .filter(|relative| !relative.as_os_str().is_empty());
        display_path(relative.unwrap_or(path))
    };
    let threads = engine::threads_for(found.len(), 64);
    let read = engine::map_in_order(&found, threads, |item| match item {
        Found::File {
            path,
            real,
            via_link,
        } => Some(read_text(if *via_link { real } else { path })),
        Found::Problem { .. } => None,
    });
    let mut sources = Sources::new();
    let mut problems = Vec::new();
    for (item, text) in found.into_iter().zip(read) {
        let (path, problem) = match (item, text) {
            (Found::File { path, .. }, Some(Ok(text))) => {
                sources.add(SourceFile::new(shown(&path), text));
                continue;
            }
            (Found::File { path, .. }, Some(Err(problem))) => (path, problem),
            // Every file was read above.
            (Found::File { .. }, None) => continue,
            (Found::Problem { path, problem }, _) => (path, problem),
        };
        let text = match &problem {
            NotLoaded::NotUtf8 { valid } => valid.clone(),
            _ => String::new(),
        };
        let id = sources.add_unread(SourceFile::new(shown(&path), text));
        problems.push(problem.diagnostic(id));
    }
    LoadedFiles {
        sources,
        problems,
        empty,
    }
}

/// Reads the file at `path` as UTF-8 text, within the bounds: only a regular file is opened,
/// one larger than [`MAX_FILE_SIZE`] is not read, and no more than `MAX_FILE_SIZE + 1` bytes are
/// read whatever its size claims (a file that grows, or one whose size says nothing).
pub fn read_text(path: &Path) -> Result<String, NotLoaded> {
    let io = |err: io::Error| {
        NotLoaded::Unreadable(Unreadable::Io {
            detail: io_message(&err),
        })
    };
    // Checked before opening: opening a FIFO blocks until a writer comes, and opening a device
    // can have effects.
    check_regular(&fs::metadata(path).map_err(io)?)?;
    let file = open_without_blocking(path).map_err(io)?;
    // Checked again on what was opened: the path may have changed since.
    let metadata = file.metadata().map_err(io)?;
    check_regular(&metadata)?;
    let limit = MAX_FILE_SIZE as u64 + 1;
    let mut bytes = Vec::with_capacity(metadata.len().min(limit) as usize);
    file.take(limit).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > MAX_FILE_SIZE {
        return Err(NotLoaded::TooLarge(None));
    }
    String::from_utf8(bytes).map_err(|err| {
        let valid = err.utf8_error().valid_up_to();
        let mut bytes = err.into_bytes();
        bytes.truncate(valid);
        NotLoaded::NotUtf8 {
            valid: String::from_utf8(bytes).unwrap_or_default(),
        }
    })
}

/// Refuses what is not a regular file, or is one over the size limit.
fn check_regular(metadata: &fs::Metadata) -> Result<(), NotLoaded> {
    if let Some(kind) = not_regular(&metadata.file_type()) {
        return Err(NotLoaded::Unreadable(Unreadable::NotRegular { kind }));
    }
    if metadata.len() > MAX_FILE_SIZE as u64 {
        return Err(NotLoaded::TooLarge(Some(metadata.len())));
    }
    Ok(())
}

/// What a file type is when it is not a regular file.
fn not_regular(file_type: &fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some(if file_type.is_dir() {
        "a folder"
    } else {
        "not a file"
    })
}

/// Opens `path` for reading; on Unix with `O_NONBLOCK`, so that a FIFO put in the file's place
/// after it was checked cannot block the open (reads of a regular file ignore the flag).
fn open_without_blocking(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_found_directly_wins_over_links_to_it() {
        let file = |path: &str, real: &str, via_link| Found::File {
            path: path.into(),
            real: real.into(),
            via_link,
        };
        let kept = once_each(vec![
            file("a.json", "/r/z.json", true),
            file("b.json", "/r/x.txt", true),
            file("c.json", "/r/x.txt", true),
            file("z.json", "/r/z.json", false),
            file("again/z.json", "/r/z.json", false),
        ]);
        let paths: Vec<_> = kept
            .iter()
            .map(|item| match item {
                Found::File { path, .. } => path.clone(),
                Found::Problem { path, .. } => path.clone(),
            })
            .collect();
        assert_eq!(
            paths,
            [PathBuf::from("b.json"), PathBuf::from("z.json")],
            "{kept:?}"
        );
    }
}
