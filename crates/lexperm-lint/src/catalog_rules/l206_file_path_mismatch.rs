//! L206 `file-path-mismatch`: a file's path does not spell its NSID.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::syntax::Nsid;

use lexperm_resolver::catalog::Catalog;

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "L206",
    name: "file-path-mismatch",
    severity: Severity::Warning,
    summary: "The file path does not end with the NSID's segments (`a/b/c.json` for `a.b.c`)",
    doc: r#"## What it does
Checks that the path of each lexicon file ends with its NSID written as directories,
`com/example/feed/post.json` for `com.example.feed.post` (anything may come before that). A dot
in a directory or file name counts as a separator too, so `com.example.feed.post.json` and
`com.example/feed/post.json` are fine.

## Why
Tools and people find lexicons by NSID: code generators, `lex` tooling and publication scripts
map `com.example.feed.post` to `…/com/example/feed/post.json`. A file elsewhere is easy to
overlook, duplicate or publish under the wrong name.

## Example
`lexicons/feed/post.json` containing
```json
{"lexicon": 1, "id": "com.example.feed.post", "defs": {"main": {"type": "token"}}}
```
(expected `lexicons/com/example/feed/post.json`).
"#,
};

/// True when `path` (with `/` or `\\` separators, `.json` optional) ends with the segments of
/// `nsid`, where a `.` inside a directory or file name also separates segments: `com/example/post`,
/// `com.example.post` and `com.example/post` all match `com.example.post`.
pub fn path_matches(path: &str, nsid: &str) -> bool {
    let path = path.replace('\\', "/");
    let stem = path.strip_suffix(".json").unwrap_or(&path);
    let segments: Vec<&str> = stem
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .flat_map(|s| s.split('.'))
        .collect();
    let wanted: Vec<&str> = nsid.split('.').collect();
    segments.ends_with(&wanted)
}

/// Checks file paths against NSIDs.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    for file in catalog.documents() {
        let (path, Some(id)) = (file.path.as_str(), file.doc.id.as_ref()) else {
            continue;
        };
        if path.is_empty() {
            continue;
        }
        if Nsid::parse(&id.value).is_err() || path_matches(path, &id.value) {
            continue;
        }
        let expected = format!("{}.json", id.value.replace('.', "/"));
        out.push(
            Diagnostic::new(
                &META,
                id.span,
                format!(
                    "the file path does not match the NSID `{}`; expected a path ending in `{expected}`",
                    id.value
                ),
            )
            .with_help(format!(
                "move the file to `<lexicon root>/{expected}` (or name it `{}.json`)",
                id.value
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog_rules::test_support::{doc, expect};

    #[test]
    fn matching_paths() {
        assert!(path_matches("com/example/post.json", "com.example.post"));
        assert!(path_matches(
            "/home/user/lexicons/com/example/post.json",
            "com.example.post"
        ));
        assert!(path_matches(
            "lexicons\\com\\example\\post.json",
            "com.example.post"
        ));
        assert!(path_matches(
            "./lexicons/com.example.post.json",
            "com.example.post"
        ));
        assert!(!path_matches("example/post.json", "com.example.post"));
        assert!(!path_matches("com/example/post2.json", "com.example.post"));
        assert!(!path_matches("xcom/example/post.json", "com.example.post"));
        assert!(!path_matches("string/string.json", "sh.tangled.string"));
        assert!(path_matches(
            "lexicons-bluemoji/blue.moji/packs/pack.json",
            "blue.moji.packs.pack"
        ));
        assert!(!path_matches(
            "mary-ext-tangled.sh-mirror/publicKey.json",
            "sh.tangled.publicKey"
        ));
    }

    #[test]
    fn reports_misplaced_files_only() {
        let text = doc("com.example.post", r#""main": {"type": "token"}"#);
        let found = expect(&META, 1, &[("lexicons/post.json", &text)]);
        assert!(found[0].message.contains("com/example/post.json"));
        expect(&META, 0, &[("lexicons/com/example/post.json", &text)]);
        let bad_id = doc("not an nsid", r#""main": {"type": "token"}"#);
        expect(&META, 0, &[("x.json", &bad_id)]);
    }
}
