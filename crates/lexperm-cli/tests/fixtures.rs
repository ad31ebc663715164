//! Snapshot tests of every output format over each fixture folder, running the real binary from
//! the workspace root so paths in the output are stable. Each folder `fixtures/lint/<rule-name>/`
//! holds lexicons laid out by NSID (`com/example/thing.json`) of which at least one triggers the
//! rule; a file whose name starts with `valid` (`com/example/validThing.json`) is the fixed
//! counterpart and must not trigger it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use lexperm_lint::{lint_registry, lookup};

const FORMATS: &[&str] = &["human", "json", "sarif", "github", "markdown"];

/// Folders under `fixtures/lint/` that are not named after a rule (CLI-level cases). None today:
/// CLI-level cases live in the folder of the rule they trigger (`invalid-json/cli-trailing-comma.json`).
const NON_RULE_FOLDERS: &[&str] = &[];

/// Rules with no fixture folder because no committed lexicon can make them fire through the CLI.
/// Each entry says why; `unreachable_rules_stay_silent` checks the claim over every fixture.
const RULES_WITHOUT_FIXTURE: &[&str] = &[
    // P109: in a set the only single-valued field is `aud`, and an array `aud` is reported first
    // as `fixed-aud` (the reference checks that first); the rule guards future parameters.
    "expected-single-value",
    // P115: every rejected value of today's fields is `invalid-permission-nsid` (`lxm`,
    // `collection`), `invalid-action` (`action`) or `fixed-aud` (`aud`); it guards new fields.
    "invalid-value",
    // L207: only `lint --resolve` fetches lexicons, so it needs a network; `tests/net_resolve.rs`
    // (against the test environment) and the resolver's fake-source unit tests cover it.
    "remote-lexicon-unavailable",
    // L133: needs a symbolic link leading out of the linted folder, which a checked-out fixture
    // cannot hold on every platform; `tests/hostile/local_input.rs` makes them at test time.
    "link-outside-root",
];

/// Lints one fixture folder in every format and snapshots each output with its exit code, named
/// `lint@<folder>@<format>`. Unless the folder is a [`NON_RULE_FOLDERS`] case, the folder's rule
/// must fire in some file, and never in a `valid*` file.
fn check(dir: &Path) {
    let root = common::workspace_root();
    let relative = common::workspace_relative(dir);
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    for format in FORMATS {
        let args = ["lint", relative.as_str(), "--format", format];
        let output = common::lexperm(&root, &args);
        let code = output.status.code().expect("exited normally");
        // A file that cannot be loaded makes the answer incomplete: exit 2, not 1.
        let incomplete = name == "unreadable-file";
        assert!(
            code == 0 || code == 1 || (incomplete && code == 2),
            "{relative} --format {format}: exit {code}\n{}",
            common::stderr(&output)
        );
        let mut out = common::stdout(&output);
        if *format == "json" && !NON_RULE_FOLDERS.contains(&name.as_str()) {
            assert_rule_fires(&name, &out);
        }
        if *format == "sarif" {
            out = common::compact_sarif(&out);
        }
        let text = format!("exit code: {code}\n{out}");
        insta::with_settings!({
            snapshot_suffix => format!("{name}@{format}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("lint", text);
        });
    }
}

/// Asserts that the rule named `folder` fires in the JSON-lines output `json`, and not in a
/// `valid*` file.
fn assert_rule_fires(folder: &str, json: &str) {
    let rule = lookup(folder).unwrap_or_else(|| {
        panic!("fixtures/lint/{folder}/ is not named after a rule; list it in NON_RULE_FOLDERS")
    });
    let mut fired = false;
    for line in json.lines() {
        let d: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        if d["code"] != rule.code {
            continue;
        }
        fired = true;
        let file = d["file"].as_str().expect("diagnostic has a file");
        let file_name = file.rsplit('/').next().unwrap();
        assert!(
            !file_name.starts_with("valid"),
            "{file} is a clean counterpart but triggers {} {}",
            rule.code,
            rule.name
        );
    }
    assert!(
        fired,
        "no file in fixtures/lint/{folder}/ triggers {} {}",
        rule.code, rule.name
    );
}

/// The names of the folders under `fixtures/lint/`.
fn fixture_folders() -> BTreeSet<String> {
    let base = common::workspace_root().join("fixtures").join("lint");
    std::fs::read_dir(&base)
        .expect("fixtures/lint exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.is_dir())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn lint_fixture_folders() {
    let base = common::workspace_root().join("fixtures").join("lint");
    let mut checked = 0;
    insta::glob!("../../../fixtures/lint", "*", |path| {
        // The glob also yields its base directory; only the folders inside it are fixtures.
        if path.is_dir() && path != base {
            check(path);
            checked += 1;
        }
    });
    assert!(
        checked >= lint_registry().count() - RULES_WITHOUT_FIXTURE.len(),
        "only {checked} fixture folders under {}",
        base.display()
    );
}

#[test]
fn every_rule_has_a_fixture_folder() {
    let folders = fixture_folders();
    for rule in lint_registry() {
        let exempt = RULES_WITHOUT_FIXTURE.contains(&rule.name);
        let has_folder = folders.contains(rule.name);
        assert!(
            has_folder || exempt,
            "{} {} has no folder fixtures/lint/{}/",
            rule.code,
            rule.name,
            rule.name
        );
        assert!(
            !(has_folder && exempt),
            "{} {} has a fixture folder; remove it from RULES_WITHOUT_FIXTURE",
            rule.code,
            rule.name
        );
    }
    for name in RULES_WITHOUT_FIXTURE.iter().chain(NON_RULE_FOLDERS) {
        assert!(
            NON_RULE_FOLDERS.contains(name) != lookup(name).is_some(),
            "{name}: RULES_WITHOUT_FIXTURE lists rules, NON_RULE_FOLDERS lists non-rules"
        );
    }
}

#[test]
fn unreachable_rules_stay_silent() {
    // The exempt rules fire nowhere in the fixtures, even where their neighbours do.
    let root = common::workspace_root();
    let output = common::lexperm(&root, &["lint", "fixtures/lint", "--format", "json"]);
    let out = common::stdout(&output);
    assert!(
        out.lines().count() > 50,
        "the fixtures lint to many diagnostics"
    );
    for line in out.lines() {
        let d: serde_json::Value = serde_json::from_str(line).expect("JSON lines");
        for name in RULES_WITHOUT_FIXTURE {
            assert_ne!(d["name"], *name, "{line}");
        }
    }
}
