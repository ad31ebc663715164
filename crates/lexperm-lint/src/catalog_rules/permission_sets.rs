//! What the permission-set rules share: expanding each set the way the reference authorization
//! server does, and reporting what it drops (`P101`–`P116`) or what the survivors grant that the
//! catalog contradicts (`P117`–`P120`).
//!
//! Each set is expanded as `include:<set nsid>?aud=<some service>`, so `inheritAud: true` entries
//! are judged as they are when a client asks with an audience (the normal case); without one the
//! reference drops every such entry, which is a property of the request, not of the set.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Span};
use lexperm_parser::json::JsonValue;
use lexperm_parser::lexicon::{self, SchemaType};
use crate::file_rules::l129_invalid_permission_value::value_problem;
use lexperm_parser::scope::include::DropReason;
use lexperm_parser::scope::{Reference, Scope, SpaceAction};
use lexperm_parser::syntax::Nsid;

use lexperm_resolver::catalog::{Catalog, CatalogDoc};
use lexperm_resolver::expand::{DroppedEntry, GrantedScope};
use crate::catalog_rules::{a_type, drop_rule, has_group_of};

/// A permission set as the lint rules see it: its NSID, entries and lint expansion.
pub(crate) struct LintSet<'c> {
    pub nsid: &'c Nsid,
    pub entries: &'c [lexicon::PermissionEntry],
    pub granted: &'c [GrantedScope],
    pub dropped: &'c [DroppedEntry],
    /// The other problems of the dropped entries, beyond the first.
    pub further: &'c [DroppedEntry],
}

/// The set of `doc` as the lint rules see it; expanded once per document, whichever rule asks
/// first.
pub(crate) fn lint_set(doc: &CatalogDoc) -> Option<LintSet<'_>> {
    let expansion = doc.expansion_with_aud()?;
    let nsid = doc.nsid.as_ref()?;
    let set = doc.permission_set()?;
    Some(LintSet {
        nsid,
        entries: set.permissions.as_ref().map_or(&[], |p| &p.value),
        granted: &expansion.granted,
        dropped: &expansion.dropped,
        further: &expansion.further,
    })
}

/// The sets of the catalog as the lint rules see them, when the catalog follows the
/// permissioned-data reference (the one where `space` entries are granted); none otherwise.
pub(crate) fn permissioned_data_sets(catalog: &Catalog) -> impl Iterator<Item = LintSet<'_>> {
    let follows = catalog.reference() == Reference::PermissionedData;
    catalog
        .documents()
        .iter()
        .filter(move |_| follows)
        .filter_map(lint_set)
}

/// True when the per-file rules already reject the entry's shape (`missing-required-field`,
/// `invalid-field-type`, `invalid-permission-entry`, `invalid-permission-value`): the reference
/// then rejects the whole document, so what the entry would grant is moot and not reported again.
fn shape_reported(entry: &lexicon::PermissionEntry) -> bool {
    let bad_type = entry
        .member("type")
        .is_none_or(|m| m.value.as_str() != Some("permission"));
    let bad_resource = entry.resource.as_ref().is_none_or(|r| r.value.is_empty());
    bad_type
        || bad_resource
        || entry
            .parameters()
            .any(|m| value_problem(&m.value).is_some())
}

/// Where to report things about the whole entry: its `resource` value, else its first byte.
fn entry_anchor(entry: &lexicon::PermissionEntry) -> Span {
    match &entry.resource {
        Some(resource) => resource.span,
        None => Span::new(entry.span.file, entry.span.start, entry.span.start + 1),
    }
}

/// The array element of a `collection`/`lxm`/`action`/`manage` field that caused `reason`, when
/// one did. `space_action` says the field is a `space` entry's `action`, whose values include
/// `read` and `read_self`.
fn offending_element<'v>(
    set: &Nsid,
    value: &'v JsonValue,
    reason: DropReason,
    space_action: bool,
) -> Option<&'v JsonValue> {
    value.as_array()?.iter().find(|item| {
        let Some(s) = item.as_str() else {
            return reason == DropReason::ExpectedString;
        };
        match reason {
            DropReason::WildcardInSet => s == "*",
            DropReason::OutsideNamespace => s != "*" && !set.is_parent_authority_of(s),
            DropReason::InvalidNsid => s != "*" && Nsid::parse(s).is_err(),
            DropReason::InvalidAction if space_action => SpaceAction::from_name(s).is_none(),
            DropReason::InvalidAction => !matches!(s, "create" | "update" | "delete"),
            _ => false,
        }
    })
}

/// True when `field` of `entry` is a `space` entry's `action`.
fn is_space_action(entry: &lexicon::PermissionEntry, field: &str) -> bool {
    field == "action" && entry.resource.as_ref().is_some_and(|r| r.value == "space")
}

/// The primary span for a dropped entry: the offending array element, the field's value (its key
/// for an unknown field), or the entry.
fn drop_span(set: &Nsid, entry: &lexicon::PermissionEntry, dropped: &DroppedEntry) -> Span {
    let Some(member) = dropped.field.as_deref().and_then(|f| entry.member(f)) else {
        return entry_anchor(entry);
    };
    if dropped.reason == DropReason::UnknownField {
        return member.key_span;
    }
    offending_element(
        set,
        &member.value,
        dropped.reason,
        is_space_action(entry, &member.key),
    )
    .map_or(member.value.span, |item| item.span)
}

/// A fix for an out-of-namespace grant: the common parent group to move the set to, or a split.
fn namespace_help(set: &Nsid, target: Option<&str>) -> String {
    let group = set.group_prefix();
    let Some(target) = target.and_then(|t| Nsid::parse(t).ok()) else {
        return format!(
            "a set may only grant NSIDs starting with `{group}`; split the entry so each part sits in a set under its own namespace"
        );
    };
    let set_segments: Vec<&str> = group.trim_end_matches('.').split('.').collect();
    let target_group = target.group_prefix();
    let target_segments: Vec<&str> = target_group.trim_end_matches('.').split('.').collect();
    let common: Vec<&str> = set_segments
        .iter()
        .zip(&target_segments)
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| *a)
        .collect();
    if common.len() < 2 {
        return format!(
            "a set may only grant NSIDs starting with `{group}`; `{target}` belongs to another authority, so request it directly or include a set published under `{target_group}`"
        );
    }
    let name = set.name();
    let auth_name = if name.starts_with("auth") {
        name.to_owned()
    } else {
        let mut chars = name.chars();
        let first: String = chars
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        format!("auth{first}{}", chars.as_str())
    };
    format!(
        "a set may only grant NSIDs starting with `{group}`: move the set to `{}.{auth_name}` so it covers `{target}`, or split the entry and grant `{target}` from a set under `{target_group}`",
        common.join(".")
    )
}

/// Reports every entry the reference drops for `reason`, as `rule`: whether `reason` is the
/// first problem the reference meets in the entry or one behind it.
pub fn report_drops(catalog: &Catalog, reason: DropReason, out: &mut Vec<Diagnostic>) {
    let Some(rule) = drop_rule(reason) else {
        return;
    };
    for doc in catalog.documents() {
        let Some(set) = lint_set(doc) else { continue };
        let mut reasons: Vec<&DroppedEntry> = set
            .dropped
            .iter()
            .chain(set.further)
            .filter(|d| d.reason == reason)
            .collect();
        reasons.sort_by_key(|d| d.entry_index);
        for dropped in reasons {
            let entry = &set.entries[dropped.entry_index];
            if shape_reported(entry) {
                continue;
            }
            out.push(drop_diagnostic(rule, set.nsid, entry, dropped));
        }
    }
}

/// The diagnostic for one dropped entry of set `set`, as `rule`.
pub(crate) fn drop_diagnostic(
    rule: &RuleMeta,
    set: &Nsid,
    entry: &lexicon::PermissionEntry,
    dropped: &DroppedEntry,
) -> Diagnostic {
    let span = drop_span(set, entry, dropped);
    // The consequence clause is left out: the lint message says the entry is dropped.
    let message = &dropped.message;
    let hint = if dropped.reason == DropReason::OutsideNamespace {
        // An array names the offending element; a single value (`spaceType`) is the target.
        let target = dropped
            .field
            .as_deref()
            .and_then(|f| entry.member(f))
            .and_then(|m| {
                m.value.as_str().or_else(|| {
                    offending_element(set, &m.value, dropped.reason, false)
                        .and_then(JsonValue::as_str)
                })
            });
        Some(namespace_help(set, target))
    } else {
        Some(
            dropped
                .hint
                .clone()
                .unwrap_or_else(|| default_hint(dropped.reason).to_owned()),
        )
    };
    let resource = entry
        .resource
        .as_ref()
        .map_or("permission", |r| r.value.as_str());
    let mut diagnostic = Diagnostic::new(
        rule,
        span,
        format!(
            "`{resource}` permission #{} is dropped by the authorization server: {message}",
            dropped.entry_index + 1
        ),
    );
    let anchor = entry_anchor(entry);
    if anchor != span {
        diagnostic = diagnostic.with_label(anchor, "in this permission");
    }
    if let Some(hint) = hint {
        diagnostic = diagnostic.with_help(hint);
    }
    diagnostic
}

/// A fix for reasons whose parser message carries no hint.
fn default_hint(reason: DropReason) -> &'static str {
    match reason {
        DropReason::ExpectedString => "write every NSID and action as a JSON string",
        DropReason::EmptyArray => {
            "list at least one value; to grant every action, remove `action` instead"
        }
        DropReason::InvalidNsid => "list full NSIDs such as `com.example.feed.post`",
        DropReason::InvalidAction => "use `create`, `update` and/or `delete`",
        DropReason::ExpectedSingleValue => "write one string, not an array",
        _ => "fix the entry so that the set grants what it promises",
    }
}

/// What a granted collection, method or space type can be wrong about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantProblem {
    /// A granted collection is defined, but not as a `record`.
    CollectionNotRecord,
    /// A granted method is defined, but not as a `query` or `procedure`.
    LxmNotEndpoint,
    /// A granted collection is in a loaded NSID group but not defined.
    UndefinedCollection,
    /// A granted method is in a loaded NSID group but not defined.
    UndefinedLxm,
    /// A `space` entry's `spaceType` is defined but not as a `space`, or is in a loaded NSID
    /// group but not defined.
    UndeclaredSpaceType,
    /// A `space` entry's collection is defined, but not as a `record`.
    SpaceCollectionNotRecord,
    /// A `space` entry's collection is in a loaded NSID group but not defined.
    UndefinedSpaceCollection,
    /// A space type declares a collection that is defined, but not as a `record`.
    DeclaredCollectionNotRecord,
    /// A space type declares a collection in a loaded NSID group that is not defined.
    UndefinedDeclaredCollection,
}

/// What a [`GrantProblem`] checks: the schema type the NSID must have, and the words to say so.
struct Expectation {
    /// The type the NSID must be defined as.
    wanted: fn(Option<SchemaType>) -> bool,
    /// The type in words (`a \`record\``).
    wanted_words: &'static str,
    /// The fix when it is defined as something else.
    wrong_type_help: &'static str,
    /// True when an undefined NSID in a loaded group is the problem (else: a wrong type).
    undefined: bool,
    /// What names it: `the set grants collection`, `the space type declares collection`, ….
    subject: &'static str,
    /// Only these documents are suggested for a near miss.
    suggest: fn(&CatalogDoc) -> bool,
}

fn is_record(t: Option<SchemaType>) -> bool {
    t == Some(SchemaType::Record)
}

fn is_endpoint(t: Option<SchemaType>) -> bool {
    matches!(t, Some(SchemaType::Query | SchemaType::Procedure))
}

fn is_space(t: Option<SchemaType>) -> bool {
    t == Some(SchemaType::Space)
}

const RECORD_HELP: &str = "`repo` permissions take record collections; grant a query or procedure with an `rpc` permission instead";
const SPACE_RECORD_HELP: &str =
    "spaces hold records: list record collections only, or remove this one";

impl GrantProblem {
    fn expectation(self) -> Expectation {
        let record = Expectation {
            wanted: is_record,
            wanted_words: "a `record`",
            wrong_type_help: RECORD_HELP,
            undefined: false,
            subject: "the set grants collection",
            suggest: |_| true,
        };
        match self {
            GrantProblem::CollectionNotRecord => record,
            GrantProblem::UndefinedCollection => Expectation {
                undefined: true,
                ..record
            },
            GrantProblem::LxmNotEndpoint | GrantProblem::UndefinedLxm => Expectation {
                wanted: is_endpoint,
                wanted_words: "a `query` or `procedure`",
                wrong_type_help: "`rpc` permissions take query and procedure NSIDs; grant a record collection with a `repo` permission instead",
                undefined: self == GrantProblem::UndefinedLxm,
                subject: "the set grants method",
                ..record
            },
            GrantProblem::UndeclaredSpaceType => Expectation {
                wanted: is_space,
                wanted_words: "a `space`",
                wrong_type_help: "`spaceType` names a space type declaration (`\"type\": \"space\"`); fix the NSID or declare the space type",
                undefined: true,
                subject: "the set grants space type",
                suggest: |d| d.space().is_some(),
            },
            GrantProblem::SpaceCollectionNotRecord | GrantProblem::UndefinedSpaceCollection => {
                Expectation {
                    wrong_type_help: SPACE_RECORD_HELP,
                    undefined: self == GrantProblem::UndefinedSpaceCollection,
                    subject: "the set grants writes to space collection",
                    ..record
                }
            }
            GrantProblem::DeclaredCollectionNotRecord
            | GrantProblem::UndefinedDeclaredCollection => Expectation {
                wrong_type_help: SPACE_RECORD_HELP,
                undefined: self == GrantProblem::UndefinedDeclaredCollection,
                subject: "the space type declares collection",
                ..record
            },
        }
    }
}

/// Reports `problem` for every collection, method or space type that a surviving entry grants.
pub fn report_grants(
    catalog: &Catalog,
    rule: &RuleMeta,
    problem: GrantProblem,
    out: &mut Vec<Diagnostic>,
) {
    for doc in catalog.documents() {
        let Some(set) = lint_set(doc) else { continue };
        for granted in set.granted {
            let field = match (&granted.scope, problem) {
                (
                    Scope::Repo(_),
                    GrantProblem::CollectionNotRecord | GrantProblem::UndefinedCollection,
                ) => "collection",
                (Scope::Rpc(_), GrantProblem::LxmNotEndpoint | GrantProblem::UndefinedLxm) => {
                    "lxm"
                }
                (
                    Scope::Space(_),
                    GrantProblem::SpaceCollectionNotRecord | GrantProblem::UndefinedSpaceCollection,
                ) => "collection",
                (Scope::Space(_), GrantProblem::UndeclaredSpaceType) => "spaceType",
                _ => continue,
            };
            let entry = &set.entries[granted.entry_index];
            let Some(value) = entry.member(field).map(|m| &m.value) else {
                continue;
            };
            let items = value.as_array().unwrap_or(std::slice::from_ref(value));
            for item in items {
                let Some(nsid) = item.as_str().filter(|s| *s != "*") else {
                    continue;
                };
                if let Some(d) = grant_problem(catalog, problem, rule, nsid, item.span) {
                    out.push(d);
                }
            }
        }
    }
}

/// Reports `problem` for every collection a space type declaration lists.
pub fn report_declared(
    catalog: &Catalog,
    rule: &RuleMeta,
    problem: GrantProblem,
    out: &mut Vec<Diagnostic>,
) {
    for (_, space) in catalog.spaces() {
        for collection in space.collections.iter().flat_map(|c| &c.value) {
            if let Some(d) = grant_problem(catalog, problem, rule, &collection.value, collection.span) {
                out.push(d);
            }
        }
    }
}

fn grant_problem(
    catalog: &Catalog,
    problem: GrantProblem,
    rule: &RuleMeta,
    nsid: &str,
    span: Span,
) -> Option<Diagnostic> {
    let expect = problem.expectation();
    match catalog.get(nsid) {
        Some(target) => {
            let found = target.main_type();
            if (expect.wanted)(found) || (expect.undefined && problem != GrantProblem::UndeclaredSpaceType) {
                return None;
            }
            let what = match found {
                Some(t) => format!("its main def is {}", a_type(t.as_str())),
                None => "it has no main def".to_owned(),
            };
            Some(
                Diagnostic::new(rule, span, format!("`{nsid}` is not {}: {what}", expect.wanted_words))
                    .with_label(target.doc.anchor(), "defined here")
                    .with_help(expect.wrong_type_help),
            )
        }
        None if expect.undefined && group_loaded(catalog, problem, nsid) => {
            let group = &nsid[..=nsid.rfind('.').unwrap_or(0)];
            let name = nsid.rsplit('.').next().unwrap_or(nsid);
            let verb = if problem == GrantProblem::UndeclaredSpaceType {
                "declares"
            } else {
                "defines"
            };
            let diagnostic = Diagnostic::new(
                rule,
                span,
                format!(
                    "{} `{nsid}`, but no loaded lexicon {verb} it (other `{group}*` lexicons are loaded)",
                    expect.subject
                ),
            );
            let candidates = || {
                catalog
                    .indexed()
                    .filter(|d| (expect.suggest)(d))
                    .filter_map(|d| d.nsid.as_ref())
            };
            let same_name = candidates().find(|n| n.name() == name).or_else(|| {
                // A near miss in the same group (`psot` for `post`).
                let names: Vec<&str> = candidates()
                    .filter(|n| n.group_prefix() == group)
                    .map(|n| n.name())
                    .collect();
                let best = *lexperm_parser::suggest::closest(name, names, 1).first()?;
                candidates().find(|n| n.group_prefix() == group && n.name() == best)
            });
            let fix = if matches!(
                problem,
                GrantProblem::DeclaredCollectionNotRecord | GrantProblem::UndefinedDeclaredCollection
            ) {
                "remove it from `collections`"
            } else {
                "remove it from the set"
            };
            let diagnostic = match same_name {
                Some(other) => diagnostic.with_help(format!(
                    "did you mean `{other}`? Otherwise define `{nsid}` or {fix}"
                )),
                None => diagnostic.with_help(format!(
                    "fix the NSID, define `{nsid}`, or {fix}"
                )),
            };
            Some(diagnostic)
        }
        None => None,
    }
}

/// True when the catalog claims to know the NSID group of `nsid` ([`has_group_of`]); for a
/// space type, a space declaration in the group counts too.
fn group_loaded(catalog: &Catalog, problem: GrantProblem, nsid: &str) -> bool {
    has_group_of(catalog, nsid)
        || (problem == GrantProblem::UndeclaredSpaceType
            && nsid.rfind('.').is_some_and(|dot| {
                catalog
                    .spaces()
                    .any(|(d, _)| d.nsid.as_ref().is_some_and(|n| n.group_prefix() == &nsid[..=dot]))
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_help_suggests_the_common_group() {
        let set = Nsid::parse("pub.chive.auth.fullAccess").unwrap();
        let help = namespace_help(&set, Some("pub.chive.actor.profile"));
        assert!(help.contains("`pub.chive.authFullAccess`"), "{help}");
        let help = namespace_help(&set, Some("org.other.thing"));
        assert!(help.contains("another authority"), "{help}");
        let set = Nsid::parse("com.example.feed.authPosts").unwrap();
        let help = namespace_help(&set, Some("com.example.actor.profile"));
        assert!(help.contains("`com.example.authPosts`"), "{help}");
    }
}
