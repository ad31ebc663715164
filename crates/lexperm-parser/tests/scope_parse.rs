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

/// Every invalid vector with the error lexperm reports: kind, the text the range points at,
/// message and hint.
#[test]
fn invalid_scope_messages() {
    let text = fixture("parse.txt");
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[2] != "INVALID" {
            continue;
        }
        let input = cols[1];
        let Err(e) = Scope::parse(input) else {
            panic!("{input:?} should be invalid");
        };
        let at = input.get(e.range.clone()).unwrap_or("<bad range>");
        out.push_str(&format!(
            "{input:?}\n  {} at {:?} {at:?}: {}\n",
            e.kind.name(),
            e.range,
            e.message
        ));
        if let Some(hint) = &e.hint {
            out.push_str(&format!("  hint: {hint}\n"));
        }
    }
    insta::assert_snapshot!(out);
}

mod properties {
    use lexperm_parser::scope::{normalize_scope_string, Scope};
    use proptest::prelude::*;

    /// Scope-like strings: a real resource, then pieces drawn from the characters that matter to
    /// the tokenizer and the encoders.
    fn scope_like() -> impl Strategy<Value = String> {
        let resource = prop::sample::select(vec![
            "repo",
            "rpc",
            "blob",
            "account",
            "identity",
            "include",
            "atproto",
            "transition",
        ]);
        let piece = prop::sample::select(vec![
            "com.example.foo",
            "a.b.c",
            "*",
            "*/*",
            "image/*",
            "image/png",
            "Image/PNG",
            "text/html",
            "email",
            "repo",
            "status",
            "handle",
            "read",
            "manage",
            "create",
            "update",
            "delete",
            "did:web:example.com",
            "did:web:localhost%253A3000",
            "did:plc:l3rouwludahu3ui3bt66mfvj",
            "#svc",
            "%23svc",
            "%23a%2Bb",
            "%2B",
            "%25",
            "%",
            "+",
            " ",
            ":",
            "?",
            "&",
            "=",
            "#",
            "%41",
            "é",
            "%C3%A9",
            "collection=",
            "action=",
            "lxm=",
            "aud=",
            "accept=",
            "attr=",
            "nsid=",
        ]);
        (resource, prop::collection::vec(piece, 0..8)).prop_map(|(r, pieces)| {
            let mut s = r.to_owned();
            for p in pieces {
                s.push_str(p);
            }
            s
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The canonical form re-parses to an equal scope whose canonical form is itself.
        #[test]
        fn canonical_reparses(input in scope_like()) {
            if let Ok(scope) = Scope::parse(&input) {
                let canonical = scope.to_string();
                let again = Scope::parse(&canonical);
                prop_assert!(again.is_ok(), "{input:?} -> {canonical:?} does not re-parse: {again:?}");
                let again = again.unwrap();
                prop_assert_eq!(again.to_string(), canonical.clone());
                prop_assert_eq!(Scope::parse(&again.to_string()).ok(), Some(again));
            }
        }

        /// Arbitrary strings never panic the parser or the normalizer.
        #[test]
        fn never_panics(input in any::<String>()) {
            let _ = Scope::parse(&input);
            let _ = normalize_scope_string(&input);
        }

        /// Normalization is idempotent.
        #[test]
        fn normalize_idempotent(a in scope_like(), b in scope_like()) {
            let once = normalize_scope_string(&format!("{a} {b}"));
            prop_assert_eq!(normalize_scope_string(&once), once.clone());
        }
    }
}
