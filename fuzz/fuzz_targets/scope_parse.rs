//! Fuzz target: scope parsing never panics; under both references the fast path
//! `normalize_into_with` accepts exactly what `Scope::parse_with` accepts and writes exactly its
//! `Display` form (leaving the buffer as it was on a rejection, with the same error); every
//! canonical form re-parses to an equivalent scope whose own canonical form is a fixed point.
#![no_main]

use lexperm_parser::scope::{
    normalize_into, normalize_into_with, normalize_scope_string_with, Reference, Scope,
    ScopeRequest, ScopeSet,
};
use libfuzzer_sys::fuzz_target;

const KEPT: &str = "kept ";

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for reference in Reference::ALL {
        let parsed = Scope::parse_with(input, reference);
        let mut out = String::from(KEPT);
        let fast = match normalize_into_with(input, &mut out, reference) {
            Ok(()) => Some(out[KEPT.len()..].to_owned()),
            Err(rejection) => {
                assert_eq!(out, KEPT, "the buffer is left as it was on a rejection");
                assert_eq!(rejection.input(), input);
                assert_eq!(
                    parsed.as_ref().err(),
                    Some(&rejection.error()),
                    "normalize_into_with rejects with the error of Scope::parse_with ({})",
                    reference.name()
                );
                None
            }
        };
        let canonical = parsed.as_ref().ok().map(|scope| scope.to_string());
        assert_eq!(
            canonical,
            fast,
            "normalize_into_with writes Scope::parse_with + Display ({})",
            reference.name()
        );
        if let Ok(scope) = &parsed {
            // The canonical form re-parses to an equivalent scope; it need not be a fixed point
            // (duplicates keep the query form, docs/divergences.md), but its own form is.
            let again =
                Scope::parse_with(&scope.to_string(), reference).expect("canonical form re-parses");
            assert!(again.is_equivalent(scope), "canonical form is equivalent");
            let second = again.to_string();
            let third = Scope::parse_with(&second, reference)
                .expect("second canonical form re-parses")
                .to_string();
            assert_eq!(second, third, "the second canonical form is a fixed point");
        }
        let _ = normalize_scope_string_with(input, reference);
    }
    // The default entry point is the permissioned-data reference.
    let mut out = String::new();
    let default = normalize_into(input, &mut out).ok().map(|()| out);
    let permissioned = Scope::parse_with(input, Reference::PermissionedData)
        .ok()
        .map(|scope| scope.to_string());
    assert_eq!(
        default, permissioned,
        "normalize_into follows the default reference"
    );

    let set = ScopeSet::parse(input).with_transition(true);
    if let Ok(request) = ScopeRequest::parse(input) {
        let _ = set.allows(&request);
        let _ = request.scope_needed();
    }
});
