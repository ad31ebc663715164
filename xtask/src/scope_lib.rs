//! lexperm's side of the checks that go through the library rather than the binary.

use lexperm_parser::scope::{
    normalize_scope_string, AccountAction, AccountAttr, IdentityAttr, RepoAction, Scope, ScopeSet,
};

use crate::generate::{AllowsCase, Request};

/// lexperm's decision for one generated permission check. The generator only produces actions and
/// attributes from the reference's enumerations, so they always map onto the library's types.
pub fn allows(case: &AllowsCase) -> Result<bool, String> {
    let set = ScopeSet::parse(&case.granted).with_transition(case.transition);
    let unknown = |what: &str, v: &str| format!("generator produced an unknown {what} `{v}`");
    let granted = match &case.request {
        Request::Repo { collection, action } => {
            let action =
                RepoAction::from_name(action).ok_or_else(|| unknown("repo action", action))?;
            set.allows_repo(collection, action)
        }
        Request::Rpc { lxm, aud } => set.allows_rpc(lxm, aud),
        Request::Blob { mime } => set.allows_blob(mime),
        Request::Account { attr, action } => {
            let attr = AccountAttr::from_name(attr).ok_or_else(|| unknown("account attr", attr))?;
            let action = AccountAction::from_name(action)
                .ok_or_else(|| unknown("account action", action))?;
            set.allows_account(attr, action)
        }
        Request::Identity { attr } => {
            let attr =
                IdentityAttr::from_name(attr).ok_or_else(|| unknown("identity attr", attr))?;
            set.allows_identity(attr)
        }
    };
    Ok(granted.is_some())
}

/// Normalizes every input (parse + canonical `Display`, the work of
/// `normalizeAtprotoOauthScopeValue`) and returns how many were valid.
pub fn normalize_count_valid(inputs: &[String]) -> usize {
    let mut valid = 0;
    for input in inputs {
        if let Ok(scope) = Scope::parse(input) {
            // The benchmark measures parse + canonical form, so the string must really be built.
            std::hint::black_box(scope.to_string());
            valid += 1;
        }
    }
    valid
}

/// Whether lexperm accepts `input` as one scope value.
pub fn is_valid(input: &str) -> bool {
    Scope::parse(input).is_ok()
}

/// lexperm's whole-string normalization (`normalizeAtprotoOauthScope`).
pub fn normalize_set(scope: &str) -> String {
    normalize_scope_string(scope)
}
