//! Whole scope strings: normalization and permission checks (`ScopePermissions`,
//! `ScopePermissionsTransition`).

use std::collections::HashSet;

use super::{
    js_cmp, normalize_into_with, AccountAction, AccountAttr, IdentityAttr, Reference, RepoAction,
    Scope, ScopeRequest, SpaceOp, StaticScope,
};

/// `normalizeAtprotoOauthScope`: splits on single spaces, canonicalizes each value, drops invalid,
/// unknown and empty values, sorts (JavaScript order) and joins with one space. Duplicates are
/// kept.
pub fn normalize_scope_string(scope: &str) -> String {
    normalize_scope_string_with(scope, Reference::default())
}

/// [`normalize_scope_string`] following `reference`.
pub fn normalize_scope_string_with(scope: &str, reference: Reference) -> String {
    let mut buf = String::with_capacity(scope.len() + 16);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    for value in scope.split(' ') {
        let start = buf.len();
        if normalize_into_with(value, &mut buf, reference).is_ok() {
            ranges.push(start..buf.len());
        }
    }
    ranges.sort_by(|a, b| js_cmp(&buf[a.clone()], &buf[b.clone()]));
    let mut out = String::with_capacity(buf.len() + ranges.len());
    for (i, r) in ranges.into_iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&buf[r]);
    }
    out
}

/// The minimal scope string that grants `request`, as printed by the reference in
/// `ScopeMissingError` (`Missing required scope "<this>"`).
pub fn scope_needed_for(request: &ScopeRequest) -> String {
    request.scope_needed()
}

/// The granted scopes of a token, parsed once, checked without allocating.
///
/// Built from a space-separated scope string like `ScopePermissions`: values are split on single
/// spaces, exact duplicates collapse, values that are not valid atproto scopes are ignored (see
/// [`ScopeSet::ignored`]). Every `allows_*` returns the first granted scope (in string order) that
/// matches, or `None`.
///
/// With [`ScopeSet::with_transition`] the checks follow `ScopePermissionsTransition` (what the
/// reference PDS uses): `transition:generic` grants every repo write, every blob, and every rpc
/// method not under `chat.bsky.`; `transition:chat.bsky` grants `chat.bsky.*` methods;
/// `transition:email` grants reading the email. The transition scope is then the one returned.
/// No transition scope grants access to a space.
#[derive(Debug, Clone, Default)]
pub struct ScopeSet {
    scopes: Vec<Scope>,
    ignored: Vec<String>,
    transition: bool,
    generic: Option<usize>,
    chat: Option<usize>,
    email: Option<usize>,
}

impl ScopeSet {
    /// Parses a space-separated scope string (`ScopePermissions` mode, no transition scopes),
    /// following the default [`Reference`].
    pub fn parse(scope: &str) -> ScopeSet {
        ScopeSet::parse_with(scope, Reference::default())
    }

    /// [`ScopeSet::parse`] following `reference` (with [`Reference::Stable0512`], `space:`
    /// values are ignored as unknown).
    pub fn parse_with(scope: &str, reference: Reference) -> ScopeSet {
        let mut set = ScopeSet::default();
        if scope.is_empty() {
            return set;
        }
        let mut seen: HashSet<&str> = HashSet::new();
        for value in scope.split(' ') {
            if !seen.insert(value) {
                continue;
            }
            match Scope::parse_with(value, reference) {
                Ok(parsed) => set.push(parsed),
                Err(_) => set.ignored.push(value.to_owned()),
            }
        }
        set
    }

    /// A set of scopes already parsed (`ScopePermissions` mode): equal scopes collapse, the
    /// first kept; the order is kept otherwise.
    ///
    /// ```
    /// use lexperm_parser::scope::{RepoAction, Scope, ScopeSet};
    ///
    /// let scopes = ["repo:com.example.a", "repo:com.example.a"].map(|s| Scope::parse(s).unwrap());
    /// let set = ScopeSet::from_scopes(scopes);
    /// assert_eq!(set.scopes().len(), 1);
    /// assert!(set.allows_repo("com.example.a", RepoAction::Delete).is_some());
    /// ```
    pub fn from_scopes(scopes: impl IntoIterator<Item = Scope>) -> ScopeSet {
        let mut set = ScopeSet::default();
        let mut seen = std::collections::HashSet::new();
        for scope in scopes {
            if seen.insert(scope.clone()) {
                set.push(scope);
            }
        }
        set
    }

    /// Appends `scope`, noting where a transition scope is.
    fn push(&mut self, scope: Scope) {
        let index = self.scopes.len();
        match scope {
            Scope::Static(StaticScope::TransitionGeneric) => self.generic = Some(index),
            Scope::Static(StaticScope::TransitionChatBsky) => self.chat = Some(index),
            Scope::Static(StaticScope::TransitionEmail) => self.email = Some(index),
            _ => {}
        }
        self.scopes.push(scope);
    }

    /// Turns the transition mode (`ScopePermissionsTransition`) on or off.
    pub fn with_transition(mut self, transition: bool) -> ScopeSet {
        self.transition = transition;
        self
    }

    /// True in transition mode.
    pub fn is_transition(&self) -> bool {
        self.transition
    }

    /// The valid scopes, de-duplicated by exact string, in string order.
    pub fn scopes(&self) -> &[Scope] {
        &self.scopes
    }

    /// Values that were ignored because they are not valid atproto scopes (including `""` from
    /// doubled spaces).
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// True when `atproto` was granted.
    pub fn has_atproto(&self) -> bool {
        self.scopes.contains(&Scope::Static(StaticScope::Atproto))
    }

    fn transition_scope(&self, index: Option<usize>) -> Option<&Scope> {
        if !self.transition {
            return None;
        }
        index.and_then(|i| self.scopes.get(i))
    }

    /// The scope granting a write of `action` to `collection`.
    pub fn allows_repo(&self, collection: &str, action: RepoAction) -> Option<&Scope> {
        if let Some(s) = self.transition_scope(self.generic) {
            return Some(s);
        }
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Repo(r) if r.matches(collection, action)))
    }

    /// The scope granting a call of `lxm` at `aud` (`did#service` form).
    pub fn allows_rpc(&self, lxm: &str, aud: &str) -> Option<&Scope> {
        let chat = lxm.starts_with("chat.bsky.");
        if let Some(s) = self.transition_scope(self.generic) {
            if lxm == "*" || !chat {
                return Some(s);
            }
        }
        if let Some(s) = self.transition_scope(self.chat) {
            if chat {
                return Some(s);
            }
        }
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Rpc(r) if r.matches(lxm, aud)))
    }

    /// The scope granting an upload of `mime` (a concrete `type/subtype`).
    pub fn allows_blob(&self, mime: &str) -> Option<&Scope> {
        if let Some(s) = self.transition_scope(self.generic) {
            return Some(s);
        }
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Blob(b) if b.matches(mime)))
    }

    /// The scope granting `action` on the account attribute `attr`.
    pub fn allows_account(&self, attr: AccountAttr, action: AccountAction) -> Option<&Scope> {
        if attr == AccountAttr::Email && action == AccountAction::Read {
            if let Some(s) = self.transition_scope(self.email) {
                return Some(s);
            }
        }
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Account(a) if a.matches(attr, action)))
    }

    /// The scope granting control of the identity attribute `attr`.
    pub fn allows_identity(&self, attr: IdentityAttr) -> Option<&Scope> {
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Identity(i) if i.matches(attr)))
    }

    /// The scope granting `op` in the space `(space_type, authority, skey)`; `authority` is the
    /// space owner's DID (a granted `authority=self` matches nothing). `read` grants
    /// `read_self`; transition scopes grant nothing here.
    pub fn allows_space(
        &self,
        space_type: &str,
        authority: &str,
        skey: &str,
        op: &SpaceOp,
    ) -> Option<&Scope> {
        self.scopes
            .iter()
            .find(|s| matches!(s, Scope::Space(g) if g.matches(space_type, authority, skey, op)))
    }

    /// Dispatches `request` to the matching `allows_*`.
    pub fn allows(&self, request: &ScopeRequest) -> Option<&Scope> {
        match request {
            ScopeRequest::Repo { collection, action } => self.allows_repo(collection, *action),
            ScopeRequest::Rpc { lxm, aud } => self.allows_rpc(lxm, aud),
            ScopeRequest::Blob { mime } => self.allows_blob(mime),
            ScopeRequest::Account { attr, action } => self.allows_account(*attr, *action),
            ScopeRequest::Identity { attr } => self.allows_identity(*attr),
            ScopeRequest::Space {
                space_type,
                authority,
                skey,
                op,
            } => self.allows_space(space_type, authority, skey, op),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// 40,000 distinct values: comparing each with every value before it took seconds.
    #[test]
    fn many_distinct_values_take_near_linear_time() {
        let values: Vec<String> = (0..40_000)
            .map(|i| format!("repo:com.example.c{i}"))
            .collect();
        let scope = format!("{} {}", values.join(" "), values[7]);
        let start = Instant::now();
        let set = ScopeSet::parse(&scope);
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        assert_eq!(set.scopes().len(), 40_000, "the repeated value collapses");
        assert!(set
            .allows_repo("com.example.c39999", RepoAction::Create)
            .is_some());
    }
}
