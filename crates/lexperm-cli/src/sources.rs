//! The table of loaded files: `FileId` → path (as given on the command line) and text; finding
//! the `*.json` files of the paths given.

use std::io;
use std::path::{Path, PathBuf};
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

    /// 1-based `(line, column)` of a byte offset; the line index is built on first use only, so files
    /// without findings never pay for it.
    pub fn line_col(&self, offset: u32) -> (u32, u32) {
        self.line_index
            .get_or_init(|| LineIndex::new(&self.text))
            .line_col(&self.text, offset)
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
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    fetched: usize,
    /// Ids of the files of the base version (`lexperm breaking`), sorted.
    base: Vec<FileId>,
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

    /// Adds a file of the base version a change is compared against (`lexperm breaking
    /// --base`): rendered like any file, marked as the before side, not counted by
    /// [`Sources::len`].
    pub fn add_base(&mut self, file: SourceFile) -> FileId {
        let id = self.add(file);
        self.base.push(id);
        id
    }

    /// True when `id` is a file of the base version.
    pub fn is_base(&self, id: FileId) -> bool {
        self.base.binary_search(&id).is_ok()
    }

    /// The file with `id`, if there is one.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files with their ids, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    /// Number of files read (fetched lexicons and base files not counted).
    pub fn len(&self) -> usize {
        self.files.len() - self.fetched - self.base.len()
    }
}

/// Adds `path` (a file, or every `*.json` under a directory, sorted) to `files`. An entry the
/// walk cannot read is passed to `on_walk_error`, whose `Err` stops the walk.
pub fn collect_json(
    path: &Path,
    files: &mut Vec<PathBuf>,
    mut on_walk_error: impl FnMut(walkdir::Error) -> Result<(), String>,
) -> Result<(), String> {
    let metadata = std::fs::metadata(path)
        .map_err(|err| format!("cannot read {}: {}", path.display(), io_message(&err)))?;
    if !metadata.is_dir() {
        files.push(path.to_path_buf());
        return Ok(());
    }
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) => {
                let is_json = entry.path().extension().is_some_and(|ext| ext == "json");
                if is_json && entry.file_type().is_file() {
                    files.push(entry.into_path());
                }
            }
            Err(err) => on_walk_error(err)?,
        }
    }
    Ok(())
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
