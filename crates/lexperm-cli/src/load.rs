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
//! Leaving out (folders walked only; a path named on the command line is always read):
//! - entries matching the `exclude` / `extend-exclude` globs of `lexperm.toml` ([`Excludes`];
//!   by default version-control and tool folders such as `.git`, `node_modules` and `target`);
//! - entries a `.gitignore` ignores, inside a git work tree (the `.gitignore` files of the folder
//!   walked, its subfolders and its parents up to the work tree's top; read with the bounds below),
//!   unless `respect-gitignore = false` or `--no-respect-gitignore`;
//! - `*.json` files that are not lexicons: JSON (comments and trailing commas allowed) whose top
//!   level is not an object with a `lexicon` or `defs` key (`package.json`, `tsconfig.json`).
//!   They are counted ([`LoadedFiles::skipped`]); text that is not JSON is still read.
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

use ignore::gitignore::{Gitignore, GitignoreBuilder};

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
    /// Globs left out of the walk (`exclude`, `extend-exclude`).
    pub excludes: Excludes,
    /// Leave out what `.gitignore` files ignore (inside a git work tree).
    pub respect_gitignore: bool,
}

/// The compiled `exclude` and `extend-exclude` globs: a glob without `/` matches an entry's name
/// at any depth, one with `/` matches its path relative to `base` (the config file's folder, or
/// the current folder).
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    by_name: globset::GlobSet,
    by_path: globset::GlobSet,
    base: PathBuf,
}

impl Excludes {
    /// Compiles `globs`; paths are relative to `base` (made real when it exists).
    pub fn new(globs: &[String], base: &Path) -> Result<Excludes, String> {
        let mut by_name = globset::GlobSetBuilder::new();
        let mut by_path = globset::GlobSetBuilder::new();
        for glob in globs {
            let pattern = glob.trim_end_matches('/');
            let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
            let compiled = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|err| format!("exclude glob `{glob}`: {}", err.kind()))?;
            if pattern.contains('/') {
                by_path.add(compiled);
            } else {
                by_name.add(compiled);
            }
        }
        let build = |set: globset::GlobSetBuilder| set.build().map_err(|err| err.to_string());
        Ok(Excludes {
            by_name: build(by_name)?,
            by_path: build(by_path)?,
            base: fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf()),
        })
    }

    /// True when the entry at the real path `real` is left out.
    fn matches(&self, real: &Path) -> bool {
        let by_name = real
            .file_name()
            .is_some_and(|name| self.by_name.is_match(Path::new(name)));
        by_name
            || (!self.by_path.is_empty()
                && real
                    .strip_prefix(&self.base)
                    .is_ok_and(|relative| self.by_path.is_match(relative)))
    }
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
    /// `*.json` files the walk found that are not lexicons, left out.
    pub skipped: usize,
    /// Entries the walk left out by `exclude` globs or `.gitignore`.
    pub excluded: usize,
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
    /// A file to read: the path shown, its real path, whether the walk reached it through a link,
    /// whether the walk found it (rather than it being named).
    File {
        path: PathBuf,
        real: PathBuf,
        via_link: bool,
        walked: bool,
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
        excluded: 0,
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
                    walked: false,
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
    let excluded = walk.excluded;
    let mut loaded = read_found(once_each(walk.found), shown_under, empty);
    loaded.excluded = excluded;
    if excluded > 0 {
        crate::verbose(format_args!(
            "left out {} matching `exclude` globs or .gitignore",
            lexperm_parser::wording::count(excluded, "path", "paths")
        ));
    }
    if loaded.skipped > 0 {
        crate::verbose(format_args!(
            "skipped {} found by the walk that {} not lexicons",
            lexperm_parser::wording::count(loaded.skipped, "JSON file", "JSON files"),
            if loaded.skipped == 1 { "is" } else { "are" }
        ));
    }
    loaded
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
    /// Entries left out by `exclude` globs or `.gitignore`.
    excluded: usize,
}

/// One entry of a folder being walked: the path shown, its real path, its type (links not
/// followed).
type Entry = (PathBuf, PathBuf, fs::FileType);

impl Walk<'_> {
    /// Walks the folder `top` (real path `real`) depth first in name order, as `walkdir` with
    /// sorted names does: a subfolder is walked where its name sorts. No recursion: a stack of the
    /// folders being listed.
    fn folder(&mut self, top: &Path, real: PathBuf) {
        // One `.gitignore` matcher per folder being listed (`None`: that folder has none); the
        // parents' files of a work tree come first.
        let in_work_tree = self.options.respect_gitignore && inside_work_tree(&real);
        let mut ignores: Vec<Option<Gitignore>> = if in_work_tree {
            parent_gitignores(&real)
        } else {
            Vec::new()
        };
        let mut stack: Vec<std::vec::IntoIter<Entry>> = Vec::new();
        if let Some(entries) = self.list(top, &real) {
            stack.push(entries);
            ignores.push(in_work_tree.then(|| read_gitignore(&real)).flatten());
        }
        while let Some(level) = stack.last_mut() {
            let Some((path, real, file_type)) = level.next() else {
                stack.pop();
                ignores.pop();
                continue;
            };
            if self.left_out(&real, file_type.is_dir(), &ignores) {
                self.excluded += 1;
                continue;
            }
            let is_json = path.extension().is_some_and(|ext| ext == "json");
            if file_type.is_dir() {
                if self.options.exclude.contains(&real) {
                    continue;
                }
                if let Some(entries) = self.list(&path, &real) {
                    stack.push(entries);
                    ignores.push(in_work_tree.then(|| read_gitignore(&real)).flatten());
                }
            } else if file_type.is_symlink() {
                if let Some(followed) = self.link(top, path, &real, is_json) {
                    stack.push(followed);
                    ignores.push(None);
                }
            } else if is_json {
                // Not only regular files: a FIFO or device named `*.json` is reported by the
                // reader without being opened.
                self.found.push(Found::File {
                    path,
                    real,
                    via_link: false,
                    walked: true,
                });
            }
        }
    }

    /// True when the entry at `real` matches an exclude glob or, nearest file first, is ignored
    /// by a `.gitignore` of `ignores`.
    fn left_out(&self, real: &Path, is_dir: bool, ignores: &[Option<Gitignore>]) -> bool {
        if self.options.excludes.matches(real) {
            return true;
        }
        for ignore in ignores.iter().rev().flatten() {
            match ignore.matched(real, is_dir) {
                ignore::Match::None => continue,
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
            }
        }
        false
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
                walked: true,
            });
        }
        None
    }
}

/// True when the walk of the folder `root` under `options` would leave out the file `path` below
/// it by an `exclude` glob (on the file or a folder on the way); both relative to the current
/// folder. For files listed by git rather than walked (`breaking --base REF`).
pub fn walk_leaves_out(options: &WalkOptions, root: &Path, path: &Path) -> bool {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.ancestors()
        .take_while(|ancestor| ancestor.starts_with(root) && *ancestor != root)
        .any(|ancestor| options.excludes.matches(&cwd.join(ancestor)))
}

/// True when `real` (a real folder path) lies in a git work tree: it or a parent holds `.git`.
fn inside_work_tree(real: &Path) -> bool {
    real.ancestors().any(|dir| dir.join(".git").exists())
}

/// The `.gitignore` matchers of the parents of `real` (outermost first) up to the top of the
/// git work tree it lies in; empty outside a work tree.
fn parent_gitignores(real: &Path) -> Vec<Option<Gitignore>> {
    let mut parents = Vec::new();
    if real.join(".git").exists() {
        return Vec::new();
    }
    for dir in real.ancestors().skip(1) {
        parents.push(dir);
        if dir.join(".git").exists() {
            parents.reverse();
            return parents.into_iter().map(read_gitignore).collect();
        }
    }
    // `real` itself is the work tree's top (or there is none): no parent counts.
    Vec::new()
}

/// The matcher of `dir/.gitignore`, read with the loader's bounds (a FIFO is never opened);
/// `None` when there is no such file or it cannot be read.
fn read_gitignore(dir: &Path) -> Option<Gitignore> {
    let path = dir.join(".gitignore");
    if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let text = read_text(&path).ok()?;
    let mut builder = GitignoreBuilder::new(dir);
    for line in text.lines() {
        // A line the gitignore syntax rejects is skipped, as git does.
        let _ = builder.add_line(Some(path.clone()), line);
    }
    builder.build().ok().filter(|ignore| !ignore.is_empty())
}

/// True when `text` (a `*.json` file the walk found, or git listed) is a lexicon candidate: JSON
/// (comments and trailing commas allowed, as in `tsconfig.json`) whose top level is an object
/// with a `lexicon` or `defs` key, or text that is not JSON even so (a broken file is reported,
/// not skipped).
pub fn is_lexicon_candidate(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match top_level_names_lexicon(text) {
        Some(found) => found,
        None => top_level_names_lexicon(&without_comments(text)).unwrap_or(true),
    }
}

/// Whether the JSON `text` is an object with a `lexicon` or `defs` key; `None` when it is not
/// JSON.
fn top_level_names_lexicon(text: &str) -> Option<bool> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct TopKeys;
    impl<'de> Visitor<'de> for TopKeys {
        type Value = bool;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            let mut found = false;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                found |= key == "lexicon" || key == "defs";
                map.next_value::<IgnoredAny>()?;
            }
            Ok(found)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match deserializer
        .deserialize_any(TopKeys)
        .and_then(|found| deserializer.end().map(|()| found))
    {
        Ok(found) => Some(found),
        Err(err) if err.classify() == serde_json::error::Category::Data => Some(false),
        Err(_) => None,
    }
}

/// `text` without `//` and `/* */` comments and without commas right before `}` or `]` (outside
/// strings), so that JSON with comments reads as JSON.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut previous = ' ';
                for next in chars.by_ref() {
                    if previous == '*' && next == '/' {
                        break;
                    }
                    previous = next;
                }
                out.push(' ');
            }
            ('}' | ']', _) => {
                let kept = out.trim_end().len();
                if out[..kept].ends_with(',') {
                    out.truncate(kept - 1);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
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
        // `lint .` names `lexicons/x.json`, not `./lexicons/x.json`.
        let path = relative.unwrap_or(path);
        display_path(path.strip_prefix(".").unwrap_or(path))
    };
    let threads = engine::threads_for(found.len(), 64);
    let read = engine::map_in_order(&found, threads, |item| match item {
        Found::File {
            path,
            real,
            via_link,
            walked,
        } => Some(
            read_text(if *via_link { real } else { path })
                .map(|text| (!walked || is_lexicon_candidate(&text)).then_some(text)),
        ),
        Found::Problem { .. } => None,
    });
    let mut sources = Sources::new();
    let mut problems = Vec::new();
    let mut skipped = 0;
    for (item, text) in found.into_iter().zip(read) {
        let (path, problem) = match (item, text) {
            (Found::File { path, .. }, Some(Ok(Some(text)))) => {
                sources.add(SourceFile::new(shown(&path), text));
                continue;
            }
            (Found::File { .. }, Some(Ok(None))) => {
                skipped += 1;
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
        skipped,
        excluded: 0,
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
    fn json_that_is_not_a_lexicon_is_told_apart_from_a_broken_lexicon() {
        for other in [
            "{\"name\": \"app\", \"version\": \"1.0.0\"}",
            "[1, 2]",
            "\"text\"",
            "{\n  // comment, \"lexicon\" in it\n  \"a\": [1, 2,], /* x */\n}\n",
            "\u{feff}{\"compilerOptions\": {\"strict\": true}}",
        ] {
            assert!(!is_lexicon_candidate(other), "{other}");
        }
        for lexicon in [
            "{\"lexicon\": 1, \"id\": \"com.example.x\", \"defs\": {}}",
            "{\"defs\": {}}",
            "{\"lexicon\": 1,}",
            "{",
            "{\"lexicon\": 1,, }",
            "not json",
            "{\"a\": \"//\"} trailing",
        ] {
            assert!(is_lexicon_candidate(lexicon), "{lexicon}");
        }
    }

    #[test]
    fn a_file_found_directly_wins_over_links_to_it() {
        let file = |path: &str, real: &str, via_link| Found::File {
            path: path.into(),
            real: real.into(),
            via_link,
            walked: true,
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
