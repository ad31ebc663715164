//! Fuzz target: scope parsing never panics, and every canonical form re-parses to a stable form.
#![no_main]

use lexperm_parser::scope::{normalize_scope_string, Scope, ScopeRequest, ScopeSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scope) = Scope::parse(input) {
        let canonical = scope.to_string();
        let again = Scope::parse(&canonical).expect("canonical form re-parses");
        let second = again.to_string();
        let third = Scope::parse(&second).expect("second canonical form re-parses").to_string();
        assert_eq!(second, third, "canonical form is stable");
    }
    let _ = normalize_scope_string(input);
    let set = ScopeSet::parse(input).with_transition(true);
    if let Ok(request) = ScopeRequest::parse(input) {
        let _ = set.allows(&request);
        let _ = request.scope_needed();
    }
});
