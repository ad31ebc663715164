//! Permission checks (`fixtures/scope/check.txt`, permissions.md §6.3) and whole-string
//! normalization (`fixtures/scope/normalize.txt`, §6.2).

use lexperm_parser::scope::{normalize_scope_string, scope_needed_for, ScopeRequest, ScopeSet};

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/scope/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn rows(name: &str) -> Vec<Vec<String>> {
    fixture(name)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// One check: mode, granted, request, expected allowed, expected missing-scope string.
fn check(row: &[String]) -> Option<String> {
    let [vector, mode, granted, request, allowed, missing] = row else {
        return Some(format!("bad row {row:?}"));
    };
    let set = ScopeSet::parse(granted).with_transition(mode == "transition");
    let request = match ScopeRequest::parse(request) {
        Ok(r) => r,
        Err(e) => return Some(format!("#{vector}: {e}")),
    };
    let matched = set.allows(&request);
    let expected = allowed == "true";
    if matched.is_some() != expected {
        return Some(format!(
            "#{vector} {granted:?} {request:?}: expected {expected}, got {matched:?}"
        ));
    }
    if let Some(scope) = matched {
        // The matched scope must be one of the granted values.
        let canonical = scope.to_string();
        let granted_canonical: Vec<String> = set.scopes().iter().map(|s| s.to_string()).collect();
        if !granted_canonical.contains(&canonical) {
            return Some(format!("#{vector}: matched {canonical} is not granted"));
        }
    } else {
        let needed = scope_needed_for(&request);
        if &needed != missing {
            return Some(format!(
                "#{vector}: scope needed {needed:?}, reference says {missing:?}"
            ));
        }
    }
    None
}

#[test]
fn check_vectors() {
    let rows = rows("check.txt");
    assert!(rows.len() >= 60);
    let failures: Vec<String> = rows.iter().filter_map(|r| check(r)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn normalize_vectors() {
    let rows = rows("normalize.txt");
    assert!(rows.len() >= 2);
    for row in rows {
        let [vector, input, expected] = &row[..] else {
            panic!("bad row {row:?}");
        };
        assert_eq!(&normalize_scope_string(input), expected, "#{vector}");
    }
}
