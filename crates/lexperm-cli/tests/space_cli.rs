//! `lexperm expand --scope / check / preview / coverage` on the permissioned-data authority
//! `fixtures/resolver/space/`, with token scopes measured with the permissioned-data reference
//! (`fixtures/resolver/space-token-scopes.jsonl`).

mod common;

use common::{json_lines, Run};
use serde_json::Value;

const LEXICONS: &str = "fixtures/resolver/space";
const SET: &str = "include:com.example.corkboard.authBoard";
const ALICE: &str = "did:plc:alice2xs6mhgztb3jbkyrpmr";
const BOARD: &str = "space:com.example.corkboard.board";

fn lexperm(args: &[&str]) -> Run {
    common::lexperm_in_root(args, None)
}

/// `lexperm expand --lexicons LEXICONS --scope scope` with `extra` arguments.
fn expand(scope: &str, extra: &[&str]) -> Run {
    let mut args = vec!["expand", "--lexicons", LEXICONS, "--scope", scope];
    args.extend(extra);
    lexperm(&args)
}

/// The measured cases: `(scope, user, token scope or None when refused)`.
fn measured() -> Vec<(String, Option<String>, Option<String>)> {
    let path = common::workspace_root().join("fixtures/resolver/space-token-scopes.jsonl");
    json_lines(&std::fs::read_to_string(path).unwrap())
        .into_iter()
        .map(|case: Value| {
            let text = |k: &str| case[k].as_str().map(str::to_owned);
            (text("scope").unwrap(), text("user"), text("token"))
        })
        .collect()
}

#[test]
fn expand_token_scopes_match_the_reference() {
    for (scope, user, token) in measured() {
        let mut extra = vec!["--format", "json"];
        if let Some(user) = &user {
            extra.extend(["--user-did", user.as_str()]);
        }
        let run = expand(&scope, &extra);
        let line = &json_lines(&run.stdout)[0];
        assert_eq!(line["token_scope"].as_str(), token.as_deref(), "{scope}");
        assert_eq!(run.code, if token.is_some() { 0 } else { 1 }, "{scope}");
        if token.is_none() {
            assert!(
                matches!(
                    line["errors"][0]["code"].as_str(),
                    Some("space-not-found" | "not-a-space")
                ),
                "{line}"
            );
        }
        let self_left = token.as_deref().is_some_and(|t| {
            t.split(' ')
                .any(|v| v.starts_with("space:") && !v.contains("authority="))
        });
        if token.is_some() {
            assert_eq!(
                line.get("unresolved_self").is_some(),
                self_left,
                "{scope}: {line}"
            );
        }
        assert_eq!(line["user_did"].as_str(), user.as_deref());
    }
}

#[test]
fn expand_says_self_is_resolved_at_issuance() {
    let scope = format!("atproto {SET}");
    let run = expand(&scope, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("note: 1 `space:` value keeps `authority=self`")
            && run
                .stdout
                .contains("resolved to the user's DID when the token is issued"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains(&format!("(issued from {BOARD}?action=read_self)")));
    let json = expand(&scope, &["--format", "json"]);
    let line = &json_lines(&json.stdout)[0];
    assert!(line["note"].as_str().unwrap().contains("match nothing"));
    let with_user = expand(&scope, &["--user-did", ALICE]);
    assert!(!with_user.stdout.contains("note:"), "{}", with_user.stdout);
    assert!(with_user.stdout.contains(&format!("authority={ALICE}")));
}

#[test]
fn expand_refuses_without_the_declaration_and_checks_the_user_did() {
    let run = expand("atproto space:com.example.corkboard.missing", &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("com.example.corkboard.missing")
            && run.stderr.contains("refuses to issue")
            && run.stderr.contains("[space-not-found]"),
        "{}",
        run.stderr
    );
    let run = expand("atproto", &["--user-did", "alice"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is not a DID"), "{}", run.stderr);
}

#[test]
fn check_names_the_entry_that_allowed_a_space_request() {
    let scope = format!("atproto {SET}");
    let own = format!("{BOARD}?authority={ALICE}&skey=other&action=read_self");
    let pin = format!(
        "{BOARD}?authority=did:plc:bob&skey=self&action=create&collection=com.example.corkboard.pin"
    );
    let removal = format!(
        "{BOARD}?authority=did:plc:bob&skey=self&action=create&collection=com.example.corkboard.removal"
    );
    let args = |user: bool, format: &'static str| {
        let mut args = vec![
            "check".to_owned(),
            "--lexicons".to_owned(),
            LEXICONS.to_owned(),
            "--scope".to_owned(),
            scope.clone(),
            "--format".to_owned(),
            format.to_owned(),
        ];
        if user {
            args.extend(["--user-did".to_owned(), ALICE.to_owned()]);
        }
        args.extend([own.clone(), pin.clone(), removal.clone()]);
        args
    };
    let run_with = |user, format| {
        let args = args(user, format);
        lexperm(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let run = run_with(true, "json");
    assert_eq!(run.code, 1);
    let lines = json_lines(&run.stdout);
    let verdict: Vec<(bool, Option<u64>)> = lines
        .iter()
        .map(|l| (l["allowed"].as_bool().unwrap(), l["entry"].as_u64()))
        .collect();
    assert_eq!(verdict, [(true, Some(1)), (true, Some(0)), (false, None)]);
    assert_eq!(lines[0]["set"], "com.example.corkboard.authBoard");
    // Without the user, `authority=self` matches nothing: entry #1 cannot allow the read.
    let run = run_with(false, "human");
    assert!(
        run.stdout.starts_with(&format!("denied   {own}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("1 `space:` grant keeps `authority=self`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains(&format!("allowed  {pin}  ({SET} → entry #0 → ")),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&format!(
        "denied   {removal}  (missing scope \"{BOARD}?authority=did:plc:bob&skey=self&collection=com.example.corkboard.removal&action=create\")"
    )));
}

#[test]
fn preview_shows_the_space_name_reach_and_warnings() {
    let run = lexperm(&["preview", SET, "--lexicons", LEXICONS, "--lang", "de-AT"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("space_preview_human_de", run.stdout);
    let run = lexperm(&["preview", SET, "--lexicons", LEXICONS, "--format", "json"]);
    let preview: Value = serde_json::from_str(&run.stdout).unwrap();
    let space = &preview["permissions"][0]["space"];
    assert_eq!(space["name"], "Cork Board");
    assert_eq!(space["authority"], "anyone's");
    assert_eq!(space["read"], "all");
    assert_eq!(
        space["manage"],
        serde_json::json!(["create", "update", "delete"])
    );
    assert!(space["warnings"][0]
        .as_str()
        .unwrap()
        .contains("every account"));
    let bare = &preview["permissions"][1]["space"];
    assert_eq!(bare["authority"], "your own");
    assert_eq!(bare["collections_declared"], true);
    assert!(preview["permissions"][2].get("space").is_none());
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("consent.html");
    let run = lexperm(&[
        "preview",
        SET,
        "--lexicons",
        LEXICONS,
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(page).unwrap();
    assert_eq!(
        html.matches("class=\"warning\" role=\"alert\"").count(),
        1,
        "{html}"
    );
    assert!(html.contains("Warning: it reaches the spaces of every account"));
}

#[test]
fn coverage_lists_space_collections_no_set_writes() {
    let run = lexperm(&["coverage", "--lexicons", LEXICONS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("space_coverage_human", run.stdout);
    let run = lexperm(&["coverage", "--lexicons", LEXICONS, "--format", "json"]);
    let coverage: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(coverage["unwritable_space_collections"], 1);
    let space = &coverage["groups"][0]["spaces"][0];
    assert_eq!(space["nsid"], "com.example.corkboard.board");
    let written: Vec<(&str, usize)> = space["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["nsid"].as_str().unwrap(),
                c["granted_by"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        written,
        [
            ("com.example.corkboard.note", 1),
            ("com.example.corkboard.pin", 1),
            ("com.example.corkboard.removal", 0),
        ]
    );
}
