//! An app developer's day, command by command, on a scratch copy of the real atproto lexicons
//! (`cargo xtask corpus`; skipped with a note without it): ask for Bluesky's permission set the
//! way most apps first do (without `?aud=`), find out why users get nothing, fix the request, then
//! generate scope constants and records, reading what lexperm says at each step.

mod common;

use common::check;

const VIEW_ALL: &str = "include:app.bsky.authViewAll";
const APPVIEW: &str = "did:web:api.bsky.app%23bsky_appview";

#[test]
fn app_developer_requests_a_set_checks_it_and_generates_code() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::copy_tree(&corpus.join("atproto"), &root.join("lexicons"));
    let timeline = format!("rpc:app.bsky.feed.getTimeline?aud={APPVIEW}");

    // 1. The first try: the set without an audience. The token holds only `atproto`, and
    // lexperm says why, with the scope to ask for instead.
    let client = format!("atproto {VIEW_ALL}");
    let (out, err) = check(root, &["expand", "--scope", &client], 0);
    assert!(out.contains("token scope (1 value):\n  atproto"), "{out}");
    assert!(
        err.contains(&format!(
            "warning: `{VIEW_ALL}` granted nothing: its only entry was dropped"
        )),
        "{err}"
    );
    assert!(err.contains("`inheritAud` is true"), "{err}");
    assert!(
        err.contains(&format!(
            "help: request `{VIEW_ALL}?aud=did:web:<host>%23<service>`"
        )),
        "{err}"
    );

    // 2. `check` names the include that would have allowed the call, with the audience filled in.
    let (out, _) = check(root, &["check", "--scope", &client, &timeline], 1);
    assert!(out.starts_with(&format!("denied   {timeline}")), "{out}");
    assert!(
        out.contains(&format!(
            "`{VIEW_ALL}` has no `aud`, so its entry #0 was dropped; request `{VIEW_ALL}?aud={APPVIEW}`"
        )),
        "{out}"
    );

    // 3. The fixed request grants the call, and says through which entry.
    let fixed = format!("atproto {VIEW_ALL}?aud={APPVIEW}");
    let (out, err) = check(root, &["check", "--scope", &fixed, &timeline], 0);
    assert!(out.starts_with(&format!("allowed  {timeline}")), "{out}");
    assert!(out.contains("→ entry #0 →"), "{out}");
    assert!(!err.contains("warning"), "{err}");

    // 4. Code generation from the upstream lexicons stops on their one real defect, summary first
    // and the way out last; the flag it names lets it through, and folders are created.
    let (_, err) = check(
        root,
        &[
            "gen",
            "rust",
            "--lexicons",
            "lexicons",
            "--out",
            "src/gen/scopes.rs",
        ],
        1,
    );
    assert!(
        err.starts_with(
            "1 lint error in the lexicons (P120 undefined-lxm \u{d7}1); no code generated\n"
        ),
        "{err}"
    );
    assert!(
        err.trim_end().ends_with(
            "to generate anyway, pass --ignore P120 (`lexperm lint` shows each error in its source)"
        ),
        "{err}"
    );
    assert!(!root.join("src/gen/scopes.rs").exists());
    let args = [
        "gen",
        "rust",
        "--lexicons",
        "lexicons",
        "--out",
        "src/gen/scopes.rs",
        "--ignore",
        "P120",
    ];
    check(root, &args, 0);
    let rust = std::fs::read_to_string(root.join("src/gen/scopes.rs")).unwrap();
    assert!(rust.contains("app.bsky.feed.post"), "collections are there");
    // `--check` agrees with what was written.
    let mut checked = args.to_vec();
    checked.push("--check");
    check(root, &checked, 0);

    // 5. TypeScript without namespaces, so Node's type stripping and `erasableSyntaxOnly` accept
    // it.
    check(
        root,
        &[
            "gen",
            "ts",
            "--lexicons",
            "lexicons",
            "--out",
            "web/src/scopes.ts",
            "--ignore",
            "undefined-lxm",
        ],
        0,
    );
    let ts = std::fs::read_to_string(root.join("web/src/scopes.ts")).unwrap();
    assert!(
        !ts.lines()
            .any(|line| line.trim_start().starts_with("export namespace")
                || line.trim_start().starts_with("namespace ")),
        "no namespace in the generated TypeScript"
    );
    assert!(ts.contains("as const"), "plain const objects");

    // 6. Records to publish, named from the working folder; an `--out` that is a file is refused
    // before anything is read.
    let (out, _) = check(
        root,
        &[
            "gen",
            "records",
            "--lexicons",
            "lexicons",
            "--out",
            "out/records",
            "--ignore",
            "P120",
        ],
        0,
    );
    assert!(
        out.trim_end()
            .ends_with("records and cids.json to out/records"),
        "{out}"
    );
    assert!(root.join("out/records/cids.json").is_file());
    common::write(root, "out/file", "{}");
    let (_, err) = check(
        root,
        &[
            "gen",
            "records",
            "--lexicons",
            "lexicons",
            "--out",
            "out/file",
        ],
        2,
    );
    assert!(
        err.starts_with("error: --out out/file is a file, not a folder"),
        "{err}"
    );
}
