//! `include:` expansion vectors (`fixtures/scope/include.json`, permissions.md §6.4) and the
//! namespace-authority vectors (`fixtures/scope/namespace.txt`, §6.5).

use lexperm_parser::scope::include::{expand, DropReason, Expansion, PermissionEntry};
use lexperm_parser::scope::Scope;
use lexperm_parser::syntax::Nsid;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/scope/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn run(include: &str, permissions: &serde_json::Value) -> Expansion {
    let Ok(Scope::Include(include)) = Scope::parse(include) else {
        panic!("{include} is not an include scope");
    };
    let entries: Vec<PermissionEntry> = permissions
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| PermissionEntry::from_json(p).expect("permission object"))
        .collect();
    expand(&include, &include.nsid, &entries)
}

/// Expands one case; returns a mismatch description.
fn check(case: &serde_json::Value) -> Option<String> {
    let include = case["include"].as_str().expect("include");
    let permissions = &case["permissions"];
    let expected: Vec<String> = serde_json::from_value(case["expanded"].clone()).expect("expanded");
    let expansion = run(include, permissions);
    let n = permissions.as_array().map_or(0, Vec::len);
    if expansion.granted.len() + expansion.dropped.len() != n {
        return Some(format!("{}: entries not all accounted for", case["vector"]));
    }
    let actual = expansion.granted_strings();
    (actual != expected).then(|| {
        format!(
            "{} {include}: expected {expected:?}, got {actual:?}",
            case["vector"]
        )
    })
}

#[test]
fn include_vectors() {
    let doc: serde_json::Value = serde_json::from_str(&fixture("include.json")).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100);
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every dropped entry with its reason and message, as a readable snapshot.
#[test]
fn include_drop_reasons() {
    let doc: serde_json::Value = serde_json::from_str(&fixture("include.json")).expect("json");
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for case in doc["cases"].as_array().expect("cases") {
        let include = case["include"].as_str().expect("include");
        let expansion = run(include, &case["permissions"]);
        for dropped in &expansion.dropped {
            seen.insert(dropped.reason.name());
            let entry = &case["permissions"][dropped.entry_index];
            out.push_str(&format!(
                "{} | {include}\n  entry: {entry}\n  {}: {dropped}\n",
                case["vector"].as_str().unwrap_or(""),
                dropped.reason.name(),
            ));
        }
    }
    insta::assert_snapshot!(out);
    for must in [
        "unsupported-resource",
        "unknown-resource",
        "wildcard-in-set",
        "fixed-aud",
        "aud-with-inherit-aud",
        "inherit-aud-not-true",
        "inherit-aud-without-include-aud",
        "unknown-field",
        "expected-array",
        "expected-string",
        "empty-array",
        "missing-field",
        "invalid-nsid",
        "invalid-action",
        "outside-namespace",
    ] {
        assert!(seen.contains(must), "no fixture exercises {must}");
    }
    let names: std::collections::BTreeSet<_> = DropReason::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(
        names.len(),
        DropReason::ALL.len(),
        "reason names are unique"
    );
}

#[test]
fn namespace_vectors() {
    let text = fixture("namespace.txt");
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let set = Nsid::parse(cols[1]).expect("set nsid");
        let expected = match cols[3] {
            "yes" => true,
            "no" => false,
            other => panic!("bad expectation {other}"),
        };
        assert_eq!(
            set.is_parent_authority_of(cols[2]),
            expected,
            "#{} {line}",
            cols[0]
        );
        n += 1;
    }
    assert_eq!(n, 16);
}
