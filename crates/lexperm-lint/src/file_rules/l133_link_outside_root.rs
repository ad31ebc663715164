//! L133 `link-outside-root`: a symbolic link found while walking a folder leads out of it, so it
//! was not followed.
//!
//! Reported by the program that walks the folders (the `lexperm` CLI), never by a check here:
//! this crate does no IO. [`diagnostic`] words it.

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta, Severity, Span};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L133",
    name: "link-outside-root",
    severity: Severity::Error,
    summary: "A symbolic link in a walked folder leads outside the folders being read; it was not followed",
    doc: r#"## What it does
Reports a symbolic link, found while walking a folder for `*.json` files, whose target lies
outside every folder given to the command (after resolving every link on the way). The link is
not followed: nothing is read from its target, so none of its contents can appear in the output.
A link to a folder outside is reported too, and nothing under it is read. The other files are
still checked; the command exits with code 2 because its answer is incomplete.

Links that stay inside the folders are followed (each file is read once, under its real path).
Paths named on the command line are read as named, even when they are links.
`--follow-outside-links` follows links that leave the folders as well.

## Why
Lexicon folders are often changed by pull requests from strangers, and CI lints them with
secrets on the machine. A link such as `lexicons/x.json` → `~/.docker/config.json` would otherwise
be read and shown in source snippets in the CI log; a link to `/` would make the walk read the
whole machine.

## Example
`lexicons/com/example/post.json` → `/home/runner/.docker/config.json`, or `lexicons/vendor` →
`/root`.
"#,
};

/// The finding for the link `file`: `target` as written in the link, `resolved` the path it
/// resolves to when that says more (a relative link that stays lexically inside but leads out
/// through another link), `root` the folder being walked.
pub fn diagnostic(file: FileId, target: &str, resolved: Option<&str>, root: &str) -> Diagnostic {
    let resolved = resolved
        .map(|path| format!(", which resolves to {path:?}"))
        .unwrap_or_default();
    Diagnostic::new(
        &META,
        Span::new(file, 0, 0),
        format!(
            "symbolic link to {target:?}{resolved}, outside {root:?}: not followed, nothing was read from it"
        ),
    )
    .with_help(
        "lint the target where it lives, or replace the link with a copy; pass --follow-outside-links only when the target is trusted",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_link_target_and_the_root() {
        let d = diagnostic(FileId(2), "/home/runner/.docker/config.json", None, "lexicons");
        assert_eq!((d.code, d.severity), ("L133", Severity::Error));
        assert_eq!(d.span, Span::new(FileId(2), 0, 0));
        assert_eq!(
            d.message,
            "symbolic link to \"/home/runner/.docker/config.json\", outside \"lexicons\": not followed, nothing was read from it"
        );
        let d = diagnostic(FileId(0), "b.json", Some("/etc/passwd"), "lexicons");
        assert!(d.message.contains("\"b.json\", which resolves to \"/etc/passwd\""));
    }
}
