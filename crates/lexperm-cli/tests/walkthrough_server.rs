//! An authorization-server implementer's day, through the JSON contracts (`docs/json.md`), on
//! the real atproto lexicons (`cargo xtask corpus`; skipped with a note without it): normalize
//! the scopes a client sent, build the token scope, check requests streamed on stdin, and read
//! lint findings with their related locations, relying only on what the page documents.

mod common;

use std::path::Path;

use serde_json::Value;

const APPVIEW: &str = "did:web:api.bsky.app%23bsky_appview";

/// Runs `lexperm args…` in `dir` with `stdin`; returns the JSON lines and the exit code. Every
/// line must start with `"version": 1`.
fn json(dir: &Path, args: &[&str], stdin: Option<&str>) -> (Vec<Value>, i32) {
    let run = common::run_piped(
        std::process::Command::new(env!("CARGO_BIN_EXE_lexperm"))
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1"),
        stdin,
    );
    let lines = common::json_lines(&run.stdout);
    for line in &lines {
        let first = line.as_object().and_then(|object| object.keys().next());
        assert_eq!(first.map(String::as_str), Some("version"), "{line}");
        assert_eq!(line["version"], 1, "{line}");
    }
    (lines, run.code)
}

/// The page's text, where every code a reader may meet must be listed.
fn json_doc() -> String {
    std::fs::read_to_string(common::workspace_root().join("docs/json.md")).unwrap()
}

/// Asserts that `code` is listed in docs/json.md.
fn documented(doc: &str, code: &str) {
    assert!(
        doc.contains(&format!("`{code}`")),
        "`{code}` is not in docs/json.md"
    );
}

#[test]
fn server_implementer_normalizes_builds_checks_and_reads_findings() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let lexicons = corpus.join("atproto");
    let lexicons = lexicons.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let doc = json_doc();

    // 1. The client's scopes, one per line on stdin: canonical forms, and an error object with a
    // documented code for the one that cannot be read. Exit 1: an input failed.
    let sent = format!(
        "atproto\nrepo:app.bsky.feed.post?action=update&action=create\n\
         repo:app.bsky.feed.post?action=explode\ninclude:app.bsky.authViewAll?aud={APPVIEW}\n"
    );
    let (lines, code) = json(
        root,
        &["scope", "normalize", "--format", "json"],
        Some(&sent),
    );
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[1]["canonical"],
        "repo:app.bsky.feed.post?action=create&action=update"
    );
    assert_eq!(lines[2]["valid"], false);
    assert_eq!(lines[2]["canonical"], Value::Null);
    let error = &lines[2]["error"];
    documented(&doc, error["code"].as_str().unwrap());
    assert!(error["message"].as_str().unwrap().contains("explode"));
    assert_eq!(lines[3]["error"], Value::Null);

    // 2. The token scope, built like the reference authorization server; each include with what
    // it granted and dropped.
    let client = format!(
        "atproto include:app.bsky.authViewAll?aud={APPVIEW} include:app.bsky.authCreatePosts"
    );
    let (lines, code) = json(
        root,
        &[
            "expand",
            "--lexicons",
            lexicons,
            "--scope",
            &client,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(code, 0);
    let token = lines[0]["token_scope"].as_str().unwrap().to_owned();
    assert!(token.ends_with(" atproto"), "{token}");
    let includes = lines[0]["includes"].as_array().unwrap();
    assert_eq!(includes.len(), 2);
    let create_posts = &includes[1];
    assert_eq!(create_posts["include"], "include:app.bsky.authCreatePosts");
    assert!(!create_posts["granted"].as_array().unwrap().is_empty());
    for dropped in create_posts["dropped"].as_array().unwrap() {
        documented(&doc, dropped["code"].as_str().unwrap());
        assert!(dropped["entry"].is_u64(), "{dropped}");
    }

    // 3. Requests streamed on stdin against that token: `granted_by` names the token scope
    // value; a request that cannot be read is an error result and the rest are still answered.
    let requests = format!(
        "rpc:app.bsky.feed.getTimeline?aud={APPVIEW}\n\
         repo:app.bsky.feed.post?action=create\n\
         repo:app.bsky.feed.like?action=create\n\
         rpc:app.bsky.feed.getTimeline\n"
    );
    let (lines, code) = json(
        root,
        &["scope", "check", "--granted", &token, "--format", "json"],
        Some(&requests),
    );
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    let allowed: Vec<bool> = lines
        .iter()
        .map(|line| line["allowed"].as_bool().unwrap())
        .collect();
    assert_eq!(allowed, [true, true, false, false]);
    assert!(lines[0]["granted_by"]
        .as_str()
        .unwrap()
        .starts_with("rpc?lxm="));
    assert_eq!(lines[2]["granted_by"], Value::Null);
    assert_eq!(lines[2]["error"], Value::Null);
    assert_eq!(lines[3]["error"]["code"], "invalid-request");
    documented(&doc, "invalid-request");

    // The same idea has the same name in `check`, which also says which set entry allowed it.
    let (lines, code) = json(
        root,
        &[
            "check",
            "--lexicons",
            lexicons,
            "--scope",
            &client,
            "--format",
            "json",
            "repo:app.bsky.feed.post?action=create",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(lines[0]["allowed"], true);
    assert!(lines[0]["granted_by"].is_string(), "{}", lines[0]);
    assert_eq!(lines[0]["set"], "app.bsky.authCreatePosts");

    // 4. Lint findings carry the related locations SARIF has: two copies of one lexicon.
    let copy = root.join("lexicons");
    std::fs::create_dir_all(copy.join("app/bsky/feed")).unwrap();
    let like = corpus.join("atproto/app/bsky/feed/like.json");
    std::fs::copy(&like, copy.join("app/bsky/feed/like.json")).unwrap();
    std::fs::copy(&like, copy.join("app/bsky/feed/like-copy.json")).unwrap();
    let (lines, _) = json(root, &["lint", "lexicons", "--format", "json"], None);
    let duplicate = lines
        .iter()
        .find(|line| {
            line["related"]
                .as_array()
                .is_some_and(|related| !related.is_empty())
        })
        .expect("a finding with a related location");
    let sarif = common::lexperm(root, &["lint", "lexicons", "--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["ruleId"] == duplicate["code"])
        .expect("the same finding in SARIF");
    assert_eq!(
        result["relatedLocations"].as_array().unwrap().len(),
        duplicate["related"].as_array().unwrap().len()
    );
    let related = &duplicate["related"][0];
    for member in [
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
    ] {
        assert!(!related[member].is_null(), "{member}: {related}");
    }
}
