//! Permission coverage: which records and endpoints of the catalog no permission set grants, and
//! which sets grant nothing unless the client passes `?aud=`.
//!
//! A record counts as granted when some set's expansion (with an audience, so `inheritAud`
//! entries count) has a `repo` scope listing its collection with any action; an endpoint when
//! some set's expansion has an `rpc` scope listing its method. A space type counts as granted when
//! some set grants a `space:` scope of it; each of its declared collections as writable when such
//! a scope has a write action and lists the collection or `*`, or lists none (the authorization
//! server then fills in the declared collections).

use std::collections::{BTreeMap, BTreeSet};

use lexperm_parser::scope::{
    IncludeScope, NsidPattern, RepoAction, Scope, SpaceAction, SpaceScope,
};
use lexperm_parser::syntax::DidServiceRef;

use crate::catalog::Catalog;
use crate::expand::expand_set_with;

/// The audience used to expand sets for coverage (any value works: only its presence matters).
const PROBE_AUD: &str = "did:web:coverage.invalid#probe";

/// Coverage of one record or endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCoverage {
    /// The NSID.
    pub nsid: String,
    /// `record`, `query` or `procedure`.
    pub kind: &'static str,
    /// Sets granting it (sorted), with the repo actions they grant for records.
    pub granted_by: Vec<String>,
    /// For records: the union of actions granted over all sets, in `create, update, delete`
    /// order. Empty for endpoints.
    pub actions: Vec<RepoAction>,
}

/// Coverage of one NSID group (`com.example.feed.` for `com.example.feed.post`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCoverage {
    /// The group prefix (what a permission set in the group may grant).
    pub group: String,
    /// The authority domain (`feed.example.com`).
    pub authority: String,
    /// Records, sorted by NSID.
    pub records: Vec<ItemCoverage>,
    /// Queries and procedures, sorted by NSID.
    pub endpoints: Vec<ItemCoverage>,
    /// Space types, sorted by NSID.
    pub spaces: Vec<SpaceCoverage>,
}

/// Coverage of one space type declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceCoverage {
    /// The space type NSID.
    pub nsid: String,
    /// The declaration's default `name`.
    pub name: Option<String>,
    /// Sets granting any `space:` scope of the type (sorted).
    pub granted_by: Vec<String>,
    /// The declared collections (sorted, distinct), each with the sets that let a client write
    /// it in spaces of this type and the union of the write actions they grant (`kind`:
    /// `collection`).
    pub collections: Vec<ItemCoverage>,
}

impl SpaceCoverage {
    /// Declared collections no set lets anyone write.
    pub fn unwritable(&self) -> impl Iterator<Item = &ItemCoverage> {
        self.collections.iter().filter(|c| c.granted_by.is_empty())
    }
}

impl GroupCoverage {
    /// Records no set grants.
    pub fn uncovered_records(&self) -> impl Iterator<Item = &ItemCoverage> {
        self.records.iter().filter(|r| r.granted_by.is_empty())
    }

    /// Endpoints no set grants.
    pub fn uncovered_endpoints(&self) -> impl Iterator<Item = &ItemCoverage> {
        self.endpoints.iter().filter(|e| e.granted_by.is_empty())
    }
}

/// What one permission set grants with and without `?aud=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCoverage {
    /// The set's NSID.
    pub nsid: String,
    /// Scopes granted by `include:<nsid>` (no audience).
    pub granted_without_aud: usize,
    /// Scopes granted by `include:<nsid>?aud=…`.
    pub granted_with_aud: usize,
    /// Entries dropped even with an audience.
    pub dropped_with_aud: usize,
    /// Collections and methods the set grants that no document of the catalog defines (sorted;
    /// a typo, or a lexicon missing from the catalog).
    pub undefined: Vec<String>,
}

impl SetCoverage {
    /// True when the set grants nothing without `?aud=` but something with it (every surviving
    /// entry uses `inheritAud`).
    pub fn needs_aud(&self) -> bool {
        self.granted_without_aud == 0 && self.granted_with_aud > 0
    }
}

/// The coverage report of a catalog.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Groups with at least one record or endpoint, sorted by group.
    pub groups: Vec<GroupCoverage>,
    /// Every permission set, sorted by NSID.
    pub sets: Vec<SetCoverage>,
}

impl Coverage {
    /// Number of declared space collections no set lets anyone write.
    pub fn unwritable(&self) -> usize {
        self.groups
            .iter()
            .flat_map(|g| &g.spaces)
            .map(|s| s.unwritable().count())
            .sum()
    }

    /// Number of records and endpoints no set grants.
    pub fn uncovered(&self) -> usize {
        self.groups
            .iter()
            .map(|g| g.uncovered_records().count() + g.uncovered_endpoints().count())
            .sum()
    }
}

impl Catalog {
    /// Computes the [`Coverage`] of the catalog.
    pub fn coverage(&self) -> Coverage {
        let aud = DidServiceRef::parse(PROBE_AUD).ok();
        // collection / method -> set -> actions
        let mut repo: BTreeMap<&str, BTreeMap<String, BTreeSet<RepoAction>>> = BTreeMap::new();
        let mut rpc: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut spaces = SpaceGrants::default();
        let mut sets = Vec::new();
        let known: BTreeSet<&str> = self.indexed().map(|d| d.nsid_str()).collect();
        for (doc, set) in self.permission_sets() {
            let Some(nsid) = doc.nsid.clone() else {
                continue;
            };
            let mut undefined = BTreeSet::new();
            let with_aud = expand_set_with(
                &IncludeScope {
                    nsid: nsid.clone(),
                    aud: aud.clone(),
                },
                doc,
                set,
                self.reference(),
            );
            let without_aud = expand_set_with(
                &IncludeScope {
                    nsid: nsid.clone(),
                    aud: None,
                },
                doc,
                set,
                self.reference(),
            );
            for granted in &with_aud.granted {
                match &granted.scope {
                    Scope::Repo(r) => {
                        for c in &r.collections {
                            if let NsidPattern::Nsid(c) = c {
                                match known.get(c.as_str()) {
                                    Some(&key) => repo
                                        .entry(key)
                                        .or_default()
                                        .entry(nsid.as_str().to_owned())
                                        .or_default()
                                        .extend(r.actions.iter().copied()),
                                    None => {
                                        undefined.insert(c.as_str().to_owned());
                                    }
                                }
                            }
                        }
                    }
                    Scope::Rpc(r) => {
                        for l in &r.lxms {
                            if let NsidPattern::Nsid(l) = l {
                                match known.get(l.as_str()) {
                                    Some(&key) => {
                                        rpc.entry(key)
                                            .or_default()
                                            .insert(nsid.as_str().to_owned());
                                    }
                                    None => {
                                        undefined.insert(l.as_str().to_owned());
                                    }
                                }
                            }
                        }
                    }
                    Scope::Space(space) => spaces.add(self, nsid.as_str(), space),
                    _ => {}
                }
            }
            sets.push(SetCoverage {
                nsid: nsid.as_str().to_owned(),
                granted_without_aud: without_aud.granted.len(),
                granted_with_aud: with_aud.granted.len(),
                dropped_with_aud: with_aud.dropped.len(),
                undefined: undefined.into_iter().collect(),
            });
        }
        let mut groups = Vec::new();
        for (group, docs) in self.by_group() {
            let mut coverage = GroupCoverage {
                authority: docs[0]
                    .nsid
                    .as_ref()
                    .map(|n| n.authority())
                    .unwrap_or_default(),
                group,
                records: Vec::new(),
                endpoints: Vec::new(),
                spaces: Vec::new(),
            };
            for doc in docs {
                let nsid = doc.nsid_str();
                if doc.record().is_some() {
                    let by_set = repo.get(nsid);
                    let mut actions: BTreeSet<RepoAction> = BTreeSet::new();
                    for a in by_set.into_iter().flat_map(|m| m.values()) {
                        actions.extend(a.iter().copied());
                    }
                    coverage.records.push(ItemCoverage {
                        nsid: nsid.to_owned(),
                        kind: "record",
                        granted_by: by_set
                            .map(|m| m.keys().cloned().collect())
                            .unwrap_or_default(),
                        actions: RepoAction::ALL
                            .iter()
                            .copied()
                            .filter(|a| actions.contains(a))
                            .collect(),
                    });
                } else if let Some(space) = doc.space() {
                    coverage.spaces.push(spaces.coverage(
                        nsid,
                        space.name.as_ref().map(|n| n.value.clone()),
                        declared_collections(space),
                    ));
                } else if let Some(endpoint) = doc.endpoint() {
                    coverage.endpoints.push(ItemCoverage {
                        nsid: nsid.to_owned(),
                        kind: endpoint.kind_name(),
                        granted_by: rpc
                            .get(nsid)
                            .map(|s| s.iter().cloned().collect())
                            .unwrap_or_default(),
                        actions: Vec::new(),
                    });
                }
            }
            if !coverage.records.is_empty()
                || !coverage.endpoints.is_empty()
                || !coverage.spaces.is_empty()
            {
                groups.push(coverage);
            }
        }
        Coverage { groups, sets }
    }
}

/// The declared collections of a space type, sorted and distinct.
fn declared_collections(space: &lexperm_parser::lexicon::SpaceSchema) -> Vec<String> {
    let collections: BTreeSet<String> = space
        .collections
        .iter()
        .flat_map(|list| &list.value)
        .map(|c| c.value.clone())
        .collect();
    collections.into_iter().collect()
}

/// What the sets' `space:` grants reach, by space type.
#[derive(Default)]
struct SpaceGrants {
    /// space type (`*` for every type) -> sets granting it.
    granted: BTreeMap<String, BTreeSet<String>>,
    /// (space type, collection or `*`) -> set -> write actions.
    writes: BTreeMap<(String, String), BTreeMap<String, BTreeSet<RepoAction>>>,
}

impl SpaceGrants {
    /// Records the grant `space` of set `set`; a grant naming no collection writes the declared
    /// ones of its type.
    fn add(&mut self, catalog: &Catalog, set: &str, space: &SpaceScope) {
        let space_type = space.space_type.as_str().to_owned();
        self.granted
            .entry(space_type.clone())
            .or_default()
            .insert(set.to_owned());
        let actions: BTreeSet<RepoAction> = RepoAction::ALL
            .iter()
            .copied()
            .filter(|a| space.actions.contains(&SpaceAction::of_write(*a)))
            .collect();
        if actions.is_empty() {
            return;
        }
        let collections: Vec<String> = if space.collections.is_empty() {
            catalog
                .space_decl(&space_type)
                .map(|(_, decl)| declared_collections(decl))
                .unwrap_or_default()
        } else {
            space
                .collections
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect()
        };
        for collection in collections {
            self.writes
                .entry((space_type.clone(), collection))
                .or_default()
                .entry(set.to_owned())
                .or_default()
                .extend(actions.iter().copied());
        }
    }

    /// The coverage of space type `nsid` declaring `collections`.
    fn coverage(
        &self,
        nsid: &str,
        name: Option<String>,
        collections: Vec<String>,
    ) -> SpaceCoverage {
        let granted_by: BTreeSet<String> = [nsid, "*"]
            .iter()
            .filter_map(|t| self.granted.get(*t))
            .flatten()
            .cloned()
            .collect();
        let collections = collections
            .into_iter()
            .map(|collection| {
                let mut by_set: BTreeMap<&str, BTreeSet<RepoAction>> = BTreeMap::new();
                for t in [nsid, "*"] {
                    for c in [collection.as_str(), "*"] {
                        let key = (t.to_owned(), c.to_owned());
                        for (set, actions) in self.writes.get(&key).into_iter().flatten() {
                            by_set.entry(set).or_default().extend(actions);
                        }
                    }
                }
                let actions: BTreeSet<RepoAction> = by_set.values().flatten().copied().collect();
                ItemCoverage {
                    nsid: collection,
                    kind: "collection",
                    granted_by: by_set.keys().map(|s| (*s).to_owned()).collect(),
                    actions: actions.into_iter().collect(),
                }
            })
            .collect();
        SpaceCoverage {
            nsid: nsid.to_owned(),
            name,
            granted_by: granted_by.into_iter().collect(),
            collections,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    #[test]
    fn reports_uncovered_items_and_aud_only_sets() {
        let docs = [
            r#"{"lexicon": 1, "id": "com.example.feed.post", "defs": {"main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#,
            r#"{"lexicon": 1, "id": "com.example.feed.like", "defs": {"main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#,
            r#"{"lexicon": 1, "id": "com.example.feed.getFeed", "defs": {"main": {"type": "query"}}}"#,
            r#"{"lexicon": 1, "id": "com.example.feed.authPost", "defs": {"main": {"type": "permission-set", "permissions": [
                {"type": "permission", "resource": "repo", "collection": ["com.example.feed.post"], "action": ["create", "delete"]}]}}}"#,
            r#"{"lexicon": 1, "id": "com.example.feed.authRead", "defs": {"main": {"type": "permission-set", "permissions": [
                {"type": "permission", "resource": "rpc", "inheritAud": true, "lxm": ["com.example.feed.getFeed", "com.example.feed.getFeeds"]}]}}}"#,
        ];
        let (catalog, _) = Catalog::load(
            docs.iter()
                .enumerate()
                .map(|(i, t)| (FileId(i as u32), "x.json", *t)),
        );
        let coverage = catalog.coverage();
        assert_eq!(coverage.groups.len(), 1);
        let group = &coverage.groups[0];
        assert_eq!(group.group, "com.example.feed.");
        assert_eq!(group.authority, "feed.example.com");
        let uncovered: Vec<&str> = group.uncovered_records().map(|r| r.nsid.as_str()).collect();
        assert_eq!(uncovered, ["com.example.feed.like"]);
        let post = group
            .records
            .iter()
            .find(|r| r.nsid.ends_with("post"))
            .unwrap();
        assert_eq!(post.actions, [RepoAction::Create, RepoAction::Delete]);
        assert_eq!(group.uncovered_endpoints().count(), 0);
        assert_eq!(coverage.uncovered(), 1);
        let read = coverage
            .sets
            .iter()
            .find(|s| s.nsid.ends_with("authRead"))
            .unwrap();
        assert!(read.needs_aud());
        assert_eq!(read.undefined, ["com.example.feed.getFeeds"]);
        let post = coverage
            .sets
            .iter()
            .find(|s| s.nsid.ends_with("authPost"))
            .unwrap();
        assert!(!post.needs_aud());
        assert!(post.undefined.is_empty());
        assert!(group.spaces.is_empty());
        assert_eq!(coverage.unwritable(), 0);
    }

    #[test]
    fn reports_space_collections_no_set_writes() {
        let docs = [
            r#"{"lexicon": 1, "id": "com.example.board", "defs": {"main": {"type": "space", "key": "any", "name": "Board",
                "collections": ["com.example.pin", "com.example.note", "com.example.removal"]}}}"#,
            r#"{"lexicon": 1, "id": "com.example.authBoard", "defs": {"main": {"type": "permission-set", "permissions": [
                {"type": "permission", "resource": "space", "spaceType": "com.example.board", "collection": ["com.example.note"], "action": ["read", "create"]},
                {"type": "permission", "resource": "space", "spaceType": "com.example.board", "action": ["read"]}]}}}"#,
            r#"{"lexicon": 1, "id": "com.example.authPin", "defs": {"main": {"type": "permission-set", "permissions": [
                {"type": "permission", "resource": "space", "spaceType": "com.example.board", "action": ["delete"]}]}}}"#,
        ];
        let (catalog, _) = Catalog::load(
            docs.iter()
                .enumerate()
                .map(|(i, t)| (FileId(i as u32), "x.json", *t)),
        );
        let coverage = catalog.coverage();
        let space = &coverage.groups[0].spaces[0];
        assert_eq!(space.nsid, "com.example.board");
        assert_eq!(space.name.as_deref(), Some("Board"));
        assert_eq!(
            space.granted_by,
            ["com.example.authBoard", "com.example.authPin"]
        );
        let writers: Vec<(&str, &[String], &[RepoAction])> = space
            .collections
            .iter()
            .map(|c| {
                (
                    c.nsid.as_str(),
                    c.granted_by.as_slice(),
                    c.actions.as_slice(),
                )
            })
            .collect();
        let pin = ["com.example.authPin".to_owned()];
        let both = [
            "com.example.authBoard".to_owned(),
            "com.example.authPin".to_owned(),
        ];
        assert_eq!(
            writers,
            [
                (
                    "com.example.note",
                    &both[..],
                    &[RepoAction::Create, RepoAction::Delete][..]
                ),
                ("com.example.pin", &pin[..], &[RepoAction::Delete][..]),
                ("com.example.removal", &pin[..], &[RepoAction::Delete][..]),
            ]
        );
        assert_eq!(coverage.unwritable(), 0);
        let (catalog, _) = Catalog::load(
            docs[..2]
                .iter()
                .enumerate()
                .map(|(i, t)| (FileId(i as u32), "x.json", *t)),
        );
        let coverage = catalog.coverage();
        let unwritable: Vec<&str> = coverage.groups[0].spaces[0]
            .unwritable()
            .map(|c| c.nsid.as_str())
            .collect();
        assert_eq!(unwritable, ["com.example.pin", "com.example.removal"]);
        assert_eq!(coverage.unwritable(), 2);
        assert_eq!(coverage.uncovered(), 0);
    }
}
