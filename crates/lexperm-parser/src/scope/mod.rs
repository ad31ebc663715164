//! atproto OAuth scope strings: parsing, canonical form, matching and `include:` expansion.
//!
//! The behaviour follows the reference `@atproto/oauth-scopes` 0.5.12 plus the `space:` resource
//! of its permissioned-data build (see [`Reference`] for choosing between the two, and
//! `docs/divergences.md` for the few deliberate differences).
//!
//! ```
//! use lexperm_parser::scope::{Scope, ScopeSet, RepoAction};
//!
//! let scope: Scope = "repo?collection=com.example.b&collection=com.example.a".parse().unwrap();
//! assert_eq!(scope.to_string(), "repo?collection=com.example.a&collection=com.example.b");
//!
//! let set = ScopeSet::parse("atproto repo:com.example.a?action=create");
//! assert!(set.allows_repo("com.example.a", RepoAction::Create).is_some());
//! assert!(set.allows_repo("com.example.a", RepoAction::Delete).is_none());
//! ```

use std::fmt;
use std::ops::Range;

use crate::syntax::{AcceptPattern, DidServiceRef, Nsid};

mod canonical;
mod fast;
pub mod include;
mod params;
mod request;
mod set;
mod tokenize;

pub use request::{ScopeRequest, ScopeRequestError};
pub use set::{normalize_scope_string, normalize_scope_string_with, scope_needed_for, ScopeSet};

pub use fast::{normalize_into, normalize_into_with, ScopeRejection};
pub use tokenize::encode_query_value;
use tokenize::StringSyntax;

/// A resource that takes parameters (everything but the static scopes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// `repo`: write access to repository records.
    Repo,
    /// `rpc`: service-auth calls to other services.
    Rpc,
    /// `blob`: blob uploads.
    Blob,
    /// `account`: account attributes.
    Account,
    /// `identity`: handle and DID document control.
    Identity,
    /// `include`: a permission set, expanded by the authorization server.
    Include,
    /// `space`: permissioned data (only with [`Reference::PermissionedData`]).
    Space,
}

impl Resource {
    /// Every resource, in the order the reference tries them.
    pub const ALL: [Resource; 7] = [
        Resource::Account,
        Resource::Blob,
        Resource::Identity,
        Resource::Include,
        Resource::Repo,
        Resource::Rpc,
        Resource::Space,
    ];

    /// The resource name as written in scope strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Repo => "repo",
            Resource::Rpc => "rpc",
            Resource::Blob => "blob",
            Resource::Account => "account",
            Resource::Identity => "identity",
            Resource::Include => "include",
            Resource::Space => "space",
        }
    }

    /// The resource with this exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// Which reference implementation the grammar follows. Authorization servers run either the
/// released `@atproto/oauth-scopes` 0.5.12 or its permissioned-data build, which adds the
/// `space` resource (`space:` scopes and `resource: "space"` permission-set entries) and
/// otherwise answers like 0.5.12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Reference {
    /// The permissioned-data build (the default): `space` is a resource.
    #[default]
    PermissionedData,
    /// The released 0.5.12: `space:…` is an unknown resource, `resource: "space"` entries are
    /// dropped as unknown, and a `spaceType` field on other entries is an unknown field.
    Stable0512,
}

impl Reference {
    /// Both references, the default first.
    pub const ALL: [Reference; 2] = [Reference::PermissionedData, Reference::Stable0512];

    /// The name used on the command line (`permissioned-data`, `0.5.12`).
    pub fn name(self) -> &'static str {
        match self {
            Reference::PermissionedData => "permissioned-data",
            Reference::Stable0512 => "0.5.12",
        }
    }

    /// The reference with this [`name`](Reference::name).
    pub fn from_name(name: &str) -> Option<Reference> {
        Reference::ALL.into_iter().find(|r| r.name() == name)
    }

    /// True when this reference has `resource`.
    pub fn knows(self, resource: Resource) -> bool {
        resource != Resource::Space || self == Reference::PermissionedData
    }

    /// The resource named exactly `name`, if this reference has it.
    pub fn resource_named(self, name: &str) -> Option<Resource> {
        Resource::from_name(name).filter(|r| self.knows(*r))
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parameterless scope (`STATIC_SCOPE_VALUES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaticScope {
    /// `atproto`: required in every atproto OAuth request.
    Atproto,
    /// `transition:generic`: app-password-like access.
    TransitionGeneric,
    /// `transition:chat.bsky`: `chat.bsky.*` service calls.
    TransitionChatBsky,
    /// `transition:email`: read the account email.
    TransitionEmail,
}

impl StaticScope {
    /// Every static scope.
    pub const ALL: [StaticScope; 4] = [
        StaticScope::Atproto,
        StaticScope::TransitionGeneric,
        StaticScope::TransitionChatBsky,
        StaticScope::TransitionEmail,
    ];

    /// The scope string.
    pub fn as_str(self) -> &'static str {
        match self {
            StaticScope::Atproto => "atproto",
            StaticScope::TransitionGeneric => "transition:generic",
            StaticScope::TransitionChatBsky => "transition:chat.bsky",
            StaticScope::TransitionEmail => "transition:email",
        }
    }

    /// The static scope spelled exactly `value`.
    pub fn from_name(value: &str) -> Option<StaticScope> {
        StaticScope::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// `*` or an NSID, as allowed for `repo` collections and `rpc` methods.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NsidPattern {
    /// `*`: every NSID.
    Any,
    /// One NSID.
    Nsid(Nsid),
}

impl NsidPattern {
    /// The text as written (`*` or the NSID).
    pub fn as_str(&self) -> &str {
        match self {
            NsidPattern::Any => "*",
            NsidPattern::Nsid(n) => n.as_str(),
        }
    }
}

macro_rules! name_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the reference's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in scope strings.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value spelled exactly `name` (case-sensitive).
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) mod space;
pub use space::{SpaceAction, SpaceAuthority, SpaceKey, SpaceManageOp, SpaceOp, SpaceScope};

name_enum!(
    /// A `repo` action.
    RepoAction {
        /// Create records.
        Create = "create",
        /// Update records.
        Update = "update",
        /// Delete records.
        Delete = "delete",
    }
);

name_enum!(
    /// An `account` attribute.
    AccountAttr {
        /// The account email (and its verified status).
        Email = "email",
        /// The repository as a whole (CAR import).
        Repo = "repo",
        /// Account status (reference only; not in the spec).
        Status = "status",
    }
);

name_enum!(
    /// An `account` action.
    AccountAction {
        /// Read the attribute.
        Read = "read",
        /// Read and change the attribute.
        Manage = "manage",
    }
);

name_enum!(
    /// An `identity` attribute.
    IdentityAttr {
        /// Update the handle.
        Handle = "handle",
        /// Full DID document and handle control.
        Any = "*",
    }
);

/// The audience of an `rpc` scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Audience {
    /// `aud=*`: any service.
    Any,
    /// One service, `did:…#svc`.
    Service(DidServiceRef),
}

impl Audience {
    /// The text as written (`*` or the DID reference).
    pub fn as_str(&self) -> &str {
        match self {
            Audience::Any => "*",
            Audience::Service(d) => d.as_str(),
        }
    }
}

/// `repo:<collection>[?action=…]`. Values are kept as parsed (matching uses them as-is); the
/// canonical form sorts and de-duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoScope {
    /// Collections (at least one when parsed).
    pub collections: Vec<NsidPattern>,
    /// Actions; all three when not given.
    pub actions: Vec<RepoAction>,
}

impl RepoScope {
    /// `RepoPermission.matches`: the action is granted and the collection is listed or `*` is.
    /// The requested collection is not validated.
    pub fn matches(&self, collection: &str, action: RepoAction) -> bool {
        self.actions.contains(&action)
            && self
                .collections
                .iter()
                .any(|c| matches!(c, NsidPattern::Any) || c.as_str() == collection)
    }
}

/// `rpc:<lxm>?aud=…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RpcScope {
    /// Methods (at least one when parsed).
    pub lxms: Vec<NsidPattern>,
    /// Audience.
    pub aud: Audience,
}

impl RpcScope {
    /// `RpcPermission.matches`: audience is `*` or equal (exact string, `did#svc` form) and the
    /// method is listed or `*` is.
    pub fn matches(&self, lxm: &str, aud: &str) -> bool {
        let aud_ok = match &self.aud {
            Audience::Any => true,
            Audience::Service(d) => d.as_str() == aud,
        };
        aud_ok
            && self
                .lxms
                .iter()
                .any(|l| matches!(l, NsidPattern::Any) || l.as_str() == lxm)
    }
}

/// `blob:<accept>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlobScope {
    /// Accept patterns as written (matching is case-sensitive on them).
    pub accept: Vec<AcceptPattern>,
}

impl BlobScope {
    /// `BlobPermission.matches`: `mime` must be a concrete `type/subtype`, accepted by a pattern.
    pub fn matches(&self, mime: &str) -> bool {
        AcceptPattern::is_concrete_mime(mime)
            && self.accept.iter().any(|a| a.matches_unchecked(mime))
    }
}

/// `account:<attr>[?action=…]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountScope {
    /// The attribute.
    pub attr: AccountAttr,
    /// Actions as written (`[read]` when not given; order kept).
    pub actions: Vec<AccountAction>,
}

impl AccountScope {
    /// `AccountPermission.matches`: same attribute, and `manage` or the requested action granted.
    pub fn matches(&self, attr: AccountAttr, action: AccountAction) -> bool {
        self.attr == attr
            && (self.actions.contains(&AccountAction::Manage) || self.actions.contains(&action))
    }
}

/// `identity:<attr>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityScope {
    /// The attribute.
    pub attr: IdentityAttr,
}

impl IdentityScope {
    /// `IdentityPermission.matches`: `*` grants everything, otherwise equality.
    pub fn matches(&self, attr: IdentityAttr) -> bool {
        self.attr == IdentityAttr::Any || self.attr == attr
    }
}

/// `include:<nsid>[?aud=…]`: a permission set, expanded with [`include::expand`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IncludeScope {
    /// The permission-set NSID.
    pub nsid: Nsid,
    /// The audience inherited by entries with `inheritAud: true`.
    pub aud: Option<DidServiceRef>,
}

/// One parsed atproto OAuth scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `repo:…`
    Repo(RepoScope),
    /// `rpc:…`
    Rpc(RpcScope),
    /// `blob:…`
    Blob(BlobScope),
    /// `account:…`
    Account(AccountScope),
    /// `identity:…`
    Identity(IdentityScope),
    /// `include:…`
    Include(IncludeScope),
    /// `space:…` (permissioned data).
    Space(SpaceScope),
    /// `atproto`, `transition:generic`, `transition:chat.bsky`, `transition:email`.
    Static(StaticScope),
}

/// What kind of problem a [`ScopeError`] reports. Each kind has a stable kebab-case
/// [`name`](ScopeErrorKind::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScopeErrorKind {
    /// The scope string is empty.
    Empty,
    /// The resource name is not known (or is mis-cased).
    UnknownResource,
    /// A static scope was written with a positional part or parameters.
    StaticWithParams,
    /// A malformed `%` escape in the positional part.
    MalformedEscape,
    /// A parameter name the resource does not have.
    UnknownParam,
    /// A single-valued parameter given more than once.
    RepeatedParam,
    /// The positional parameter also given by name.
    PositionalAndNamed,
    /// A required parameter is missing.
    MissingParam,
    /// A value failed validation.
    InvalidValue,
    /// A partial wildcard such as `com.example.*`.
    PartialWildcard,
    /// An `aud` without a `#service` fragment.
    AudMissingFragment,
    /// `include` with `aud=*`.
    IncludeAudWildcard,
    /// `rpc` with both `lxm=*` and `aud=*`.
    RpcUnrestricted,
    /// (Set entries) a multi-valued field that is not an array.
    ExpectedArray,
    /// (Set entries) a single-valued field given as an array.
    ExpectedSingle,
    /// (Set entries) a non-string value.
    ExpectedString,
    /// (Set entries) an empty array.
    EmptyList,
}

impl ScopeErrorKind {
    /// Stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            ScopeErrorKind::Empty => "empty-scope",
            ScopeErrorKind::UnknownResource => "unknown-resource",
            ScopeErrorKind::StaticWithParams => "static-with-params",
            ScopeErrorKind::MalformedEscape => "malformed-escape",
            ScopeErrorKind::UnknownParam => "unknown-param",
            ScopeErrorKind::RepeatedParam => "repeated-param",
            ScopeErrorKind::PositionalAndNamed => "positional-and-named",
            ScopeErrorKind::MissingParam => "missing-param",
            ScopeErrorKind::InvalidValue => "invalid-value",
            ScopeErrorKind::PartialWildcard => "partial-wildcard",
            ScopeErrorKind::AudMissingFragment => "aud-missing-fragment",
            ScopeErrorKind::IncludeAudWildcard => "include-aud-wildcard",
            ScopeErrorKind::RpcUnrestricted => "rpc-unrestricted",
            ScopeErrorKind::ExpectedArray => "expected-array",
            ScopeErrorKind::ExpectedSingle => "expected-single-value",
            ScopeErrorKind::ExpectedString => "expected-string",
            ScopeErrorKind::EmptyList => "empty-array",
        }
    }
}

/// Why a scope string (or a permission-set entry) is not a valid atproto scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError {
    /// The kind of problem.
    pub kind: ScopeErrorKind,
    /// Byte range of the offending text in the scope string (empty for set entries).
    pub range: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// For set entries: index of the offending field in [`include::PermissionEntry::fields`].
    pub field: Option<usize>,
    /// The parameter the problem is about, when known.
    pub param: Option<&'static str>,
}

impl ScopeError {
    pub(crate) fn new(
        kind: ScopeErrorKind,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        ScopeError {
            kind,
            range,
            message: message.into(),
            hint: None,
            field: None,
            param: None,
        }
    }

    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        crate::diagnostics::write_hint(f, self.hint.as_deref())
    }
}

impl std::error::Error for ScopeError {}

/// Known resource names, for suggestions.
fn suggest_resource(prefix: &str, reference: Reference) -> Option<String> {
    let lower = prefix.to_ascii_lowercase();
    if let Some(r) = reference.resource_named(&lower) {
        return Some(format!(
            "resource names are case-sensitive: write `{}`",
            r.as_str()
        ));
    }
    if lower == "atproto" {
        return Some("write `atproto` in lower case".to_owned());
    }
    for r in Resource::ALL.into_iter().filter(|r| reference.knows(*r)) {
        if lower
            .strip_prefix(r.as_str())
            .is_some_and(|rest| rest.starts_with("%3a"))
        {
            return Some(format!(
                "do not percent-encode the `:` after `{}`",
                r.as_str()
            ));
        }
    }
    let known = Resource::ALL
        .into_iter()
        .filter(|r| reference.knows(*r))
        .map(Resource::as_str)
        .chain(["atproto", "transition"]);
    let close = crate::suggest::closest(prefix, known, 2);
    crate::suggest::did_you_mean(&close)
}

impl Scope {
    /// Parses one scope value (`normalizeAtprotoOauthScopeValue` succeeds exactly when this does),
    /// following the default [`Reference`].
    pub fn parse(input: &str) -> Result<Scope, ScopeError> {
        Scope::parse_with(input, Reference::default())
    }

    /// [`Scope::parse`] following `reference`.
    pub fn parse_with(input: &str, reference: Reference) -> Result<Scope, ScopeError> {
        if let Some(s) = StaticScope::from_name(input) {
            return Ok(Scope::Static(s));
        }
        let full = 0..input.len();
        if input.is_empty() {
            return Err(ScopeError::new(ScopeErrorKind::Empty, full, "empty scope"));
        }
        let prefix_end = input.find([':', '?']).unwrap_or(input.len());
        let prefix = &input[..prefix_end];
        let Some(resource) = reference.resource_named(prefix) else {
            if prefix == "transition" {
                return Err(ScopeError::new(
                    ScopeErrorKind::UnknownResource,
                    full,
                    format!("unknown transition scope `{input}`"),
                )
                .with_hint(
                    "use `transition:generic`, `transition:chat.bsky` or `transition:email`",
                ));
            }
            if StaticScope::from_name(prefix).is_some() {
                return Err(ScopeError::new(
                    ScopeErrorKind::StaticWithParams,
                    prefix_end..input.len(),
                    format!("`{prefix}` takes no positional part or parameters"),
                )
                .with_hint(format!("write just `{prefix}`")));
            }
            let mut e = ScopeError::new(
                ScopeErrorKind::UnknownResource,
                0..prefix_end,
                format!("unknown scope resource `{prefix}`"),
            );
            e.hint = Some(suggest_resource(prefix, reference).unwrap_or_else(|| {
                "known resources: repo, rpc, blob, account, identity, include, and the static scopes atproto and transition:*".to_owned()
            }));
            return Err(e);
        };
        let syntax = StringSyntax::parse(input)?;
        let spec = params::spec_for(resource).ok_or_else(|| {
            ScopeError::new(
                ScopeErrorKind::UnknownResource,
                0..prefix_end,
                "unknown resource",
            )
        })?;
        params::parse_with(spec, &syntax).map_err(|mut e| {
            // Problems without a location of their own (a missing parameter) cover the input.
            if e.range == (0..0) {
                e.range = full;
            }
            e
        })
    }

    /// The resource, or `None` for static scopes.
    pub fn resource(&self) -> Option<Resource> {
        match self {
            Scope::Repo(_) => Some(Resource::Repo),
            Scope::Rpc(_) => Some(Resource::Rpc),
            Scope::Blob(_) => Some(Resource::Blob),
            Scope::Account(_) => Some(Resource::Account),
            Scope::Identity(_) => Some(Resource::Identity),
            Scope::Include(_) => Some(Resource::Include),
            Scope::Space(_) => Some(Resource::Space),
            Scope::Static(_) => None,
        }
    }
}

impl std::str::FromStr for Scope {
    type Err = ScopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::parse(s)
    }
}

/// JavaScript's default string order (UTF-16 code units).
pub(crate) fn js_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

impl Scope {
    /// The canonical string (`toString()` of the reference; see `docs/divergences.md` for `+`
    /// and `%`).
    pub fn to_canonical(&self) -> String {
        let mut out = String::with_capacity(48);
        self.write_canonical(&mut out);
        out
    }

    /// Appends the canonical string ([`Scope::to_canonical`]) to `out`, without allocating
    /// anything but the growth of `out` (for up to eight values per parameter).
    pub fn write_canonical(&self, out: &mut String) {
        self.write_canonical_with(out, false);
    }

    /// A key that is equal for two scopes exactly when their canonical forms re-parse to the
    /// same scope: the canonical form, except that duplicate `blob` accept values are removed
    /// before choosing between the positional and the named form. `blob?accept=a/b&accept=a/b`
    /// has the canonical form `blob?accept=a/b` (like the reference) and the key `blob:a/b`, which
    /// is also the key of `blob:a/b`.
    pub fn equivalence_key(&self) -> String {
        let mut out = String::with_capacity(48);
        self.write_canonical_with(&mut out, true);
        out
    }

    /// True when both scopes have the same [`Scope::equivalence_key`].
    pub fn is_equivalent(&self, other: &Scope) -> bool {
        self.equivalence_key() == other.equivalence_key()
    }

    fn write_canonical_with(&self, out: &mut String, dedup_first: bool) {
        match self {
            Scope::Static(s) => out.push_str(s.as_str()),
            Scope::Repo(r) => {
                let mut collections: canonical::Values<'_> =
                    r.collections.iter().map(NsidPattern::as_str).collect();
                let mut actions = 0u8;
                for (bit, action) in RepoAction::ALL.iter().enumerate() {
                    if r.actions.contains(action) {
                        actions |= 1 << bit;
                    }
                }
                canonical::write_repo(out, &mut collections, actions);
            }
            Scope::Rpc(r) => {
                let mut lxms: canonical::Values<'_> =
                    r.lxms.iter().map(NsidPattern::as_str).collect();
                canonical::write_rpc(out, &mut lxms, r.aud.as_str());
            }
            Scope::Blob(b) => {
                let accept: canonical::Values<'_> =
                    b.accept.iter().map(AcceptPattern::as_str).collect();
                canonical::write_blob(out, &accept, dedup_first);
            }
            Scope::Account(a) => {
                let actions: canonical::Values<'_> = a.actions.iter().map(|x| x.as_str()).collect();
                canonical::write_account(out, a.attr.as_str(), &actions);
            }
            Scope::Identity(i) => canonical::write_identity(out, i.attr.as_str()),
            Scope::Include(i) => canonical::write_include(
                out,
                i.nsid.as_str(),
                i.aud.as_ref().map(DidServiceRef::as_str),
            ),
            Scope::Space(s) => {
                let mut collections: canonical::Values<'_> =
                    s.collections.iter().map(NsidPattern::as_str).collect();
                canonical::write_space(
                    out,
                    &canonical::SpaceParts {
                        space_type: s.space_type.as_str(),
                        authority: s.authority.as_str(),
                        skey: s.skey.as_str(),
                        actions: space::bits(SpaceAction::ALL, &s.actions),
                        manage: space::bits(SpaceManageOp::ALL, &s.manage),
                    },
                    &mut collections[..],
                );
            }
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(48);
        self.write_canonical(&mut out);
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_resource_gets_a_suggestion() {
        let hint = |input: &str| Scope::parse(input).unwrap_err().hint.unwrap_or_default();
        assert_eq!(
            hint("rpo:com.example.post"),
            "did you mean `rpc` or `repo`?"
        );
        assert_eq!(hint("identiy:handle"), "did you mean `identity`?");
        assert!(hint("openid").starts_with("known resources:"));
    }

    fn canon(s: &str) -> Option<String> {
        Scope::parse(s).ok().map(|s| s.to_string())
    }

    #[test]
    fn smoke() {
        assert_eq!(
            canon("repo:com.example.foo").as_deref(),
            Some("repo:com.example.foo")
        );
        assert_eq!(
            canon("repo?collection=*&collection=com.example.foo&action=update").as_deref(),
            Some("repo:*?action=update")
        );
        assert_eq!(
            canon("blob?accept=image/png&accept=image/png").as_deref(),
            Some("blob?accept=image/png")
        );
        assert_eq!(canon("rpc:*?aud=*"), None);
        assert_eq!(canon("include:com.example.authFull?aud=*"), None);
    }

    #[test]
    fn error_kinds_are_set_where_the_problem_is_found() {
        use ScopeErrorKind::*;
        let cases: &[(&str, ScopeErrorKind)] = &[
            ("", Empty),
            ("Repo:com.example.post", UnknownResource),
            ("transition:nope", UnknownResource),
            ("atproto?x=1", StaticWithParams),
            ("repo:%zz", MalformedEscape),
            ("repo:%FF", MalformedEscape),
            (
                "repo:com.example.post?colection=com.example.a",
                UnknownParam,
            ),
            ("account?attr=email&attr=repo", RepeatedParam),
            (
                "repo:com.example.a?collection=com.example.b",
                PositionalAndNamed,
            ),
            ("rpc:com.example.getPost", MissingParam),
            ("account:bogus", InvalidValue),
            ("repo:com.example", InvalidValue),
            ("repo:com.example.*", PartialWildcard),
            ("blob:image/pn*", PartialWildcard),
            (
                "rpc:com.example.getPost?aud=did:web:api.example.com",
                AudMissingFragment,
            ),
            (
                "rpc:com.example.getPost?aud=did:web:api.example.com%23",
                AudMissingFragment,
            ),
            ("include:com.example.authFull?aud=*", IncludeAudWildcard),
            ("rpc:*?aud=*", RpcUnrestricted),
        ];
        for (input, kind) in cases {
            let e = Scope::parse(input).unwrap_err();
            assert_eq!(e.kind, *kind, "{input:?}: {e}");
            assert!(!e.message.contains("hint"), "{input:?}: {e}");
            let text = match &e.hint {
                Some(hint) => format!("{} (hint: {hint})", e.message),
                None => e.message.clone(),
            };
            assert_eq!(e.to_string(), text, "{input:?}");
        }
    }
}
