//! `include:` expansion vectors (`fixtures/scope/include.json`, permissions.md §6.4), the
//! permissioned-data set entries (`fixtures/scope/space-include.json`) and the
//! namespace-authority vectors (`fixtures/scope/namespace.txt`, §6.5).

use lexperm_parser::scope::include::{expand_with, DropReason, Expansion, PermissionEntry};
use lexperm_parser::scope::{Reference, Scope};
use lexperm_parser::syntax::Nsid;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/scope/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn run(include: &str, permissions: &serde_json::Value) -> Expansion {
    run_with(include, permissions, Reference::default())
}

fn run_with(include: &str, permissions: &serde_json::Value, reference: Reference) -> Expansion {
    let Ok(Scope::Include(include)) = Scope::parse(include) else {
        panic!("{include} is not an include scope");
    };
    let entries: Vec<PermissionEntry> = permissions
        .as_array()
        .expect("permissions array")
        .iter()
        .map(|p| PermissionEntry::from_json(p).expect("permission object"))
        .collect();
    expand_with(&include, &include.nsid, &entries, reference)
}

/// Expands one case under `reference` against its `field`; returns a mismatch description.
fn check_with(case: &serde_json::Value, reference: Reference, field: &str) -> Option<String> {
    let include = case["include"].as_str().expect("include");
    let permissions = &case["permissions"];
    let expected: Vec<String> = serde_json::from_value(case[field].clone()).expect("expanded");
    let expansion = run_with(include, permissions, reference);
    let n = permissions.as_array().map_or(0, Vec::len);
    if expansion.granted.len() + expansion.dropped.len() != n {
        return Some(format!("{}: entries not all accounted for", case["vector"]));
    }
    let actual = expansion.granted_strings();
    (actual != expected).then(|| {
        format!(
            "{} {include} ({reference}): expected {expected:?}, got {actual:?}",
            case["vector"]
        )
    })
}

/// Expands one case measured with 0.5.12 under both references: they agree on these sets.
fn check(case: &serde_json::Value) -> Option<String> {
    check_with(case, Reference::Stable0512, "expanded")
        .or_else(|| check_with(case, Reference::PermissionedData, "expanded"))
}

#[test]
fn include_vectors() {
    let doc: serde_json::Value = serde_json::from_str(&fixture("include.json")).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 100);
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every dropped entry with its reason and message, as a readable snapshot (under 0.5.12, the
/// reference the vectors were measured with).
#[test]
fn include_drop_reasons() {
    let doc: serde_json::Value = serde_json::from_str(&fixture("include.json")).expect("json");
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for case in doc["cases"].as_array().expect("cases") {
        let include = case["include"].as_str().expect("include");
        let expansion = run_with(include, &case["permissions"], Reference::Stable0512);
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

#[test]
fn space_entry_vectors_under_both_references() {
    let doc: serde_json::Value =
        serde_json::from_str(&fixture("space-include.json")).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|case| {
            [
                check_with(case, Reference::PermissionedData, "expanded"),
                check_with(case, Reference::Stable0512, "expanded_0512"),
            ]
        })
        .flatten()
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Why each space entry is dropped (the reference drops silently): reason, blamed field and
/// message.
#[test]
fn space_entry_drop_reasons() {
    let doc: serde_json::Value =
        serde_json::from_str(&fixture("space-include.json")).expect("json");
    let expected: &[(&str, DropReason, Option<&str>, &str)] = &[
        ("wildcard type dropped", DropReason::WildcardInSet, Some("spaceType"), "`spaceType` is `*`; permission sets must name one space type; the entry is ignored"),
        ("outside namespace type dropped", DropReason::OutsideNamespace, Some("spaceType"), "`spaceType` value `other.app.board` is outside the namespace of `my.bulletin.permissions`; the whole entry is ignored"),
        ("sibling prefix type dropped", DropReason::OutsideNamespace, Some("spaceType"), "`spaceType` value `my.bulletinx.board` is outside the namespace of `my.bulletin.permissions`; the whole entry is ignored"),
        ("two-segment type dropped", DropReason::InvalidNsid, Some("spaceType"), "`spaceType` value `my.bulletin`"),
        ("missing spaceType dropped", DropReason::MissingField, None, "the entry has no `spaceType` field"),
        ("spaceType array dropped", DropReason::ExpectedSingleValue, Some("spaceType"), "`spaceType` takes a single value, not an array"),
        ("spaceType number dropped", DropReason::ExpectedString, Some("spaceType"), "`spaceType` values must be strings, found an integer"),
        ("spaceType invalid nsid dropped", DropReason::InvalidNsid, Some("spaceType"), "`spaceType` value `my.bulletin.*`: partial wildcards are not allowed"),
        ("description dropped", DropReason::UnknownField, Some("description"), "unknown field `description`; the reference ignores the whole entry"),
        ("did field dropped", DropReason::UnknownField, Some("did"), "unknown field `did`; the reference ignores the whole entry (hint: `did` is the old name of `authority`: rename it)"),
        ("aud field dropped", DropReason::UnknownField, Some("aud"), "unknown field `aud`"),
        ("inheritAud dropped", DropReason::UnknownField, Some("inheritAud"), "unknown field `inheritAud`"),
        ("collection string dropped", DropReason::ExpectedArray, Some("collection"), "`collection` must be an array of strings"),
        ("action string dropped", DropReason::ExpectedArray, Some("action"), "`action` must be an array of strings"),
        ("empty action dropped", DropReason::EmptyArray, Some("action"), "`action` must list at least one value"),
        ("empty collection dropped", DropReason::EmptyArray, Some("collection"), "`collection` must list at least one value"),
        ("empty manage dropped", DropReason::EmptyArray, Some("manage"), "`manage` must list at least one value"),
        ("invalid authority dropped", DropReason::InvalidValue, Some("authority"), "`authority` value `me`"),
        ("authority array dropped", DropReason::ExpectedSingleValue, Some("authority"), "`authority` takes a single value"),
        ("invalid skey dropped", DropReason::InvalidValue, Some("skey"), "`skey` value `..`"),
        ("invalid action dropped", DropReason::InvalidAction, Some("action"), "`action` value `manage`"),
        ("invalid manage dropped", DropReason::InvalidAction, Some("manage"), "`manage` value `read`"),
        ("collection number dropped", DropReason::ExpectedString, Some("collection"), "`collection` values must be strings"),
        ("invalid collection dropped", DropReason::InvalidNsid, Some("collection"), "`collection` value `not-an-nsid`"),
        ("Space resource case", DropReason::UnknownResource, Some("resource"), "unknown resource `Space`"),
    ];
    let cases = doc["cases"].as_array().expect("cases");
    for (vector, reason, field, text) in expected {
        let case = cases
            .iter()
            .find(|c| c["vector"] == *vector)
            .unwrap_or_else(|| panic!("no case {vector}"));
        let expansion = run(
            case["include"].as_str().expect("include"),
            &case["permissions"],
        );
        assert!(expansion.granted.is_empty(), "{vector}");
        let [dropped] = expansion.dropped.as_slice() else {
            panic!("{vector}: {:?}", expansion.dropped)
        };
        assert_eq!(dropped.reason, *reason, "{vector}: {dropped}");
        let fields = case["permissions"][0].as_object().expect("entry");
        let blamed = dropped
            .field_index
            .map(|i| fields.keys().nth(i).expect("field").as_str());
        assert_eq!(blamed, *field, "{vector}: {dropped}");
        assert!(dropped.to_string().starts_with(text), "{vector}: {dropped}");
    }
    // Under 0.5.12 a space entry is an unknown resource and `spaceType` an unknown field.
    for (vector, reason) in [
        ("bulletin sample", DropReason::UnknownResource),
        ("repo entry with spaceType", DropReason::UnknownField),
    ] {
        let case = cases.iter().find(|c| c["vector"] == vector).expect(vector);
        let include = case["include"].as_str().expect("include");
        let expansion = run_with(include, &case["permissions"], Reference::Stable0512);
        assert_eq!(expansion.dropped[0].reason, reason, "{vector}");
    }
}
