//! `lexperm check-dns` against the testenv's DNS server (`cargo xtask testenv up`): NSID groups
//! whose `_lexicon` record names the account (the example authority), another DID
//! (`wrong.test.lexperm.net`), nothing (`missing.test.lexperm.net`), two DIDs
//! (`ambiguous.test.lexperm.net`), and one carved out in lexperm.toml; the expected DID from
//! `--expect-did`, the config file and a saved session. Skipped with a note when
//! `target/testenv/env` is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{both_outputs as text, testenv_get as get, testenv_vars as env_vars};
use lexperm_net::session::{Session, SessionStore};
use lexperm_net::Secret;
use serde_json::Value;

const OK: &str = "org.lexperm.example.calendar";
const WRONG: &str = "net.lexperm.test.wrong";
const MISSING: &str = "net.lexperm.test.missing";
const AMBIGUOUS: &str = "net.lexperm.test.ambiguous";
const CARVED: &str = "net.lexperm.test.internal";

fn project(name: &str, groups: &[&str], config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lexperm-check-dns-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for group in groups {
        for name in ["thing", "other"] {
            let nsid = format!("{group}.{name}");
            let doc = serde_json::json!({
                "lexicon": 1,
                "id": nsid,
                "defs": {"main": {"type": "token", "description": "A token."}}
            });
            common::write(
                &dir,
                &format!("lexicons/{}.json", nsid.replace('.', "/")),
                &doc.to_string(),
            );
        }
    }
    if !config.is_empty() {
        common::write(&dir, "lexperm.toml", config);
    }
    std::fs::create_dir_all(dir.join(".cache")).unwrap();
    dir
}

/// `lexperm check-dns args… --dns-server …` in `dir`, with `dir/.cache` as cache dir (no saved
/// session unless a test writes one).
fn check_dns(dir: &Path, vars: &[(String, String)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .arg("check-dns")
        .args(args)
        .args(["--dns-server", &get(vars, "TEST_DNS_SERVER")])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("LEXPERM_CACHE_DIR", dir.join(".cache"))
        .output()
        .unwrap()
}

/// (group, status, did) of each JSON line.
fn statuses(out: &Output) -> Vec<(String, String, Option<String>)> {
    common::json_lines(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .map(|l| {
            (
                l["group"].as_str().unwrap().to_owned(),
                l["status"].as_str().unwrap().to_owned(),
                l["did"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

const ALL: [&str; 5] = [OK, WRONG, MISSING, AMBIGUOUS, CARVED];
const CARVE_OUT: &str = "[authority]\nunpublished = [\"net.lexperm.test.internal\"]\n";

#[test]
fn statuses_records_to_create_and_exit_codes() {
    let Some(vars) = env_vars() else { return };
    let (did, other) = (get(&vars, "TEST_DID"), get(&vars, "TEST_OTHER_DID"));
    let dir = project("flag", &ALL, CARVE_OUT);

    let out = check_dns(&dir, &vars, &["--expect-did", &did]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("expected DID {did} (from --expect-did)\n")),
        "{}",
        text(&out)
    );
    for (status, group) in [
        ("ok", OK),
        ("wrong", WRONG),
        ("missing", MISSING),
        ("invalid", AMBIGUOUS),
        ("carved-out", CARVED),
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(status) && l.contains(&format!("{group}.*"))),
            "{status} {group}\n{}",
            text(&out)
        );
    }
    assert!(
        stdout.contains(&format!("points at {other}, not at {did}")),
        "{}",
        text(&out)
    );
    // The records to create: exactly the three broken groups, in the form DNS providers take.
    let fixes: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("TXT records to create"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(
        fixes,
        [
            format!("_lexicon.ambiguous.test.lexperm.net TXT \"did={did}\""),
            format!("_lexicon.missing.test.lexperm.net TXT \"did={did}\""),
            format!("_lexicon.wrong.test.lexperm.net TXT \"did={did}\""),
        ],
        "{}",
        text(&out)
    );
    assert!(
        stdout.contains("5 NSID groups, 1 ok, 1 wrong, 1 missing, 1 invalid, 1 carved-out"),
        "{}",
        text(&out)
    );

    // JSON: one documented line per group.
    let out = check_dns(&dir, &vars, &["--expect-did", &did, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let lines = common::json_lines(&String::from_utf8_lossy(&out.stdout));
    for line in &lines {
        common::assert_json_documented("check-dns", line);
        assert_eq!(line["expected_did"], did.as_str(), "{line}");
        assert_eq!(line["lexicons"], 2, "{line}");
    }
    assert_eq!(
        statuses(&out),
        [
            (AMBIGUOUS.into(), "invalid".into(), None),
            (CARVED.into(), "carved-out".into(), None),
            (MISSING.into(), "missing".into(), None),
            (WRONG.into(), "wrong".into(), Some(other.clone())),
            (OK.into(), "ok".into(), Some(did.clone())),
        ]
    );
    let wrong = lines.iter().find(|l| l["group"] == WRONG).unwrap();
    assert_eq!(
        wrong["fix"],
        format!("_lexicon.wrong.test.lexperm.net TXT \"did={did}\"").as_str()
    );
    assert_eq!(wrong["name"], "_lexicon.wrong.test.lexperm.net");
    let ok = lines.iter().find(|l| l["group"] == OK).unwrap();
    assert_eq!((&ok["fix"], &ok["message"]), (&Value::Null, &Value::Null));

    // Only right and carved-out groups: exit 0.
    let dir_ok = project("ok", &[OK, CARVED], CARVE_OUT);
    let out = check_dns(&dir_ok, &vars, &["--expect-did", &did]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("TXT records to create"));

    // A bad --expect-did is a usage error.
    let out = check_dns(&dir_ok, &vars, &["--expect-did", "did:nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    for d in [dir, dir_ok] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn the_expected_did_comes_from_the_config_or_the_saved_session() {
    let Some(vars) = env_vars() else { return };
    let (did, other) = (get(&vars, "TEST_DID"), get(&vars, "TEST_OTHER_DID"));

    // From lexperm.toml: naming the other DID turns the verdicts round.
    let config = format!("{CARVE_OUT}did = \"{other}\"\n");
    let dir = project("config", &[OK, WRONG, CARVED], &config);
    let out = check_dns(&dir, &vars, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        statuses(&out),
        [
            (CARVED.into(), "carved-out".into(), None),
            (WRONG.into(), "ok".into(), Some(other.clone())),
            (OK.into(), "wrong".into(), Some(did.clone())),
        ]
    );
    // --expect-did wins over the file.
    let out = check_dns(&dir, &vars, &["--expect-did", &did]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 ok, 1 wrong, 1 carved-out"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);

    // No DID anywhere: what each record names is shown, and the run is a usage error that says
    // how to give one.
    let dir = project("session", &[OK, WRONG], "");
    let out = check_dns(&dir, &vars, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(
        statuses(&out),
        [
            (WRONG.into(), "unchecked".into(), Some(other.clone())),
            (OK.into(), "unchecked".into(), Some(did.clone())),
        ]
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--expect-did DID")
            && String::from_utf8_lossy(&out.stderr).contains("[authority]"),
        "{}",
        text(&out)
    );

    // The saved session's account (default location, then --session-file).
    let session = Session {
        service: get(&vars, "TEST_PDS_URL"),
        did: did.clone(),
        handle: "alice.test".into(),
        access_jwt: Secret::new("not used"),
        refresh_jwt: Secret::new("not used"),
    };
    SessionStore::new(dir.join(".cache/session.json"))
        .save(&session)
        .unwrap();
    let out = check_dns(&dir, &vars, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!(
            "expected DID {did} (from the saved session of alice.test"
        )),
        "{}",
        text(&out)
    );
    let elsewhere = dir.join("other-session.json");
    SessionStore::new(&elsewhere)
        .save(&Session {
            did: other.clone(),
            ..session
        })
        .unwrap();
    let out = check_dns(
        &dir,
        &vars,
        &[
            "--session-file",
            elsewhere.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(
        statuses(&out),
        [
            (WRONG.into(), "ok".into(), Some(other.clone())),
            (OK.into(), "wrong".into(), Some(did.clone())),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn carve_outs_are_checked() {
    let Some(vars) = env_vars() else { return };
    let did = get(&vars, "TEST_DID");
    let dir = project(
        "carve",
        &[OK],
        "[authority]\nunpublished = [\"org.lexperm.example.calendr\"]\n",
    );
    let out = check_dns(&dir, &vars, &["--expect-did", &did]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "`org.lexperm.example.calendr`, which is not an NSID group of the local lexicons (did you mean `org.lexperm.example.calendar`?)"
        ),
        "{}",
        text(&out)
    );
    common::write(
        &dir,
        "lexperm.toml",
        "[authority]\nunpublished = [\"org\"]\n",
    );
    let out = check_dns(&dir, &vars, &["--expect-did", &did]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("`[authority] unpublished`: `org` is not an NSID group"),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// No DNS server answers (no testenv needed): the group is `lookup-failed`, exit 2.
#[test]
fn a_failed_lookup_is_a_network_error() {
    let dir = project("lookup", &[OK], "");
    let out = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args([
            "check-dns",
            "--expect-did",
            "did:plc:abc",
            "--format",
            "json",
        ])
        .args(["--dns-server", "127.0.0.1:9", "--network-deadline", "1"])
        .current_dir(&dir)
        .env("LEXPERM_CACHE_DIR", dir.join(".cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let lines = common::json_lines(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(lines.len(), 1, "{}", text(&out));
    assert_eq!(lines[0]["status"], "lookup-failed");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("error: _lexicon.calendar.example.lexperm.org: "),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
