//! Diagnostics shared by every crate: spans, severities, rule metadata.
//!
//! Rendering lives in the CLI; this module only describes what was found and where.

use std::fmt;

/// Identifies one loaded source file. The meaning of the number belongs to whoever loaded the file
/// (the CLI keeps a table of paths and texts indexed by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `start..end` inside one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span over `start..end` in `file`.
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Span { file, start, end }
    }

    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// True when the span covers no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Informational; never fails a run.
    Info,
    /// Likely a mistake; fails a run only under `--deny warnings`.
    Warning,
    /// Definitely wrong; fails a run.
    Error,
}

impl Severity {
    /// Lower-case name as used in JSON and SARIF output (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses the names produced by [`Severity::as_str`].
    pub fn from_name(name: &str) -> Option<Severity> {
        match name {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Static description of one lint rule. Codes and names are stable forever; a retired code is
/// never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code, e.g. `L101`.
    pub code: &'static str,
    /// Kebab-case name that reads as the problem, e.g. `permission-outside-namespace`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// Markdown documentation: what it does, why, an example. Printed by `lexperm explain`.
    pub doc: &'static str,
}

/// A problem the loader itself reports while reading JSON and building the typed model. Each is a
/// lint rule of its own (the rule crate holds its documentation); its code and name live here so
/// that the loader can report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadProblem {
    /// `L101 invalid-json`: not strict JSON, too large or nested too deeply.
    InvalidJson,
    /// `L102 duplicate-key`: an object has the same key twice.
    DuplicateKey,
    /// `L103 invalid-field-type`: a field holds the wrong kind of JSON value.
    InvalidFieldType,
    /// `L104 missing-required-field`: a field the Lexicon language requires is absent.
    MissingRequiredField,
    /// `L105 unknown-schema-type`: a schema's `type` is not a Lexicon type.
    UnknownSchemaType,
}

impl LoadProblem {
    /// Every load problem, in code order.
    pub const ALL: [LoadProblem; 5] = [
        LoadProblem::InvalidJson,
        LoadProblem::DuplicateKey,
        LoadProblem::InvalidFieldType,
        LoadProblem::MissingRequiredField,
        LoadProblem::UnknownSchemaType,
    ];

    /// The rule code (`L101`…`L105`).
    pub const fn code(self) -> &'static str {
        match self {
            LoadProblem::InvalidJson => "L101",
            LoadProblem::DuplicateKey => "L102",
            LoadProblem::InvalidFieldType => "L103",
            LoadProblem::MissingRequiredField => "L104",
            LoadProblem::UnknownSchemaType => "L105",
        }
    }

    /// The rule name (`invalid-json`, …).
    pub const fn name(self) -> &'static str {
        match self {
            LoadProblem::InvalidJson => "invalid-json",
            LoadProblem::DuplicateKey => "duplicate-key",
            LoadProblem::InvalidFieldType => "invalid-field-type",
            LoadProblem::MissingRequiredField => "missing-required-field",
            LoadProblem::UnknownSchemaType => "unknown-schema-type",
        }
    }
}

/// A secondary location attached to a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What this location contributes.
    pub message: String,
}

/// One finding: what is wrong, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable rule code (see [`RuleMeta::code`]).
    pub code: &'static str,
    /// Kebab-case rule name (see [`RuleMeta::name`]).
    pub name: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// Primary location.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// Secondary locations.
    pub labels: Vec<Label>,
    /// NSID of the lexicon the diagnostic belongs to, when known.
    pub nsid: Option<String>,
    /// A mechanical change of the text that resolves the finding, when there is one.
    pub fix: Option<Box<Fix>>,
}

/// One replacement in a file's text: the bytes `span.start..span.end` become `replacement` (an
/// empty span inserts, an empty replacement deletes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes replaced.
    pub span: Span,
    /// What they become.
    pub replacement: String,
}

impl Edit {
    /// Replaces `span` with `replacement`.
    pub fn replace(span: Span, replacement: impl Into<String>) -> Self {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// Deletes `span`.
    pub fn delete(span: Span) -> Self {
        Edit::replace(span, "")
    }
}

/// Whether a fix may be applied without a person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// The text after the fix means what the author wrote (`lexperm lint --fix` applies it).
    Safe,
}

impl Applicability {
    /// Lower-case name as used in JSON output (`safe`).
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
        }
    }
}

/// A mechanical change that resolves a finding: edits that do not overlap, in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, e.g. "remove the trailing comma".
    pub description: String,
    /// The replacements, sorted by position.
    pub edits: Vec<Edit>,
    /// Whether `lexperm lint --fix` applies it.
    pub applicability: Applicability,
}

impl Fix {
    /// A safe fix made of `edits`.
    pub fn safe(description: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
        Fix {
            description: description.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }
}

impl Diagnostic {
    /// A diagnostic for `rule` at `span` with the rule's default severity.
    pub fn new(rule: &RuleMeta, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            nsid: None,
            fix: None,
        }
    }

    /// A diagnostic for a problem the loader reports, always an error.
    pub fn load(problem: LoadProblem, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code: problem.code(),
            name: problem.name(),
            severity: Severity::Error,
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            nsid: None,
            fix: None,
        }
    }

    /// Adds a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(Box::new(fix));
        self
    }

    /// True when the diagnostic carries a fix that `lexperm lint --fix` applies.
    pub fn has_safe_fix(&self) -> bool {
        self.fix
            .as_ref()
            .is_some_and(|fix| fix.applicability == Applicability::Safe)
    }

    /// Sets the NSID of the lexicon this belongs to.
    pub fn with_nsid(mut self, nsid: impl Into<String>) -> Self {
        self.nsid = Some(nsid.into());
        self
    }
}

/// Writes ` (hint: …)` when there is a hint: what the `Display` of an error with a hint field puts
/// after its message, for plain-text output. Consumers that want the hint read the field; nothing
/// parses this text back.
pub fn write_hint<W: fmt::Write + ?Sized>(out: &mut W, hint: Option<&str>) -> fmt::Result {
    if let Some(hint) = hint {
        out.write_str(" (hint: ")?;
        out.write_str(hint)?;
        out.write_str(")")?;
    }
    Ok(())
}

/// Bytes per checkpoint of [`LineIndex`]'s character counts: a column costs at most this many
/// byte reads, however long its line is.
const CHAR_CHECKPOINT_BYTES: usize = 256;

/// Converts byte offsets to 1-based line and column numbers (columns count Unicode scalar values,
/// as SARIF's `unicodeCodePoints` column kind does).
///
/// Built once per text in one pass; each lookup is a binary search plus at most
/// 2 × [`CHAR_CHECKPOINT_BYTES`] byte reads, so thousands of findings on one long line cost no more
/// than the same findings spread over many lines.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// `chars_before[k]`: the characters in the first `k * CHAR_CHECKPOINT_BYTES` bytes. Empty when
    /// the text is ASCII (a column is then a byte difference).
    chars_before: Vec<u32>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        let chars_before = if text.is_ascii() {
            Vec::new()
        } else {
            let mut counts = Vec::with_capacity(bytes.len() / CHAR_CHECKPOINT_BYTES + 1);
            let mut total = 0u32;
            counts.push(0);
            for chunk in bytes.chunks(CHAR_CHECKPOINT_BYTES) {
                total += count_char_starts(chunk);
                counts.push(total);
            }
            counts
        };
        LineIndex {
            line_starts,
            chars_before,
        }
    }

    /// Number of lines (a text without a line feed has one).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line of byte `offset` (offsets past the end are on the last line).
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of 0-based `line` in `text` (the same text given to [`LineIndex::new`]), without
    /// its line feed; an empty range at the end of the text for a line past the last.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.line_starts.get(line) else {
            return text.len()..text.len();
        };
        let end = match self.line_starts.get(line + 1) {
            Some(&next) => next as usize - 1,
            None => text.len(),
        };
        start as usize..end
    }

    /// 1-based `(line, column)` of byte `offset` in `text` (the same text given to [`LineIndex::new`]).
    /// An offset inside a character counts as that character's start.
    pub fn line_col(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.chars_before(text, end) - self.chars_before(text, start) + 1;
        (line as u32 + 1, column)
    }

    /// Characters in `text[..offset]`, `offset` being a character boundary.
    fn chars_before(&self, text: &str, offset: usize) -> u32 {
        if self.chars_before.is_empty() {
            return offset as u32;
        }
        let checkpoint = offset / CHAR_CHECKPOINT_BYTES;
        let from = checkpoint * CHAR_CHECKPOINT_BYTES;
        self.chars_before[checkpoint] + count_char_starts(&text.as_bytes()[from..offset])
    }
}

/// The UTF-8 bytes in `bytes` that start a character (every byte but continuation bytes).
fn count_char_starts(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&byte| (byte as i8) >= -0x40).count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "ab\ncé\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 1), (1, 2));
        assert_eq!(index.line_col(text, 3), (2, 1));
        // `é` is two bytes; the byte after it is column 3.
        assert_eq!(index.line_col(text, 6), (2, 3));
        assert_eq!(index.line_col(text, 7), (3, 1));
        assert_eq!(index.line_col(text, 100), (3, 2));
        // Inside `é`: the column of `é`.
        assert_eq!(index.line_col(text, 5), (2, 2));
        assert_eq!(index.line_count(), 3);
        assert_eq!(index.line_range(text, 1), 3..6);
        assert_eq!(index.line_range(text, 2), 7..8);
        assert_eq!(index.line_range(text, 3), 8..8);
        assert_eq!(index.line_of(6), 1);
    }

    #[test]
    fn columns_on_long_lines_match_counting_from_the_line_start() {
        // Lines longer than several checkpoints, mixing one-, two-, three- and four-byte characters.
        let line: String = "aé€😀".repeat(300);
        let text = format!("x\n{line}\n{line}é\n");
        let index = LineIndex::new(&text);
        for offset in 0..=text.len() as u32 {
            let mut end = offset as usize;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            let expected_line = text[..end].matches('\n').count() as u32 + 1;
            let expected_column = text[line_start..end].chars().count() as u32 + 1;
            assert_eq!(
                index.line_col(&text, offset),
                (expected_line, expected_column),
                "offset {offset}"
            );
        }
    }
}
