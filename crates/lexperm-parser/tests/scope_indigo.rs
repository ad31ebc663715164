//! indigo's scope test data (`fixtures/scope/indigo/`), asserted with the reference behaviour.

use lexperm_parser::scope::Scope;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/scope/indigo/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// Scopes indigo rejects but the reference accepts (docs/divergences.md): `account:status`.
const REFERENCE_DIFFERS: &[&str] = &["account:status?action=manage", "account:status"];

fn values(name: &str) -> Vec<String> {
    fixture(name)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One value: valid per indigo unless listed in `REFERENCE_DIFFERS`.
fn check(value: &str, indigo_valid: bool) -> Option<String> {
    let expected = indigo_valid != REFERENCE_DIFFERS.contains(&value);
    let parsed = Scope::parse(value);
    if parsed.is_ok() != expected {
        return Some(format!(
            "{value:?}: expected valid={expected}, got {parsed:?}"
        ));
    }
    if let Ok(scope) = parsed {
        let canonical = scope.to_string();
        if Scope::parse(&canonical).map(|s| s.to_string()).as_deref() != Ok(canonical.as_str()) {
            return Some(format!("{value:?}: canonical {canonical:?} is not stable"));
        }
    }
    None
}

#[test]
fn indigo_permission_scopes() {
    let valid = values("permission_scopes_valid.txt");
    let invalid = values("permission_scopes_invalid.txt");
    assert!(valid.len() > 30 && invalid.len() > 60);
    let mut failures: Vec<String> = valid.iter().filter_map(|v| check(v, true)).collect();
    failures.extend(invalid.iter().filter_map(|v| check(v, false)));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn indigo_generic_invalid_are_not_scopes() {
    for value in values("generic_scopes_invalid.txt") {
        assert!(Scope::parse(&value).is_err(), "{value}");
    }
}
