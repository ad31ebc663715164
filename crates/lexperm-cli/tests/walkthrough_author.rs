//! A lexicon author's day, command by command, on a scratch copy of the real atproto lexicons
//! (`cargo xtask corpus`; skipped with a note without it): set up a repository, vendor the
//! lexicons into it beside a TypeScript project's JSON files, make the mistakes authors make
//! (a mistyped ref, `date-time`, a trailing comma, a byte order mark), and read what lexperm says
//! at each step, as a person would.

mod common;

use std::path::Path;

use common::check;
use serde_json::Value;

/// The file of `nsid` under `lexicons/`.
fn lexicon_path(nsid: &str) -> String {
    format!("lexicons/{}.json", nsid.replace('.', "/"))
}

/// Replaces the first `from` in `dir/path` with `to`; panics when it is not there.
fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let file = dir.join(path);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

/// The JSON findings of `lint --format json` in `dir`, as (code, file, severity).
fn findings(dir: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec!["lint", "--format", "json"];
    args.extend_from_slice(extra);
    let output = common::lexperm(dir, &args);
    let lines = common::json_lines(&common::stdout(&output));
    (lines, output.status.code().unwrap_or(-1))
}

fn codes_in(lines: &[Value], file: &str) -> Vec<String> {
    let mut codes: Vec<String> = lines
        .iter()
        .filter(|line| line["file"] == file)
        .map(|line| line["code"].as_str().unwrap().to_owned())
        .collect();
    codes.sort();
    codes
}

/// The codes reported for `file` in `now` and not in `before` (as multisets).
fn added(before: &[Value], now: &[Value], file: &str) -> Vec<String> {
    let mut left = codes_in(before, file);
    codes_in(now, file)
        .into_iter()
        .filter(|code| match left.iter().position(|c| c == code) {
            Some(at) => {
                left.remove(at);
                false
            }
            None => true,
        })
        .collect()
}

#[test]
fn author_sets_up_a_repository_lints_fixes_and_configures() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();

    // 1. `init`: the folder, a config and the CI workflow; a first record that lints clean.
    let (out, _) = check(root, &["init", ".", "--authority", "org.example.demo"], 0);
    for created in [
        "lexicons/",
        "lexperm.toml",
        ".github/workflows/lexperm.yml",
        "lexicons/org/example/demo/item.json",
    ] {
        assert!(out.contains(&format!("created {created}")), "{out}");
    }
    let (out, _) = check(root, &["lint", "--deny", "warnings"], 0);
    assert!(out.contains("0 errors, 0 warnings"), "{out}");

    // 2. The upstream lexicons vendored in, inside a TypeScript project: package.json, a
    // tsconfig with comments, node_modules. Only lexicons are read.
    common::copy_tree(&corpus.join("atproto"), &root.join("lexicons"));
    common::write(
        root,
        "package.json",
        r#"{"name": "app", "version": "1.0.0"}"#,
    );
    common::write(
        root,
        "tsconfig.json",
        "{\n  // strict mode\n  \"compilerOptions\": {\"strict\": true},\n}\n",
    );
    common::write(root, "node_modules/dep/package.json", r#"{"name": "dep"}"#);
    common::write(root, "node_modules/dep/data.json", r#"[1, 2, 3]"#);
    let (clean, code) = findings(root, &["."]);
    assert!(
        clean
            .iter()
            .all(|line| line["file"].as_str().unwrap().starts_with("lexicons/")),
        "only lexicons are reported"
    );
    // The one real defect upstream: a set granting a method nobody defines.
    let errors: Vec<&Value> = clean
        .iter()
        .filter(|line| line["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["code"], "P120");
    assert_eq!(code, 1);
    let (_, err) = check(root, &["-v", "lint", ".", "--quiet"], 1);
    assert!(
        err.contains("lexperm: left out 1 path matching `exclude` globs or .gitignore")
            && err
                .contains("lexperm: skipped 2 JSON files found by the walk that are not lexicons"),
        "{err}"
    );

    // 3. The usual mistakes.
    let post = lexicon_path("app.bsky.feed.post");
    edit(
        root,
        &post,
        "\"ref\": \"app.bsky.richtext.facet\"",
        "\"ref\": \"app.bsky.richtext.facte\"",
    );
    edit(
        root,
        &post,
        "\"format\": \"datetime\"",
        "\"format\": \"date-time\"",
    );
    let like = lexicon_path("app.bsky.feed.like");
    let text = std::fs::read_to_string(root.join(&like)).unwrap();
    std::fs::write(root.join(&like), format!("\u{feff}{text}")).unwrap();
    let repost = lexicon_path("app.bsky.feed.repost");
    let text = std::fs::read_to_string(root.join(&repost)).unwrap();
    let last = text.trim_end().len() - 1;
    let before = text[..last].trim_end().len();
    std::fs::write(
        root.join(&repost),
        format!("{},{}", &text[..before], &text[before..]),
    )
    .unwrap();

    let (lines, code) = findings(root, &[]);
    assert_eq!(code, 1);
    assert_eq!(added(&clean, &lines, &post), ["L112", "L210"]);
    assert_eq!(added(&clean, &lines, &like), ["L101"]);
    assert_eq!(added(&clean, &lines, &repost), ["L101"]);
    let typo = lines
        .iter()
        .find(|line| line["code"] == "L210")
        .expect("the mistyped ref");
    assert_eq!(typo["severity"], "error", "a typo must fail CI");
    assert!(
        typo["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `app.bsky.richtext.facet`?"),
        "{typo}"
    );
    let format = lines.iter().find(|line| line["code"] == "L112").unwrap();
    assert!(
        format["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `datetime`?"),
        "{format}"
    );

    // The human report: each mistake with its place, and how many --fix can mend.
    let (human, _) = check(root, &["lint"], 1);
    // The four mistakes and the upstream P120.
    assert!(human.contains("5 errors"), "{human}");
    assert!(
        human.contains("fixable with `lexperm lint --fix`"),
        "{human}"
    );

    // 4. `--fix --dry-run` shows the diff and writes nothing; `--fix` writes it.
    let read_all = |paths: &[&String]| -> Vec<Vec<u8>> {
        paths
            .iter()
            .map(|path| std::fs::read(root.join(path)).unwrap())
            .collect()
    };
    let untouched = read_all(&[&post, &like, &repost]);
    let (_, diff) = check(root, &["lint", "--fix", "--dry-run"], 1);
    assert!(diff.contains(&format!("--- a/{post}")), "{diff}");
    assert!(
        diff.contains("-            \"format\": \"date-time\""),
        "{diff}"
    );
    assert!(
        diff.contains("+            \"format\": \"datetime\""),
        "{diff}"
    );
    assert!(diff.contains("nothing written: --dry-run"), "{diff}");
    assert_eq!(read_all(&[&post, &like, &repost]), untouched);

    let (_, report) = check(root, &["lint", "--fix"], 1);
    assert!(report.contains("fixed "), "{report}");
    let (lines, _) = findings(root, &[]);
    // What --fix cannot decide is left: the mistyped ref names another lexicon.
    assert_eq!(added(&clean, &lines, &post), ["L210"]);
    assert_eq!(added(&clean, &lines, &like), Vec::<String>::new());
    assert_eq!(added(&clean, &lines, &repost), Vec::<String>::new());
    assert!(!std::fs::read(root.join(&like))
        .unwrap()
        .starts_with(b"\xef\xbb\xbf"));
    // A second run has nothing left to fix.
    let (_, again) = check(root, &["lint", "--fix", "--dry-run"], 1);
    assert!(!again.contains("--- a/"), "{again}");
    edit(
        root,
        &post,
        "\"ref\": \"app.bsky.richtext.facte\"",
        "\"ref\": \"app.bsky.richtext.facet\"",
    );

    // 5. Configuration for every command, found from the linted path upward: the upstream P120
    // is turned off in lexperm.toml; linting a subfolder still finds the file at the root.
    edit(
        root,
        "lexperm.toml",
        "[rules]\n",
        "[rules]\nundefined-lxm = \"off\"\n",
    );
    let (_, err) = check(root, &["-v", "lint", "lexicons/chat", "--quiet"], 0);
    let used = err
        .lines()
        .find_map(|line| line.strip_prefix("lexperm: using config "))
        .unwrap_or_else(|| panic!("no config named: {err}"));
    assert_eq!(
        std::fs::canonicalize(root.join(used)).unwrap(),
        std::fs::canonicalize(root.join("lexperm.toml")).unwrap()
    );
    // The same settings reach code generation.
    check(
        root,
        &[
            "gen",
            "rust",
            "--lexicons",
            "lexicons",
            "--out",
            "src/gen/scopes.rs",
        ],
        0,
    );
    assert!(root.join("src/gen/scopes.rs").is_file());
    // And rule levels from the command line, comma lists included.
    let (stats, _) = check(
        root,
        &[
            "lint",
            "--statistics",
            "--ignore",
            "S103,S109",
            "--deny",
            "handle-in-record",
        ],
        1,
    );
    assert!(!stats.contains("S103"), "{stats}");
    assert!(!stats.contains("S109"), "{stats}");
    assert!(stats.contains("S126  handle-in-record"), "{stats}");
    assert!(stats.contains("1 error,"), "{stats}");

    // 6. A new lexicon: scaffolded at the right path and lint-clean.
    let (out, _) = check(root, &["new", "query", "org.example.demo.getItems"], 0);
    assert!(
        out.contains("lexicons/org/example/demo/getItems.json"),
        "{out}"
    );
    check(
        root,
        &["lint", "lexicons/org", "--deny", "warnings", "--quiet"],
        0,
    );
}
