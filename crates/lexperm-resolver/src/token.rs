//! From a client's requested scope to the access token's scope, like the reference
//! authorization server (`@atproto/oauth-provider` `RequestManager.validate` +
//! `LexiconManager.buildTokenScope`, permissions.md §1.4 and §4), and checks of requests against
//! the result with provenance.
//!
//! 1. The requested string is split on `' '`, exact duplicates are removed (first kept) and every
//!    value that is not an atproto scope is dropped silently.
//! 2. Errors (the request fails with `invalid_scope`): `atproto` absent; `openid` present; an
//!    `include:` whose NSID is not a permission set in the catalog.
//! 3. Token scope: every `include:` value replaced by its expansion, all expansions first in
//!    request order, then the other values in their original order. No dedupe, no sort. When the
//!    request has no `include:` the accepted string is the token scope as-is.
//! 4. Issuance (`buildTokenScope`'s space steps): every `space:` value with a concrete type and no
//!    `collection` gets the space type declaration's `collections` (unchanged when the declaration
//!    lists none); the request fails when that declaration is not in the catalog or is not a
//!    `space`. Then every `space:` value with `authority=self` gets the user's DID, when one is
//!    given ([`Catalog::token_scope_for_user`]); without one such values stay as requested and
//!    match nothing. A rewritten value is printed canonically.
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::Catalog;
//!
//! let set = r#"{"lexicon": 1, "id": "com.example.authPost", "defs": {"main": {
//!   "type": "permission-set", "permissions": [
//!     {"type": "permission", "resource": "repo", "collection": ["com.example.post"]}]}}}"#;
//! let (catalog, _) = Catalog::load([(FileId(0), "authPost.json", set)]);
//! let token = catalog.token_scope("atproto include:com.example.authPost bogus account:email");
//! assert_eq!(
//!     token.token_scope().as_deref(),
//!     Some("repo:com.example.post atproto account:email")
//! );
//! ```

use lexperm_parser::scope::{Reference, Scope, ScopeRequest, ScopeSet, StaticScope};

use lexperm_parser::lexicon::SpaceSchema;
use lexperm_parser::scope::include::DropReason;
use lexperm_parser::scope::{NsidPattern, SpaceAuthority, SpaceScope};
use lexperm_parser::syntax::DidServiceRef;

use crate::catalog::{Catalog, SpaceDeclError};
use crate::expand::{DroppedEntry, ExpandError};
use crate::source::{LexiconSource, ResolveError};
use crate::Resolved;

/// Where a token scope value came from: the `include:` and the set entry that granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The `include:` value as requested.
    pub include: String,
    /// The permission set's NSID.
    pub set: String,
    /// Index of the entry in the set's `permissions`.
    pub entry_index: usize,
}

/// One value of the token scope.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenValue {
    /// The value as it appears in the token scope.
    pub value: String,
    /// The value parsed (every value is a valid scope: invalid ones were dropped).
    pub scope: Scope,
    /// The set entry it came from; `None` for values requested directly.
    pub provenance: Option<Provenance>,
    /// The value before issuance rewrote it (a `space:` value given its type's declared
    /// collections or the user's DID); `None` when it is unchanged.
    pub requested_as: Option<String>,
}

impl TokenValue {
    /// True for a `space:` value whose authority is still `self`: it matches nothing until the
    /// authorization server puts the user's DID in.
    pub fn has_unresolved_self(&self) -> bool {
        matches!(&self.scope, Scope::Space(s) if s.authority == SpaceAuthority::SelfUser)
    }
}

/// What one `include:` of the request contributed to the token scope.
#[derive(Debug, Clone, PartialEq)]
pub struct IncludeOutcome {
    /// The `include:` value as requested.
    pub include: String,
    /// The permission set's NSID.
    pub set: String,
    /// Whether the `include:` carries an `aud`.
    pub has_aud: bool,
    /// The granted scopes, canonical, in entry order.
    pub granted: Vec<String>,
    /// The entries the expansion dropped (the reference drops them silently).
    pub dropped: Vec<DroppedEntry>,
}

impl IncludeOutcome {
    /// Whether an entry was dropped only because the `include:` has no `aud`.
    pub fn needs_aud(&self) -> bool {
        !self.has_aud
            && self
                .dropped
                .iter()
                .any(|d| d.reason == DropReason::InheritAudWithoutIncludeAud)
    }
}

/// An `include:` of the request without an `aud` that would allow a denied request if it had
/// one: see [`Catalog::missing_audience`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingAudience {
    /// The `include:` value as requested.
    pub include: String,
    /// The same `include:` with the request's audience: what the client should request.
    pub with_aud: String,
    /// The entry that would grant the request.
    pub entry_index: usize,
}

/// Why the authorization server would refuse the request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenScopeError {
    /// The request lacks `atproto`.
    #[error("the \"atproto\" scope is required")]
    MissingAtproto,
    /// The request has `openid`.
    #[error("OpenID Connect (\"openid\") is not compatible with atproto")]
    OpenId,
    /// An `include:` cannot be resolved to a permission set.
    #[error("{include}: {error}")]
    Include {
        /// The `include:` value as requested.
        include: String,
        /// Why.
        error: ExpandError,
    },
    /// A bare `space:` value names a type whose declaration cannot be resolved, so its
    /// collections cannot be filled in.
    #[error("{value}: {error}; the authorization server refuses to issue a token without the declaration")]
    SpaceDeclaration {
        /// The `space:` value as it stood in the token scope.
        value: String,
        /// Why the declaration is missing.
        error: SpaceDeclError,
    },
}

impl TokenScopeError {
    /// Stable kebab-case code: `missing-atproto`, `openid`, or the [`ExpandError::code`].
    pub fn code(&self) -> &'static str {
        match self {
            TokenScopeError::MissingAtproto => "missing-atproto",
            TokenScopeError::OpenId => "openid",
            TokenScopeError::Include { error, .. } => error.code(),
            TokenScopeError::SpaceDeclaration { error, .. } => error.code(),
        }
    }
}

/// The result of [`Catalog::token_scope`].
#[derive(Debug, Clone, PartialEq)]
pub struct TokenScope {
    /// The requested scope string.
    pub requested: String,
    /// The distinct atproto values kept from the request, in order (the AS's `parameters.scope`).
    pub accepted: Vec<String>,
    /// Requested values dropped because they are not atproto scopes (including `""`), distinct,
    /// in order. The reference drops them silently.
    pub ignored: Vec<String>,
    /// The token scope's values, in order.
    pub values: Vec<TokenValue>,
    /// Why the request would be refused; empty when a token would be issued. The reference stops
    /// at the first error; every error is listed here.
    pub errors: Vec<TokenScopeError>,
    /// What each distinct `include:` that names a permission set of the catalog granted and
    /// dropped, in request order.
    pub includes: Vec<IncludeOutcome>,
    /// The reference the values were read with (the catalog's).
    pub reference: Reference,
    /// The user DID `authority=self` was resolved to, when one was given.
    pub user_did: Option<String>,
}

impl TokenScope {
    /// The access token's `scope` string, or `None` when the request would be refused.
    pub fn token_scope(&self) -> Option<String> {
        if !self.errors.is_empty() {
            return None;
        }
        let values: Vec<&str> = self.values.iter().map(|v| v.value.as_str()).collect();
        Some(values.join(" "))
    }

    /// The `space:` values still naming `authority=self` (no user DID was given).
    pub fn unresolved_self(&self) -> impl Iterator<Item = &TokenValue> {
        self.values.iter().filter(|v| v.has_unresolved_self())
    }

    /// A checker for requests against the token scope. With `transition`, transition scopes
    /// grant like the reference PDS (`ScopePermissionsTransition`).
    pub fn checker(&self, transition: bool) -> TokenChecker<'_> {
        let joined: Vec<&str> = self.values.iter().map(|v| v.value.as_str()).collect();
        let set =
            ScopeSet::parse_with(&joined.join(" "), self.reference).with_transition(transition);
        // `ScopeSet` keeps the first of equal strings and skips invalid ones; map its scopes
        // back to token values the same way.
        let mut seen: Vec<&str> = Vec::new();
        let mut positions = Vec::with_capacity(set.scopes().len());
        for (index, value) in self.values.iter().enumerate() {
            if seen.contains(&value.value.as_str()) {
                continue;
            }
            seen.push(&value.value);
            if Scope::parse_with(&value.value, self.reference).is_ok() {
                positions.push(index);
            }
        }
        TokenChecker {
            token: self,
            set,
            positions,
        }
    }
}

/// Checks requests against a [`TokenScope`]; see [`TokenScope::checker`].
#[derive(Debug, Clone)]
pub struct TokenChecker<'t> {
    token: &'t TokenScope,
    set: ScopeSet,
    /// Index in `token.values` of each of `set.scopes()`.
    positions: Vec<usize>,
}

impl<'t> TokenChecker<'t> {
    /// The first token value that allows `request` (like the reference `allows*`), with its
    /// provenance, or `None` when the request is denied.
    pub fn check(&self, request: &ScopeRequest) -> Option<&'t TokenValue> {
        let scope = self.set.allows(request)?;
        let index = self
            .set
            .scopes()
            .iter()
            .position(|s| std::ptr::eq(s, scope))?;
        self.positions
            .get(index)
            .and_then(|&i| self.token.values.get(i))
    }
}

impl Catalog {
    /// Builds the token scope for a client's requested scope string without a user, so
    /// `authority=self` stays unresolved; see the [module docs](crate::token).
    pub fn token_scope(&self, requested: &str) -> TokenScope {
        self.token_scope_for_user(requested, None)
    }

    /// Builds the token scope the authorization server issues to the user `user_did` (a DID,
    /// checked by the caller) for a client's requested scope string.
    pub fn token_scope_for_user(&self, requested: &str, user_did: Option<&str>) -> TokenScope {
        let mut distinct: Vec<&str> = Vec::new();
        for value in requested.split(' ') {
            if !distinct.contains(&value) {
                distinct.push(value);
            }
        }
        let mut accepted = Vec::new();
        let mut ignored = Vec::new();
        let mut includes = Vec::new();
        let mut others = Vec::new();
        for value in &distinct {
            match Scope::parse_with(value, self.reference()) {
                Ok(Scope::Include(include)) => {
                    accepted.push((*value).to_owned());
                    includes.push(((*value).to_owned(), include));
                }
                Ok(scope) => {
                    accepted.push((*value).to_owned());
                    others.push(TokenValue {
                        value: (*value).to_owned(),
                        scope,
                        provenance: None,
                        requested_as: None,
                    });
                }
                Err(_) => ignored.push((*value).to_owned()),
            }
        }
        let mut errors = Vec::new();
        if !distinct.contains(&StaticScope::Atproto.as_str()) {
            errors.push(TokenScopeError::MissingAtproto);
        } else if distinct.contains(&"openid") {
            errors.push(TokenScopeError::OpenId);
        }
        let mut values = Vec::new();
        let mut outcomes = Vec::new();
        for (value, include) in &includes {
            match self.expand(include) {
                Ok(expansion) => {
                    let set = expansion.set.nsid_str().to_owned();
                    outcomes.push(IncludeOutcome {
                        include: value.clone(),
                        set: set.clone(),
                        has_aud: include.aud.is_some(),
                        granted: expansion.granted_strings(),
                        dropped: expansion.dropped.clone(),
                    });
                    values.extend(expansion.granted.into_iter().map(|g| TokenValue {
                        value: g.scope.to_string(),
                        scope: g.scope,
                        provenance: Some(Provenance {
                            include: value.clone(),
                            set: set.clone(),
                            entry_index: g.entry_index,
                        }),
                        requested_as: None,
                    }));
                }
                Err(error) => errors.push(TokenScopeError::Include {
                    include: value.clone(),
                    error,
                }),
            }
        }
        values.extend(others);
        for value in &mut values {
            if let Err(error) = self.issue_space(value, user_did) {
                let duplicate = errors.iter().any(|e| {
                    matches!(e, TokenScopeError::SpaceDeclaration { error: seen, .. } if seen.nsid() == error.nsid())
                });
                if !duplicate {
                    errors.push(TokenScopeError::SpaceDeclaration {
                        value: value.value.clone(),
                        error,
                    });
                }
            }
        }
        TokenScope {
            requested: requested.to_owned(),
            accepted,
            ignored,
            values,
            errors,
            includes: outcomes,
            reference: self.reference(),
            user_did: user_did.map(str::to_owned),
        }
    }

    /// The issuance steps for one `space:` value: its type's declared collections when it names
    /// none, then the user's DID for `authority=self`. Errs when the collections are needed and
    /// the declaration cannot be resolved.
    fn issue_space(
        &self,
        value: &mut TokenValue,
        user_did: Option<&str>,
    ) -> Result<(), SpaceDeclError> {
        let Scope::Space(space) = &value.scope else {
            return Ok(());
        };
        let mut issued: Option<SpaceScope> = None;
        let mut result = Ok(());
        if let (NsidPattern::Nsid(space_type), true) =
            (&space.space_type, space.collections.is_empty())
        {
            match self.space_decl(space_type.as_str()) {
                Ok((_, decl)) => {
                    let declared = declared_collections(decl);
                    if !declared.is_empty() {
                        let mut filled = space.clone();
                        filled.collections = declared;
                        issued = Some(filled);
                    }
                }
                Err(error) => result = Err(error),
            }
        }
        if let Some(did) = user_did {
            if space.authority == SpaceAuthority::SelfUser {
                let mut resolved = issued.unwrap_or_else(|| space.clone());
                resolved.authority = SpaceAuthority::Did(did.to_owned());
                issued = Some(resolved);
            }
        }
        if let Some(issued) = issued {
            let scope = Scope::Space(issued);
            value.requested_as = Some(std::mem::replace(&mut value.value, scope.to_string()));
            value.scope = scope;
        }
        result
    }

    /// For a request `token` denies: the first `include:` of `token` without an `aud` whose set
    /// would grant `request` if the `include:` carried the request's audience (entries with
    /// `inheritAud: true` are dropped without one). Only `rpc:` requests with a `did#service`
    /// audience can be named this way.
    pub fn missing_audience(
        &self,
        token: &TokenScope,
        request: &ScopeRequest,
    ) -> Option<MissingAudience> {
        let ScopeRequest::Rpc { aud, .. } = request else {
            return None;
        };
        let aud = DidServiceRef::parse(aud).ok()?;
        token
            .includes
            .iter()
            .filter(|o| o.needs_aud())
            .find_map(|outcome| {
                let Ok(Scope::Include(mut include)) =
                    Scope::parse_with(&outcome.include, self.reference())
                else {
                    return None;
                };
                include.aud = Some(aud.clone());
                let expansion = self.expand(&include).ok()?;
                let granted = expansion.granted.iter().find(|g| {
                    ScopeSet::from_scopes([g.scope.clone()])
                        .allows(request)
                        .is_some()
                })?;
                Some(MissingAudience {
                    include: outcome.include.clone(),
                    with_aud: Scope::Include(include).to_string(),
                    entry_index: granted.entry_index,
                })
            })
    }

    /// Fetches, through `source`, every permission set named by an `include:` of `requested`
    /// that the catalog does not hold yet (the reference AS resolves them at authorization time).
    /// Returns what was fetched; the first error per NSID is returned in the list too.
    pub fn resolve_includes(
        &mut self,
        requested: &str,
        source: &mut dyn LexiconSource,
    ) -> Vec<Result<Resolved, ResolveError>> {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for value in requested.split(' ') {
            if let Ok(Scope::Include(include)) = Scope::parse_with(value, self.reference()) {
                if seen.contains(&include.nsid) {
                    continue;
                }
                seen.push(include.nsid.clone());
                match self.resolve(&include.nsid, source) {
                    Ok(Some(resolved)) => out.push(Ok(resolved)),
                    Ok(None) => {}
                    Err(e) => out.push(Err(e)),
                }
            }
        }
        out
    }
}

/// The `collections` of a space type declaration as the write targets the authorization server
/// gives a `space:` grant that names none (entries that are not NSIDs left out).
pub fn declared_collections(decl: &SpaceSchema) -> Vec<NsidPattern> {
    decl.collections
        .iter()
        .flat_map(|list| &list.value)
        .filter_map(|c| lexperm_parser::syntax::Nsid::parse(&c.value).ok())
        .map(NsidPattern::Nsid)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;
    use lexperm_parser::scope::RepoAction;

    const SET: &str = r#"{"lexicon": 1, "id": "com.example.authFull", "defs": {"main": {
      "type": "permission-set", "permissions": [
        {"type": "permission", "resource": "rpc", "inheritAud": true, "lxm": ["com.example.getFeed", "com.example.getAlpha"]},
        {"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": ["create"]},
        {"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": ["create"]}]}}}"#;

    fn catalog() -> Catalog {
        let query =
            r#"{"lexicon": 1, "id": "com.example.getFeed", "defs": {"main": {"type": "query"}}}"#;
        Catalog::load([(FileId(0), "set.json", SET), (FileId(1), "q.json", query)]).0
    }

    #[test]
    fn includes_first_then_others_in_order_without_dedupe() {
        let token = catalog().token_scope(
            "account:email atproto include:com.example.authFull?aud=did:web:api.example.com%23svc atproto  bogus rpc:*?aud=*",
        );
        assert!(token.errors.is_empty());
        assert_eq!(token.ignored, ["", "bogus", "rpc:*?aud=*"]);
        assert_eq!(
            token.token_scope().unwrap(),
            "rpc?lxm=com.example.getAlpha&lxm=com.example.getFeed&aud=did:web:api.example.com%23svc repo:com.example.post?action=create repo:com.example.post?action=create account:email atproto"
        );
        assert_eq!(token.values[2].provenance.as_ref().unwrap().entry_index, 2);
    }

    #[test]
    fn without_includes_the_accepted_string_is_kept() {
        let token = catalog().token_scope("repo:b.c.d?action=create atproto repo:a.b.c");
        assert_eq!(
            token.token_scope().unwrap(),
            "repo:b.c.d?action=create atproto repo:a.b.c"
        );
    }

    #[test]
    fn errors_like_the_reference() {
        let codes = |s: &str| {
            catalog()
                .token_scope(s)
                .errors
                .iter()
                .map(|e| e.code())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes("repo:a.b.c"), ["missing-atproto"]);
        assert_eq!(codes("atproto openid"), ["openid"]);
        assert_eq!(
            codes("atproto include:com.example.nope include:com.example.getFeed"),
            ["not-found", "not-a-permission-set"]
        );
        assert!(catalog().token_scope("").token_scope().is_none());
    }

    #[test]
    fn check_reports_the_granting_entry() {
        let catalog = catalog();
        let token =
            catalog.token_scope("atproto include:com.example.authFull?aud=did:web:x.com%23svc");
        let checker = token.checker(false);
        let request = ScopeRequest::Repo {
            collection: "com.example.post".into(),
            action: RepoAction::Create,
        };
        let hit = checker.check(&request).expect("allowed");
        assert_eq!(hit.provenance.as_ref().unwrap().entry_index, 1);
        let denied = ScopeRequest::Repo {
            collection: "com.example.post".into(),
            action: RepoAction::Delete,
        };
        assert!(checker.check(&denied).is_none());
        let rpc = ScopeRequest::parse("rpc:com.example.getFeed?aud=did:web:x.com%23svc").unwrap();
        assert_eq!(
            checker
                .check(&rpc)
                .unwrap()
                .provenance
                .as_ref()
                .unwrap()
                .entry_index,
            0
        );
    }

    #[test]
    fn an_include_without_aud_is_named_for_the_request_it_would_allow() {
        let catalog = catalog();
        let token = catalog.token_scope("atproto include:com.example.authFull");
        let outcome = &token.includes[0];
        assert_eq!(outcome.set, "com.example.authFull");
        assert!(outcome.needs_aud());
        assert_eq!(outcome.dropped[0].entry_index, 0);
        let rpc = ScopeRequest::parse("rpc:com.example.getFeed?aud=did:web:x.com%23svc").unwrap();
        assert!(token.checker(false).check(&rpc).is_none());
        let missing = catalog.missing_audience(&token, &rpc).expect("named");
        assert_eq!(missing.include, "include:com.example.authFull");
        assert_eq!(
            missing.with_aud,
            "include:com.example.authFull?aud=did:web:x.com%23svc"
        );
        assert_eq!(missing.entry_index, 0);
        // A method the set does not list, and a request of another kind: nothing to name.
        let other = ScopeRequest::parse("rpc:com.example.other?aud=did:web:x.com%23svc").unwrap();
        assert!(catalog.missing_audience(&token, &other).is_none());
        let repo = ScopeRequest::parse("repo:com.example.post?action=delete").unwrap();
        assert!(catalog.missing_audience(&token, &repo).is_none());
        // With an `aud` nothing is missing.
        let with_aud =
            catalog.token_scope("atproto include:com.example.authFull?aud=did:web:y.com%23svc");
        assert!(!with_aud.includes[0].needs_aud());
        assert!(catalog.missing_audience(&with_aud, &rpc).is_none());
    }

    /// Serves [`SET`] and counts fetches.
    struct Remote(usize);

    impl LexiconSource for Remote {
        fn fetch(
            &mut self,
            nsid: &lexperm_parser::syntax::Nsid,
        ) -> Result<crate::FetchedLexicon, ResolveError> {
            self.0 += 1;
            if nsid.as_str() != "com.example.authFull" {
                return Err(ResolveError::Source {
                    nsid: nsid.as_str().to_owned(),
                    message: "offline".into(),
                });
            }
            Ok(crate::FetchedLexicon {
                location: format!("at://did:plc:x/com.atproto.lexicon.schema/{nsid}"),
                text: SET.to_owned(),
            })
        }
    }

    #[test]
    fn fetched_includes_expand_like_local_ones() {
        let scope = "atproto include:com.example.authFull?aud=did:web:a.example%23s include:com.example.authFull include:com.example.authNone";
        let local = catalog().token_scope(scope);
        let mut remote_catalog = Catalog::new();
        let mut source = Remote(0);
        let fetched = remote_catalog.resolve_includes(scope, &mut source);
        // One fetch per NSID; the failure is returned, not fatal.
        assert_eq!(source.0, 2);
        assert_eq!(fetched.len(), 2);
        assert!(fetched[0].is_ok());
        assert!(
            matches!(&fetched[1], Err(ResolveError::Source { nsid, .. }) if nsid == "com.example.authNone")
        );
        let remote = remote_catalog.token_scope(scope);
        let values = |t: &TokenScope| t.values.iter().map(|v| v.value.clone()).collect::<Vec<_>>();
        assert_eq!(values(&remote), values(&local));
        assert_eq!(remote.errors, local.errors);
        assert_eq!(
            remote_catalog.get("com.example.authFull").unwrap().origin,
            crate::Origin::Remote
        );
    }
}
