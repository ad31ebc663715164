//! `lexperm lint --fix` and `lexperm lint --fix --dry-run`: the safe fixes findings carry,
//! applied to the files.
//!
//! Per file, the per-file rules run and the safe fixes of the findings the rule settings keep are
//! applied at once (a fix whose edits overlap an earlier fix's waits for the next pass); the result
//! is linted again, until no fix is left, at most [`MAX_PASSES`] times. A file is written only when
//! that loop settles and its result is valid JSON. Each changed file is shown as a unified diff on
//! standard error. Writing is atomic (a temporary file in the same folder, renamed over the file,
//! with the file's permissions), never through a symbolic link, never outside the paths given, never
//! over a read-only file or one that changed since it was read; files without fixes are not
//! touched.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::{Diagnostic, Edit, FileId, LineIndex};
use lexperm_parser::json;

use crate::config::RuleControl;
use crate::engine;
use crate::sources::{io_message, Sources};

/// Most lint-and-fix passes over one file; a file whose fixes have not settled by then is left as
/// it is.
pub const MAX_PASSES: usize = 10;

/// What fixing one text gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixed {
    /// No safe fix applies.
    Unchanged,
    /// The fixed text, and how many findings its fixes resolved.
    Changed {
        /// The text after every pass.
        text: String,
        /// Fixes applied, over all passes.
        fixes: usize,
    },
    /// Fixes apply but the result cannot be kept: why.
    Refused(String),
}

/// Applies the safe fixes of the findings of `text` that `control` keeps, pass after pass.
pub fn fix_text(file: FileId, text: &str, control: &RuleControl) -> Fixed {
    fix_with(file, text, |current| {
        let mut findings = engine::lint_file(file, current);
        control.apply(&mut findings);
        findings
    })
}

/// [`fix_text`] with the findings of a text given by `lint`: at most [`MAX_PASSES`] rounds of
/// fixes, each followed by a new lint, which must find nothing more to fix.
fn fix_with(file: FileId, text: &str, lint: impl Fn(&str) -> Vec<Diagnostic>) -> Fixed {
    let mut current = text.to_owned();
    let mut fixes = 0;
    for pass in 0..=MAX_PASSES {
        let (next, applied) = apply_fixes(&current, &lint(&current));
        if applied == 0 {
            return settled(file, text, current, fixes);
        }
        if pass == MAX_PASSES {
            break;
        }
        fixes += applied;
        current = next;
    }
    Fixed::Refused(format!(
        "the fixes did not settle after {MAX_PASSES} passes; the file is left as it is"
    ))
}

/// The outcome once no fix is left: unchanged, or the fixed text when it is valid JSON.
fn settled(file: FileId, original: &str, current: String, fixes: usize) -> Fixed {
    if current == original {
        return Fixed::Unchanged;
    }
    let parsed = json::parse_document(file, &current);
    if let (false, Some(error)) = (
        parsed.complete,
        parsed
            .diagnostics
            .iter()
            .find(|d| d.code == lexperm_parser::diagnostics::LoadProblem::InvalidJson.code()),
    ) {
        let (line, column) = LineIndex::new(&current).line_col(&current, error.span.start);
        return Fixed::Refused(format!(
            "after its fixes it would still not be valid JSON ({line}:{column}: {}); fix that by hand and run again",
            error.message
        ));
    }
    Fixed::Changed {
        text: current,
        fixes,
    }
}

/// Applies the safe fixes of `findings` to `text`, leaving out any fix with an edit that
/// overlaps an edit already taken, or that does not fall on character boundaries of `text`.
/// Returns the new text and the number of fixes applied.
pub fn apply_fixes(text: &str, findings: &[Diagnostic]) -> (String, usize) {
    let mut fixes: Vec<&[Edit]> = findings
        .iter()
        .filter(|d| d.has_safe_fix())
        .filter_map(|d| d.fix.as_deref())
        .map(|fix| fix.edits.as_slice())
        .filter(|edits| !edits.is_empty() && edits.iter().all(|e| fits(text, e)))
        .collect();
    fixes.sort_by_key(|edits| (edits[0].span.start, edits[0].span.end));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for edits in fixes {
        if edits
            .iter()
            .any(|edit| taken.iter().any(|other| conflict(edit, other)))
        {
            continue;
        }
        taken.extend(edits);
        applied += 1;
    }
    // From the end, so that earlier offsets stay valid.
    taken.sort_by_key(|edit| std::cmp::Reverse((edit.span.start, edit.span.end)));
    let mut out = text.to_owned();
    for edit in taken {
        out.replace_range(
            edit.span.start as usize..edit.span.end as usize,
            &edit.replacement,
        );
    }
    (out, applied)
}

/// True when `edit`'s range lies in `text` on character boundaries.
fn fits(text: &str, edit: &Edit) -> bool {
    let (start, end) = (edit.span.start as usize, edit.span.end as usize);
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// True when two edits cannot both be applied in a well-defined way: their ranges share bytes,
/// both insert at the same place, or one inserts inside the other's range.
fn conflict(a: &Edit, b: &Edit) -> bool {
    let (a, b) = (a.span, b.span);
    let shared = a.start.max(b.start) < a.end.min(b.end);
    let same_insertion = a.is_empty() && b.is_empty() && a.start == b.start;
    let inside = |insert: lexperm_parser::diagnostics::Span,
                  range: lexperm_parser::diagnostics::Span| {
        insert.is_empty() && range.start < insert.start && insert.start < range.end
    };
    shared || same_insertion || inside(a, b) || inside(b, a)
}

/// What one `--fix` run did, for its summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixRun {
    /// Findings resolved by the fixes kept.
    pub fixed: usize,
    /// Files changed (or, with `--dry-run`, that would be).
    pub files: usize,
    /// Files whose fixes could not be written.
    pub not_written: usize,
    /// Nothing was written (`--dry-run`).
    pub dry_run: bool,
}

impl FixRun {
    /// The summary line, e.g. `fixed 3 findings in 2 files; 1 remains`; `remaining` counts the
    /// findings of the run after the fixes.
    pub fn line(&self, remaining: usize) -> String {
        let findings = if self.fixed == 1 {
            "finding"
        } else {
            "findings"
        };
        let files = if self.files == 1 { "file" } else { "files" };
        let remain = if remaining == 1 { "remains" } else { "remain" };
        if self.dry_run {
            format!(
                "would fix {} {findings} in {} {files}; {remaining} would remain (nothing written: --dry-run)",
                self.fixed, self.files
            )
        } else {
            format!(
                "fixed {} {findings} in {} {files}; {remaining} {remain}",
                self.fixed, self.files
            )
        }
    }
}

/// Fixes the files `ids` of `sources` (files read from the paths `roots`), shows a diff of each
/// changed file on standard error and, unless `dry_run`, writes it. The texts in `sources` become
/// the fixed ones (with `dry_run` too, so that what follows reports what would remain); a file
/// that cannot be written keeps its text and is reported.
pub fn run(
    sources: &mut Sources,
    ids: &[FileId],
    roots: &[PathBuf],
    control: &RuleControl,
    dry_run: bool,
) -> FixRun {
    let outcomes: Vec<(FileId, Fixed)> = {
        let texts: Vec<(FileId, &str)> = ids
            .iter()
            .filter_map(|&id| Some((id, sources.get(id)?.text.as_str())))
            .collect();
        let threads = engine::threads_for(texts.len(), 16);
        let fixed =
            engine::map_in_order(&texts, threads, |(id, text)| fix_text(*id, text, control));
        texts.iter().map(|(id, _)| *id).zip(fixed).collect()
    };
    let allowed = Allowed::new(roots);
    let mut run = FixRun {
        dry_run,
        ..FixRun::default()
    };
    for (id, outcome) in outcomes {
        let Some(file) = sources.get(id) else {
            continue;
        };
        match outcome {
            Fixed::Unchanged => {}
            Fixed::Refused(reason) => {
                eprintln!("warning: {}: not fixed: {reason}", file.path);
            }
            Fixed::Changed { text, fixes } => {
                if !dry_run {
                    let path = Path::new(&file.path);
                    if let Err(message) = write_in_place(path, &file.text, &text, &allowed) {
                        eprintln!("error: {}: not written: {message}", file.path);
                        run.not_written += 1;
                        continue;
                    }
                }
                let _ = write_diff(&mut io::stderr().lock(), &file.path, &file.text, &text);
                run.fixed += fixes;
                run.files += 1;
                sources.set_text(id, text);
            }
        }
    }
    run
}

/// Writes the unified diff of `before` → `after` for `path` (three lines of context). A byte
/// order mark is shown as `\ufeff`, so that its removal is visible.
fn write_diff(out: &mut dyn Write, path: &str, before: &str, after: &str) -> io::Result<()> {
    let diff = similar::TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    let text = text.replace('\u{feff}', "\\ufeff");
    out.write_all(crate::terminal::clean(&text).as_bytes())
}

/// Where `--fix` may write: under the real paths of the folders given, or at a file given.
struct Allowed {
    roots: Vec<PathBuf>,
}

impl Allowed {
    fn new(paths: &[PathBuf]) -> Self {
        Allowed {
            roots: paths
                .iter()
                .filter_map(|p| fs::canonicalize(p).ok())
                .collect(),
        }
    }

    /// True when `real` (a real path) is a file given or lies under a folder given.
    fn contains(&self, real: &Path) -> bool {
        self.roots.iter().any(|root| real.starts_with(root))
    }
}

/// Replaces the file at `path`, read as `before`, with `after`: only a regular file (not a
/// link) inside the paths given that is writable and still holds `before`; through a temporary
/// file in the same folder renamed over it, keeping its permissions. An error says why not.
fn write_in_place(path: &Path, before: &str, after: &str, allowed: &Allowed) -> Result<(), String> {
    let metadata = fs::symlink_metadata(path).map_err(|err| io_message(&err))?;
    if metadata.file_type().is_symlink() {
        let target = fs::read_link(path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Err(format!(
            "it is a symbolic link (to `{target}`); --fix does not write through links, run it on the file itself"
        ));
    }
    if !metadata.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    if metadata.permissions().readonly() {
        return Err("it is read-only; make it writable to fix it".to_owned());
    }
    let name = path.file_name().ok_or("it has no file name")?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let real_parent = fs::canonicalize(parent).map_err(|err| io_message(&err))?;
    if !allowed.contains(&real_parent.join(name)) {
        return Err(format!(
            "it is outside the paths given (in `{}`, reached through a link); --fix writes only there",
            real_parent.display()
        ));
    }
    match fs::read(path) {
        Ok(current) if current == before.as_bytes() => {}
        Ok(_) => return Err("it changed since it was read; run again".to_owned()),
        Err(err) => return Err(io_message(&err)),
    }
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".lexperm-fix-{}", std::process::id()));
    let temp = parent.join(temp_name);
    let written = (|| -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(after.as_bytes())?;
        file.set_permissions(metadata.permissions())?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)
    })();
    written.map_err(|err| {
        let _ = fs::remove_file(&temp);
        format!("cannot write it: {}", io_message(&err))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::{Fix, LoadProblem, Span};

    fn finding(edits: Vec<Edit>) -> Diagnostic {
        Diagnostic::load(LoadProblem::InvalidJson, Span::default(), "x")
            .with_fix(Fix::safe("x", edits))
    }

    fn edit(start: u32, end: u32, replacement: &str) -> Edit {
        Edit::replace(Span::new(FileId(0), start, end), replacement)
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let findings = [
            finding(vec![edit(0, 2, "X")]),
            finding(vec![edit(1, 3, "Y")]),
            finding(vec![edit(4, 4, "[")]),
            finding(vec![edit(4, 4, "(")]),
            finding(vec![edit(4, 5, "")]),
            finding(vec![edit(9, 9, "!")]),
        ];
        assert_eq!(
            apply_fixes("abcdefgh", &findings),
            ("Xcd[fgh".to_owned(), 3)
        );
    }

    #[test]
    fn edits_off_character_boundaries_are_left_out() {
        let findings = [
            finding(vec![edit(1, 2, "")]),
            finding(vec![edit(0, 0, "x")]),
        ];
        assert_eq!(apply_fixes("é", &findings), ("xé".to_owned(), 1));
    }

    #[test]
    fn a_fix_is_applied_whole_or_not_at_all() {
        let findings = [
            finding(vec![edit(0, 1, "A")]),
            finding(vec![edit(2, 2, "["), edit(0, 1, "B")]),
        ];
        assert_eq!(apply_fixes("abc", &findings), ("Abc".to_owned(), 1));
    }

    #[test]
    fn fixes_that_never_settle_are_refused() {
        let always = |_: &str| vec![finding(vec![edit(0, 0, " ")])];
        let outcome = fix_with(FileId(0), "{}", always);
        assert!(
            matches!(&outcome, Fixed::Refused(why) if why.contains("did not settle")),
            "{outcome:?}"
        );
    }

    #[test]
    fn fixes_that_settle_on_the_last_pass_are_kept() {
        let until = |text: &str| {
            if text.len() < 2 + MAX_PASSES {
                vec![finding(vec![edit(0, 0, " ")])]
            } else {
                Vec::new()
            }
        };
        let expected = format!("{}{{}}", " ".repeat(MAX_PASSES));
        assert_eq!(
            fix_with(FileId(0), "{}", until),
            Fixed::Changed {
                text: expected,
                fixes: MAX_PASSES
            }
        );
    }

    #[test]
    fn a_result_that_is_not_json_is_refused() {
        let once = |text: &str| {
            if text.starts_with('{') {
                vec![finding(vec![edit(0, 1, "[")])]
            } else {
                Vec::new()
            }
        };
        let outcome = fix_with(FileId(0), "{}", once);
        assert!(
            matches!(&outcome, Fixed::Refused(why) if why.contains("1:2: expected")),
            "{outcome:?}"
        );
    }

    #[test]
    fn summary_lines() {
        let mut run = FixRun {
            fixed: 1,
            files: 1,
            ..FixRun::default()
        };
        assert_eq!(run.line(1), "fixed 1 finding in 1 file; 1 remains");
        run.fixed = 3;
        run.files = 2;
        assert_eq!(run.line(0), "fixed 3 findings in 2 files; 0 remain");
        run.dry_run = true;
        assert_eq!(
            run.line(2),
            "would fix 3 findings in 2 files; 2 would remain (nothing written: --dry-run)"
        );
    }
}
