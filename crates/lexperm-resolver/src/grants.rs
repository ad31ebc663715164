//! What a permission set grants in two versions, compared by meaning, and what a change of a
//! `space` declaration's `collections` does to the `space:` grants that name no collection. No rule
//! lives here; the `B2xx` rules of `lexperm-lint` read [`CatalogDiff::grant_changes`] and
//! [`CatalogDiff::space_changes`].
//!
//! A permission set present in both versions is expanded the way `lexperm expand` expands it
//! (under the catalog's [`Reference`]), twice per version: as
//! `include:<nsid>` and as `include:<nsid>?aud=<SAMPLE_AUD>`, so that `inheritAud` entries count.
//! Each granted scope is then taken as a token carries it: a `space:` grant that names no
//! collection gets the declared `collections` of its type (from the after version's declaration,
//! so that a changed declaration is reported once, at the declaration), and `authority=self`
//! stands for the one user the token is for.
//!
//! Each scope is cut into the single requests it allows: one collection with one action, one
//! method at one audience, one operation in one space (`*` values stay `*`, so that a request for
//! `*` is allowed only by a `*` grant). A request of the after version that no scope of the before
//! version allows ([`ScopeSet::allows`], the matching the resource servers use) is **gained**; a
//! request of the before version that the after version does not allow is **lost**. Gained
//! requests belong to the after entry that grants them, lost ones to the before entry. Entries
//! are matched across versions by position, resource and the NSIDs they name; each matched pair,
//! or unmatched entry, with something gained or lost is one [`GrantChange`]. What it gained and
//! lost is written back as scope strings ([`GrantChange::gained`]).
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::{Catalog, CatalogDiff};
//!
//! let set = |collections: &str| format!(r#"{{"lexicon": 1, "id": "com.example.authPosts",
//!   "defs": {{"main": {{"type": "permission-set", "permissions": [
//!   {{"type": "permission", "resource": "repo", "collection": [{collections}],
//!     "action": ["create"]}}]}}}}}}"#);
//! let before = set(r#""com.example.post""#);
//! let after = set(r#""com.example.post", "com.example.like""#);
//! let (before, _) = Catalog::load([(FileId(1), "before.json", before.as_str())]);
//! let (after, _) = Catalog::load([(FileId(0), "after.json", after.as_str())]);
//! let diff = CatalogDiff::new(&before, &after, &|_| None);
//! let change = &diff.grant_changes()[0];
//! assert_eq!(change.gained, ["repo:com.example.like?action=create"]);
//! assert!(change.lost.is_empty());
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};

use lexperm_parser::diagnostics::Span;
use lexperm_parser::json::JsonKind;
use lexperm_parser::lexicon::{self, PermissionSetSchema, Spanned};
use lexperm_parser::limits::MAX_GRANT_COMPARISON_WORK;
use lexperm_parser::scope::{
    Audience, IncludeScope, NsidPattern, Reference, RepoAction, RepoScope, RpcScope, Scope,
    ScopeRequest, ScopeSet, SpaceAction, SpaceAuthority, SpaceKey, SpaceManageOp, SpaceOp,
    SpaceScope,
};
use lexperm_parser::syntax::{DidServiceRef, Nsid};

use crate::catalog::{Catalog, CatalogDoc};
use crate::diff::{CatalogDiff, DocPair};
use crate::expand::expand_set_with;
use crate::token::declared_collections;

/// The audience permission sets are expanded with, besides none: a service as a client names it
/// in `include:<nsid>?aud=…`. Scopes that only `inheritAud` entries grant carry it.
pub const SAMPLE_AUD: &str = "did:web:api.example.com#svc";

/// How `authority=self` is compared: the authorization server puts the user's DID in when it
/// issues a token, so `self` is one fixed user, matched only by `self` or `*`. No DID is spelled
/// like this, so no other grant can match it.
const SELF_AUTHORITY: &str = "self";

/// What a [`GrantChange`] does to the tokens issued with the set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantEffect {
    /// The set grants more and nothing less.
    Widened,
    /// The set grants less and nothing more.
    Narrowed,
    /// The set grants something new and no longer grants something else.
    Changed,
}

/// One permission of a set whose grants changed between the versions: a matched pair of entries,
/// or an entry present on one side only.
#[derive(Debug, Clone)]
pub struct GrantChange<'a> {
    /// The set in both versions.
    pub doc: DocPair<'a>,
    /// Index of the entry in the before version's `permissions`, when there is one.
    pub before_entry: Option<usize>,
    /// Index of the entry in the after version's `permissions`, when there is one.
    pub after_entry: Option<usize>,
    /// The before entry, else the before version's `permissions` array (or its `type`).
    pub before_span: Span,
    /// The after entry, else the after version's `permissions` array (or its `type`).
    pub after_span: Span,
    /// What the before entry grants (canonical scopes as expanded with [`SAMPLE_AUD`]; empty
    /// when the entry is dropped or there is none).
    pub before_scopes: Vec<String>,
    /// What the after entry grants, likewise.
    pub after_scopes: Vec<String>,
    /// What a token of the after version may do that one of the before version may not, as
    /// scope strings, each the narrowest that allows exactly what was gained.
    pub gained: Vec<String>,
    /// What a token of the before version may do that one of the after version may not.
    pub lost: Vec<String>,
    /// True when some of [`Self::gained`] or [`Self::lost`] only counts when a client names an
    /// audience (`inheritAud` entries); those scopes carry [`SAMPLE_AUD`].
    pub with_audience: bool,
    /// True when the set was too large to compare fully by meaning
    /// ([`MAX_GRANT_COMPARISON_WORK`]): requests not granted verbatim by the other version were
    /// taken as gained or lost without checking the other version's wildcards.
    pub cut_short: bool,
}

impl GrantChange<'_> {
    /// The set's NSID.
    pub fn nsid(&self) -> &str {
        self.doc.nsid()
    }

    /// Whether the set grants more, less, or both.
    pub fn effect(&self) -> GrantEffect {
        match (self.gained.is_empty(), self.lost.is_empty()) {
            (false, true) => GrantEffect::Widened,
            (true, false) => GrantEffect::Narrowed,
            _ => GrantEffect::Changed,
        }
    }
}

/// A `space` declaration in both versions whose `collections` changed. A `space:` grant of the
/// type that names no collection is issued with the declared ones, so every such grant, in any
/// permission set or requested directly, changes with them.
#[derive(Debug, Clone)]
pub struct SpaceChange<'a> {
    /// The declaration in both versions.
    pub doc: DocPair<'a>,
    /// Collections only the after version declares, in its order.
    pub added: Vec<&'a Spanned<String>>,
    /// Collections only the before version declares, in its order.
    pub removed: Vec<&'a Spanned<String>>,
    /// The before version's `collections` (or the declaration's `type`).
    pub before_span: Span,
    /// The after version's `collections` (or the declaration's `type`).
    pub after_span: Span,
    /// What a plain `space:<type>` grant gains: writes to the added collections.
    pub gained: Vec<String>,
    /// What a plain `space:<type>` grant loses: writes to the removed collections.
    pub lost: Vec<String>,
    /// The grants of the type that name no collection in the after version's permission sets,
    /// with what each gains and loses.
    pub bare_grants: Vec<BareGrant>,
}

/// A `space:` grant that names no collection, in a permission set of the after version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BareGrant {
    /// The permission set's NSID.
    pub set: String,
    /// The grant as the set expands to it.
    pub scope: String,
    /// What it gains with the declaration's new collections (empty when it grants no writes).
    pub gained: Vec<String>,
    /// What it loses with the collections the declaration dropped.
    pub lost: Vec<String>,
}

impl<'a> CatalogDiff<'a> {
    /// Every permission of a set in both versions whose grants changed, by set NSID, then in the
    /// order of the after version's entries (entries only in the before version last). Computed
    /// on first use.
    pub fn grant_changes(&self) -> &[GrantChange<'a>] {
        self.cached_grant_changes().get_or_init(|| {
            self.documents()
                .iter()
                .flat_map(|pair| compare_set(*pair, self.before(), self.after()))
                .collect()
        })
    }

    /// Every `space` declaration in both versions whose `collections` changed, by NSID. Empty
    /// when the after version follows a reference without the `space` resource.
    pub fn space_changes(&self) -> Vec<SpaceChange<'a>> {
        if !self
            .after()
            .reference()
            .knows(lexperm_parser::scope::Resource::Space)
        {
            return Vec::new();
        }
        self.documents()
            .iter()
            .filter_map(|pair| compare_space(*pair, self.after()))
            .collect()
    }
}

/// One scope a version of a set grants, issued, with the entry it comes from.
struct Issued {
    entry: usize,
    scope: Scope,
}

/// What one version of a set grants, expanded one way, ready to be compared.
struct Grants {
    issued: Vec<Issued>,
    set: ScopeSet,
    /// Every single request the scopes allow, with its entry, without repeats.
    requests: Vec<(usize, ScopeRequest)>,
    /// The same requests, for the verbatim check.
    verbatim: HashSet<ScopeRequest>,
    /// What one check against [`Self::set`] costs at most: the number of values its scopes hold.
    cost: usize,
}

impl Grants {
    fn new(issued: Vec<Issued>) -> Grants {
        let mut requests = Vec::new();
        let mut seen: HashSet<(usize, ScopeRequest)> = HashSet::new();
        let mut cost = 0usize;
        for grant in &issued {
            cost = cost.saturating_add(scope_cost(&grant.scope));
            let mut own = Vec::new();
            single_requests(&grant.scope, &mut own);
            for request in own {
                if seen.insert((grant.entry, request.clone())) {
                    requests.push((grant.entry, request));
                }
            }
        }
        let verbatim = requests.iter().map(|(_, r)| r.clone()).collect();
        let set = ScopeSet::from_scopes(issued.iter().map(|g| g.scope.clone()));
        Grants {
            issued,
            set,
            requests,
            verbatim,
            cost,
        }
    }

    /// The requests of `self` that `other` does not allow, with their entries. Spends `budget`
    /// on checks against `other`; once it is spent, requests `other` lacks verbatim are taken
    /// as not allowed and `cut_short` is set.
    fn missing_from(
        &self,
        other: &Grants,
        budget: &mut usize,
        cut_short: &mut bool,
    ) -> Vec<(usize, ScopeRequest)> {
        let mut out = Vec::new();
        for (entry, request) in &self.requests {
            if other.verbatim.contains(request) {
                continue;
            }
            let check = other.cost.max(1);
            if *budget >= check {
                *budget -= check;
                if other.set.allows(request).is_some() {
                    continue;
                }
            } else {
                *cut_short = true;
            }
            out.push((*entry, request.clone()));
        }
        out
    }

    /// The canonical strings each entry expands to, by entry.
    fn strings_by_entry(&self, out: &mut BTreeMap<usize, Vec<String>>) {
        for grant in &self.issued {
            let text = unissued(&grant.scope).to_string();
            let strings = out.entry(grant.entry).or_default();
            if !strings.contains(&text) {
                strings.push(text);
            }
        }
    }
}

/// What `doc`'s set grants, expanded with `aud`, issued against the declarations of `catalogs`
/// (the first that declares a space type is used).
fn issued(
    doc: &CatalogDoc,
    set: &PermissionSetSchema,
    aud: Option<&DidServiceRef>,
    reference: Reference,
    catalogs: [&Catalog; 2],
) -> Vec<Issued> {
    let Some(nsid) = doc.nsid.clone() else {
        return Vec::new();
    };
    let include = IncludeScope {
        nsid,
        aud: aud.cloned(),
    };
    expand_set_with(&include, doc, set, reference)
        .granted
        .into_iter()
        .map(|granted| Issued {
            entry: granted.entry_index,
            scope: issue(granted.scope, catalogs),
        })
        .collect()
}

/// `scope` as a token carries it: a `space:` grant of a concrete type that names no collection
/// gets the type's declared collections, and `authority=self` becomes [`SELF_AUTHORITY`].
fn issue(scope: Scope, catalogs: [&Catalog; 2]) -> Scope {
    let Scope::Space(mut space) = scope else {
        return scope;
    };
    if let (NsidPattern::Nsid(space_type), true) = (&space.space_type, space.collections.is_empty())
    {
        let declared = catalogs
            .iter()
            .find_map(|catalog| catalog.space_decl(space_type.as_str()).ok());
        if let Some((_, decl)) = declared {
            space.collections = declared_collections(decl);
        }
    }
    if space.authority == SpaceAuthority::SelfUser {
        space.authority = SpaceAuthority::Did(SELF_AUTHORITY.to_owned());
    }
    Scope::Space(space)
}

/// `scope` with [`SELF_AUTHORITY`] written as `self` again (for showing).
fn unissued(scope: &Scope) -> Scope {
    match scope {
        Scope::Space(space) if space.authority.as_str() == SELF_AUTHORITY => {
            let mut space = space.clone();
            space.authority = SpaceAuthority::SelfUser;
            Scope::Space(space)
        }
        other => other.clone(),
    }
}

/// What checking a request against `scope` costs at most: the values it holds.
fn scope_cost(scope: &Scope) -> usize {
    1 + match scope {
        Scope::Repo(r) => r.collections.len() + r.actions.len(),
        Scope::Rpc(r) => r.lxms.len(),
        Scope::Space(s) => s.collections.len() + s.actions.len() + s.manage.len(),
        _ => 0,
    }
}

/// The write action of a space record action, `None` for reads.
fn write_action(action: SpaceAction) -> Option<RepoAction> {
    match action {
        SpaceAction::Create => Some(RepoAction::Create),
        SpaceAction::Update => Some(RepoAction::Update),
        SpaceAction::Delete => Some(RepoAction::Delete),
        SpaceAction::Read | SpaceAction::ReadSelf => None,
    }
}

/// Appends every single request `scope` allows. Permission sets grant only `repo`, `rpc` and
/// `space` scopes; other scopes add nothing.
fn single_requests(scope: &Scope, out: &mut Vec<ScopeRequest>) {
    match scope {
        Scope::Repo(repo) => {
            for collection in &repo.collections {
                for action in &repo.actions {
                    out.push(ScopeRequest::Repo {
                        collection: collection.as_str().to_owned(),
                        action: *action,
                    });
                }
            }
        }
        Scope::Rpc(rpc) => {
            for lxm in &rpc.lxms {
                out.push(ScopeRequest::Rpc {
                    lxm: lxm.as_str().to_owned(),
                    aud: rpc.aud.as_str().to_owned(),
                });
            }
        }
        Scope::Space(space) => {
            let request = |op: SpaceOp| ScopeRequest::Space {
                space_type: space.space_type.as_str().to_owned(),
                authority: space.authority.as_str().to_owned(),
                skey: space.skey.as_str().to_owned(),
                op,
            };
            for action in &space.actions {
                match (action, write_action(*action)) {
                    (SpaceAction::Read, _) => out.push(request(SpaceOp::Read)),
                    (SpaceAction::ReadSelf, _) => out.push(request(SpaceOp::ReadSelf)),
                    (_, Some(write)) => {
                        for collection in &space.collections {
                            out.push(request(SpaceOp::Write {
                                action: write,
                                collection: collection.as_str().to_owned(),
                            }));
                        }
                    }
                    (_, None) => {}
                }
            }
            for op in &space.manage {
                out.push(request(SpaceOp::Manage(*op)));
            }
        }
        _ => {}
    }
}

/// `*` or the NSID `value`.
fn pattern(value: &str) -> Option<NsidPattern> {
    if value == "*" {
        return Some(NsidPattern::Any);
    }
    Nsid::parse(value).ok().map(NsidPattern::Nsid)
}

/// Every pattern of `values`, or `None` when one is neither `*` nor an NSID.
fn patterns(values: &[&str]) -> Option<Vec<NsidPattern>> {
    values.iter().map(|v| pattern(v)).collect()
}

/// What one space (type, authority, key) of a list of requests holds.
#[derive(Default)]
struct SpaceRequests<'r> {
    reads: Vec<SpaceAction>,
    writes: BTreeMap<&'r str, Vec<RepoAction>>,
    manage: Vec<SpaceManageOp>,
}

/// `requests` written back as few scope strings as allow exactly them: a repo collection's actions
/// together and collections with the same actions together, an audience's methods together, a
/// space's reads with its management operations and its written collections by action. A
/// management operation alone is written with `action=read_self` (the narrowest action: leaving
/// `action` out would mean the default four), as the reference's missing-scope errors write it.
pub fn scope_strings(requests: &[ScopeRequest]) -> Vec<String> {
    let mut repo: BTreeMap<&str, Vec<RepoAction>> = BTreeMap::new();
    let mut rpc: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut spaces: BTreeMap<(&str, &str, &str), SpaceRequests<'_>> = BTreeMap::new();
    let mut out = Vec::new();
    for request in requests {
        match request {
            ScopeRequest::Repo { collection, action } => {
                push_new(repo.entry(collection.as_str()).or_default(), *action);
            }
            ScopeRequest::Rpc { lxm, aud } => {
                push_new(rpc.entry(aud.as_str()).or_default(), lxm.as_str());
            }
            ScopeRequest::Space {
                space_type,
                authority,
                skey,
                op,
            } => {
                let space = spaces
                    .entry((space_type.as_str(), authority.as_str(), skey.as_str()))
                    .or_default();
                match op {
                    SpaceOp::Read => push_new(&mut space.reads, SpaceAction::Read),
                    SpaceOp::ReadSelf => push_new(&mut space.reads, SpaceAction::ReadSelf),
                    SpaceOp::Write { action, collection } => {
                        push_new(
                            space.writes.entry(collection.as_str()).or_default(),
                            *action,
                        );
                    }
                    SpaceOp::Manage(op) => push_new(&mut space.manage, *op),
                }
            }
            other => out.push(other.scope_needed()),
        }
    }
    for (actions, collections) in by_actions(&repo) {
        match patterns(&collections) {
            Some(patterns) => out.push(
                Scope::Repo(RepoScope {
                    collections: patterns,
                    actions,
                })
                .to_string(),
            ),
            None => {
                for collection in collections {
                    out.extend(actions.iter().map(|action| {
                        ScopeRequest::Repo {
                            collection: collection.to_owned(),
                            action: *action,
                        }
                        .scope_needed()
                    }));
                }
            }
        }
    }
    for (aud, lxms) in &rpc {
        let audience = match *aud {
            "*" => Some(Audience::Any),
            other => DidServiceRef::parse(other).ok().map(Audience::Service),
        };
        match (patterns(lxms), audience) {
            (Some(lxms), Some(aud)) => out.push(Scope::Rpc(RpcScope { lxms, aud }).to_string()),
            _ => out.extend(lxms.iter().map(|lxm| {
                ScopeRequest::Rpc {
                    lxm: (*lxm).to_owned(),
                    aud: (*aud).to_owned(),
                }
                .scope_needed()
            })),
        }
    }
    for ((space_type, authority, skey), space) in &spaces {
        let Some(space_type) = pattern(space_type) else {
            continue;
        };
        let base = SpaceScope {
            space_type,
            authority: match *authority {
                SELF_AUTHORITY => SpaceAuthority::SelfUser,
                "*" => SpaceAuthority::Any,
                did => SpaceAuthority::Did(did.to_owned()),
            },
            skey: match *skey {
                "*" => SpaceKey::Any,
                key => SpaceKey::Key(key.to_owned()),
            },
            collections: Vec::new(),
            actions: Vec::new(),
            manage: Vec::new(),
        };
        if !space.reads.is_empty() || !space.manage.is_empty() {
            let mut scope = base.clone();
            scope.actions = if space.reads.is_empty() {
                vec![SpaceAction::ReadSelf]
            } else {
                space.reads.clone()
            };
            scope.manage = space.manage.clone();
            out.push(Scope::Space(scope).to_string());
        }
        for (actions, collections) in by_actions(&space.writes) {
            let Some(collections) = patterns(&collections) else {
                continue;
            };
            let mut scope = base.clone();
            scope.collections = collections;
            scope.actions = RepoAction::ALL
                .iter()
                .filter(|a| actions.contains(a))
                .map(|a| SpaceAction::of_write(*a))
                .collect();
            out.push(Scope::Space(scope).to_string());
        }
    }
    out
}

/// Appends `value` to `list` unless it is there.
fn push_new<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// The names of `by_name` grouped by their set of actions (in the reference's action order).
fn by_actions<'r>(
    by_name: &BTreeMap<&'r str, Vec<RepoAction>>,
) -> Vec<(Vec<RepoAction>, Vec<&'r str>)> {
    let mut groups: Vec<(Vec<RepoAction>, Vec<&str>)> = Vec::new();
    for (name, actions) in by_name {
        let actions: Vec<RepoAction> = RepoAction::ALL
            .iter()
            .copied()
            .filter(|a| actions.contains(a))
            .collect();
        match groups.iter_mut().find(|(a, _)| *a == actions) {
            Some((_, names)) => names.push(name),
            None => groups.push((actions, vec![name])),
        }
    }
    groups
}

/// The resource of a set entry, when it is a string.
fn resource(entry: &lexicon::PermissionEntry) -> Option<&str> {
    entry.resource.as_ref().map(|r| r.value.as_str())
}

/// The NSIDs a set entry names (`collection`, `lxm`, `spaceType` values), as written.
fn entry_names(entry: &lexicon::PermissionEntry) -> Vec<&str> {
    let mut names = Vec::new();
    for member in &entry.members {
        if !matches!(member.key.as_str(), "collection" | "lxm" | "spaceType") {
            continue;
        }
        match &member.value.kind {
            JsonKind::String(name) => names.push(name.as_str()),
            JsonKind::Array(items) => names.extend(items.iter().filter_map(|i| i.as_str())),
            _ => {}
        }
    }
    names
}

/// The entries of one version of a set, for finding the counterpart of an entry of the other.
struct Entries<'e> {
    entries: &'e [lexicon::PermissionEntry],
    /// The first entry naming each (resource, NSID).
    first: HashMap<(&'e str, &'e str), usize>,
}

impl<'e> Entries<'e> {
    fn new(entries: &'e [lexicon::PermissionEntry]) -> Entries<'e> {
        let mut first = HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            let Some(resource) = resource(entry) else {
                continue;
            };
            for name in entry_names(entry) {
                first.entry((resource, name)).or_insert(index);
            }
        }
        Entries { entries, first }
    }

    /// The entry that `entry` (at `index` in the other version) most likely is: the one at the
    /// same position when it has the same resource and names an NSID in common (or both name
    /// none), else the first naming one of its NSIDs, else the one at the same position when it
    /// has the same resource.
    fn counterpart(&self, index: usize, entry: &lexicon::PermissionEntry) -> Option<usize> {
        let resource = resource(entry)?;
        let names = entry_names(entry);
        let same_place = self
            .entries
            .get(index)
            .filter(|other| self::resource(other) == Some(resource));
        if let Some(other) = same_place {
            let theirs: HashSet<&str> = entry_names(other).into_iter().collect();
            if names.iter().any(|n| theirs.contains(n)) || (names.is_empty() && theirs.is_empty()) {
                return Some(index);
            }
        }
        names
            .iter()
            .find_map(|name| self.first.get(&(resource, *name)).copied())
            .or(same_place.map(|_| index))
    }
}

impl Entries<'_> {
    /// The counterpart (see [`Entries::counterpart`]) of each entry of `others` at `indexes`.
    fn counterparts<'i>(
        &self,
        indexes: impl Iterator<Item = &'i usize>,
        others: &[lexicon::PermissionEntry],
    ) -> HashMap<usize, Option<usize>> {
        indexes
            .map(|&i| (i, others.get(i).and_then(|e| self.counterpart(i, e))))
            .collect()
    }
}

/// What one side of a set gained or lost, by entry: each request with whether it only counts
/// with an audience.
#[derive(Default)]
struct ByEntry {
    lists: BTreeMap<usize, Vec<(ScopeRequest, bool)>>,
    /// Where each (entry, request) is in its list.
    places: HashMap<(usize, ScopeRequest), usize>,
}

impl ByEntry {
    /// Adds `found` (the requests of one expansion); `with_audience` says the expansion had one.
    /// A request found both ways counts without an audience.
    fn collect(&mut self, found: Vec<(usize, ScopeRequest)>, with_audience: bool) {
        for (entry, request) in found {
            let list = self.lists.entry(entry).or_default();
            match self.places.get(&(entry, request.clone())) {
                Some(&place) => list[place].1 &= with_audience,
                None => {
                    self.places.insert((entry, request.clone()), list.len());
                    list.push((request, with_audience));
                }
            }
        }
    }
}

/// The changed permissions of `pair`, when both versions are permission sets.
fn compare_set<'a>(pair: DocPair<'a>, before: &Catalog, after: &Catalog) -> Vec<GrantChange<'a>> {
    let (Some(before_set), Some(after_set)) =
        (pair.before.permission_set(), pair.after.permission_set())
    else {
        return Vec::new();
    };
    let audience = DidServiceRef::parse(SAMPLE_AUD).ok();
    let mut gained = ByEntry::default();
    let mut lost = ByEntry::default();
    let mut before_strings = BTreeMap::new();
    let mut after_strings = BTreeMap::new();
    let mut budget = MAX_GRANT_COMPARISON_WORK;
    let mut cut_short = false;
    for aud in [None, audience.as_ref()] {
        let old = Grants::new(issued(
            pair.before,
            before_set,
            aud,
            before.reference(),
            [after, before],
        ));
        let new = Grants::new(issued(
            pair.after,
            after_set,
            aud,
            after.reference(),
            [after, before],
        ));
        gained.collect(
            new.missing_from(&old, &mut budget, &mut cut_short),
            aud.is_some(),
        );
        lost.collect(
            old.missing_from(&new, &mut budget, &mut cut_short),
            aud.is_some(),
        );
        old.strings_by_entry(&mut before_strings);
        new.strings_by_entry(&mut after_strings);
    }
    let (gained, lost) = (gained.lists, lost.lists);
    if gained.is_empty() && lost.is_empty() {
        return Vec::new();
    }

    let before_entries: &[lexicon::PermissionEntry] =
        before_set.permissions.as_ref().map_or(&[], |p| &p.value);
    let after_entries: &[lexicon::PermissionEntry] =
        after_set.permissions.as_ref().map_or(&[], |p| &p.value);
    let before_of = Entries::new(before_entries).counterparts(gained.keys(), after_entries);
    let after_of = Entries::new(after_entries).counterparts(lost.keys(), before_entries);

    let whole = |set: &PermissionSetSchema, doc: &CatalogDoc| {
        set.permissions.as_ref().map_or_else(
            || {
                doc.main()
                    .map_or_else(|| doc.doc.anchor(), |m| m.schema.anchor())
            },
            |p| p.span,
        )
    };
    let change = |before_entry: Option<usize>,
                  after_entry: Option<usize>,
                  gains: &[(ScopeRequest, bool)],
                  losses: &[(ScopeRequest, bool)]| {
        let requests = |list: &[(ScopeRequest, bool)]| {
            scope_strings(&list.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>())
        };
        GrantChange {
            doc: pair,
            before_entry,
            after_entry,
            before_span: before_entry
                .and_then(|i| before_entries.get(i))
                .map_or_else(|| whole(before_set, pair.before), |e| e.span),
            after_span: after_entry
                .and_then(|j| after_entries.get(j))
                .map_or_else(|| whole(after_set, pair.after), |e| e.span),
            before_scopes: before_entry
                .and_then(|i| before_strings.get(&i).cloned())
                .unwrap_or_default(),
            after_scopes: after_entry
                .and_then(|j| after_strings.get(&j).cloned())
                .unwrap_or_default(),
            gained: requests(gains),
            lost: requests(losses),
            with_audience: gains.iter().chain(losses).any(|(_, only)| *only),
            cut_short,
        }
    };

    let mut changes = Vec::new();
    let mut paired = HashSet::new();
    for (&j, gains) in &gained {
        let partner = before_of.get(&j).copied().flatten();
        let mutual = partner.filter(|i| after_of.get(i).copied().flatten() == Some(j));
        let losses: &[(ScopeRequest, bool)] = match mutual {
            Some(i) => {
                paired.insert(i);
                lost.get(&i).map_or(&[], Vec::as_slice)
            }
            None => &[],
        };
        changes.push(change(partner, Some(j), gains, losses));
    }
    for (&i, losses) in &lost {
        if !paired.contains(&i) {
            changes.push(change(
                Some(i),
                after_of.get(&i).copied().flatten(),
                &[],
                losses,
            ));
        }
    }
    changes
}

/// The change of `pair`'s declared collections, when both versions are `space` declarations and
/// the collections differ.
fn compare_space<'a>(pair: DocPair<'a>, after: &'a Catalog) -> Option<SpaceChange<'a>> {
    let (before_space, after_space) = (pair.before.space()?, pair.after.space()?);
    let list =
        |space: &'a lexicon::SpaceSchema| space.collections.as_ref().map_or(&[][..], |c| &c.value);
    let (old, new) = (list(before_space), list(after_space));
    let names = |items: &[Spanned<String>]| -> HashSet<String> {
        items.iter().map(|c| c.value.clone()).collect()
    };
    let (old_names, new_names) = (names(old), names(new));
    let only = |items: &'a [Spanned<String>], other: &HashSet<String>| {
        let mut seen = HashSet::new();
        items
            .iter()
            .filter(|c| !other.contains(&c.value) && seen.insert(c.value.as_str()))
            .collect::<Vec<_>>()
    };
    let added = only(new, &old_names);
    let removed = only(old, &new_names);
    if added.is_empty() && removed.is_empty() {
        return None;
    }
    let space_type = pair.nsid();
    let plain = SpaceScope {
        space_type: pattern(space_type)?,
        authority: SpaceAuthority::SelfUser,
        skey: SpaceKey::Any,
        collections: Vec::new(),
        actions: SpaceAction::DEFAULT.to_vec(),
        manage: Vec::new(),
    };
    let writes = |grant: &SpaceScope, collections: &[&Spanned<String>]| {
        let mut requests = Vec::new();
        for action in grant.actions.iter().filter_map(|a| write_action(*a)) {
            for collection in collections {
                requests.push(ScopeRequest::Space {
                    space_type: space_type.to_owned(),
                    authority: match grant.authority {
                        SpaceAuthority::SelfUser => SELF_AUTHORITY.to_owned(),
                        ref other => other.as_str().to_owned(),
                    },
                    skey: grant.skey.as_str().to_owned(),
                    op: SpaceOp::Write {
                        action,
                        collection: collection.value.clone(),
                    },
                });
            }
        }
        scope_strings(&requests)
    };
    let mut bare_grants = Vec::new();
    for (doc, _) in after.permission_sets() {
        let Some(expansion) = doc.expansion_with_aud() else {
            continue;
        };
        for granted in &expansion.granted {
            let Scope::Space(grant) = &granted.scope else {
                continue;
            };
            if grant.collections.is_empty() && grant.space_type.as_str() == space_type {
                let bare = BareGrant {
                    set: doc.nsid_str().to_owned(),
                    scope: granted.scope.to_string(),
                    gained: writes(grant, &added),
                    lost: writes(grant, &removed),
                };
                if !bare_grants.contains(&bare) {
                    bare_grants.push(bare);
                }
            }
        }
    }
    let span = |space: &lexicon::SpaceSchema, doc: &CatalogDoc| {
        space.collections.as_ref().map_or_else(
            || {
                doc.main()
                    .map_or_else(|| doc.doc.anchor(), |m| m.schema.anchor())
            },
            |c| c.span,
        )
    };
    Some(SpaceChange {
        doc: pair,
        gained: writes(&plain, &added),
        lost: writes(&plain, &removed),
        added,
        removed,
        before_span: span(before_space, pair.before),
        after_span: span(after_space, pair.after),
        bare_grants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    /// A permission set `com.example.authFull` with `entries` (JSON object bodies without
    /// braces and without `"type": "permission"`).
    fn set(entries: &[&str]) -> String {
        let entries: Vec<String> = entries
            .iter()
            .map(|e| format!(r#"{{"type": "permission", {e}}}"#))
            .collect();
        format!(
            r#"{{"lexicon": 1, "id": "com.example.authFull", "defs": {{"main": {{"type": "permission-set", "permissions": [{}]}}}}}}"#,
            entries.join(", ")
        )
    }

    /// A change as the tests compare it: before entry, after entry, gained, lost, whether an
    /// audience counts.
    type Found = (Option<usize>, Option<usize>, Vec<String>, Vec<String>, bool);

    /// The changes between `before` and `after` (documents).
    fn changes(before: &[&str], after: &[&str]) -> Vec<Found> {
        let (before, _) = Catalog::load(
            before
                .iter()
                .enumerate()
                .map(|(i, t)| (FileId(100 + i as u32), "b.json", *t)),
        );
        let (after, _) = Catalog::load(
            after
                .iter()
                .enumerate()
                .map(|(i, t)| (FileId(i as u32), "a.json", *t)),
        );
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        diff.grant_changes()
            .iter()
            .map(|c| {
                (
                    c.before_entry,
                    c.after_entry,
                    c.gained.clone(),
                    c.lost.clone(),
                    c.with_audience,
                )
            })
            .collect()
    }

    const POST: &str = r#""resource": "repo", "collection": ["com.example.post"]"#;

    #[test]
    fn every_single_request_of_a_scope_is_allowed_by_it() {
        for text in [
            "repo?collection=com.example.a&collection=*&action=create&action=delete",
            "rpc?lxm=com.example.a&lxm=com.example.b&aud=did:web:api.example.com%23svc",
            "space:com.example.forum?authority=*&skey=k&collection=com.example.a&action=read_self&action=create&manage=update",
        ] {
            let scope = issue(Scope::parse(text).unwrap(), [&Catalog::new(), &Catalog::new()]);
            let mut requests = Vec::new();
            single_requests(&scope, &mut requests);
            assert!(!requests.is_empty(), "{text}");
            let set = ScopeSet::from_scopes([scope]);
            for request in &requests {
                assert!(set.allows(request).is_some(), "{text}: {request:?}");
            }
            assert_eq!(scope_strings(&requests).len(), if text.starts_with("space") { 2 } else { 1 });
        }
    }

    #[test]
    fn a_new_collection_or_action_is_gained() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post"], "action": ["create"]"#,
        ]);
        let after = set(&[
            r#""resource": "repo", "collection": ["com.example.post", "com.example.like"], "action": ["create", "update"]"#,
        ]);
        let found = changes(&[&before], &[&after]);
        assert_eq!(
            found,
            [(
                Some(0),
                Some(0),
                vec![
                    "repo:com.example.like?action=create&action=update".to_owned(),
                    "repo:com.example.post?action=update".to_owned()
                ],
                vec![],
                false
            )]
        );
    }

    #[test]
    fn moving_a_collection_between_entries_changes_nothing() {
        let before = set(&[
            r#""resource": "repo", "collection": ["com.example.post", "com.example.like"]"#,
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*""#,
        ]);
        let after = set(&[
            r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*""#,
            POST,
            r#""resource": "repo", "collection": ["com.example.like"]"#,
        ]);
        assert!(changes(&[&before], &[&after]).is_empty());
    }

    #[test]
    fn a_wider_audience_is_gained_and_inherit_aud_counts_with_an_audience() {
        let inherit =
            set(&[r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#]);
        let any = set(&[r#""resource": "rpc", "lxm": ["com.example.getPost"], "aud": "*""#]);
        let found = changes(&[&inherit], &[&any]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2, ["rpc:com.example.getPost?aud=*"]);
        assert!(
            found[0].3.is_empty(),
            "the sample audience is covered by `*`"
        );
        // Narrowed back: the `*` is lost; the sample audience is still granted.
        let found = changes(&[&any], &[&inherit]);
        assert_eq!(found[0].3, ["rpc:com.example.getPost?aud=*"]);
        // An `inheritAud` entry that starts granting counts only with an audience.
        let empty = set(&[POST]);
        let found = changes(
            &[&empty],
            &[&set(&[
                POST,
                r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#,
            ])],
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (None, Some(1)));
        assert_eq!(
            found[0].2,
            ["rpc:com.example.getPost?aud=did:web:api.example.com%23svc"]
        );
        assert!(found[0].4);
    }

    #[test]
    fn a_wildcard_covers_what_it_replaces() {
        let before = set(&[
            r#""resource": "space", "spaceType": "com.example.forum", "authority": "*", "collection": ["com.example.post"]"#,
        ]);
        let narrower = set(&[
            r#""resource": "space", "spaceType": "com.example.forum", "collection": ["com.example.post"], "action": ["read"]"#,
        ]);
        let found = changes(&[&before], &[&narrower]);
        assert_eq!(found.len(), 1);
        assert!(found[0].2.is_empty(), "{found:?}");
        assert_eq!(
            found[0].3,
            [
                "space:com.example.forum?authority=*&action=read",
                "space:com.example.forum?authority=*&collection=com.example.post&action=create&action=update&action=delete"
            ]
        );
        // The other way round, `authority=*` is gained.
        let found = changes(&[&narrower], &[&before]);
        assert!(found[0].3.is_empty());
        assert!(
            found[0].2[0].starts_with("space:com.example.forum?authority=*"),
            "{found:?}"
        );
    }

    #[test]
    fn a_changed_entry_gains_and_loses() {
        let before = set(&[POST]);
        let after = set(&[r#""resource": "repo", "collection": ["com.example.like"]"#]);
        let found = changes(&[&before], &[&after]);
        assert_eq!(
            found,
            [(
                Some(0),
                Some(0),
                vec!["repo:com.example.like".to_owned()],
                vec!["repo:com.example.post".to_owned()],
                false
            )]
        );
    }

    #[test]
    fn bare_space_grants_are_compared_with_the_after_declaration() {
        let decl = |collections: &str| {
            format!(
                r#"{{"lexicon": 1, "id": "com.example.forum", "defs": {{"main": {{"type": "space", "key": "tid", "name": "Forum", "collections": [{collections}]}}}}}}"#
            )
        };
        let grant = set(&[r#""resource": "space", "spaceType": "com.example.forum""#]);
        let old = decl(r#""com.example.post""#);
        let new = decl(r#""com.example.post", "com.example.reply""#);
        assert!(changes(&[&grant, &old], &[&grant, &new]).is_empty());
        let (before, _) = Catalog::load([
            (FileId(100), "a.json", grant.as_str()),
            (FileId(101), "b.json", old.as_str()),
        ]);
        let (after, _) = Catalog::load([
            (FileId(0), "a.json", grant.as_str()),
            (FileId(1), "b.json", new.as_str()),
        ]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        let spaces = diff.space_changes();
        assert_eq!(spaces.len(), 1);
        assert_eq!(
            spaces[0]
                .added
                .iter()
                .map(|c| c.value.as_str())
                .collect::<Vec<_>>(),
            ["com.example.reply"]
        );
        assert_eq!(
            spaces[0].gained,
            ["space:com.example.forum?collection=com.example.reply&action=create&action=update&action=delete"]
        );
        assert_eq!(spaces[0].bare_grants.len(), 1);
        assert_eq!(spaces[0].bare_grants[0].set, "com.example.authFull");
        assert_eq!(spaces[0].bare_grants[0].gained, spaces[0].gained);
    }

    #[test]
    fn the_work_is_bounded() {
        let collections = |n: usize| {
            (0..n)
                .map(|i| format!("\"com.example.c{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let before = set(&[&format!(
            r#""resource": "repo", "collection": [{}], "action": ["create"]"#,
            collections(5000)
        )]);
        let after = set(&[&format!(
            r#""resource": "repo", "collection": [{}], "action": ["update"]"#,
            collections(5000)
        )]);
        let (before, _) = Catalog::load([(FileId(100), "b.json", before.as_str())]);
        let (after, _) = Catalog::load([(FileId(0), "a.json", after.as_str())]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        let change = &diff.grant_changes()[0];
        assert!(change.cut_short);
        assert_eq!(change.effect(), GrantEffect::Changed);
    }
}
