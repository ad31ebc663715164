//! lexperm's side of the checks that go through the library rather than the binary.

use lexperm_parser::scope::{
    normalize_into, normalize_scope_string, scope_needed_for, AccountAction, AccountAttr,
    IdentityAttr, RepoAction, Scope, ScopeRequest, ScopeSet, SpaceManageOp, SpaceOp,
};

use crate::generate::{self, AllowsCase, Request};

/// The library's request for a generated one. The generator only produces actions and attributes
/// from the reference's enumerations, so they always map onto the library's types.
fn to_request(request: &Request) -> Result<ScopeRequest, String> {
    let unknown = |what: &str, v: &str| format!("generator produced an unknown {what} `{v}`");
    Ok(match request {
        Request::Repo { collection, action } => ScopeRequest::Repo {
            collection: collection.clone(),
            action: RepoAction::from_name(action).ok_or_else(|| unknown("repo action", action))?,
        },
        Request::Rpc { lxm, aud } => ScopeRequest::Rpc {
            lxm: lxm.clone(),
            aud: aud.clone(),
        },
        Request::Blob { mime } => ScopeRequest::Blob { mime: mime.clone() },
        Request::Account { attr, action } => ScopeRequest::Account {
            attr: AccountAttr::from_name(attr).ok_or_else(|| unknown("account attr", attr))?,
            action: AccountAction::from_name(action)
                .ok_or_else(|| unknown("account action", action))?,
        },
        Request::Identity { attr } => ScopeRequest::Identity {
            attr: IdentityAttr::from_name(attr).ok_or_else(|| unknown("identity attr", attr))?,
        },
        Request::Space(r) => ScopeRequest::Space {
            space_type: r.space_type.clone(),
            authority: r.authority.clone(),
            skey: r.skey.clone(),
            op: match &r.op {
                generate::SpaceOp::Read => SpaceOp::Read,
                generate::SpaceOp::ReadSelf => SpaceOp::ReadSelf,
                generate::SpaceOp::Write { action, collection } => SpaceOp::Write {
                    action: RepoAction::from_name(action)
                        .ok_or_else(|| unknown("space write action", action))?,
                    collection: collection.clone(),
                },
                generate::SpaceOp::Manage(m) => SpaceOp::Manage(
                    SpaceManageOp::from_name(m).ok_or_else(|| unknown("space manage op", m))?,
                ),
            },
        },
    })
}

/// lexperm's answer for one generated permission check: whether it is granted (through the typed
/// `allows_*` methods, as a resource server calls them) and the scope a missing-scope error names.
pub fn allows(case: &AllowsCase) -> Result<(bool, String), String> {
    let set = ScopeSet::parse(&case.granted).with_transition(case.transition);
    let request = to_request(&case.request)?;
    let granted = match &request {
        ScopeRequest::Repo { collection, action } => set.allows_repo(collection, *action),
        ScopeRequest::Rpc { lxm, aud } => set.allows_rpc(lxm, aud),
        ScopeRequest::Blob { mime } => set.allows_blob(mime),
        ScopeRequest::Account { attr, action } => set.allows_account(*attr, *action),
        ScopeRequest::Identity { attr } => set.allows_identity(*attr),
        ScopeRequest::Space {
            space_type,
            authority,
            skey,
            op,
        } => set.allows_space(space_type, authority, skey, op),
    };
    Ok((granted.is_some(), scope_needed_for(&request)))
}

/// Normalizes every input (parse + canonical `Display`, the work of
/// `normalizeAtprotoOauthScopeValue`) and returns how many were valid.
pub fn normalize_count_valid(inputs: &[&str]) -> usize {
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

/// Normalizes every input through `normalize_into` with one reused buffer (the fast path of
/// `lexperm scope normalize`) and returns how many were valid.
pub fn normalize_into_count_valid(inputs: &[&str]) -> usize {
    let mut valid = 0;
    let mut out = String::with_capacity(256);
    for input in inputs {
        out.clear();
        if normalize_into(input, &mut out).is_ok() {
            valid += 1;
        }
        std::hint::black_box(&out);
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

/// For a line lexperm accepts (one scope value, or several separated by spaces): the
/// [`Scope::equivalence_key`] of each value, sorted; `None` when a value is invalid. Two lines
/// with equal keys parse to the same scopes.
pub fn equivalence_keys(line: &str) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    for value in line.split(' ') {
        keys.push(Scope::parse(value).ok()?.equivalence_key());
    }
    keys.sort();
    Some(keys)
}
