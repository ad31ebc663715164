//! Scope validity (`fixtures/scope/validity.txt`): values written for lexperm that cover the cases
//! of indigo's scope test data, each with the reference's verdict and canonical form.

use lexperm_parser::scope::Scope;

/// One row of the file: value, whether the reference accepts it, its canonical form when it does.
struct Row {
    value: String,
    valid: bool,
    canonical: Option<String>,
}

fn rows() -> Vec<Row> {
    let path = format!(
        "{}/../../fixtures/scope/validity.txt",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [verdict, value, canonical] = fields[..] else {
                panic!("{path}: expected verdict, value and canonical form: {line:?}");
            };
            let valid = match verdict {
                "valid" => true,
                "invalid" => false,
                other => panic!("{path}: unknown verdict {other:?}"),
            };
            Row {
                value: value.to_owned(),
                valid,
                canonical: valid.then(|| canonical.to_owned()),
            }
        })
        .collect()
}

/// One row: lexperm accepts exactly what the reference accepts, writes its canonical form, and
/// that form parses back to itself.
fn check(row: &Row) -> Option<String> {
    let value = &row.value;
    let parsed = Scope::parse(value);
    if parsed.is_ok() != row.valid {
        return Some(format!(
            "{value:?}: expected valid={}, got {parsed:?}",
            row.valid
        ));
    }
    let scope = parsed.ok()?;
    let canonical = scope.to_string();
    if Some(&canonical) != row.canonical.as_ref() {
        return Some(format!(
            "{value:?}: canonical {canonical:?}, reference {:?}",
            row.canonical
        ));
    }
    if Scope::parse(&canonical).map(|s| s.to_string()).as_deref() != Ok(canonical.as_str()) {
        return Some(format!("{value:?}: canonical {canonical:?} is not stable"));
    }
    None
}

#[test]
fn scope_validity_matches_the_reference() {
    let rows = rows();
    let valid = rows.iter().filter(|r| r.valid).count();
    let invalid = rows.len() - valid;
    assert!(
        valid > 30 && invalid > 60,
        "{valid} valid, {invalid} invalid"
    );
    let failures: Vec<String> = rows.iter().filter_map(check).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Values shaped like a scope of an unknown resource (a positional part, parameters, non-ASCII)
/// are not atproto scopes.
#[test]
fn generic_scopes_of_unknown_resources_are_invalid() {
    let rows = rows();
    let generic: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            let resource = r.value.split([':', '?']).next().unwrap_or("");
            !r.value.is_ascii() || ["resource", "widget", "scope"].contains(&resource)
        })
        .collect();
    assert!(generic.len() >= 4);
    for row in generic {
        assert!(!row.valid, "{}", row.value);
        assert!(Scope::parse(&row.value).is_err(), "{}", row.value);
    }
}
