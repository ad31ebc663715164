//! `lexperm pull` end to end against the testenv (`cargo xtask testenv up`): the example
//! authority in `lexicons/` is published, then pulled into empty projects. Skipped with a note
//! when `target/testenv/env` is missing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{
    both_outputs as text, lexperm_with_cache as lexperm, testenv_get as get,
    testenv_vars as env_vars, workspace_root,
};
use serde_json::Value;

const GROUP: &str = "org.lexperm.example.calendar";
const SET: &str = "org.lexperm.example.calendar.authSharedCalendar";

fn empty_project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lexperm-pull-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir` (relative, `/`-separated), the resolution cache left out.
fn files(dir: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if relative == ".cache" {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                found.insert(relative);
            }
        }
    }
    found
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A pulled file as a lexicon document: the record without its `$type`.
fn document(path: &Path) -> Value {
    let mut value = json(path);
    let removed = value.as_object_mut().unwrap().remove("$type");
    assert_eq!(
        removed,
        Some(Value::from("com.atproto.lexicon.schema")),
        "{}",
        path.display()
    );
    value
}

/// `node lex` of the testenv's `@atproto/lex` in `dir`, when it is installed.
fn lex(vars: &[(String, String)], dir: &Path, args: &[&str]) -> Option<Output> {
    let find = |key: &str| vars.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let (Some(node), Some(lex)) = (find("TEST_NODE"), find("TEST_LEX")) else {
        assert!(
            std::env::var_os("LEXPERM_REQUIRE_TESTENV").is_none(),
            "LEXPERM_REQUIRE_TESTENV is set but the testenv has no @atproto/lex (`cargo xtask testenv install`)"
        );
        eprintln!("note: the testenv has no @atproto/lex; skipping `lex install --ci`");
        return None;
    };
    Some(
        Command::new(node)
            .arg(lex)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap(),
    )
}

/// Publishes the example authority from the workspace's `lexicons/` (unchanged records are kept),
/// once per test run: the tests of this file run in parallel against one account.
fn publish_example(vars: &[(String, String)], net: &[&str]) {
    static PUBLISHED: std::sync::Once = std::sync::Once::new();
    PUBLISHED.call_once(|| publish_now(vars, net));
}

fn publish_now(vars: &[(String, String)], net: &[&str]) {
    let lexicons = workspace_root().join("lexicons");
    let lexicons = lexicons.to_string_lossy();
    let mut args = vec!["publish", "--handle", "alice.test", "--lexicons", &lexicons];
    args.extend(net);
    let scratch = empty_project("publish");
    let out = lexperm(&scratch, &args, Some(&get(vars, "TEST_APP_PASSWORD")));
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_dir_all(scratch);
}

#[test]
fn pull_pins_the_closure_verifies_offline_and_keeps_pins() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    publish_example(&vars, &net);
    let local = workspace_root().join("lexicons");

    // Pull the set into an empty project: the set and everything it needs, pinned.
    let project = empty_project("set");
    let mut pull = vec!["pull", SET];
    pull.extend(net);
    let out = lexperm(&project, &pull, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("requests made"), "{}", text(&out));
    let expected: BTreeSet<String> = [
        "authSharedCalendar",
        "sharedCalendar",
        "event",
        "rsvp",
        "defs",
    ]
    .iter()
    .map(|name| format!("lexicons/org/lexperm/example/calendar/{name}.json"))
    .chain(["lexicons.json".to_owned()])
    .collect();
    assert_eq!(files(&project), expected);
    for path in expected.iter().filter(|p| p.starts_with("lexicons/")) {
        let name = path.strip_prefix("lexicons/").unwrap();
        assert_eq!(
            document(&project.join(path)),
            json(&local.join(name)),
            "{path}"
        );
    }
    let lock = json(&project.join("lexicons.json"));
    assert_eq!(lock["lexicons"], serde_json::json!([SET]));
    let did = get(&vars, "TEST_DID");
    let pinned = lock["resolutions"].as_object().unwrap();
    assert_eq!(pinned.len(), 5);
    for (nsid, pin) in pinned {
        assert_eq!(
            pin["uri"],
            format!("at://{did}/com.atproto.lexicon.schema/{nsid}").as_str()
        );
    }

    // Offline check passes, and so does the `build.rs` builder on the pulled folder.
    let out = lexperm(&project, &["pull", "--ci"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let build = || {
        lexperm_codegen::Builder::new()
            .lexicons(project.join("lexicons"))
            .emit_rerun_if_changed(false)
            .discover_config(false)
            .generate_string()
    };
    let generated = build().expect("the pulled lexicons build");
    assert!(generated.contains("authSharedCalendar") || generated.contains("AUTH_SHARED_CALENDAR"));

    // Again without --update: pins kept, nothing fetched, the lockfile unchanged.
    let before = std::fs::read_to_string(project.join("lexicons.json")).unwrap();
    let out = lexperm(&project, &pull, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("0 written, 5 kept"), "{}", text(&out));
    assert!(text(&out).contains("0 requests made"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(project.join("lexicons.json")).unwrap(),
        before
    );

    // Tamper with a pulled file: --ci, lint and pull name both CIDs; pull writes nothing.
    let rsvp = project.join("lexicons/org/lexperm/example/calendar/rsvp.json");
    let pinned_cid = pinned["org.lexperm.example.calendar.rsvp"]["cid"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut doc = json(&rsvp);
    doc["description"] = Value::from("edited by hand");
    let tampered = serde_json::to_string_pretty(&doc).unwrap();
    std::fs::write(&rsvp, &tampered).unwrap();
    let out = lexperm(&project, &["lockfile", "verify"], None);
    let local_cid = text(&out)
        .split_whitespace()
        .find(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .starts_with("bafyrei")
                && !w.contains(&pinned_cid)
        })
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .expect("the local CID is named");
    for args in [vec!["pull", "--ci"], vec!["lint", "lexicons"], pull.clone()] {
        let out = lexperm(&project, &args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
        let all = text(&out);
        assert!(
            all.contains(&pinned_cid) && all.contains(&local_cid),
            "{args:?}: {all}"
        );
    }
    assert_eq!(std::fs::read_to_string(&rsvp).unwrap(), tampered);
    assert_eq!(
        std::fs::read_to_string(project.join("lexicons.json")).unwrap(),
        before
    );
    let err = build()
        .expect_err("the builder refuses the edited file")
        .to_string();
    assert!(
        err.contains("L134") && err.contains(&pinned_cid) && err.contains(&local_cid),
        "{err}"
    );

    // --update does not replace the edited file without --force; with it, only that file is
    // written again.
    let mut update = pull.clone();
    update.push("--update");
    let out = lexperm(&project, &update, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("was edited since it was pinned") && text(&out).contains("--force"),
        "{}",
        text(&out)
    );
    assert_eq!(std::fs::read_to_string(&rsvp).unwrap(), tampered);
    update.push("--force");
    let out = lexperm(&project, &update, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("1 written, 4 kept"), "{}", text(&out));
    let out = lexperm(&project, &["pull", "--ci"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let _ = std::fs::remove_dir_all(project);
}

#[test]
fn pull_never_replaces_an_unpinned_file_and_drops_unreachable_pins() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    publish_example(&vars, &net);
    let local = workspace_root().join("lexicons/org/lexperm/example/calendar");
    let project = empty_project("own-files");
    let dir = project.join("lexicons/org/lexperm/example/calendar");
    std::fs::create_dir_all(&dir).unwrap();
    // An own, different copy of a lexicon the set needs: refused, nothing written.
    let mut own = json(&local.join("rsvp.json"));
    own["description"] = Value::from("my own rsvp");
    let own = serde_json::to_string_pretty(&own).unwrap();
    std::fs::write(dir.join("rsvp.json"), &own).unwrap();
    // An exact copy of the published `event` (as a plain lexicon file): adopted as it is.
    let event = std::fs::read_to_string(local.join("event.json")).unwrap();
    std::fs::write(dir.join("event.json"), &event).unwrap();
    let settings = format!("{GROUP}.settings");
    let mut pull = vec!["pull", SET, settings.as_str()];
    pull.extend(net);
    let out = lexperm(&project, &pull, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("rsvp.json: is not pinned in lexicons.json and is not the published record")
            && all.contains("--force")
            && all.contains("nothing was written"),
        "{all}"
    );
    assert!(!project.join("lexicons.json").exists());
    assert_eq!(std::fs::read_to_string(dir.join("rsvp.json")).unwrap(), own);

    // Moved away, the pull goes through and keeps the exact copy's bytes.
    std::fs::remove_file(dir.join("rsvp.json")).unwrap();
    let out = lexperm(&project, &pull, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("5 written, 1 kept"), "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("event.json")).unwrap(),
        event
    );
    let lock_path = project.join("lexicons.json");
    let lock = json(&lock_path);
    assert_eq!(lock["resolutions"].as_object().unwrap().len(), 6);

    // A root removed from the lockfile by hand: a plain `pull` drops its pin and its file.
    let mut edited = lock.clone();
    edited["lexicons"] = serde_json::json!([SET]);
    std::fs::write(&lock_path, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
    let mut again = vec!["pull"];
    again.extend(net);
    let out = lexperm(&project, &again, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&format!("dropped 1 pin no root needs any more: {settings}")),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("0 requests made"), "{}", text(&out));
    assert!(!dir.join("settings.json").exists());
    let lock = json(&lock_path);
    assert_eq!(lock["resolutions"].as_object().unwrap().len(), 5);
    assert!(lock["resolutions"].get(&settings).is_none());
    let out = lexperm(&project, &["pull", "--ci"], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Nothing to pull: no roots and no NSID.
    let empty = empty_project("no-roots");
    let out = lexperm(&empty, &again, None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("nothing to pull"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(empty);
    let _ = std::fs::remove_dir_all(project);
}

/// `@atproto/lex install` (the testenv's copy, run offline on the pulled files) accepts what
/// `lexperm pull` writes and writes the same lockfile bytes. The sets are ones without space
/// entries, which `lex` does not follow (docs/lockfile.md).
#[test]
fn lex_install_accepts_the_pulled_project_unchanged() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    publish_example(&vars, &net);
    let project = empty_project("lex");
    let (manage, view) = (
        format!("{GROUP}.authManageCalendar"),
        format!("{GROUP}.authViewCalendar"),
    );
    let mut pull = vec!["pull", manage.as_str(), view.as_str()];
    pull.extend(net);
    let out = lexperm(&project, &pull, None);
    assert!(out.status.success(), "{}", text(&out));
    let lock_path = project.join("lexicons.json");
    let ours = std::fs::read(&lock_path).unwrap();
    assert!(ours.ends_with(b"}\n"), "a final newline, as lex writes it");
    let Some(out) = lex(&vars, &project, &["install", "--ci"]) else {
        let _ = std::fs::remove_dir_all(project);
        return;
    };
    assert!(out.status.success(), "lex install --ci: {}", text(&out));
    // `lex install` without --ci saves its own lockfile: the same bytes, and no file rewritten.
    let before = files(&project);
    let out = lex(&vars, &project, &["install"]).unwrap();
    assert!(out.status.success(), "lex install: {}", text(&out));
    assert_eq!(std::fs::read(&lock_path).unwrap(), ours);
    assert_eq!(files(&project), before);
    // A pulled file changed by hand: both tools refuse it.
    let event = project.join("lexicons/org/lexperm/example/calendar/event.json");
    let mut doc = json(&event);
    doc["description"] = Value::from("edited by hand");
    std::fs::write(&event, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = lex(&vars, &project, &["install", "--ci"]).unwrap();
    assert!(!out.status.success(), "lex install --ci: {}", text(&out));
    let out = lexperm(&project, &["pull", "--ci"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let _ = std::fs::remove_dir_all(project);
}

#[test]
fn pull_a_group_lists_the_authority() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    publish_example(&vars, &net);
    let project = empty_project("group");
    let group = format!("{GROUP}.*");
    let mut args = vec![
        "pull",
        group.as_str(),
        "--lexicons",
        "vendor/lexicons",
        "--jobs",
        "3",
    ];
    args.extend(net);
    let out = lexperm(&project, &args, None);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("at most 3 at a time"), "{}", text(&out));
    let lock = json(&project.join("vendor/lexicons.json"));
    let roots: BTreeSet<&str> = lock["lexicons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    // Every example lexicon is a root and a file (other records of the group may exist too).
    let dir = workspace_root().join("lexicons/org/lexperm/example/calendar");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().replace(".json", "");
        let nsid = format!("{GROUP}.{name}");
        assert!(roots.contains(nsid.as_str()), "{nsid}");
        let file = project.join(format!(
            "vendor/lexicons/org/lexperm/example/calendar/{name}.json"
        ));
        assert_eq!(document(&file), json(&entry.path()));
    }
    let out = lexperm(
        &project,
        &["pull", "--ci", "--lexicons", "vendor/lexicons"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let _ = std::fs::remove_dir_all(project);
}

#[test]
fn unresolvable_lexicons_name_the_step_and_write_nothing() {
    let Some(vars) = env_vars() else { return };
    let (dns, plc) = (get(&vars, "TEST_DNS_SERVER"), get(&vars, "TEST_PLC_URL"));
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    publish_example(&vars, &net);
    let missing_authority = get(&vars, "TEST_AUTHORITY_MISSING");
    let reversed: Vec<&str> = missing_authority.split('.').rev().collect();
    let nowhere = format!("{}.thing", reversed.join("."));
    let absent = format!("{GROUP}.doesNotExist");
    let cases = [
        (absent.as_str(), "lexicon record on the PDS"),
        (nowhere.as_str(), "DNS `_lexicon` TXT record"),
    ];
    for (nsid, step) in cases {
        let project = empty_project("unresolvable");
        // A root that resolves next to one that does not: still nothing is written.
        let mut args = vec!["pull", SET, nsid];
        args.extend(net);
        let out = lexperm(&project, &args, None);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let all = text(&out);
        assert!(all.contains(nsid) && all.contains(step), "{all}");
        assert!(all.contains("nothing was written"), "{all}");
        assert!(files(&project).is_empty(), "{:?}", files(&project));
        let _ = std::fs::remove_dir_all(project);
    }
}

/// Fake DNS, PLC and PDS (no testenv needed): `com.example.authBasic` grants
/// `com.example.post`, whose record the PDS serves tampered (`tampered`: the reported CID is not
/// the content's) or unproven (the signed repository holds other content).
fn tampered_world(
    tampered: bool,
) -> (
    lexperm_net::test_server::TestDns,
    lexperm_net::test_server::TestServer,
    lexperm_net::test_server::TestServer,
) {
    use lexperm_net::test_server::{
        plc_with_pds, record, record_not_found, record_proof, TestDns, TestServer,
    };
    const COLLECTION: &str = "com.atproto.lexicon.schema";
    let pds = TestServer::start_bytes(move |req| {
        let rkey = req.target.split("rkey=").nth(1).unwrap_or("").to_string();
        let value = match rkey.as_str() {
            "com.example.authBasic" => serde_json::json!({"$type": COLLECTION, "lexicon": 1,
                "id": rkey, "defs": {"main": {"type": "permission-set", "title": "Basic",
                "permissions": [{"type": "permission", "resource": "repo",
                "collection": ["com.example.post"]}]}}}),
            "com.example.post" => serde_json::json!({"$type": COLLECTION, "lexicon": 1,
                "id": rkey, "defs": {"main": {"type": "record", "key": "tid",
                "record": {"type": "object", "properties": {}}}}}),
            _ => return record_not_found(),
        };
        let real = lexperm_codegen::records::schema_record(&value)
            .unwrap()
            .cid()
            .to_string();
        let other = "bafyreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku".to_string();
        let bad = rkey == "com.example.post";
        if req.path() == "/xrpc/com.atproto.sync.getRecord" {
            let proven = if bad && !tampered { other } else { real };
            return record_proof(COLLECTION, &rkey, &proven);
        }
        let reported = if bad && tampered { other } else { real };
        record(COLLECTION, &rkey, &reported, &value)
    });
    let plc = plc_with_pds(pds.url.clone());
    let dns = TestDns::start(vec![(
        "_lexicon.example.com",
        vec![vec!["did=did:plc:abc"]],
    )]);
    (dns, plc, pds)
}

#[test]
fn tampered_remotes_name_the_step_and_write_nothing() {
    for (tampered, step) in [
        (true, "checks of the fetched record"),
        (false, "repository proof"),
    ] {
        let (dns, plc, _pds) = tampered_world(tampered);
        let project = empty_project("tampered");
        let dns = dns.addr.to_string();
        let out = lexperm(
            &project,
            &[
                "pull",
                "com.example.authBasic",
                "--dns-server",
                &dns,
                "--plc-url",
                &plc.url,
                "--no-cache",
            ],
            None,
        );
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(
            all.contains(&format!(
                "com.example.post: resolution failed at the {step}"
            )),
            "{all}"
        );
        assert!(all.contains("bafyreihdwd"), "{all}");
        assert!(all.contains("nothing was written"), "{all}");
        assert!(files(&project).is_empty(), "{:?}", files(&project));
        let _ = std::fs::remove_dir_all(project);
    }
}
