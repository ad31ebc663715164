//! `lexperm breaking`: snapshots of every output format over each fixture pair, a scratch git
//! repository compared against `HEAD`, and the example authority (`lexicons/`) with real-looking
//! edits.
//!
//! Each folder `fixtures/breaking/<rule-name>/` holds a `before/` and an `after/` tree of lexicons
//! laid out by NSID. At least one file pair triggers the folder's rule; a file whose name starts
//! with `valid` (`com/example/validThing.json`, on either side) is a safe change and must not.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{git, write, POST};
use lexperm_lint::{breaking_registry, is_breaking_rule, lookup};

const FORMATS: &[&str] = &["human", "json", "sarif", "github", "markdown"];

/// Breaking rules with no fixture folder, and why.
const RULES_WITHOUT_FIXTURE: &[&str] = &[
    // B129: only `--base published` reports it, which needs the network; the unit tests of
    // `b129_base_unavailable` and `net_cli` cover it.
    "base-unavailable",
];

/// Compares one fixture folder's `after/` with its `before/` in every format and snapshots each
/// output with its exit code, named `breaking@<folder>@<format>`. The folder's rule must fire,
/// and never in a `valid*` file.
fn check(dir: &Path) {
    let root = common::workspace_root();
    let relative = common::workspace_relative(dir);
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let after = format!("{relative}/after");
    let before = format!("{relative}/before");
    for format in FORMATS {
        let args = ["breaking", &after, "--base", &before, "--format", format];
        let output = common::lexperm(&root, &args);
        let code = output.status.code().expect("exited normally");
        assert!(
            code == 0 || code == 1,
            "{relative} --format {format}: exit {code}\n{}",
            common::stderr(&output)
        );
        let mut out = common::stdout(&output);
        match *format {
            "json" => assert_rule_fires(&name, &out),
            "sarif" => out = common::compact_sarif(&out),
            _ => {}
        }
        let text = format!("exit code: {code}\n{out}");
        insta::with_settings!({
            snapshot_suffix => format!("{name}@{format}"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("breaking", text);
        });
    }
}

/// Asserts that the rule named `folder` fires in the JSON-lines output `json`, with a location in
/// both versions, and never in a `valid*` file.
fn assert_rule_fires(folder: &str, json: &str) {
    let rule = lookup(folder)
        .unwrap_or_else(|| panic!("fixtures/breaking/{folder}/ is not named after a rule"));
    let mut fired = false;
    for d in common::json_lines(json) {
        if d["code"] != rule.code {
            continue;
        }
        fired = true;
        for key in ["file", "before_file"] {
            let Some(file) = d[key].as_str() else {
                continue;
            };
            let file_name = file.rsplit('/').next().unwrap();
            assert!(
                !file_name.starts_with("valid"),
                "{file} is a safe change but triggers {} {}",
                rule.code,
                rule.name
            );
        }
        assert!(
            d["before_file"].is_string(),
            "{} has no location in the before version: {d}",
            rule.code
        );
    }
    assert!(
        fired,
        "nothing in fixtures/breaking/{folder}/ triggers {} {}",
        rule.code, rule.name
    );
}

#[test]
fn breaking_fixture_folders() {
    let base = common::workspace_root().join("fixtures").join("breaking");
    let mut checked = 0;
    insta::glob!("../../../fixtures/breaking", "*", |path| {
        if path.is_dir() && path != base {
            check(path);
            checked += 1;
        }
    });
    assert!(
        checked >= 28,
        "only {checked} fixture folders under {}",
        base.display()
    );
}

#[test]
fn every_breaking_rule_has_a_fixture_folder() {
    let base = common::workspace_root().join("fixtures").join("breaking");
    let folders: BTreeSet<String> = std::fs::read_dir(&base)
        .expect("fixtures/breaking exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.is_dir())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in breaking_registry().filter(|rule| is_breaking_rule(rule)) {
        let exempt = RULES_WITHOUT_FIXTURE.contains(&rule.name);
        let has_folder = folders.contains(rule.name);
        assert!(
            has_folder != exempt,
            "{} {}: a folder fixtures/breaking/{}/ or an entry in RULES_WITHOUT_FIXTURE (not both)",
            rule.code,
            rule.name,
            rule.name
        );
        if has_folder {
            for side in ["before", "after"] {
                assert!(
                    base.join(rule.name).join(side).is_dir(),
                    "{} lacks {side}/",
                    rule.name
                );
            }
        }
    }
}

#[test]
fn base_ref_is_read_from_git_without_touching_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    write(repo, "lexicons/com/example/post.json", POST);
    write(
        repo,
        "lexicons/com/example/like.json",
        &POST.replace("com.example.post", "com.example.like"),
    );
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);

    // Unchanged: clean.
    let output = common::lexperm(repo, &["breaking", "--base", "HEAD"]);
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    assert!(common::stdout(&output).ends_with("0 errors, 0 warnings in 2 files\n"));

    // A new required field, and a lexicon deleted (staged, so the ref still has it).
    let changed = POST
        .replace(r#""required": ["text"]"#, r#""required": ["text", "lang"]"#)
        .replace(
            r#""text": { "type": "string", "maxLength": 300 }"#,
            r#""text": { "type": "string", "maxLength": 300 },
          "lang": { "type": "string", "format": "language" }"#,
        );
    write(repo, "lexicons/com/example/post.json", &changed);
    git(repo, &["rm", "-q", "lexicons/com/example/like.json"]);
    let output = common::lexperm(repo, &["breaking", "--base", "HEAD", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let lines = common::json_lines(&common::stdout(&output));
    let codes: Vec<&str> = lines.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["B106", "B101"], "{lines:#?}");
    assert_eq!(lines[0]["file"], "lexicons/com/example/post.json");
    assert_eq!(
        lines[0]["before_file"],
        "HEAD:lexicons/com/example/post.json"
    );
    assert_eq!(lines[1]["file"], "HEAD:lexicons/com/example/like.json");
    let keys = common::keys(&lines[0]);
    assert_eq!(
        keys[keys.len() - 5..],
        [
            "before_file",
            "before_line",
            "before_column",
            "before_end_line",
            "before_end_column"
        ]
    );

    // SARIF names only paths of the repository, which code scanning can place: the removed
    // lexicon at its path, the changed one's base version as the working-tree file.
    let output = common::lexperm(repo, &["breaking", "--base", "HEAD", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .flat_map(|result| {
            result["locations"]
                .as_array()
                .into_iter()
                .chain(result["relatedLocations"].as_array())
                .flatten()
        })
        .map(|location| {
            location["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.iter().all(|uri| !uri.starts_with("HEAD")), "{uris:?}");
    let removed = results.iter().find(|r| r["ruleId"] == "B101").unwrap();
    assert_eq!(
        removed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "lexicons/com/example/like.json"
    );
    assert!(removed["message"]["text"]
        .as_str()
        .unwrap()
        .contains("(base version: HEAD:lexicons/com/example/like.json:"));

    // The human format shows both versions' snippets.
    let output = common::lexperm(repo, &["breaking", "--base", "HEAD"]);
    let human = common::stdout(&output);
    assert!(
        human.contains("[lexicons/com/example/post.json:"),
        "{human}"
    );
    assert!(
        human.contains("[HEAD:lexicons/com/example/post.json:"),
        "{human}"
    );

    // A path given explicitly is read at the ref too; the working tree is untouched.
    let output = common::lexperm(
        repo,
        &[
            "breaking",
            "lexicons/com/example/post.json",
            "--base",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(repo.join("lexicons/com/example/post.json")).unwrap(),
        changed
    );
    assert!(!repo.join("lexicons/com/example/like.json").exists());
}

#[test]
fn an_unknown_ref_no_repository_or_no_git_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    write(repo, "lexicons/com/example/post.json", POST);

    let output = common::lexperm(repo, &["breaking", "--base", "main"]);
    assert_eq!(output.status.code(), Some(2));
    let err = common::stderr(&output);
    assert!(err.contains("not in a git repository"), "{err}");

    git(repo, &["init", "-q"]);
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", "base"]);
    let output = common::lexperm(repo, &["breaking", "--base", "no-such-branch"]);
    assert_eq!(output.status.code(), Some(2));
    let err = common::stderr(&output);
    assert!(err.contains("git cannot read `no-such-branch`"), "{err}");
    assert!(common::stdout(&output).is_empty());

    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["breaking", "--base", "HEAD"])
        .current_dir(repo)
        .env("PATH", "")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = common::stderr(&output);
    assert!(err.contains("needs git, which could not be run"), "{err}");
}

/// An edit of one file: its path under the copied folder and what to change in its JSON.
type Edit<'a> = (&'a str, &'a dyn Fn(&mut serde_json::Value));

/// `source` copied to a temporary directory twice: `base/` as it is, `work/` with `edits`
/// applied (`(path under source, edit)`).
fn copy_with(source: &Path, edits: &[Edit<'_>]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for side in ["base", "work"] {
        for entry in walkdir::WalkDir::new(source) {
            let entry = entry.unwrap();
            let relative = entry.path().strip_prefix(source).unwrap();
            let target = dir.path().join(side).join(relative);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    for (name, edit) in edits {
        let path = dir.path().join("work").join(name);
        let mut doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        edit(&mut doc);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
    dir
}

/// `lexicons/` (the example authority) with `edit` applied to the calendar lexicon `name`; see
/// [`copy_with`].
fn example_with(name: &str, edit: impl Fn(&mut serde_json::Value)) -> tempfile::TempDir {
    let source = common::workspace_root().join("lexicons");
    let path = format!("org/lexperm/example/calendar/{name}");
    copy_with(&source, &[(&path, &edit)])
}

/// The codes `lexperm breaking work --base base` reports, and its exit code.
fn breaking_codes(dir: &Path) -> (Vec<String>, i32) {
    let output = common::lexperm(
        dir,
        &["breaking", "work", "--base", "base", "--format", "json"],
    );
    let codes = common::json_lines(&common::stdout(&output))
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    (codes, output.status.code().unwrap())
}

#[test]
fn real_edits_to_the_example_authority() {
    let properties = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["record"]["properties"]
            .as_object_mut()
            .unwrap()
            .insert(
                "mood".into(),
                serde_json::json!({"type": "string", "maxLength": 64}),
            );
    };
    // An optional field: clean.
    let dir = example_with("event.json", properties);
    assert_eq!(breaking_codes(dir.path()), (vec![], 0));
    // The same field, required: required-property-added.
    let dir = example_with("event.json", |doc| {
        properties(doc);
        doc["defs"]["main"]["record"]["required"]
            .as_array_mut()
            .unwrap()
            .push("mood".into());
    });
    assert_eq!(breaking_codes(dir.path()), (vec!["B106".to_owned()], 1));
    // A def removed: def-removed.
    let dir = example_with("defs.json", |doc| {
        doc["defs"]
            .as_object_mut()
            .unwrap()
            .remove("onlineLocation");
    });
    assert_eq!(breaking_codes(dir.path()), (vec!["B103".to_owned()], 1));
    // The record key changed: record-key-changed.
    let dir = example_with("rsvp.json", |doc| {
        doc["defs"]["main"]["key"] = "any".into();
    });
    assert_eq!(breaking_codes(dir.path()), (vec!["B105".to_owned()], 1));
}

#[test]
fn real_edits_to_the_atproto_corpus() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let add_mood = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["record"]["properties"]
            .as_object_mut()
            .unwrap()
            .insert(
                "mood".into(),
                serde_json::json!({"type": "string", "maxLength": 64}),
            );
    };
    let require_mood = |doc: &mut serde_json::Value| {
        add_mood(doc);
        doc["defs"]["main"]["record"]["required"]
            .as_array_mut()
            .unwrap()
            .push("mood".into());
    };
    let remove_def = |doc: &mut serde_json::Value| {
        doc["defs"]
            .as_object_mut()
            .unwrap()
            .remove("threadgateView");
    };
    let change_key = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["key"] = "tid".into();
    };
    // "Can not update or delete posts." no longer holds.
    let allow_updates = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["permissions"][1]["action"]
            .as_array_mut()
            .unwrap()
            .push("update".into());
    };
    let edits: [Edit<'_>; 5] = [
        ("app/bsky/feed/like.json", &add_mood),
        ("app/bsky/feed/post.json", &require_mood),
        ("app/bsky/feed/defs.json", &remove_def),
        ("app/bsky/actor/profile.json", &change_key),
        ("app/bsky/authCreatePosts.json", &allow_updates),
    ];
    let dir = copy_with(&corpus.join("atproto"), &edits);
    let output = common::lexperm(
        dir.path(),
        &["breaking", "work", "--base", "base", "--format", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let lines = common::json_lines(&common::stdout(&output));
    let widened = lines
        .iter()
        .find(|d| d["code"] == "B201")
        .expect("the widened permission set is reported");
    assert_eq!(
        widened["message"],
        "permission set `app.bsky.authCreatePosts` grants more: `repo` permission #2 gains \
         `repo?collection=app.bsky.feed.post&collection=app.bsky.feed.postgate&collection=app.bsky.feed.threadgate&action=update`"
    );
    let mut found: Vec<(String, String)> = lines
        .iter()
        .map(|d| {
            (
                d["nsid"].as_str().unwrap().to_owned(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("app.bsky.actor.profile", "B105"),
        ("app.bsky.authCreatePosts", "B201"),
        ("app.bsky.feed.defs", "B103"),
        ("app.bsky.feed.post", "B106"),
    ];
    assert_eq!(
        found,
        expected.map(|(nsid, code)| (nsid.to_owned(), code.to_owned())),
        "the optional field on app.bsky.feed.like is clean"
    );
}

/// `(nsid, code, severity)` of every finding of `lexperm breaking work --base base` with `extra`
/// arguments, sorted, and the exit code.
fn breaking_findings(dir: &Path, extra: &[&str]) -> (Vec<(String, String, String)>, i32) {
    let mut args = vec!["breaking", "work", "--base", "base", "--format", "json"];
    args.extend_from_slice(extra);
    let output = common::lexperm(dir, &args);
    let mut found: Vec<(String, String, String)> = common::json_lines(&common::stdout(&output))
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap().to_owned();
            (text("nsid"), text("code"), text("severity"))
        })
        .collect();
    found.sort();
    (found, output.status.code().unwrap())
}

#[test]
fn permission_security_diff_of_the_example_authority() {
    const SET: &str = "org.lexperm.example.calendar";
    let widen = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["permissions"][0]["lxm"]
            .as_array_mut()
            .unwrap()
            .push(format!("{SET}.importCalendar").into());
    };
    let narrow = |doc: &mut serde_json::Value| {
        let collections = doc["defs"]["main"]["permissions"][0]["collection"]
            .as_array_mut()
            .unwrap();
        collections.retain(|c| c != &serde_json::json!(format!("{SET}.settings")));
    };
    let retitle = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["title"] = "Use and share calendars".into();
    };
    let declare = |doc: &mut serde_json::Value| {
        doc["defs"]["main"]["collections"]
            .as_array_mut()
            .unwrap()
            .push(format!("{SET}.settings").into());
    };
    let path = |name: &str| format!("org/lexperm/example/calendar/{name}.json");
    let (view, manage, shared, space) = (
        path("authViewCalendar"),
        path("authManageCalendar"),
        path("authSharedCalendar"),
        path("sharedCalendar"),
    );
    let edits: [Edit<'_>; 4] = [
        (&view, &widen),
        (&manage, &narrow),
        (&shared, &retitle),
        (&space, &declare),
    ];
    let dir = copy_with(&common::workspace_root().join("lexicons"), &edits);
    let finding = |name: &str, code: &str, severity: &str| {
        (
            format!("{SET}.{name}"),
            code.to_owned(),
            severity.to_owned(),
        )
    };
    let (found, exit) = breaking_findings(dir.path(), &[]);
    assert_eq!(
        found,
        [
            finding("authManageCalendar", "B202", "warning"),
            finding("authSharedCalendar", "B205", "info"),
            finding("authViewCalendar", "B201", "error"),
            finding("sharedCalendar", "B203", "error"),
        ]
    );
    assert_eq!(exit, 1);

    // Acknowledged on the command line: information, and nothing else fails.
    let view_nsid = format!("{SET}.authViewCalendar");
    let space_nsid = format!("{SET}.sharedCalendar");
    let acknowledged = [
        finding("authManageCalendar", "B202", "warning"),
        finding("authSharedCalendar", "B205", "info"),
        finding("authViewCalendar", "B201", "info"),
        finding("sharedCalendar", "B203", "info"),
    ];
    let flags = [
        "--acknowledge-widening",
        view_nsid.as_str(),
        "--acknowledge-widening",
        space_nsid.as_str(),
    ];
    assert_eq!(
        breaking_findings(dir.path(), &flags),
        (acknowledged.to_vec(), 0)
    );
    // One of the two acknowledged: the other still fails the run.
    let (found, exit) = breaking_findings(dir.path(), &flags[..2]);
    assert_eq!((found[3].2.as_str(), exit), ("error", 1));
    let output = common::lexperm(
        dir.path(),
        &["breaking", "work", "--base", "base", flags[0], flags[1]],
    );
    let human = common::stdout(&output);
    assert!(
        human.contains("acknowledged widening: permission set"),
        "{human}"
    );

    // An acknowledgement that matches no widening is a warning naming it: left in place, it
    // would let the set's next widening through.
    let manage_nsid = format!("{SET}.authManageCalendar");
    let output = common::lexperm(
        dir.path(),
        &[
            "breaking",
            "work",
            "--base",
            "base",
            flags[0],
            flags[1],
            "--acknowledge-widening",
            &manage_nsid,
        ],
    );
    let err = common::stderr(&output);
    assert!(
        err.contains(&format!(
            "warning: the widening of `{manage_nsid}` is acknowledged, but this comparison has none"
        )),
        "{err}"
    );
    assert!(
        !err.contains(&format!("`{view_nsid}` is acknowledged")),
        "{err}"
    );

    // Acknowledged in lexperm.toml: the same.
    write(
        dir.path(),
        "lexperm.toml",
        &format!("[breaking]\nacknowledge-widening = [\"{view_nsid}\", \"{space_nsid}\"]\n"),
    );
    assert_eq!(
        breaking_findings(dir.path(), &[]),
        (acknowledged.to_vec(), 0)
    );

    // A wrong key or a value that is not an NSID is a usage error that says what to write.
    let usage_error = |extra: &[&str]| {
        let mut args = vec!["breaking", "work", "--base", "base"];
        args.extend_from_slice(extra);
        let output = common::lexperm(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2));
        common::stderr(&output)
    };
    write(
        dir.path(),
        "lexperm.toml",
        "[breaking]\nacknowledge_widening = []\n",
    );
    let err = usage_error(&[]);
    assert!(
        err.contains("did you mean `acknowledge-widening`?"),
        "{err}"
    );
    std::fs::remove_file(dir.path().join("lexperm.toml")).unwrap();
    let err = usage_error(&["--acknowledge-widening", "authViewCalendar"]);
    assert!(
        err.contains("--acknowledge-widening `authViewCalendar`: not an NSID"),
        "{err}"
    );
}

#[test]
fn config_levels_and_indigo_names_apply_to_breaking_rules() {
    let dir = example_with("rsvp.json", |doc| {
        doc["defs"]["main"]["key"] = "any".into();
    });
    write(
        dir.path(),
        "lexperm.toml",
        "[rules]\nrecord-key-type = \"warning\"\n",
    );
    let (codes, exit) = breaking_codes(dir.path());
    assert_eq!((codes, exit), (vec!["B105".to_owned()], 0));
    let output = common::lexperm(
        dir.path(),
        &["breaking", "work", "--base", "base", "--deny", "warnings"],
    );
    assert_eq!(output.status.code(), Some(1));
    let output = common::lexperm(
        dir.path(),
        &[
            "breaking",
            "work",
            "--base",
            "base",
            "--ignore",
            "B105",
            "--config",
            "lexperm.toml",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let output = common::lexperm(dir.path(), &["explain", "type-change"]);
    let text = common::stdout(&output);
    assert!(
        text.starts_with(
            "B104 type-changed\ndefault severity: error\nalso known as: type-change\n"
        ),
        "{text}"
    );
}

/// A resolution-cache entry for `doc` (a lexicon document) as `lexperm resolve` writes it.
fn cache_entry(doc: &str) -> String {
    let record: serde_json::Value = serde_json::from_str(doc).unwrap();
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
            .expect("a valid lexicon")
            .cid()
            .to_string(),
        "record": record,
        "fetched_at": now,
    })
    .to_string()
}

#[test]
fn published_base_from_the_cache_and_groups_that_do_not_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The working tree changed `com.example.post`; `org.other.thing` was never fetched.
    let changed = POST.replace(r#""key": "tid""#, r#""key": "any""#);
    write(root, "lexicons/com/example/post.json", &changed);
    write(
        root,
        "lexicons/org/other/thing.json",
        &POST.replace("com.example.post", "org.other.thing"),
    );
    let cache = root.join("cache");
    write(&cache, "resolve/com.example.post.json", &cache_entry(POST));
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args([
            "breaking",
            "--base",
            "published",
            "--offline",
            "--format",
            "json",
        ])
        .current_dir(root)
        .env("LEXPERM_CACHE_DIR", &cache)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", common::stderr(&output));
    let lines = common::json_lines(&common::stdout(&output));
    let found: Vec<(&str, &str)> = lines
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["file"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("B105", "lexicons/com/example/post.json"),
            ("B129", "lexicons/org/other/thing.json"),
        ],
        "{lines:#?}"
    );
    assert_eq!(
        lines[0]["before_file"],
        "at://did:plc:example/com.atproto.lexicon.schema/com.example.post"
    );
    assert!(lines[1]["message"]
        .as_str()
        .unwrap()
        .contains("`org.other.*`"));
    assert_eq!(lines[1]["severity"], "warning");
}
