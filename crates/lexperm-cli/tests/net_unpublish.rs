//! `lexperm unpublish` end to end against the testenv (`cargo xtask testenv up`): scratch
//! lexicons of the group `net.lexperm.test.scratch` (its authority names the account; nothing
//! else publishes there) are published, then planned, refused when not confirmed, refused when
//! changed since the plan, deleted and read back. Skipped with a note when `target/testenv/env`
//! is missing.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{both_outputs as text, testenv_get as get, testenv_vars as env_vars};
use lexperm_net::xrpc::{Swap, LEXICON_COLLECTION};
use lexperm_net::{Agent, Secret, XrpcClient};
use serde_json::Value;

const GROUP: &str = "net.lexperm.test.scratch";

struct Env {
    dir: PathBuf,
    did: String,
    pds: String,
    password: String,
    net: Vec<String>,
}

impl Env {
    fn new(vars: &[(String, String)]) -> Env {
        let dir = std::env::temp_dir().join(format!("lexperm-unpublish-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Env {
            dir,
            did: get(vars, "TEST_DID"),
            pds: get(vars, "TEST_PDS_URL"),
            password: get(vars, "TEST_APP_PASSWORD"),
            net: vec![
                "--handle".into(),
                "alice.test".into(),
                "--dns-server".into(),
                get(vars, "TEST_DNS_SERVER"),
                "--plc-url".into(),
                get(vars, "TEST_PLC_URL"),
            ],
        }
    }

    /// `lexperm args… --handle alice.test <network options>` in the scratch folder, with its own
    /// cache (and so its own session file) and the app password in the environment.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lexperm"));
        command
            .args(args)
            .args(&self.net)
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env("LEXPERM_CACHE_DIR", self.dir.join(".cache"))
            .env("LEXPERM_APP_PASSWORD", &self.password);
        command
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stdin.take().unwrap();
        let _ = pipe.write_all(stdin.as_bytes());
        drop(pipe);
        child.wait_with_output().unwrap()
    }

    fn client(&self) -> XrpcClient {
        XrpcClient::new(&self.pds).unwrap()
    }

    /// The CID of the published record `nsid`, if there is one.
    fn cid(&self, nsid: &str) -> Option<String> {
        self.client()
            .get_record_opt(&self.did, LEXICON_COLLECTION, nsid)
            .unwrap()
            .map(|r| r.cid)
    }
}

fn write_lexicon(root: &Path, nsid: &str) {
    let doc = serde_json::json!({
        "lexicon": 1,
        "id": nsid,
        "defs": {"main": {
            "type": "record",
            "description": "A scratch record for the unpublish tests.",
            "key": "tid",
            "record": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 10}}}
        }}
    });
    let path = root.join(format!("{}.json", nsid.replace('.', "/")));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn unpublish_plans_confirms_refuses_changed_records_deletes_and_reads_back() {
    let Some(vars) = env_vars() else { return };
    let env = Env::new(&vars);
    let run_id = std::process::id();
    let [a, b, c] = ["a", "b", "c"].map(|n| format!("{GROUP}.note{n}{run_id}"));
    let lexicons = env.dir.join("lexicons");
    for nsid in [&a, &b, &c] {
        write_lexicon(&lexicons, nsid);
    }
    let out = env.run(&["publish"], "");
    assert!(out.status.success(), "{}", text(&out));
    let planned = |nsid: &str| env.cid(nsid).unwrap_or_else(|| panic!("{nsid} published"));
    let (cid_a, cid_b, cid_c) = (planned(&a), planned(&b), planned(&c));

    // --dry-run: the plan names each record with its CID; nothing is deleted, nothing asked.
    let group = format!("{GROUP}.*");
    let out = env.run(&["unpublish", &group, "--dry-run"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for (nsid, cid) in [(&a, &cid_a), (&b, &cid_b), (&c, &cid_c)] {
        assert!(
            stdout.lines().any(|l| l.contains("delete")
                && l.contains(nsid.as_str())
                && l.contains(cid.as_str())),
            "{}",
            text(&out)
        );
    }
    assert!(stdout.contains("dry run: "), "{}", text(&out));
    assert_eq!(env.cid(&a).as_ref(), Some(&cid_a));

    // JSON, with a name that is not published: that line is an error, exit 1.
    let nothing = format!("{GROUP}.nothing{run_id}");
    let out = env.run(
        &["unpublish", &a, &nothing, "--dry-run", "--format", "json"],
        "",
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let lines = common::json_lines(&String::from_utf8_lossy(&out.stdout));
    for line in &lines {
        common::assert_json_documented("unpublish", line);
    }
    let got: Vec<(&str, &str, &str, Option<&str>)> = lines
        .iter()
        .map(|l| {
            (
                l["nsid"].as_str().unwrap(),
                l["action"].as_str().unwrap(),
                l["status"].as_str().unwrap(),
                l["cid"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (a.as_str(), "delete", "planned", Some(cid_a.as_str())),
            (nothing.as_str(), "not-published", "skipped", None),
        ]
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("error: {nothing}: not published")),
        "{}",
        text(&out)
    );

    // Not confirmed: nothing deleted, exit 1.
    let out = env.run(&["unpublish", &a], "n\n");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("delete 1 record? [y/N]")
            && String::from_utf8_lossy(&out.stderr).contains("not confirmed"),
        "{}",
        text(&out)
    );
    assert_eq!(env.cid(&a).as_ref(), Some(&cid_a));

    // Changes between the plan and the answer: a changed record is refused, naming the planned
    // CID; one deleted elsewhere is reported gone; the others are deleted.
    let mut child = env
        .command(&["unpublish", &a, &b, &c])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut plan = String::new();
    while !plan.lines().any(|l| l.contains(c.as_str())) {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            // Ended before its plan: show why.
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            panic!("no plan for {b}\n--- stdout\n{plan}--- stderr\n{stderr}");
        }
        plan.push_str(&line);
    }
    assert!(plan.contains(&cid_b) && plan.contains(&cid_c), "{plan}");
    let mut agent = Agent::login(
        env.client(),
        "alice.test",
        &Secret::new(env.password.clone()),
        None,
    )
    .unwrap();
    let mut record = env
        .client()
        .get_record(&env.did, LEXICON_COLLECTION, &b)
        .unwrap()
        .value;
    record["description"] = Value::from("changed while the plan waited");
    let changed = agent
        .put_record(LEXICON_COLLECTION, &b, &record, &Swap::Cid(cid_b.clone()))
        .unwrap();
    assert_ne!(changed.cid, cid_b);
    assert!(agent
        .delete_record(LEXICON_COLLECTION, &c, Some(&cid_c))
        .unwrap());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"y\n").unwrap();
    drop(stdin);
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    let all = format!("--- plan\n{plan}--- stdout\n{rest}--- stderr\n{stderr}");
    assert_eq!(status.code(), Some(1), "{all}");
    assert!(
        stderr.contains(&format!(
            "error: {b}: changed since the plan (planned CID {cid_b})"
        )),
        "{all}"
    );
    assert!(
        rest.contains(&format!("deleted {a} (was {cid_a})")),
        "{all}"
    );
    assert!(
        rest.contains(&format!("gone    {c} (deleted elsewhere since the plan)")),
        "{all}"
    );
    assert!(
        rest.contains("1 deleted, 1 gone already, 1 changed since the plan, 0 failed"),
        "{all}"
    );
    assert_eq!(env.cid(&a), None);
    assert_eq!(env.cid(&b), Some(changed.cid.clone()));
    assert_eq!(env.cid(&c), None);

    // --yes: the rest of the group goes, read back as gone.
    let out = env.run(&["unpublish", &group, "--yes", "--format", "json"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let lines = common::json_lines(&String::from_utf8_lossy(&out.stdout));
    let line = lines
        .iter()
        .find(|l| l["nsid"] == b.as_str())
        .unwrap_or_else(|| panic!("{b}: {}", text(&out)));
    assert_eq!(line["status"], "deleted", "{line}");
    assert_eq!(line["cid"], changed.cid.as_str(), "{line}");
    assert_eq!(env.cid(&b), None);
    let listed = env
        .client()
        .list_records(&env.did, LEXICON_COLLECTION)
        .unwrap();
    assert!(
        !listed
            .iter()
            .any(|r| r.rkey().starts_with(&format!("{GROUP}."))),
        "{listed:?}"
    );

    // Gone now: asking again is an error.
    let out = env.run(&["unpublish", &c, "--yes"], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("not-published"), "{}", text(&out));

    // A record under an authority whose DNS names another DID is the account's own: deleted,
    // with a warning that resolvers do not serve it.
    let stray = format!("net.lexperm.test.wrong.stray{run_id}");
    let stray_doc = serde_json::json!({
        "$type": LEXICON_COLLECTION,
        "lexicon": 1,
        "id": stray,
        "defs": {"main": {"type": "token", "description": "stray"}}
    });
    agent
        .put_record(LEXICON_COLLECTION, &stray, &stray_doc, &Swap::CreateOnly)
        .unwrap();
    let out = env.run(&["unpublish", &stray, "--yes"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("warning: TXT record at _lexicon.wrong.test.lexperm.net points at")
            && text(&out).contains("resolvers do not serve this record"),
        "{}",
        text(&out)
    );
    assert_eq!(env.cid(&stray), None);

    // A usage error names the bad target.
    let out = env.run(&["unpublish", "not-an-nsid", "--dry-run"], "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("not-an-nsid"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&env.dir);
}
