//! Fuzz target: scope parsing never panics, every canonical form re-parses to a stable form, and
//! the fast path `normalize_into` decides and writes exactly what `Scope::parse` + `Display` do.
#![no_main]

use lexperm_parser::scope::{normalize_into, normalize_scope_string, Scope, ScopeRequest, ScopeSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Scope::parse(input).ok().map(|s| s.to_string());
    let mut fast = String::from("prefix");
    let fast = normalize_into(input, &mut fast)
        .ok()
        .map(|()| fast["prefix".len()..].to_owned());
    assert_eq!(parsed, fast, "normalize_into agrees with Scope::parse");
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
