//! `docs/json.md` names every member the JSON outputs print: each command runs on inputs that
//! bring out its optional members, every top-level object must start with `"version": 1`, and
//! every member name found (at any depth) must appear in the page. `resolve`, `publish` and
//! `unpublish` talk to a network: `tests/net_cli.rs` and `tests/net_unpublish.rs` check their
//! lines the same way; here `publish`'s and `unpublish`'s line shapes are built from the types
//! they print. `check-dns` runs against a loopback DNS server.

mod common;

use lexperm_net::publish::{PlanAction, PublishResult, PublishStatus};
use lexperm_net::unpublish::{UnpublishAction, UnpublishResult, UnpublishStatus};
use serde_json::Value;

const MANAGE: &str = "include:org.lexperm.example.calendar.authManageCalendar";
const VIEW: &str = "include:org.lexperm.example.calendar.authViewCalendar";
const SHARED: &str = "include:org.lexperm.example.calendar.authSharedCalendar";
const SPACE: &str = "space:org.lexperm.example.calendar.sharedCalendar";
const LIST_EVENTS: &str =
    "rpc:org.lexperm.example.calendar.listEvents?aud=did:web:calendar.example.com%23calendar";
const BREAKING: &str = "fixtures/breaking/enum-changed";

/// Runs `args` (with `stdin`) in the workspace root and checks every object printed.
fn check(args: &[&str], stdin: Option<&str>) {
    let run = common::lexperm_in_root(args, stdin);
    let what = args.join(" ");
    let values = common::json_lines(&run.stdout);
    assert!(!values.is_empty(), "{what}: no output\n{}", run.stderr);
    for value in &values {
        common::assert_json_documented(&what, value);
    }
}

#[test]
fn lint_and_breaking() {
    // A duplicate NSID gives a finding with a related location.
    check(
        &[
            "lint",
            "--format",
            "json",
            "crates/lexperm-cli/tests/fixtures/gen-records/mixed",
            "nowhere",
        ],
        None,
    );
    // Fixable findings carry a `fix`; `--statistics` prints counts per rule.
    check(
        &[
            "lint",
            "--format",
            "json",
            "fixtures/fix/combined/before.json",
        ],
        None,
    );
    check(
        &[
            "lint",
            "--format",
            "json",
            "--statistics",
            "fixtures/fix/combined/before.json",
        ],
        None,
    );
    let (after, before) = (format!("{BREAKING}/after"), format!("{BREAKING}/before"));
    check(
        &["breaking", &after, "--base", &before, "--format", "json"],
        None,
    );
}

#[test]
fn expand_and_check() {
    check(
        &[
            "expand",
            "--format",
            "json",
            MANAGE,
            "include:x.y.nope",
            "bad",
        ],
        None,
    );
    let long_line = format!("{}\n{VIEW}\n", "x".repeat(70_000));
    check(&["expand", "--format", "json"], Some(&long_line));
    let scope = format!("atproto {VIEW} {SHARED}?aud=did:web:x.com%23s {SPACE}");
    check(
        &[
            "expand",
            "--format",
            "json",
            "--user-did",
            "did:plc:abc",
            "--scope",
            &scope,
        ],
        None,
    );
    let scope = format!("atproto {SPACE} include:x.y.nope");
    check(&["expand", "--format", "json", "--scope", &scope], None);
    let scope = format!("atproto {VIEW} {MANAGE}");
    check(
        &[
            "check",
            "--format",
            "json",
            "--scope",
            &scope,
            LIST_EVENTS,
            "repo:org.lexperm.example.calendar.rsvp?action=delete",
            "nonsense",
        ],
        None,
    );
}

#[test]
fn coverage_and_preview() {
    check(&["coverage", "--format", "json"], None);
    check(&["preview", "--format", "json", SHARED], None);
    check(
        &["preview", "--format", "json", "--lang", "de", MANAGE],
        None,
    );
}

#[test]
fn scope_normalize_and_check() {
    let long_line = format!("{}\nrepo:a.b.c\n", "x".repeat(70_000));
    check(
        &[
            "scope",
            "normalize",
            "--format",
            "json",
            "atproto",
            "rpc:*?aud=*",
        ],
        None,
    );
    check(
        &["scope", "normalize", "--format", "json"],
        Some(&long_line),
    );
    let stdin = format!("repo:a.b.c?action=create\nbogus\n{long_line}");
    check(
        &[
            "scope",
            "check",
            "--format",
            "json",
            "--granted",
            "atproto repo:a.b.c",
            "-",
        ],
        Some(&stdin),
    );
}

/// `publish --format json` prints each result with `version` in front.
#[test]
fn publish_result() {
    let result = PublishResult {
        nsid: "com.example.thing".to_owned(),
        action: PlanAction::Create,
        reason: None,
        local_cid: Some("bafy".to_owned()),
        remote_cid: None,
        status: PublishStatus::Planned,
    };
    let mut line = serde_json::Map::new();
    line.insert("version".to_owned(), Value::from(1));
    if let Ok(Value::Object(fields)) = serde_json::to_value(&result) {
        line.extend(fields);
    }
    common::assert_json_documented("publish", &Value::Object(line));
}

/// `status --format json` prints each entry with `version` in front and `file` at the end
/// (`tests/net_status.rs` checks the lines the command prints against the testenv, `diff`'s too).
#[test]
fn status_entry() {
    use lexperm_net::published::{ChainStep, LexiconStatus, StatusEntry, StatusError};
    let entry = StatusEntry {
        nsid: "com.example.thing".to_owned(),
        authority: "example.com".to_owned(),
        status: LexiconStatus::Unavailable,
        local_cid: Some("bafy".to_owned()),
        remote_cid: None,
        uri: None,
        error: Some(StatusError {
            code: ChainStep::Dns,
            message: "no TXT record at _lexicon.example.com".to_owned(),
        }),
    };
    let mut line = serde_json::Map::new();
    line.insert("version".to_owned(), Value::from(1));
    if let Ok(Value::Object(fields)) = serde_json::to_value(&entry) {
        line.extend(fields);
    }
    line.insert(
        "file".to_owned(),
        Value::from("lexicons/com/example/thing.json"),
    );
    common::assert_json_documented("status", &Value::Object(line));
}

/// `unpublish --format json` prints each result with `version` in front.
#[test]
fn unpublish_result() {
    let result = UnpublishResult {
        nsid: "com.example.thing".to_owned(),
        action: UnpublishAction::Delete,
        cid: Some("bafy".to_owned()),
        status: UnpublishStatus::Changed,
        reason: Some("changed since the plan".to_owned()),
        warning: Some("not served".to_owned()),
    };
    let mut line = serde_json::Map::new();
    line.insert("version".to_owned(), Value::from(1));
    if let Ok(Value::Object(fields)) = serde_json::to_value(&result) {
        line.extend(fields);
    }
    common::assert_json_documented("unpublish", &Value::Object(line));
}

/// `check-dns --format json` against a loopback DNS server: a wrong record brings out every
/// member.
#[test]
fn check_dns() {
    let dns = lexperm_net::test_server::TestDns::start(vec![(
        "_lexicon.calendar.example.lexperm.org",
        vec![vec!["did=did:plc:someoneelse"]],
    )]);
    let server = dns.addr.to_string();
    check(
        &[
            "check-dns",
            "--format",
            "json",
            "--expect-did",
            "did:plc:me",
            "--dns-server",
            &server,
        ],
        None,
    );
}
