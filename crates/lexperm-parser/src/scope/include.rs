//! `include:` expansion: permission-set entries through the same parameter tables as scope strings
//! (permissions.md §4, reference `IncludeScope.toScopes`).
//!
//! ```
//! use lexperm_parser::scope::include::{expand, EntryValue, PermissionEntry};
//! use lexperm_parser::scope::Scope;
//! use lexperm_parser::syntax::Nsid;
//!
//! let Scope::Include(include) = Scope::parse("include:com.example.calendar.auth").unwrap() else {
//!     unreachable!()
//! };
//! let entry = PermissionEntry::new(vec![
//!     ("type".into(), EntryValue::String("permission".into())),
//!     ("resource".into(), EntryValue::String("repo".into())),
//!     ("collection".into(), EntryValue::Array(vec![EntryValue::String("com.example.calendar.event".into())])),
//! ]);
//! let expansion = expand(&include, &include.nsid, &[entry]);
//! assert_eq!(expansion.granted_strings(), vec!["repo:com.example.calendar.event"]);
//! ```

use std::fmt;

use super::params::{self, Lookup, Origin, ParamSource, RawValue};
use super::{
    space, IncludeScope, NsidPattern, Reference, Resource, Scope, ScopeError, ScopeErrorKind,
};
use crate::limits::MAX_FURTHER_PROBLEMS;
use crate::syntax::Nsid;

/// A JSON value of a permission-set entry field. Objects are only recorded as present (no field of
/// a permission may hold one).
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer number.
    Integer(i64),
    /// A non-integer number.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<EntryValue>),
    /// An object (contents not kept).
    Object,
}

impl From<&serde_json::Value> for EntryValue {
    fn from(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => EntryValue::Null,
            Value::Bool(b) => EntryValue::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => EntryValue::Integer(i),
                None => EntryValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => EntryValue::String(s.clone()),
            Value::Array(items) => EntryValue::Array(items.iter().map(EntryValue::from).collect()),
            Value::Object(_) => EntryValue::Object,
        }
    }
}

impl EntryValue {
    /// JSON type name used in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            EntryValue::Null => "null",
            EntryValue::Bool(_) => "a boolean",
            EntryValue::Integer(_) => "an integer",
            EntryValue::Float(_) => "a number",
            EntryValue::String(_) => "a string",
            EntryValue::Array(_) => "an array",
            EntryValue::Object => "an object",
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            EntryValue::String(s) => Some(s),
            _ => None,
        }
    }
}

/// One entry of a permission set's `permissions` array: every field in document order, including
/// `type` and `resource`. When a name repeats, the last one wins (like `JSON.parse`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PermissionEntry {
    /// `(name, value)` pairs in document order.
    pub fields: Vec<(String, EntryValue)>,
}

impl PermissionEntry {
    /// An entry with these fields.
    pub fn new(fields: Vec<(String, EntryValue)>) -> Self {
        PermissionEntry { fields }
    }

    /// The entry for a JSON object (fields in document order), or `None` when `value` is not an
    /// object.
    pub fn from_json(value: &serde_json::Value) -> Option<PermissionEntry> {
        let object = value.as_object()?;
        Some(PermissionEntry {
            fields: object
                .iter()
                .map(|(k, v)| (k.clone(), EntryValue::from(v)))
                .collect(),
        })
    }

    /// The value of field `name` (last occurrence), with its index in `fields`.
    pub fn get(&self, name: &str) -> Option<(usize, &EntryValue)> {
        self.fields
            .iter()
            .enumerate()
            .rev()
            .find(|(_, (n, _))| n == name)
            .map(|(i, (_, v))| (i, v))
    }

    /// The `resource` field when it is a string.
    pub fn resource(&self) -> Option<&str> {
        self.get("resource").and_then(|(_, v)| v.as_str())
    }
}

/// One scope granted by an expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct Granted {
    /// The scope (its `Display` is the string the reference emits).
    pub scope: Scope,
    /// Index of the entry in the set's `permissions`.
    pub entry_index: usize,
}

/// Why an entry was dropped. Names are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// `blob`, `account`, `identity` or `include` inside a set.
    UnsupportedResource,
    /// A resource that is not known at all (or missing / not a string).
    UnknownResource,
    /// `*` as a collection or method, or as a space type (sets must list NSIDs).
    WildcardInSet,
    /// An `rpc` entry with a specific `aud` (only `"*"` or `inheritAud` are allowed).
    FixedAud,
    /// `aud` given together with `inheritAud`.
    AudWithInheritAud,
    /// `inheritAud` present but not `true` (the reference drops `false` too).
    InheritAudNotTrue,
    /// `inheritAud: true` while the `include:` scope has no `aud`.
    InheritAudWithoutIncludeAud,
    /// A field the resource does not define (e.g. `description`).
    UnknownField,
    /// A multi-valued field (`collection`, `action`, `lxm`) that is not an array.
    ExpectedArray,
    /// A single-valued field (`aud`) given as an array.
    ExpectedSingleValue,
    /// A non-string value where a string is required.
    ExpectedString,
    /// An empty array.
    EmptyArray,
    /// A required field is missing (`collection`, `lxm`, `aud`).
    MissingField,
    /// A collection, method or space type that is not a valid NSID.
    InvalidNsid,
    /// An unknown `action` (or space `manage` operation).
    InvalidAction,
    /// Any other invalid value.
    InvalidValue,
    /// A collection or method (or a space type) outside the set's namespace authority.
    OutsideNamespace,
}

impl DropReason {
    /// Stable kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            DropReason::UnsupportedResource => "unsupported-resource",
            DropReason::UnknownResource => "unknown-resource",
            DropReason::WildcardInSet => "wildcard-in-set",
            DropReason::FixedAud => "fixed-aud",
            DropReason::AudWithInheritAud => "aud-with-inherit-aud",
            DropReason::InheritAudNotTrue => "inherit-aud-not-true",
            DropReason::InheritAudWithoutIncludeAud => "inherit-aud-without-include-aud",
            DropReason::UnknownField => "unknown-field",
            DropReason::ExpectedArray => "expected-array",
            DropReason::ExpectedSingleValue => "expected-single-value",
            DropReason::ExpectedString => "expected-string",
            DropReason::EmptyArray => "empty-array",
            DropReason::MissingField => "missing-field",
            DropReason::InvalidNsid => "invalid-nsid",
            DropReason::InvalidAction => "invalid-action",
            DropReason::InvalidValue => "invalid-value",
            DropReason::OutsideNamespace => "outside-namespace",
        }
    }

    /// Every reason.
    pub const ALL: &'static [DropReason] = &[
        DropReason::UnsupportedResource,
        DropReason::UnknownResource,
        DropReason::WildcardInSet,
        DropReason::FixedAud,
        DropReason::AudWithInheritAud,
        DropReason::InheritAudNotTrue,
        DropReason::InheritAudWithoutIncludeAud,
        DropReason::UnknownField,
        DropReason::ExpectedArray,
        DropReason::ExpectedSingleValue,
        DropReason::ExpectedString,
        DropReason::EmptyArray,
        DropReason::MissingField,
        DropReason::InvalidNsid,
        DropReason::InvalidAction,
        DropReason::InvalidValue,
        DropReason::OutsideNamespace,
    ];
}

/// One entry the expansion dropped (silently, in the reference).
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// Index of the entry in the set's `permissions`.
    pub entry_index: usize,
    /// Why.
    pub reason: DropReason,
    /// Index in the entry's `fields` of the offending field, when one is to blame.
    pub field_index: Option<usize>,
    /// What is wrong (names the field and value).
    pub message: String,
    /// What the reference does about it, when the plain-text form says so: a clause written
    /// right after [`message`](Self::message), its separator included (`; the entry is ignored`).
    pub consequence: Option<&'static str>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for Dropped {
    /// `message`, the consequence, then ` (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(f, &self.message, self.consequence, self.hint.as_deref())
    }
}

/// The plain-text form of a dropped entry from its parts: `message`, the consequence clause, then
/// ` (hint: …)`.
pub fn write_text<W: fmt::Write + ?Sized>(
    out: &mut W,
    message: &str,
    consequence: Option<&str>,
    hint: Option<&str>,
) -> fmt::Result {
    out.write_str(message)?;
    if let Some(consequence) = consequence {
        out.write_str(consequence)?;
    }
    crate::diagnostics::write_hint(out, hint)
}

/// Consequence clauses (see [`Dropped::consequence`]).
const ENTRY_IGNORED: &str = "; the entry is ignored";
const WHOLE_ENTRY_IGNORED: &str = "; the whole entry is ignored";
const SO_ENTRY_IGNORED: &str = ", so the entry is ignored";
const REFERENCE_IGNORES_ENTRY: &str = "; the reference ignores the whole entry";

/// The result of expanding one `include:` scope.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expansion {
    /// Granted scopes in entry order, duplicates kept.
    pub granted: Vec<Granted>,
    /// Dropped entries in entry order: the problem the reference meets first in each (the others
    /// are [`further_problems`]).
    pub dropped: Vec<Dropped>,
}

impl Expansion {
    /// The granted scopes as canonical strings (what the reference `toScopes` returns).
    pub fn granted_strings(&self) -> Vec<String> {
        self.granted.iter().map(|g| g.scope.to_string()).collect()
    }
}

/// An entry seen as a parameter source: every field but `type` and `resource`, with an optional
/// injected `aud` (the `inheritAud` rewrite). `renamed` gives a field the parameter name it
/// fills (`spaceType` fills `type`).
struct EntrySource<'e> {
    fields: Vec<(&'e str, &'e EntryValue, Origin)>,
}

impl<'e> EntrySource<'e> {
    fn new(
        entry: &'e PermissionEntry,
        skip: &[&str],
        injected: Option<&'e EntryValue>,
        renamed: Option<(&str, &'static str)>,
    ) -> Self {
        let mut fields: Vec<(&'e str, &'e EntryValue, Origin)> = Vec::new();
        if let Some(aud) = injected {
            fields.push(("aud", aud, Origin::Field(usize::MAX)));
        }
        for (i, (name, value)) in entry.fields.iter().enumerate() {
            if name == "type" || name == "resource" || skip.contains(&name.as_str()) {
                continue;
            }
            let name: &'e str = match renamed {
                Some((field, param)) if field == name => param,
                _ => name,
            };
            if let Some(slot) = fields.iter_mut().find(|f| f.0 == name) {
                *slot = (name, value, Origin::Field(i));
            } else {
                fields.push((name, value, Origin::Field(i)));
            }
        }
        EntrySource { fields }
    }
}

fn raw_value(v: &EntryValue) -> RawValue<'_> {
    match v {
        EntryValue::String(s) => RawValue::Str(s.as_str()),
        other => RawValue::Other(other),
    }
}

impl ParamSource for EntrySource<'_> {
    fn names(&self) -> Vec<(&str, Origin)> {
        self.fields
            .iter()
            .map(|(n, _, o)| (*n, o.clone()))
            .collect()
    }

    fn positional(&self) -> Option<(&str, Origin)> {
        None
    }

    fn get(&self, name: &str, multiple: bool) -> Lookup<'_> {
        let Some((_, value, origin)) = self.fields.iter().find(|f| f.0 == name) else {
            return Lookup::Absent;
        };
        match (multiple, value) {
            (true, EntryValue::Array(items)) if items.is_empty() => Lookup::Empty(origin.clone()),
            (true, EntryValue::Array(items)) => Lookup::Values(
                items
                    .iter()
                    .map(|v| (raw_value(v), origin.clone()))
                    .collect(),
            ),
            (true, _) | (false, EntryValue::Array(_)) => Lookup::WrongShape(origin.clone()),
            (false, v) => Lookup::Values(vec![(raw_value(v), origin.clone())]),
        }
    }
}

fn field_index(origin_index: Option<usize>) -> Option<usize> {
    origin_index.filter(|&i| i != usize::MAX)
}

/// Expands `include` against the `permissions` of the set, like the reference
/// `IncludeScope.toScopes` (permissions.md §4 steps 1-6): same scopes, same order, duplicates
/// kept. Every entry ends up in exactly one of `granted` / `dropped`.
///
/// `set_nsid` is the NSID whose namespace authority limits the entries; the reference uses the
/// include's own NSID, so pass `&include.nsid` to reproduce it (the two are equal whenever the
/// resolved document's `id` matches the requested NSID).
pub fn expand(include: &IncludeScope, set_nsid: &Nsid, entries: &[PermissionEntry]) -> Expansion {
    expand_with(include, set_nsid, entries, Reference::default())
}

/// [`expand`] following `reference`. With [`Reference::PermissionedData`] (the default)
/// `resource: "space"` entries become `space:` scopes (their `spaceType` field is the scope's
/// `type`; only it must be under the set's namespace authority; `?aud=` does not apply to them)
/// and a `spaceType` field on other entries is ignored. With [`Reference::Stable0512`] space
/// entries are dropped as an unknown resource and `spaceType` is an unknown field.
pub fn expand_with(
    include: &IncludeScope,
    set_nsid: &Nsid,
    entries: &[PermissionEntry],
    reference: Reference,
) -> Expansion {
    let mut expansion = Expansion::default();
    let injected = include
        .aud
        .as_ref()
        .map(|a| EntryValue::String(a.as_str().to_owned()));
    for (entry_index, entry) in entries.iter().enumerate() {
        match expand_entry(include, set_nsid, entry, injected.as_ref(), reference) {
            Ok(scope) => expansion.granted.push(Granted { scope, entry_index }),
            Err(drop) => expansion.dropped.push(drop.into_dropped(entry_index)),
        }
    }
    expansion
}

/// The other problems of the dropped entries, in entry order: `dropped` (the
/// [`Expansion::dropped`] of [`expand`] with the same `include`, `set_nsid` and `entries`) holds
/// the one the reference meets first in each entry; these are what would still drop the entry once
/// the problems before were fixed (found by setting each aside and expanding the entry again, at
/// most [`MAX_FURTHER_PROBLEMS`] per entry). They change nothing that is granted; they are for
/// reports, and cost up to that many more expansions of each dropped entry, so only callers that
/// report them ask.
pub fn further_problems(
    include: &IncludeScope,
    set_nsid: &Nsid,
    entries: &[PermissionEntry],
    dropped: &[Dropped],
) -> Vec<Dropped> {
    further_problems_with(include, set_nsid, entries, dropped, Reference::default())
}

/// [`further_problems`] following `reference` (the one `dropped` was found with, by
/// [`expand_with`]).
pub fn further_problems_with(
    include: &IncludeScope,
    set_nsid: &Nsid,
    entries: &[PermissionEntry],
    dropped: &[Dropped],
    reference: Reference,
) -> Vec<Dropped> {
    let injected = include
        .aud
        .as_ref()
        .map(|a| EntryValue::String(a.as_str().to_owned()));
    let mut further = Vec::new();
    for first in dropped {
        let Some(entry) = entries.get(first.entry_index) else {
            continue;
        };
        further.extend(
            entry_further_problems(
                include,
                set_nsid,
                entry,
                injected.as_ref(),
                reference,
                (first.reason, first.field_index),
            )
            .into_iter()
            .map(|d| d.into_dropped(first.entry_index)),
        );
    }
    further
}

/// The problems of `entry` after `first` (its reason and field index), in the order the expansion
/// meets them: each found by setting the one before aside ([`set_aside`]) and expanding the entry
/// again, until it would be granted, a problem cannot be set aside, or one repeats.
fn entry_further_problems(
    include: &IncludeScope,
    set_nsid: &Nsid,
    entry: &PermissionEntry,
    injected: Option<&EntryValue>,
    reference: Reference,
    first: (DropReason, Option<usize>),
) -> Vec<DropInfo> {
    // Each field with its index in `entry`, so that findings point at the original fields.
    let mut fields: Vec<(usize, String, EntryValue)> = entry
        .fields
        .iter()
        .enumerate()
        .map(|(i, (name, value))| (i, name.clone(), value.clone()))
        .collect();
    let mut seen = vec![first];
    let mut last = first;
    let mut found = Vec::new();
    // Bounded whatever the entry holds: each round copies the entry once.
    for _ in 0..MAX_FURTHER_PROBLEMS {
        if !set_aside(&mut fields, last.0, last.1, set_nsid) {
            break;
        }
        let current = PermissionEntry::new(
            fields
                .iter()
                .map(|(_, name, value)| (name.clone(), value.clone()))
                .collect(),
        );
        let Err(mut problem) = expand_entry(include, set_nsid, &current, injected, reference)
        else {
            break;
        };
        let current_field = problem.field;
        problem.field = current_field.and_then(|i| fields.get(i)).map(|f| f.0);
        if seen.contains(&(problem.reason, problem.field)) {
            break;
        }
        seen.push((problem.reason, problem.field));
        last = (problem.reason, current_field);
        found.push(problem);
    }
    found
}

/// Sets the problem `reason` of field `field` (an index in `fields`) aside, as its fix would:
/// removes an unknown field or the offending values of a list, writes a fixed `aud` as `*`,
/// `inheritAud` as `true`, a lone value as a list and a list as its first value. False when the
/// problem cannot be set aside without guessing (a missing field, an unknown resource, an
/// empty list, a list of nothing but offending values).
fn set_aside(
    fields: &mut Vec<(usize, String, EntryValue)>,
    reason: DropReason,
    field: Option<usize>,
    set_nsid: &Nsid,
) -> bool {
    let Some(index) = field.filter(|&i| i < fields.len()) else {
        return false;
    };
    let is_space = fields
        .iter()
        .rev()
        .find(|(_, name, _)| name == "resource")
        .is_some_and(|(_, _, v)| v.as_str() == Some("space"));
    if matches!(
        reason,
        DropReason::UnknownField | DropReason::AudWithInheritAud
    ) {
        fields.remove(index);
        return true;
    }
    let (_, name, value) = &mut fields[index];
    let offending: fn(&str, &Nsid, bool, &str) -> bool = match reason {
        DropReason::FixedAud => {
            *value = EntryValue::String("*".to_owned());
            return true;
        }
        DropReason::InheritAudNotTrue => {
            *value = EntryValue::Bool(true);
            return true;
        }
        DropReason::ExpectedArray => {
            *value = EntryValue::Array(vec![value.clone()]);
            return true;
        }
        DropReason::ExpectedSingleValue => {
            let EntryValue::Array(items) = value else {
                return false;
            };
            let Some(first) = items.first().cloned() else {
                return false;
            };
            *value = first;
            return true;
        }
        DropReason::ExpectedString => |_, _, _, _| false,
        DropReason::WildcardInSet => |s, _, _, _| s == "*",
        DropReason::OutsideNamespace => |s, set, _, _| s != "*" && !set.is_parent_authority_of(s),
        DropReason::InvalidNsid => |s, _, _, _| s != "*" && Nsid::parse(s).is_err(),
        DropReason::InvalidAction => |s, _, space, field| match (space, field) {
            (true, "manage") => super::SpaceManageOp::from_name(s).is_none(),
            (true, _) => super::SpaceAction::from_name(s).is_none(),
            (false, _) => super::RepoAction::from_name(s).is_none(),
        },
        _ => return false,
    };
    let EntryValue::Array(items) = value else {
        return false;
    };
    let before = items.len();
    items.retain(|item| match item {
        EntryValue::String(s) => !offending(s, set_nsid, is_space, name.as_str()),
        _ => reason != DropReason::ExpectedString,
    });
    items.len() < before && !items.is_empty()
}

/// Why [`expand_entry`] dropped an entry: a [`Dropped`] without its index.
struct DropInfo {
    reason: DropReason,
    field: Option<usize>,
    message: String,
    consequence: Option<&'static str>,
    hint: Option<String>,
}

impl DropInfo {
    fn into_dropped(self, entry_index: usize) -> Dropped {
        Dropped {
            entry_index,
            reason: self.reason,
            field_index: self.field,
            message: self.message,
            consequence: self.consequence,
            hint: self.hint,
        }
    }

    fn new(reason: DropReason, field: Option<usize>, message: impl Into<String>) -> Self {
        DropInfo {
            reason,
            field,
            message: message.into(),
            consequence: None,
            hint: None,
        }
    }

    fn consequence(mut self, clause: &'static str) -> Self {
        self.consequence = Some(clause);
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

fn expand_entry(
    include: &IncludeScope,
    set_nsid: &Nsid,
    entry: &PermissionEntry,
    injected: Option<&EntryValue>,
    reference: Reference,
) -> Result<Scope, DropInfo> {
    let resource_field = entry.get("resource");
    let resource = resource_field.and_then(|(_, v)| v.as_str());
    let resource_index = resource_field.map(|(i, _)| i);
    let spec = match resource {
        Some("repo") => &params::REPO,
        Some("rpc") => &params::RPC,
        Some("space") if reference.knows(Resource::Space) => &params::SPACE,
        Some(r @ ("blob" | "account" | "identity" | "include")) => {
            return Err(DropInfo::new(
                DropReason::UnsupportedResource,
                resource_index,
                format!(
                    "`{r}` permissions are not allowed in permission sets (only `repo` and `rpc`)"
                ),
            )
            .consequence(ENTRY_IGNORED)
            .hint(format!("request `{r}:…` scopes directly instead")));
        }
        Some(r) => {
            return Err(DropInfo::new(
                DropReason::UnknownResource,
                resource_index,
                format!("unknown resource `{r}`"),
            )
            .consequence(ENTRY_IGNORED)
            .hint("use `repo` or `rpc`"));
        }
        None => {
            let what = match resource_field {
                Some((_, v)) => format!("`resource` is {}, not a string", v.type_name()),
                None => "the entry has no `resource`".to_owned(),
            };
            return Err(
                DropInfo::new(DropReason::UnknownResource, resource_index, what)
                    .consequence(ENTRY_IGNORED)
                    .hint("set `resource` to `repo` or `rpc`"),
            );
        }
    };
    let is_rpc = spec.resource == super::Resource::Rpc;
    let aud_field = entry.get("aud");
    let inherit_field = entry.get("inheritAud");
    if is_rpc {
        if let Some((i, aud)) = aud_field {
            if aud.as_str() != Some("*") {
                let shown = match aud {
                    EntryValue::String(s) => format!("`{s}`"),
                    other => other.type_name().to_owned(),
                };
                return Err(DropInfo::new(
                    DropReason::FixedAud,
                    Some(i),
                    format!(
                        "`aud` is {shown}; permission sets may only use `\"aud\": \"*\"` or `\"inheritAud\": true`"
                    ),
                )
                .hint("replace `aud` with `\"inheritAud\": true` so the audience comes from `include:…?aud=`"));
            }
        }
    }
    let rewrite = is_rpc
        && matches!(inherit_field, Some((_, EntryValue::Bool(true))))
        && aud_field.is_none()
        && injected.is_some();
    let is_space = spec.resource == Resource::Space;
    // The permissioned-data reference reads `spaceType` as the space's `type` and ignores it
    // on other resources.
    let (renamed, skip_space_type): (_, &[&str]) =
        match (is_space, reference.knows(Resource::Space)) {
            (true, _) => (Some((SPACE_TYPE, "type")), &[]),
            (false, true) => (None, &[SPACE_TYPE]),
            (false, false) => (None, &[]),
        };
    let source = if rewrite {
        let skip = [&["inheritAud"][..], skip_space_type].concat();
        EntrySource::new(entry, &skip, injected, renamed)
    } else {
        EntrySource::new(entry, skip_space_type, None, renamed)
    };
    let scope = params::parse_with(spec, &source)
        .map_err(|e| explain_parse_error(include, entry, is_rpc, e))?;
    if let Scope::Space(space) = &scope {
        check_space_type(set_nsid, entry, &space.space_type)?;
        return Ok(scope);
    }
    let values: &[NsidPattern] = match &scope {
        Scope::Repo(r) => &r.collections,
        Scope::Rpc(r) => &r.lxms,
        _ => &[],
    };
    let field_name = if is_rpc { "lxm" } else { "collection" };
    let field = entry.get(field_name).map(|(i, _)| i);
    for value in values {
        match value {
            NsidPattern::Any => {
                return Err(DropInfo::new(
                    DropReason::WildcardInSet,
                    field,
                    format!("`{field_name}` contains `*`; permission sets must list NSIDs"),
                )
                .hint(format!(
                    "list each NSID under `{}`",
                    set_nsid.group_prefix()
                )));
            }
            NsidPattern::Nsid(n) if !set_nsid.is_parent_authority_of(n.as_str()) => {
                return Err(DropInfo::new(
                    DropReason::OutsideNamespace,
                    field,
                    format!(
                        "`{field_name}` value `{n}` is outside the namespace of `{set_nsid}`"
                    ),
                )
                .consequence(WHOLE_ENTRY_IGNORED)
                .hint(format!(
                    "a set may only grant NSIDs starting with `{}`; move `{n}` to a set under its own namespace",
                    set_nsid.group_prefix()
                )));
            }
            NsidPattern::Nsid(_) => {}
        }
    }
    Ok(scope)
}

/// The JSON field that holds a space entry's `type`.
const SPACE_TYPE: &str = "spaceType";

/// A space entry's type must be an NSID under the set's namespace authority; its collections
/// may be anything.
fn check_space_type(
    set_nsid: &Nsid,
    entry: &PermissionEntry,
    space_type: &NsidPattern,
) -> Result<(), DropInfo> {
    let field = entry.get(SPACE_TYPE).map(|(i, _)| i);
    match space_type {
        NsidPattern::Any => Err(DropInfo::new(
            DropReason::WildcardInSet,
            field,
            format!("`{SPACE_TYPE}` is `*`; permission sets must name one space type"),
        )
        .consequence(ENTRY_IGNORED)
        .hint(format!(
            "name a space type under `{}`",
            set_nsid.group_prefix()
        ))),
        NsidPattern::Nsid(n) if !set_nsid.is_parent_authority_of(n.as_str()) => Err(DropInfo::new(
            DropReason::OutsideNamespace,
            field,
            format!("`{SPACE_TYPE}` value `{n}` is outside the namespace of `{set_nsid}`"),
        )
        .consequence(WHOLE_ENTRY_IGNORED)
        .hint(format!(
            "a set may only grant space types starting with `{}` (its collections may be anywhere); move the entry to a set under `{n}`'s namespace",
            set_nsid.group_prefix()
        ))),
        NsidPattern::Nsid(_) => Ok(()),
    }
}

fn explain_parse_error(
    include: &IncludeScope,
    entry: &PermissionEntry,
    is_rpc: bool,
    e: ScopeError,
) -> DropInfo {
    let field = field_index(e.field);
    let field_name = field
        .and_then(|i| entry.fields.get(i))
        .map(|(n, _)| n.as_str())
        .unwrap_or("");
    let is_space = entry.resource() == Some("space");
    // Messages from the table name the parameter (`type`); a space entry spells it `spaceType`.
    let mut e = e;
    if is_space && (field_name == SPACE_TYPE || e.param == Some("type")) {
        e.message = e.message.replacen("`type`", "`spaceType`", 1);
    }
    let reason = match e.kind {
        ScopeErrorKind::UnknownParam if is_rpc && field_name == "inheritAud" => {
            let inherit = entry.get("inheritAud").map(|(_, v)| v);
            let has_aud = entry.get("aud").is_some();
            return match inherit {
                Some(EntryValue::Bool(true)) if has_aud => DropInfo::new(
                    DropReason::AudWithInheritAud,
                    field,
                    "`aud` and `inheritAud` are both given",
                )
                .hint("keep only `\"inheritAud\": true`"),
                Some(EntryValue::Bool(true)) => {
                    let include = Scope::Include(include.clone());
                    DropInfo::new(
                        DropReason::InheritAudWithoutIncludeAud,
                        field,
                        format!("`inheritAud` is true but `{include}` has no `aud`"),
                    )
                    .consequence(SO_ENTRY_IGNORED)
                    .hint(format!(
                        "request `{include}?aud=did:web:<host>%23<service>`"
                    ))
                }
                Some(v) => DropInfo::new(
                    DropReason::InheritAudNotTrue,
                    field,
                    format!(
                        "`inheritAud` is {} but only `true` is accepted (the reference drops any other value)",
                        match v {
                            EntryValue::Bool(false) => "`false`".to_owned(),
                            other => other.type_name().to_owned(),
                        }
                    ),
                )
                .hint("use `\"inheritAud\": true`, or remove it and use `\"aud\": \"*\"`"),
                None => DropInfo {
                    hint: e.hint,
                    ..DropInfo::new(DropReason::UnknownField, field, e.message)
                },
            };
        }
        ScopeErrorKind::UnknownParam => DropReason::UnknownField,
        ScopeErrorKind::ExpectedArray => DropReason::ExpectedArray,
        ScopeErrorKind::ExpectedSingle => DropReason::ExpectedSingleValue,
        ScopeErrorKind::ExpectedString => DropReason::ExpectedString,
        ScopeErrorKind::EmptyList => DropReason::EmptyArray,
        ScopeErrorKind::MissingParam => DropReason::MissingField,
        ScopeErrorKind::RpcUnrestricted => DropReason::WildcardInSet,
        ScopeErrorKind::InvalidValue | ScopeErrorKind::PartialWildcard => match field_name {
            "collection" | "lxm" | SPACE_TYPE => DropReason::InvalidNsid,
            "action" => DropReason::InvalidAction,
            "manage" if is_space => DropReason::InvalidAction,
            _ => DropReason::InvalidValue,
        },
        _ => DropReason::InvalidValue,
    };
    match reason {
        DropReason::UnknownField => {
            let hint = match space::renamed(field_name).filter(|_| is_space) {
                Some(new) => format!("`{field_name}` is the old name of `{new}`: rename it"),
                None => format!("remove `{field_name}`"),
            };
            DropInfo::new(reason, field, format!("unknown field `{field_name}`"))
                .consequence(REFERENCE_IGNORES_ENTRY)
                .hint(hint)
        }
        DropReason::ExpectedArray => {
            DropInfo::new(reason, field, e.message).hint(format!("write `\"{field_name}\": [ … ]`"))
        }
        DropReason::MissingField => {
            let name = match e.param.unwrap_or("?") {
                "type" if is_space => SPACE_TYPE,
                other => other,
            };
            let hint = match name {
                "aud" => "add `\"inheritAud\": true` (audience from `include:…?aud=`) or `\"aud\": \"*\"`".to_owned(),
                SPACE_TYPE => format!("add `\"{SPACE_TYPE}\": \"<space type NSID>\"`"),
                other => format!("add `\"{other}\": [ … ]`"),
            };
            DropInfo::new(reason, field, format!("the entry has no `{name}` field")).hint(hint)
        }
        _ => DropInfo {
            hint: e.hint,
            ..DropInfo::new(reason, field, e.message)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What expanding the single entry `fields` gives under `include`: the one drop.
    fn drop_of(include: &str, fields: serde_json::Value) -> Dropped {
        let Ok(Scope::Include(include)) = Scope::parse(include) else {
            panic!("{include} is an include scope");
        };
        let entry = PermissionEntry::from_json(&fields).expect("object");
        let mut expansion = expand(&include, &include.nsid, &[entry]);
        assert!(expansion.granted.is_empty(), "{fields}");
        assert_eq!(expansion.dropped.len(), 1, "{fields}");
        expansion.dropped.remove(0)
    }

    #[test]
    fn drops_carry_message_consequence_and_hint_as_fields() {
        const SET: &str = "include:com.example.authTest";
        const WITH_AUD: &str = "include:com.example.authTest?aud=did:web:a.example%23svc";
        let cases = [
            (
                SET,
                json!({"type": "permission", "resource": "blob", "accept": ["*/*"]}),
                DropReason::UnsupportedResource,
                "`blob` permissions are not allowed in permission sets (only `repo` and `rpc`)",
                Some(ENTRY_IGNORED),
                Some("request `blob:…` scopes directly instead"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "Repo"}),
                DropReason::UnknownResource,
                "unknown resource `Repo`",
                Some(ENTRY_IGNORED),
                Some("use `repo` or `rpc`"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "repo", "collection": ["org.other.post"]}),
                DropReason::OutsideNamespace,
                "`collection` value `org.other.post` is outside the namespace of `com.example.authTest`",
                Some(WHOLE_ENTRY_IGNORED),
                Some("a set may only grant NSIDs starting with `com.example.`; move `org.other.post` to a set under its own namespace"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "repo", "collection": ["com.example.post"], "description": "x"}),
                DropReason::UnknownField,
                "unknown field `description`",
                Some(REFERENCE_IGNORES_ENTRY),
                Some("remove `description`"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "rpc", "lxm": ["com.example.get"], "inheritAud": true}),
                DropReason::InheritAudWithoutIncludeAud,
                "`inheritAud` is true but `include:com.example.authTest` has no `aud`",
                Some(SO_ENTRY_IGNORED),
                Some("request `include:com.example.authTest?aud=did:web:<host>%23<service>`"),
            ),
            (
                WITH_AUD,
                json!({"type": "permission", "resource": "rpc", "lxm": ["com.example.get"], "aud": "did:web:b.example#svc"}),
                DropReason::FixedAud,
                "`aud` is `did:web:b.example#svc`; permission sets may only use `\"aud\": \"*\"` or `\"inheritAud\": true`",
                None,
                Some("replace `aud` with `\"inheritAud\": true` so the audience comes from `include:…?aud=`"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "repo", "collection": "com.example.post"}),
                DropReason::ExpectedArray,
                "`collection` must be an array of strings",
                None,
                Some("write `\"collection\": [ … ]`"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "repo", "collection": ["com.example.*"]}),
                DropReason::InvalidNsid,
                "`collection` value `com.example.*`: partial wildcards are not allowed",
                None,
                Some("use `*` alone, or list each NSID explicitly"),
            ),
            (
                SET,
                json!({"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": []}),
                DropReason::EmptyArray,
                "`action` must list at least one value",
                None,
                None,
            ),
        ];
        for (include, fields, reason, message, consequence, hint) in cases {
            let dropped = drop_of(include, fields);
            assert_eq!(dropped.reason, reason, "{dropped:?}");
            assert_eq!(dropped.message, message);
            assert_eq!(dropped.consequence, consequence);
            assert_eq!(dropped.hint.as_deref(), hint);
            let mut text = format!("{message}{}", consequence.unwrap_or(""));
            if let Some(hint) = hint {
                text.push_str(&format!(" (hint: {hint})"));
            }
            assert_eq!(dropped.to_string(), text);
        }
    }

    /// The reasons found for the single entry `fields` under `include`: the first, then the
    /// further ones, with the field each names.
    fn reasons_of(include: &str, fields: serde_json::Value) -> Vec<(DropReason, Option<usize>)> {
        let Ok(Scope::Include(include)) = Scope::parse(include) else {
            panic!("{include} is an include scope");
        };
        let entry = PermissionEntry::from_json(&fields).expect("object");
        let entries = [entry];
        let expansion = expand(&include, &include.nsid, &entries);
        let further = further_problems(&include, &include.nsid, &entries, &expansion.dropped);
        assert!(expansion.granted.is_empty(), "{fields}");
        assert_eq!(
            expansion.dropped.len(),
            1,
            "one dropped entry, whatever the reasons"
        );
        expansion
            .dropped
            .iter()
            .chain(&further)
            .map(|d| {
                assert_eq!(d.entry_index, 0);
                (d.reason, d.field_index)
            })
            .collect()
    }

    #[test]
    fn every_reason_of_an_entry_is_found() {
        const SET: &str = "include:com.example.authTest?aud=did:web:a.example%23svc";
        // An out-of-namespace NSID behind a partial wildcard, and an unknown field first.
        assert_eq!(
            reasons_of(
                SET,
                json!({"type": "permission", "resource": "repo", "description": "x",
                       "collection": ["com.example.*", "org.other.post", "com.example.post"]})
            ),
            [
                (DropReason::UnknownField, Some(2)),
                (DropReason::InvalidNsid, Some(3)),
                (DropReason::OutsideNamespace, Some(3)),
            ]
        );
        assert_eq!(
            reasons_of(
                SET,
                json!({"type": "permission", "resource": "rpc", "aud": "did:web:b.example#svc",
                       "lxm": "com.example.get", "inheritAud": false})
            ),
            [
                (DropReason::FixedAud, Some(2)),
                (DropReason::InheritAudNotTrue, Some(4)),
                (DropReason::AudWithInheritAud, Some(4)),
                (DropReason::ExpectedArray, Some(3)),
            ]
        );
        assert_eq!(
            reasons_of(
                SET,
                json!({"type": "permission", "resource": "repo",
                       "collection": ["*", "org.other.post"], "action": ["create", "erase"]})
            ),
            [
                (DropReason::InvalidAction, Some(3)),
                (DropReason::WildcardInSet, Some(2)),
                (DropReason::OutsideNamespace, Some(2)),
            ]
        );
        // A problem that cannot be set aside without guessing ends the search.
        assert_eq!(
            reasons_of(
                SET,
                json!({"type": "permission", "resource": "repo", "collection": ["org.other.post"]})
            ),
            [(DropReason::OutsideNamespace, Some(2))]
        );
    }

    #[test]
    fn further_reasons_change_no_grant() {
        let Ok(Scope::Include(include)) = Scope::parse("include:com.example.authTest") else {
            panic!("an include scope");
        };
        let entries: Vec<PermissionEntry> = [
            json!({"type": "permission", "resource": "repo", "collection": ["com.example.post"]}),
            json!({"type": "permission", "resource": "repo", "collection": ["com.example.*", "org.x.y"]}),
            json!({"type": "permission", "resource": "rpc", "lxm": ["com.example.get"], "aud": "*"}),
        ]
        .iter()
        .map(|v| PermissionEntry::from_json(v).unwrap())
        .collect();
        let expansion = expand(&include, &include.nsid, &entries);
        assert_eq!(
            expansion.granted_strings(),
            ["repo:com.example.post", "rpc:com.example.get?aud=*"]
        );
        let further = further_problems(&include, &include.nsid, &entries, &expansion.dropped);
        assert_eq!(expansion.dropped.len(), 1);
        assert_eq!(further.len(), 1);
        assert_eq!(further[0].entry_index, 1);
    }
}
