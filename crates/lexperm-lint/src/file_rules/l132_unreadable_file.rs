//! L132 `unreadable-file`: a lexicon file was found but could not be loaded as text.
//!
//! Reported by the program that reads the files (the `lexperm` CLI), never by a check here: this
//! crate does no IO. The reason is data ([`Unreadable`]); [`diagnostic`] words it.

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity, Span};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L132",
    name: "unreadable-file",
    severity: Severity::Error,
    summary: "A lexicon file (or a folder holding lexicons) could not be read",
    doc: r#"## What it does
Reports a path that `lexperm` found, or was given, but could not load as UTF-8 text: it does not
exist, it cannot be opened or listed (permissions), it is a symbolic link whose target does not
exist, it is not a regular file (a FIFO, a device or a socket, which are never opened), or its
bytes are not UTF-8. The other files are still checked; the command exits with code 2 because
its answer is incomplete.

## Why
A file that cannot be read was not checked: whatever it declares is missing from the catalog,
and every tool that reads the folder after `lexperm` fails on it too. JSON text is UTF-8
(RFC 8259 §8.1).

## Example
`lexicons/com/example/post.json` saved as Latin-1, or a link `lexicons/com/example/post.json` →
`post.draft.json` after the draft was deleted.
"#,
};

/// Why a file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unreadable {
    /// Opening or reading the file failed.
    Io {
        /// The operating system's reason, e.g. `permission denied`.
        detail: String,
    },
    /// Listing a folder failed; nothing under it was checked.
    Folder {
        /// The operating system's reason.
        detail: String,
    },
    /// The path is not a regular file, so it was not opened.
    NotRegular {
        /// What it is: `a FIFO`, `a character device`, `a block device`, `a socket`.
        kind: &'static str,
    },
    /// The bytes are not UTF-8.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// A symbolic link that cannot be followed (its target does not exist, or the links loop).
    BrokenLink {
        /// The link's target as written in the link.
        target: String,
        /// The operating system's reason.
        detail: String,
    },
}

/// The finding for a file (or folder) `file` that could not be loaded for `reason`. The span is
/// empty, at the start of the file, or at the first invalid byte for [`Unreadable::NotUtf8`].
pub fn diagnostic(file: FileId, reason: &Unreadable) -> Diagnostic {
    let at = match reason {
        Unreadable::NotUtf8 { offset } => u32::try_from(*offset).unwrap_or(u32::MAX),
        _ => 0,
    };
    let (message, help) = match reason {
        Unreadable::Io { detail } => (
            format!("cannot read this file: {detail}"),
            "check that the file exists and is readable",
        ),
        Unreadable::Folder { detail } => (
            format!("cannot list this folder: {detail}; nothing under it was checked"),
            "check the folder's permissions",
        ),
        Unreadable::NotRegular { kind } => (
            format!("not a regular file ({kind}); it was not opened"),
            "lexicon files are regular JSON files: remove this entry, or give it a name that does not end in `.json`",
        ),
        Unreadable::NotUtf8 { offset } => (
            format!("not UTF-8: invalid byte at offset {offset}"),
            "JSON text is UTF-8 (RFC 8259 §8.1); save the file as UTF-8",
        ),
        Unreadable::BrokenLink { target, detail } => (
            format!("symbolic link to {target:?}, which cannot be followed: {detail}"),
            "fix the link's target or remove the link",
        ),
    };
    Diagnostic::new(&META, Span::new(file, at, at), message).with_help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_an_error_at_the_start_or_at_the_invalid_byte() {
        let reasons = [
            Unreadable::Io {
                detail: "permission denied".into(),
            },
            Unreadable::Folder {
                detail: "permission denied".into(),
            },
            Unreadable::NotRegular { kind: "a FIFO" },
            Unreadable::NotUtf8 { offset: 3 },
            Unreadable::BrokenLink {
                target: "gone.json".into(),
                detail: "no such file or directory".into(),
            },
        ];
        for reason in &reasons {
            let d = diagnostic(FileId(4), reason);
            assert_eq!((d.code, d.severity), ("L132", Severity::Error));
            let at = if matches!(reason, Unreadable::NotUtf8 { .. }) { 3 } else { 0 };
            assert_eq!(d.span, Span::new(FileId(4), at, at));
            assert!(d.help.is_some());
        }
        let d = diagnostic(FileId(0), &reasons[4]);
        assert_eq!(
            d.message,
            "symbolic link to \"gone.json\", which cannot be followed: no such file or directory"
        );
    }
}
