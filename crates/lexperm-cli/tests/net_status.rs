//! `lexperm status`, `lexperm diff` and `breaking --base published` end to end against the
//! testenv (`cargo xtask testenv up`): the group `net.lexperm.test.status` of
//! `fixtures/net/lexicons` (its own authority, which no other test publishes) is published from a
//! copy, then the copy is edited. Skipped with a note when `target/testenv/env` is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{
    both_outputs as text, lexperm_with_cache as lexperm, stdout, testenv_get as get,
    testenv_vars as env_vars, workspace_root,
};
use serde_json::Value;

const GROUP: &str = "net.lexperm.test.status";
const FOLDER: &str = "lexicons/net/lexperm/test/status";

/// Runs `lexperm args… NET…` in `dir` and checks the exit code.
#[track_caller]
fn run(dir: &Path, args: &[&str], net: &[&str], code: i32) -> Output {
    let mut all = args.to_vec();
    all.extend(net);
    let out = lexperm(dir, &all, None);
    assert_eq!(out.status.code(), Some(code), "{all:?}\n{}", text(&out));
    out
}

/// A project holding a copy of the status group in `lexicons/`.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lexperm-status-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let from = workspace_root().join("fixtures/net").join(FOLDER);
    common::copy_tree(&from, &dir.join(FOLDER));
    dir
}

/// The JSON lines of `out`, each checked against docs/json.md.
fn lines(what: &str, out: &Output) -> Vec<Value> {
    let values = common::json_lines(&stdout(out));
    for value in &values {
        common::assert_json_documented(what, value);
    }
    values
}

/// `(nsid, status)` of each line of `status --format json`.
fn statuses(values: &[Value]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|v| {
            (
                v["nsid"].as_str().unwrap().to_owned(),
                v["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn nsid(name: &str) -> String {
    format!("{GROUP}.{name}")
}

#[test]
fn status_diff_and_breaking_follow_local_edits() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    let dir = project("edits");

    // Publish the group as it is (records already there and unchanged are kept).
    let mut publish = vec!["publish", "--handle", "alice.test", "--lexicons", FOLDER];
    publish.extend(net);
    let out = lexperm(&dir, &publish, Some(&get(&vars, "TEST_APP_PASSWORD")));
    assert!(out.status.success(), "{}", text(&out));

    // Everything published as it is: exit 0.
    let out = run(&dir, &["status"], &net, 0);
    let human = stdout(&out);
    assert!(
        human.starts_with("status.test.lexperm.net (did:plc:"),
        "{human}"
    );
    assert!(
        human.ends_with("3 published, 0 differs, 0 unpublished, 0 remote-only\n"),
        "{human}"
    );
    let out = run(&dir, &["status", "--format", "json"], &net, 0);
    let clean = lines("status", &out);
    assert_eq!(
        statuses(&clean),
        [
            (nsid("getPost"), "published".to_owned()),
            (nsid("note"), "published".to_owned()),
            (nsid("post"), "published".to_owned()),
        ]
    );
    for line in &clean {
        assert_eq!(line["local_cid"], line["remote_cid"], "{line}");
        assert!(line["local_cid"].as_str().unwrap().starts_with("bafyrei"));
    }
    let published_post = clean[2]["remote_cid"].as_str().unwrap().to_owned();
    run(&dir, &["diff", &nsid("post")], &net, 0);

    // A breaking edit (a new required property), a new lexicon, a deleted file.
    let post_path = dir.join(FOLDER).join("post.json");
    let mut post: Value =
        serde_json::from_str(&std::fs::read_to_string(&post_path).unwrap()).unwrap();
    let record = &mut post["defs"]["main"]["record"];
    record["required"]
        .as_array_mut()
        .unwrap()
        .push("title".into());
    record["properties"]["title"] = serde_json::json!({"type": "string", "maxLength": 100});
    std::fs::write(&post_path, serde_json::to_string_pretty(&post).unwrap()).unwrap();
    let mut draft = post.clone();
    draft["id"] = nsid("draft").into();
    std::fs::write(
        dir.join(FOLDER).join("draft.json"),
        serde_json::to_string_pretty(&draft).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(dir.join(FOLDER).join("note.json")).unwrap();

    let out = run(&dir, &["status", "--format", "json"], &net, 1);
    let edited = lines("status", &out);
    assert_eq!(
        statuses(&edited),
        [
            (nsid("draft"), "unpublished".to_owned()),
            (nsid("getPost"), "published".to_owned()),
            (nsid("note"), "remote-only".to_owned()),
            (nsid("post"), "differs".to_owned()),
        ]
    );
    let (draft_line, note_line, post_line) = (&edited[0], &edited[2], &edited[3]);
    assert_eq!(post_line["remote_cid"], published_post.as_str());
    assert!(post_line["local_cid"]
        .as_str()
        .unwrap()
        .starts_with("bafyrei"));
    assert_ne!(post_line["local_cid"], post_line["remote_cid"]);
    assert_eq!(post_line["file"], format!("{FOLDER}/post.json"));
    assert_eq!(draft_line["remote_cid"], Value::Null);
    assert_eq!(note_line["local_cid"], Value::Null);
    assert_eq!(note_line["file"], Value::Null);
    assert_eq!(note_line["remote_cid"], clean[1]["remote_cid"]);
    let human = stdout(&run(&dir, &["status"], &net, 1));
    assert!(
        human.ends_with("1 published, 1 differs, 1 unpublished, 1 remote-only\n"),
        "{human}"
    );
    let local_post = post_line["local_cid"].as_str().unwrap();
    let post_row = human
        .lines()
        .find(|row| row.contains(&nsid("post")))
        .unwrap();
    assert!(post_row.starts_with("  differs "), "{human}");
    assert!(
        post_row.ends_with(&format!("local {local_post}, published {published_post}")),
        "{human}"
    );

    // diff: the changed paths and the breaking finding, JSON and human.
    let out = run(&dir, &["diff", &nsid("post"), "--format", "json"], &net, 1);
    let diff = lines("diff", &out);
    assert_eq!(diff.len(), 1);
    let line = &diff[0];
    assert_eq!(line["local_cid"], local_post);
    assert_eq!(line["remote_cid"], published_post.as_str());
    assert_eq!(
        line["changes"],
        serde_json::json!([
            {"op": "changed", "path": "/defs/main/record/required",
             "old": ["text", "createdAt"], "new": ["text", "createdAt", "title"]},
            {"op": "added", "path": "/defs/main/record/properties/title",
             "new": {"type": "string", "maxLength": 100}},
        ])
    );
    let breaking = line["breaking"].as_array().unwrap();
    let codes: Vec<&str> = breaking
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["required-property-added"], "{line}");
    assert_eq!(breaking[0]["file"], format!("{FOLDER}/post.json"));
    assert!(breaking[0]["before_file"]
        .as_str()
        .unwrap()
        .starts_with("at://did:plc:"));
    let human = stdout(&run(&dir, &["diff", &nsid("post")], &net, 1));
    for needle in [
        "~ /defs/main/record/required: [\"text\",\"createdAt\"] → [\"text\",\"createdAt\",\"title\"]",
        "+ /defs/main/record/properties/title: {\"type\":\"string\",\"maxLength\":100}",
        "1 breaking-change finding:",
        "B106(required-property-added)",
        "1 lexicon differs from the published version, 0 are the same",
    ] {
        assert!(human.contains(needle), "{needle}\n{human}");
    }

    // A group: the unpublished member is noted, the others compared.
    let out = run(&dir, &["diff", &format!("{GROUP}.*")], &net, 1);
    assert!(
        text(&out).contains(&format!("note: {} is not published yet", nsid("draft"))),
        "{}",
        text(&out)
    );
    assert!(
        stdout(&out).contains("1 lexicon differs from the published version, 1 is the same"),
        "{}",
        text(&out)
    );
    // Named NSIDs that cannot be compared are errors with a clear message.
    let out = run(&dir, &["diff", &nsid("draft")], &net, 2);
    assert!(text(&out).contains("is not published"), "{}", text(&out));
    let out = run(&dir, &["diff", &nsid("pots"), "--format", "json"], &net, 2);
    let error = &lines("diff", &out)[0];
    assert_eq!(error["error"]["code"], "not-local");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("did you mean `{}`", nsid("post"))),
        "{error}"
    );
    // Offline, from the cache the runs above filled.
    run(&dir, &["diff", &nsid("getPost"), "--offline"], &net, 0);

    // breaking --base published: the deleted file is part of the base.
    let out = run(
        &dir,
        &[
            "breaking",
            "lexicons",
            "--base",
            "published",
            "--format",
            "json",
        ],
        &net,
        1,
    );
    let findings = common::json_lines(&stdout(&out));
    let found: Vec<(&str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap(),
                f["nsid"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let post_id = nsid("post");
    let note_id = nsid("note");
    assert!(
        found.contains(&("required-property-added", post_id.as_str())),
        "{found:?}"
    );
    assert!(
        found.contains(&("lexicon-removed", note_id.as_str())),
        "{found:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unavailable_authorities_name_the_failing_step() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    let dir = project("unavailable");
    // `missing.test.lexperm.net` has no `_lexicon` record; `wrong.test.lexperm.net` names a DID
    // the PLC directory does not know.
    for (group, name) in [
        ("net.lexperm.test.missing", "missing"),
        ("net.lexperm.test.wrong", "wrong"),
    ] {
        let post = std::fs::read_to_string(dir.join(FOLDER).join("post.json"))
            .unwrap()
            .replace(GROUP, group);
        common::write(
            &dir,
            &format!("lexicons/net/lexperm/test/{name}/post.json"),
            &post,
        );
    }
    let out = run(&dir, &["status", "--format", "json"], &net, 1);
    let values = lines("status", &out);
    let by_nsid = |id: &str| {
        values
            .iter()
            .find(|v| v["nsid"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {values:?}"))
    };
    let missing = by_nsid("net.lexperm.test.missing.post");
    assert_eq!(missing["status"], "unavailable");
    assert_eq!(missing["error"]["code"], "dns");
    assert!(missing["error"]["message"]
        .as_str()
        .unwrap()
        .contains("_lexicon.missing.test.lexperm.net"));
    assert!(missing["local_cid"]
        .as_str()
        .unwrap()
        .starts_with("bafyrei"));
    let wrong = by_nsid("net.lexperm.test.wrong.post");
    assert_eq!(wrong["status"], "unavailable");
    assert_eq!(wrong["error"]["code"], "did-document", "{wrong}");
    // The group that resolves is still reported.
    assert_eq!(
        by_nsid(&nsid("post"))["authority"],
        "status.test.lexperm.net"
    );
    let human = stdout(&run(&dir, &["status"], &net, 1));
    assert!(
        human.contains(
            "missing.test.lexperm.net: unavailable: listing failed at the DNS `_lexicon` TXT record"
        ),
        "{human}"
    );
    assert!(human.contains(", 2 unavailable\n"), "{human}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A resolution-cache entry for `doc` (a lexicon document) as `lexperm resolve` writes it.
fn cache_entry(doc: &str) -> String {
    let record: Value = serde_json::from_str(doc).unwrap();
    let nsid = record["id"].as_str().unwrap().to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    serde_json::json!({
        "nsid": nsid,
        "did": "did:plc:example",
        "pds": "https://pds.example.com",
        "uri": format!("at://did:plc:example/com.atproto.lexicon.schema/{nsid}"),
        "cid": lexperm_codegen::records::schema_record(&record)
            .unwrap()
            .cid()
            .to_string(),
        "record": record,
        "fetched_at": now,
    })
    .to_string()
}

/// `diff --offline` needs no network: the published version comes from the resolution cache.
#[test]
fn diff_offline_compares_with_the_cached_record() {
    let dir = std::env::temp_dir().join(format!("lexperm-status-offline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let edited = common::POST.replace(
        r#""required": ["text"]"#,
        r#""required": ["text", "title"]"#,
    );
    let edited = edited.replace(
        r#""text": { "type": "string", "maxLength": 300 }"#,
        r#""text": { "type": "string", "maxLength": 300 },
          "title": { "type": "string" }"#,
    );
    assert_ne!(edited, common::POST);
    common::write(&dir, "lexicons/com/example/post.json", &edited);
    let same = common::POST.replace("com.example.post", "com.example.same");
    common::write(&dir, "lexicons/com/example/same.json", &same);
    common::write(
        &dir,
        "lexicons/com/example/new.json",
        &common::POST.replace("com.example.post", "com.example.new"),
    );
    common::write(
        &dir,
        ".cache/resolve/com.example.post.json",
        &cache_entry(common::POST),
    );
    common::write(
        &dir,
        ".cache/resolve/com.example.same.json",
        &cache_entry(&same),
    );

    let out = run(
        &dir,
        &["diff", "com.example.post", "--offline", "--format", "json"],
        &[],
        1,
    );
    let line = &lines("diff", &out)[0];
    assert_eq!(line["source"], "cache");
    assert_eq!(
        line["changes"],
        serde_json::json!([
            {"op": "changed", "path": "/defs/main/record/required", "old": ["text"], "new": ["text", "title"]},
            {"op": "added", "path": "/defs/main/record/properties/title", "new": {"type": "string"}},
        ])
    );
    assert_eq!(line["breaking"][0]["code"], "B106", "{line}");
    assert_eq!(
        line["breaking"][0]["before_file"],
        "at://did:plc:example/com.atproto.lexicon.schema/com.example.post"
    );
    let out = run(&dir, &["diff", "com.example.same", "--offline"], &[], 0);
    assert!(
        stdout(&out).starts_with("com.example.same: same as published (bafyrei"),
        "{}",
        text(&out)
    );
    // The group: the uncached member cannot be compared offline.
    let out = run(
        &dir,
        &["diff", "com.example.*", "--offline", "--format", "json"],
        &[],
        2,
    );
    let values = lines("diff", &out);
    let nsids: Vec<&str> = values.iter().map(|v| v["nsid"].as_str().unwrap()).collect();
    assert_eq!(
        nsids,
        ["com.example.new", "com.example.post", "com.example.same"],
        "{values:?}"
    );
    assert_eq!(values[0]["error"]["code"], "resolve-failed");
    let _ = std::fs::remove_dir_all(dir);
}
