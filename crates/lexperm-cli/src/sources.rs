//! The table of loaded files: `FileId` → path (as given on the command line) and text. Finding and
//! reading the files is `crate::load`.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use lexperm_parser::diagnostics::{FileId, LineIndex, Span};

/// One file that was read for linting.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as given (or as found by walking a given directory).
    pub path: String,
    /// The file's text.
    pub text: String,
    line_index: OnceLock<LineIndex>,
}

impl SourceFile {
    /// A file with `path` and `text`.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            path: path.into(),
            text: text.into(),
            line_index: OnceLock::new(),
        }
    }

    /// The file's line index, built on first use only, so files without findings never pay for it.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based `(line, column)` of a byte offset.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        self.line_index().line_col(&self.text, offset)
    }

    /// 1-based start and end `(line, column, end_line, end_column)` of a span in this file. The end
    /// is exclusive, as SARIF and GitHub expect.
    pub fn region(&self, span: Span) -> (u32, u32, u32, u32) {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end.max(span.start));
        (line, column, end_line, end_column)
    }
}

/// All files of one run, indexed by [`FileId`].
///
/// Files that were read (and fetched lexicons) take ids from 0 up, the ids the catalog gives its
/// documents; paths that could not be loaded ([`Sources::add_unread`]) take ids from `u32::MAX`
/// down, so that they never take an id the catalog hands out to a fetched lexicon.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    fetched: usize,
    unread: Vec<SourceFile>,
    /// Ids of the files of the base version (`lexperm breaking`), sorted.
    base: Vec<FileId>,
    /// The git ref the base files were read at, when they were (`REF:path` names).
    base_ref: Option<String>,
}

impl Sources {
    /// An empty table.
    pub fn new() -> Self {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(file);
        id
    }

    /// Adds a lexicon fetched from the network (`--resolve`): shown in labels, not counted by
    /// [`Sources::len`].
    pub fn add_fetched(&mut self, file: SourceFile) -> FileId {
        self.fetched += 1;
        self.add(file)
    }

    /// Adds a path that could not be loaded and returns its id; `file` holds its path, and as text
    /// what its diagnostic may point into (usually nothing). [`Sources::iter`] leaves it out.
    pub fn add_unread(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::MAX - self.unread.len() as u32);
        self.unread.push(file);
        id
    }

    /// Adds a file of the base version a change is compared against (`lexperm breaking
    /// --base`): rendered like any file, marked as the before side, not counted by
    /// [`Sources::len`].
    pub fn add_base(&mut self, file: SourceFile) -> FileId {
        let id = self.add(file);
        self.base.push(id);
        id
    }

    /// Replaces the text of the file read with `id` (after `lexperm lint --fix`).
    pub fn set_text(&mut self, id: FileId, text: String) {
        if let Some(file) = self.files.get_mut(id.0 as usize) {
            *file = SourceFile::new(std::mem::take(&mut file.path), text);
        }
    }

    /// Records that the base files were read from git at `reference` (named `REF:path`).
    pub fn set_base_ref(&mut self, reference: &str) {
        self.base_ref = Some(reference.to_owned());
    }

    /// Where a base file read from git lives in the working tree: `path` of `REF:path`.
    pub fn base_tree_path(&self, id: FileId) -> Option<&str> {
        let reference = self.base_ref.as_deref()?;
        if !self.is_base(id) {
            return None;
        }
        self.get(id)?
            .path
            .strip_prefix(reference)?
            .strip_prefix(':')
    }

    /// The id of the working-tree file (not a base one) shown as `path`.
    pub fn find_current(&self, path: &str) -> Option<FileId> {
        self.iter()
            .find(|(id, file)| file.path == path && !self.is_base(*id))
            .map(|(id, _)| id)
    }

    /// True when `id` is a file of the base version.
    pub fn is_base(&self, id: FileId) -> bool {
        self.base.binary_search(&id).is_ok()
    }

    /// The file with `id`, if there is one.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files
            .get(id.0 as usize)
            .or_else(|| self.unread.get((u32::MAX - id.0) as usize))
    }

    /// The files read (and fetched), in insertion order; paths not loaded are left out.
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }

    /// All files read (and fetched) with their ids, in insertion order; paths not loaded are
    /// left out.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    /// Number of paths of the run: files read and paths that could not be loaded (fetched
    /// lexicons and base files not counted).
    pub fn len(&self) -> usize {
        self.files.len() - self.fetched - self.base.len() + self.unread.len()
    }
}

/// An IO error without the `(os error N)` suffix.
pub fn io_message(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => err.to_string(),
    }
}

/// The path as shown in output: as given or found, with `/` separators.
pub fn display_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` with `.` and `..` folded lexically (no file system access: links are not resolved).
pub fn fold_dots(path: &Path) -> PathBuf {
    let mut folded = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_dots_is_lexical() {
        assert_eq!(
            fold_dots(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(fold_dots(Path::new("/a/../../b")), PathBuf::from("/b"));
    }
}
