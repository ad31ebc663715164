//! Former conformance failures (`fixtures/scope/conformance-regressions.txt`) with their expected
//! answers.

use lexperm_parser::scope::{normalize_into, Scope};

/// One row. Returns a mismatch description.
fn check(input: &str, reference: &str, lexperm: &str, relation: &str) -> Option<String> {
    let parsed = Scope::parse(input).ok();
    let actual = parsed
        .as_ref()
        .map_or_else(|| "INVALID".to_owned(), Scope::to_string);
    if actual != lexperm {
        return Some(format!("{input:?}: expected {lexperm:?}, got {actual:?}"));
    }
    let mut fast = String::new();
    let fast = match normalize_into(input, &mut fast) {
        Ok(()) => fast,
        Err(_) => "INVALID".to_owned(),
    };
    if fast != lexperm {
        return Some(format!("{input:?}: normalize_into gives {fast:?}"));
    }
    let Some(parsed) = parsed else {
        return (reference != "INVALID")
            .then(|| format!("{input:?}: the reference accepts it, lexperm does not"));
    };
    match Scope::parse(lexperm) {
        Ok(again) if again.is_equivalent(&parsed) => {}
        _ => {
            return Some(format!(
                "{input:?}: {lexperm:?} does not re-parse to an equal scope"
            ))
        }
    }
    // How the reference's form behaves when read again (lexperm decodes like the reference).
    let reference_again = Scope::parse(reference).ok();
    let ok = match relation {
        "same" => reference == lexperm,
        "not-fixed-point" => {
            reference != lexperm
                && reference_again.map(|s| s.to_string()).as_deref() != Some(reference)
        }
        "lossy-reference" => {
            reference != lexperm && !reference_again.is_some_and(|s| s.is_equivalent(&parsed))
        }
        other => return Some(format!("{input:?}: unknown relation {other:?}")),
    };
    (!ok).then(|| format!("{input:?}: relation {relation:?} does not hold for {reference:?}"))
}

#[test]
fn conformance_regressions() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/scope/conformance-regressions.txt"
    );
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "bad fixture line {line:?}");
        n += 1;
        failures.extend(check(cols[0], cols[1], cols[2], cols[3]));
    }
    assert!(n >= 90, "{n} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
