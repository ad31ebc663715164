//! `lexperm new` and `lexperm init`, run as a user would: what they write is at the right path,
//! valid, and linted clean; existing files are kept.

mod common;

use common::check;

/// Every kind but `permission-set`, which needs something to grant.
const STANDALONE_KINDS: [&str; 5] = ["record", "query", "procedure", "subscription", "space"];

#[test]
fn each_kind_alone_is_lint_clean() {
    for kind in STANDALONE_KINDS {
        let dir = tempfile::tempdir().unwrap();
        let nsid = format!("com.example.feed.{kind}");
        let (out, _) = check(dir.path(), &["new", kind, &nsid], 0);
        let path = format!("lexicons/com/example/feed/{kind}.json");
        assert_eq!(out, format!("created {path}\n"));
        let text = std::fs::read_to_string(dir.path().join(&path)).unwrap();
        let document: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(document["id"], nsid.as_str());
        assert_eq!(document["defs"]["main"]["type"], kind);
        let (out, err) = check(dir.path(), &["lint", "--deny", "warnings"], 0);
        assert_eq!(
            out, "0 errors, 0 warnings in 1 file\n",
            "{kind}: {text}\n{err}"
        );
    }
}

#[test]
fn every_kind_together_is_lint_clean_and_the_set_grants_the_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let lexicons = dir.path().join("lex");
    std::fs::create_dir(&lexicons).unwrap();
    for (kind, nsid) in [
        ("record", "com.example.post"),
        ("record", "com.example.feed.like"),
        ("query", "com.example.getPosts"),
        ("procedure", "com.example.deletePost"),
        ("subscription", "com.example.subscribePosts"),
        ("space", "com.example.board"),
        ("permission-set", "com.example.authFull"),
        // Another namespace: not granted by the set above.
        ("record", "org.example.note"),
    ] {
        let (out, _) = check(dir.path(), &["new", kind, nsid, "--lexicons", "lex"], 0);
        assert!(out.starts_with("created lex/"), "{out}");
    }
    let (out, _) = check(dir.path(), &["lint", "lex", "--deny", "warnings"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 8 files\n");

    let set = std::fs::read_to_string(lexicons.join("com/example/authFull.json")).unwrap();
    let set: serde_json::Value = serde_json::from_str(&set).unwrap();
    let main = &set["defs"]["main"];
    assert!(main["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        main["permissions"],
        serde_json::json!([
            {
                "type": "permission",
                "resource": "repo",
                "collection": ["com.example.feed.like", "com.example.post"]
            },
            {
                "type": "permission",
                "resource": "rpc",
                "lxm": ["com.example.deletePost", "com.example.getPosts"],
                "inheritAud": true
            }
        ])
    );
    // What the set grants, as a PDS expands it.
    let (out, _) = check(
        dir.path(),
        &[
            "expand",
            "--lexicons",
            "lex",
            "include:com.example.authFull?aud=did:web:api.example.com%23svc",
        ],
        0,
    );
    assert!(out.contains("granted 2 of 2 entries"), "{out}");
}

#[test]
fn permission_set_with_nothing_to_grant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = check(
        dir.path(),
        &["new", "permission-set", "com.example.authFull"],
        2,
    );
    assert_eq!(out, "");
    assert!(err.contains("would grant nothing"), "{err}");
    assert!(
        err.contains("help: write one first, e.g. `lexperm new record com.example.post`"),
        "{err}"
    );
    assert!(!dir
        .path()
        .join("lexicons/com/example/authFull.json")
        .exists());
}

#[test]
fn invalid_nsid_is_refused_with_the_parsers_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (_, err) = check(dir.path(), &["new", "record", "com.example"], 2);
    assert!(
        err.starts_with("error: `com.example`: invalid NSID: "),
        "{err}"
    );
    assert!(err.contains("three segments"), "{err}");
    let (_, err) = check(dir.path(), &["new", "query", "com.example.get-thing"], 2);
    assert!(err.contains("invalid NSID"), "{err}");
    assert!(!dir.path().join("lexicons").exists());
}

#[test]
fn existing_file_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lexicons/com/example/thing.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "mine").unwrap();
    let (_, err) = check(dir.path(), &["new", "record", "com.example.thing"], 2);
    assert!(err.contains("exists; it was left as it is"), "{err}");
    assert!(err.contains("help: --force overwrites it"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");

    let (out, _) = check(
        dir.path(),
        &["new", "query", "com.example.thing", "--force"],
        0,
    );
    assert_eq!(out, "overwrote lexicons/com/example/thing.json\n");
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("\"type\": \"query\""));
}

#[test]
fn init_sets_up_a_repository_and_keeps_files_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = check(
        dir.path(),
        &["init", "repo", "--authority", "com.example"],
        0,
    );
    assert_eq!(
        out,
        "created repo/lexicons/\n\
         created repo/lexperm.toml\n\
         created repo/.github/workflows/lexperm.yml\n\
         created repo/lexicons/com/example/item.json\n\
         next: `cd repo`, `lexperm new record com.example.post`, then `lexperm lint`\n"
    );
    let repo = dir.path().join("repo");
    // The workflow is the one docs/ci.md explains (and tests/ci_workflow.rs runs).
    let workflow = std::fs::read_to_string(repo.join(".github/workflows/lexperm.yml")).unwrap();
    let documented =
        std::fs::read_to_string(common::workspace_root().join("docs/examples/lexperm.yml"))
            .unwrap();
    assert_eq!(workflow, documented);
    // The config is read (an invalid one would fail the run) and the record is clean.
    let (out, _) = check(&repo, &["lint", "--deny", "warnings"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");
    let (out, _) = check(
        &repo,
        &["lint", "--config", "lexperm.toml", "--deny", "warnings"],
        0,
    );
    assert_eq!(out, "0 errors, 0 warnings in 1 file\n");

    // A second run keeps every file, even one the user changed.
    std::fs::write(repo.join("lexperm.toml"), "[rules]\nS101 = \"off\"\n").unwrap();
    let (out, _) = check(
        dir.path(),
        &["init", "repo", "--authority", "com.example"],
        0,
    );
    assert_eq!(
        out,
        "kept    repo/lexicons/ (it exists)\n\
         kept    repo/lexperm.toml (it exists)\n\
         kept    repo/.github/workflows/lexperm.yml (it exists)\n\
         kept    repo/lexicons/com/example/item.json (it exists)\n\
         next: `cd repo`, `lexperm new record com.example.post`, then `lexperm lint`\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("lexperm.toml")).unwrap(),
        "[rules]\nS101 = \"off\"\n"
    );
}

#[test]
fn init_in_the_current_folder_without_authority() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = check(dir.path(), &["init"], 0);
    assert!(
        out.starts_with("created lexicons/\ncreated lexperm.toml\n"),
        "{out}"
    );
    assert!(out.ends_with("next: `lexperm new record com.example.post`, then `lexperm lint`\n"));
    assert!(dir.path().join("lexicons").is_dir());
    let (out, _) = check(dir.path(), &["lint"], 0);
    assert_eq!(out, "0 errors, 0 warnings in 0 files\n");

    let (_, err) = check(dir.path(), &["init", "--authority", "example"], 2);
    assert!(
        err.contains("--authority `example` is not an NSID authority"),
        "{err}"
    );
}
