//! Scope value canonicalization vectors (`fixtures/scope/parse.txt`, permissions.md §6.1).

use lexperm_parser::scope::Scope;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../fixtures/scope/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// One row: input, reference output, optional lexperm output. Returns a mismatch description.
fn check(vector: &str, input: &str, reference: &str, lexperm: Option<&str>) -> Option<String> {
    let expected = lexperm.unwrap_or(reference);
    let actual = match Scope::parse(input) {
        Ok(scope) => scope.to_string(),
        Err(_) => "INVALID".to_owned(),
    };
    if actual != expected {
        return Some(format!(
            "#{vector} {input:?}: expected {expected:?}, got {actual:?}"
        ));
    }
    if let Some(divergent) = lexperm {
        // A deliberate divergence must re-parse to itself, and the reference output must not.
        let reparsed = Scope::parse(divergent).map(|s| s.to_string());
        if reparsed.as_deref() != Ok(divergent) {
            return Some(format!(
                "#{vector} {input:?}: lexperm form {divergent:?} does not re-parse to itself"
            ));
        }
        let reference_reparsed = Scope::parse(reference).map(|s| s.to_string()).ok();
        if reference_reparsed.as_deref() == Some(reference) {
            return Some(format!(
                "#{vector} {input:?}: listed as divergent but the reference form is stable"
            ));
        }
    }
    None
}

#[test]
fn parse_vectors() {
    let text = fixture("parse.txt");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() == 3 || cols.len() == 4,
            "bad fixture line {line:?}"
        );
        n += 1;
        if let Some(f) = check(cols[0], cols[1], cols[2], cols.get(3).copied()) {
            failures.push(f);
        }
    }
    assert!(n >= 195, "only {n} vectors");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
