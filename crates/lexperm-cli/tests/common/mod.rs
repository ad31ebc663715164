//! Helpers shared by the CLI's process-level tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "../../../../tests/support/corpus.rs"]
mod support;
#[path = "../../../../tests/support/testenv.rs"]
mod testenv;

#[allow(unused_imports)]
pub use support::{corpus, corpus_files, workspace_root, CORPUS_SETS};
#[allow(unused_imports)]
pub use testenv::{testenv_get, testenv_vars};

/// `dir` relative to the workspace root, with `/` separators (how fixture tests name a folder on
/// the command line, so snapshots do not depend on where the workspace is).
pub fn workspace_relative(dir: &Path) -> String {
    dir.strip_prefix(workspace_root())
        .expect("fixtures live in the workspace")
        .to_string_lossy()
        .replace('\\', "/")
}

/// `com.example.post`: a record with a required `text` of at most 300 characters.
pub const POST: &str = r#"{
  "lexicon": 1,
  "id": "com.example.post",
  "defs": {
    "main": {
      "type": "record",
      "description": "A post.",
      "key": "tid",
      "record": {
        "type": "object",
        "required": ["text"],
        "properties": {
          "text": { "type": "string", "maxLength": 300 }
        }
      }
    }
  }
}
"#;

/// A document whose only finding is an error: a def with an unknown type.
pub const ERROR_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.broken",
  "defs": {
    "thing": { "type": "float", "description": "Not a Lexicon type." }
  }
}
"#;

/// A document whose only finding is a warning: a query without a description.
pub const WARNING_DOC: &str = r#"{
  "lexicon": 1,
  "id": "com.example.getThing",
  "defs": {
    "main": {
      "type": "query",
      "output": { "encoding": "application/json" }
    }
  }
}
"#;

/// Runs `lexperm args…` in `dir` and checks the exit code; returns (stdout, stderr).
#[track_caller]
pub fn check(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let output = lexperm(dir, args);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(
        output.status.code(),
        Some(code),
        "lexperm {args:?}\n--- stdout\n{out}\n--- stderr\n{err}"
    );
    (out, err)
}

/// Runs git in `dir` with a fixed identity, `main` as the first branch and no system settings;
/// panics when it fails.
pub fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=lexperm",
            "-c",
            "user.email=lexperm@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// False (with a note) when git is not installed.
pub fn have_git() -> bool {
    let found = Command::new("git").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: git is not installed");
    }
    found
}

/// Copies every file under `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes `text` to `dir/path`, creating folders.
pub fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().expect("a file path")).expect("create folders");
    std::fs::write(path, text).expect("write file");
}

/// Runs the built `lexperm` binary in `dir` with `args`, without colour.
pub fn lexperm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("lexperm runs")
}

/// Runs `lexperm` in `dir` with `dir/.cache` as its cache (its own resolution cache and no
/// stored session), without colour, 120 columns wide, and with `password` as the app password.
pub fn lexperm_with_cache(dir: &Path, args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lexperm"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .env("LEXPERM_CACHE_DIR", dir.join(".cache"));
    if let Some(password) = password {
        command.env("LEXPERM_APP_PASSWORD", password);
    }
    command.output().expect("lexperm runs")
}

/// Runs `lexperm` in the workspace root with `args` and optional stdin, without colour.
pub fn lexperm_in_root(args: &[&str], stdin: Option<&str>) -> Run {
    run_piped(
        Command::new(env!("CARGO_BIN_EXE_lexperm"))
            .args(args)
            .current_dir(workspace_root())
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS"),
        stdin,
    )
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Both outputs, each under a heading, for assertions and failure messages.
pub fn both_outputs(output: &Output) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The exit code and output of one run.
pub struct Run {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `command` (the `lexperm` binary, set up by the caller) with `stdin` (or nothing) piped in.
pub fn run_piped(command: &mut Command, stdin: Option<&str>) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn lexperm");
    // Written from a thread: lexperm streams, so it writes output while it still reads, and a
    // full stdout pipe would otherwise block both sides.
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.unwrap_or("").as_bytes().to_vec();
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    // A command that exits without reading stdin (a usage error) closes the pipe first.
    match writer.join().expect("stdin writer thread") {
        Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => panic!("write stdin: {err}"),
        _ => {}
    }
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf8 stderr"),
    }
}

/// Each line of `stdout` as JSON.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON {l:?}: {e}")))
        .collect()
}

/// The member names of a JSON object, in order.
pub fn keys(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// The SARIF log with each rule descriptor replaced by its id: the descriptors are the same in
/// every run (`tests/cli.rs` checks them) and would otherwise dominate every snapshot.
pub fn compact_sarif(text: &str) -> String {
    let mut log: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let rules = &mut log["runs"][0]["tool"]["driver"]["rules"];
    let ids: Vec<serde_json::Value> = rules
        .as_array()
        .expect("driver lists rules")
        .iter()
        .map(|rule| rule["id"].clone())
        .collect();
    *rules = serde_json::Value::Array(ids);
    serde_json::to_string_pretty(&log).expect("serializes") + "\n"
}

/// Asserts that `value`, one top-level object printed by `what` with `--format json`, starts
/// with `"version": 1` and that every member name in it (at any depth; not inside a `lexicon`
/// record, which is data) appears in docs/json.md as `` `name` ``.
pub fn assert_json_documented(what: &str, value: &serde_json::Value) {
    fn names(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, member) in map {
                    out.push(key.clone());
                    // Lexicon documents and values taken from them (`diff`'s `old`/`new`).
                    if !matches!(key.as_str(), "lexicon" | "old" | "new") {
                        names(member, out);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|item| names(item, out)),
            _ => {}
        }
    }
    let first = value.as_object().and_then(|map| map.iter().next());
    assert_eq!(
        first,
        Some((&"version".to_owned(), &serde_json::Value::from(1))),
        "{what}: {value}"
    );
    let doc = std::fs::read_to_string(workspace_root().join("docs/json.md")).expect("docs/json.md");
    let mut found = Vec::new();
    names(value, &mut found);
    let missing: Vec<&String> = found
        .iter()
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: members missing from docs/json.md: {missing:?}\n{value}"
    );
}
