//! L134 `lockfile-mismatch`: a lexicon pinned in `lexicons.json` is missing, unreadable or differs
//! from the pinned record.
//!
//! Reported by the program that reads the lockfile and the files it pins (the `lexperm` CLI and
//! the `build.rs` builder), never by a check here: this crate does no IO. What went wrong is data
//! ([`Mismatch`]); [`diagnostic`] words it.

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity, Span};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L134",
    name: "lockfile-mismatch",
    severity: Severity::Error,
    summary: "A lexicon pinned in lexicons.json is missing, unreadable or not the pinned record",
    doc: r#"## What it does
When a `lexicons.json` lockfile (the format `@atproto/lex install` writes) sits beside the
lexicon folder, every NSID it pins under `resolutions` is checked offline: the file at the NSID's
path in the folder (`app.bsky.feed.post` → `app/bsky/feed/post.json`) must exist, be a lexicon
whose `id` is that NSID, and make the `com.atproto.lexicon.schema` record whose CID is the pinned
`cid` (the CID `lexperm gen records` and `lexperm publish` compute, the published record's CID).
Each file that does not is reported, with both CIDs when they differ.

Local lexicons the lockfile does not pin are not checked: the lockfile pins what was fetched,
not what was written here. No network is used.

## Why
Vendored lexicons are inputs to generated code. A file edited by hand, half-updated or left
stale after the lockfile moved on builds code against a schema that no one published, silently.

## Example
`lexicons.json` pins `app.bsky.feed.post` at `bafyreia…`, and someone added a property to
`lexicons/app/bsky/feed/post.json`: its record CID is now `bafyreib…`. Restore the file, or fetch
the lexicons again to refresh both the files and the lockfile (`lexperm pull --update`, or
`lex install --update` of `@atproto/lex`).
"#,
};

/// How a pinned lexicon differs from its lockfile entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mismatch {
    /// No file at the NSID's path.
    Missing,
    /// The file cannot be read.
    Unreadable {
        /// The operating system's reason.
        detail: String,
    },
    /// The file is not a lexicon that can be made into a schema record, or its `id` is another
    /// NSID.
    Invalid {
        /// What is wrong.
        reason: String,
    },
    /// The file's record CID is not the pinned one.
    CidDiffers {
        /// The CID in the lockfile.
        pinned: String,
        /// The CID of the record made from the file.
        local: String,
    },
}

/// The finding for the pinned lexicon `nsid`, whose file has id `file` (an empty entry when the
/// file is missing or unreadable); `lockfile` is the lockfile's path as shown.
pub fn diagnostic(file: FileId, nsid: &str, lockfile: &str, mismatch: &Mismatch) -> Diagnostic {
    const REFRESH: &str = "fetch the lexicons again to refresh the files and the lockfile together (`lexperm pull --update`, or `lex install --update`)";
    let (message, help) = match mismatch {
        Mismatch::Missing => (
            format!("{nsid} is pinned in {lockfile} but its file is missing"),
            format!("restore the file, or {REFRESH}"),
        ),
        Mismatch::Unreadable { detail } => (
            format!("{nsid} is pinned in {lockfile} but its file cannot be read: {detail}"),
            "check that the file is readable".to_owned(),
        ),
        Mismatch::Invalid { reason } => (
            format!("{nsid} is pinned in {lockfile} but its file is not the pinned lexicon: {reason}"),
            format!("restore the file as fetched, or {REFRESH}"),
        ),
        Mismatch::CidDiffers { pinned, local } => (
            format!(
                "{nsid} is pinned in {lockfile} at CID {pinned}, but this file's record CID is {local}"
            ),
            format!(
                "the file was edited or is stale: restore the version with CID {pinned}, or {REFRESH}; a local change belongs in a lexicon of your own"
            ),
        ),
    };
    Diagnostic::new(&META, Span::new(file, 0, 0), message)
        .with_help(help)
        .with_nsid(nsid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_both_cids_and_the_refresh_command() {
        let d = diagnostic(
            FileId(3),
            "app.bsky.feed.post",
            "lexicons.json",
            &Mismatch::CidDiffers {
                pinned: "bafyreiaaa".into(),
                local: "bafyreibbb".into(),
            },
        );
        assert_eq!((d.code, d.severity), ("L134", Severity::Error));
        assert_eq!(d.span, Span::new(FileId(3), 0, 0));
        assert_eq!(
            d.message,
            "app.bsky.feed.post is pinned in lexicons.json at CID bafyreiaaa, but this file's record CID is bafyreibbb"
        );
        let help = d.help.unwrap();
        assert!(help.contains("bafyreiaaa") && help.contains("lex install --update"));
    }

    #[test]
    fn words_each_kind() {
        let cases = [
            (Mismatch::Missing, "its file is missing"),
            (
                Mismatch::Unreadable {
                    detail: "permission denied".into(),
                },
                "cannot be read: permission denied",
            ),
            (
                Mismatch::Invalid {
                    reason: "bad".into(),
                },
                "is not the pinned lexicon: bad",
            ),
        ];
        for (mismatch, text) in cases {
            let d = diagnostic(FileId(0), "a.b.c", "x/lexicons.json", &mismatch);
            assert!(d.message.contains(text), "{}", d.message);
        }
    }
}
