//! Finds the real-world lexicon corpus for tests and benchmarks.
//!
//! `cargo xtask corpus` installs the pinned npm packages of `xtask/corpus/` and extracts their
//! lexicon documents into `target/corpus/<set>/`, one file per NSID path. This file is included
//! with `#[path]` by every test and benchmark that reads the corpus.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

/// The sets `cargo xtask corpus` writes: `atproto` (`@atproto/api` lexicons plus the
/// `app.bsky.auth*` / `chat.bsky.authFullChatClient` permission sets of `@atproto/pds`) and
/// `hypercerts` (`@hypercerts-org/lexicon`).
pub const CORPUS_SETS: &[&str] = &["atproto", "hypercerts"];

/// The workspace root: the first ancestor of the crate that holds `xtask/corpus/package.json`.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("xtask/corpus/package.json").is_file())
        .expect("the crate sits inside the lexperm workspace")
        .to_path_buf()
}

/// Where the corpus is looked for: `$LEXPERM_CORPUS`, else `<workspace>/target/corpus`.
pub fn corpus_path() -> PathBuf {
    match std::env::var_os("LEXPERM_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => workspace_root().join("target").join("corpus"),
    }
}

/// The corpus root when every set is there. Otherwise writes
/// `skipped: <name>: real-world corpus not found at <path>; run `cargo xtask corpus``
/// to stderr (past the test harness' capture) and returns `None`, or panics with that message
/// when `LEXPERM_REQUIRE_CORPUS=1`.
pub fn corpus_for(name: &str) -> Option<PathBuf> {
    let path = corpus_path();
    if CORPUS_SETS.iter().all(|set| path.join(set).is_dir()) {
        return Some(path);
    }
    let message = format!(
        "skipped: {name}: real-world corpus not found at {}; run `cargo xtask corpus`",
        path.display()
    );
    if std::env::var_os("LEXPERM_REQUIRE_CORPUS").is_some_and(|v| v == "1") {
        panic!("{message}");
    }
    let _ = writeln!(std::io::stderr(), "{message}");
    None
}

/// [`corpus_for`] named after the running test (the test harness names each test's thread).
pub fn corpus() -> Option<PathBuf> {
    let thread = std::thread::current();
    corpus_for(thread.name().unwrap_or("corpus test"))
}

/// Every `*.json` file under the given sets of the corpus at `root`, sorted by path.
pub fn corpus_files(root: &Path, sets: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for set in sets {
        collect_json(&root.join(set), &mut files);
    }
    files.sort();
    files
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_json(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}
