//! `include:` expansion against the catalog, with provenance and source spans.
//!
//! The scopes granted are exactly those of the reference `IncludeScope.toScopes` (the parser's
//! [`include::expand`] does the work); this module adds where each granted scope and each dropped
//! entry sits in the permission set's file.
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::Catalog;
//!
//! let set = r#"{"lexicon": 1, "id": "com.example.authPost", "defs": {"main": {
//!   "type": "permission-set", "permissions": [
//!     {"type": "permission", "resource": "repo", "collection": ["com.example.post"]},
//!     {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.post"]}]}}}"#;
//! let (catalog, _) = Catalog::load([(FileId(0), "authPost.json", set)]);
//! let expansion = catalog.expand_str("include:com.example.authPost").unwrap();
//! assert_eq!(expansion.granted_strings(), ["repo:com.example.post"]);
//! assert_eq!(expansion.dropped[0].code(), "outside-namespace");
//! ```

use std::fmt;

use lexperm_parser::diagnostics::{write_hint, Span};
use lexperm_parser::json::{JsonKind, JsonValue};
use lexperm_parser::lexicon::{self, PermissionSetSchema, SchemaType};
use lexperm_parser::scope::include::{self, DropReason, EntryValue, PermissionEntry};
use lexperm_parser::scope::{IncludeScope, Reference, Scope, ScopeError};

use crate::catalog::{Catalog, CatalogDoc};

/// One scope granted by an expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct GrantedScope {
    /// The scope; its `Display` is the canonical string the reference emits.
    pub scope: Scope,
    /// Index of the entry in the set's `permissions`.
    pub entry_index: usize,
    /// Where the entry is.
    pub entry_span: Span,
}

/// The audience [`CatalogDoc::expansion_with_aud`] expands a set with: a placeholder service, so
/// that `inheritAud: true` entries are judged as they are when a client asks with an audience.
pub const PLACEHOLDER_AUD: &str = "did:web:lint.invalid%23lint";

/// What expanding a document's permission set with [`PLACEHOLDER_AUD`] gave.
#[derive(Debug, Clone)]
pub struct AudienceExpansion {
    /// Granted scopes in entry order, duplicates kept.
    pub granted: Vec<GrantedScope>,
    /// Dropped entries in entry order.
    pub dropped: Vec<DroppedEntry>,
    /// The other problems of the dropped entries, beyond the one in [`Self::dropped`]
    /// ([`include::further_problems`]); they change nothing that is granted.
    pub further: Vec<DroppedEntry>,
}

/// One entry the expansion dropped (the reference drops it silently).
#[derive(Debug, Clone, PartialEq)]
pub struct DroppedEntry {
    /// Index of the entry in the set's `permissions`.
    pub entry_index: usize,
    /// Why; [`DropReason::name`] is the stable code shared with the lint rules.
    pub reason: DropReason,
    /// What is wrong (names the field and value).
    pub message: String,
    /// What the reference does about it, when the plain-text form says so (see
    /// [`include::Dropped::consequence`]).
    pub consequence: Option<&'static str>,
    /// How to fix it.
    pub hint: Option<String>,
    /// The offending field's key and value when one is to blame, else the whole entry.
    pub span: Span,
    /// Where the entry is.
    pub entry_span: Span,
    /// The offending field's name, when one is to blame.
    pub field: Option<String>,
}

impl DroppedEntry {
    /// The stable kebab-case reason code (`outside-namespace`, `fixed-aud`, …).
    pub fn code(&self) -> &'static str {
        self.reason.name()
    }
}

impl fmt::Display for DroppedEntry {
    /// `message`, the consequence, then ` (hint: …)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        include::write_text(f, &self.message, self.consequence, self.hint.as_deref())
    }
}

/// The expansion of one `include:` scope against a permission set of the catalog.
#[derive(Debug, Clone)]
pub struct SetExpansion<'c> {
    /// The include scope that was expanded.
    pub include: IncludeScope,
    /// The permission set's document.
    pub set: &'c CatalogDoc,
    /// The permission set (`main` of [`Self::set`]).
    pub schema: &'c PermissionSetSchema,
    /// Granted scopes in entry order, duplicates kept (the reference order).
    pub granted: Vec<GrantedScope>,
    /// Dropped entries in entry order (the first problem of each; the others are only looked for
    /// by [`CatalogDoc::expansion_with_aud`]).
    pub dropped: Vec<DroppedEntry>,
}

impl SetExpansion<'_> {
    /// The granted scopes as canonical strings: what the reference `toScopes` returns.
    pub fn granted_strings(&self) -> Vec<String> {
        self.granted.iter().map(|g| g.scope.to_string()).collect()
    }
}

/// Why an `include:` scope could not be expanded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExpandError {
    /// The string is not a valid `include:` scope.
    #[error("`{input}` is not a valid include scope: {message}{}", Hint(hint.as_deref()))]
    InvalidScope {
        /// The input.
        input: String,
        /// Why.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// No document in the catalog declares the NSID.
    #[error(
        "no lexicon `{nsid}` in the catalog (hint: add the directory holding it with --lexicons)"
    )]
    NotFound {
        /// The NSID.
        nsid: String,
    },
    /// The document's `main` is not a permission set.
    #[error("`{nsid}` is not a permission set (its main definition is {})", found.map(|t| lexperm_parser::wording::a_word(t.as_str())).unwrap_or_else(|| "missing".to_owned()))]
    NotAPermissionSet {
        /// The NSID.
        nsid: String,
        /// The type of `main`, when it has one.
        found: Option<SchemaType>,
    },
}

/// Writes ` (hint: …)` for an error message.
struct Hint<'a>(Option<&'a str>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hint(f, self.0)
    }
}

impl ExpandError {
    /// Stable kebab-case code: `invalid-scope`, `not-found`, `not-a-permission-set`.
    pub fn code(&self) -> &'static str {
        match self {
            ExpandError::InvalidScope { .. } => "invalid-scope",
            ExpandError::NotFound { .. } => "not-found",
            ExpandError::NotAPermissionSet { .. } => "not-a-permission-set",
        }
    }
}

/// Reads a permission-set entry of the lexicon model as the scope grammar's
/// [`PermissionEntry`] (every member, in source order, so field indexes are member indexes).
pub fn permission_entry(entry: &lexicon::PermissionEntry) -> PermissionEntry {
    PermissionEntry::new(
        entry
            .members
            .iter()
            .map(|m| (m.key.clone(), entry_value(&m.value)))
            .collect(),
    )
}

fn entry_value(value: &JsonValue) -> EntryValue {
    match &value.kind {
        JsonKind::Null => EntryValue::Null,
        JsonKind::Bool(b) => EntryValue::Bool(*b),
        JsonKind::Number(n) => match n.as_integer() {
            Some(i) => EntryValue::Integer(i),
            None => EntryValue::Float(n.float),
        },
        JsonKind::String(s) => EntryValue::String(s.clone()),
        JsonKind::Array(items) => EntryValue::Array(items.iter().map(entry_value).collect()),
        JsonKind::Object(_) => EntryValue::Object,
    }
}

/// Expands `include` against `set` (a permission set in `doc`), like the reference.
pub fn expand_set<'c>(
    include: &IncludeScope,
    doc: &'c CatalogDoc,
    set: &'c PermissionSetSchema,
) -> SetExpansion<'c> {
    expand_set_with(include, doc, set, Reference::default())
}

/// [`expand_set`] following `reference`.
pub fn expand_set_with<'c>(
    include: &IncludeScope,
    doc: &'c CatalogDoc,
    set: &'c PermissionSetSchema,
    reference: Reference,
) -> SetExpansion<'c> {
    let model = set_model(set);
    let entries: Vec<PermissionEntry> = model.iter().map(permission_entry).collect();
    let expansion = include::expand_with(include, &include.nsid, &entries, reference);
    SetExpansion {
        include: include.clone(),
        set: doc,
        schema: set,
        granted: located_granted(model, expansion.granted),
        dropped: located_dropped(model, expansion.dropped),
    }
}

/// Expands `include` against `set` like [`expand_set_with`], and also looks for the further
/// problems of the dropped entries ([`include::further_problems_with`]): what
/// [`CatalogDoc::expansion_with_aud`] keeps for the lint rules.
pub(crate) fn audience_expansion(
    include: &IncludeScope,
    set: &PermissionSetSchema,
    reference: Reference,
) -> AudienceExpansion {
    let model = set_model(set);
    let entries: Vec<PermissionEntry> = model.iter().map(permission_entry).collect();
    let expansion = include::expand_with(include, &include.nsid, &entries, reference);
    let further = include::further_problems_with(
        include,
        &include.nsid,
        &entries,
        &expansion.dropped,
        reference,
    );
    AudienceExpansion {
        granted: located_granted(model, expansion.granted),
        dropped: located_dropped(model, expansion.dropped),
        further: located_dropped(model, further),
    }
}

/// The entries of `set` (none when it has no `permissions`).
fn set_model(set: &PermissionSetSchema) -> &[lexicon::PermissionEntry] {
    match &set.permissions {
        Some(permissions) => &permissions.value,
        None => &[],
    }
}

/// `granted` with where each entry of `model` sits.
fn located_granted(
    model: &[lexicon::PermissionEntry],
    granted: Vec<include::Granted>,
) -> Vec<GrantedScope> {
    granted
        .into_iter()
        .map(|g| GrantedScope {
            entry_span: model[g.entry_index].span,
            scope: g.scope,
            entry_index: g.entry_index,
        })
        .collect()
}

/// `dropped` with where each entry of `model`, and its offending field, sits.
fn located_dropped(
    model: &[lexicon::PermissionEntry],
    dropped: Vec<include::Dropped>,
) -> Vec<DroppedEntry> {
    dropped
        .into_iter()
        .map(|d| {
            let entry = &model[d.entry_index];
            let member = d.field_index.and_then(|i| entry.members.get(i));
            DroppedEntry {
                entry_index: d.entry_index,
                reason: d.reason,
                message: d.message,
                consequence: d.consequence,
                hint: d.hint,
                span: member.map_or(entry.span, |m| {
                    Span::new(entry.span.file, m.key_span.start, m.value.span.end)
                }),
                entry_span: entry.span,
                field: member.map(|m| m.key.clone()),
            }
        })
        .collect()
}

impl Catalog {
    /// The permission set `nsid`, or why it cannot be used.
    pub fn permission_set_doc(
        &self,
        nsid: &str,
    ) -> Result<(&CatalogDoc, &PermissionSetSchema), ExpandError> {
        let doc = self.get(nsid).ok_or_else(|| ExpandError::NotFound {
            nsid: nsid.to_owned(),
        })?;
        match doc.permission_set() {
            Some(set) => Ok((doc, set)),
            None => Err(ExpandError::NotAPermissionSet {
                nsid: nsid.to_owned(),
                found: doc.main().and_then(|m| m.schema.schema_type()),
            }),
        }
    }

    /// Expands `include` against the permission set of the catalog it names.
    pub fn expand(&self, include: &IncludeScope) -> Result<SetExpansion<'_>, ExpandError> {
        let (doc, set) = self.permission_set_doc(include.nsid.as_str())?;
        Ok(expand_set_with(include, doc, set, self.reference()))
    }

    /// Parses `input` as an `include:` scope and expands it.
    pub fn expand_str(&self, input: &str) -> Result<SetExpansion<'_>, ExpandError> {
        let include = parse_include_with(input, self.reference())?;
        self.expand(&include)
    }
}

/// Parses `input` as an `include:` scope.
pub fn parse_include(input: &str) -> Result<IncludeScope, ExpandError> {
    parse_include_with(input, Reference::default())
}

/// [`parse_include`] following `reference`.
pub fn parse_include_with(input: &str, reference: Reference) -> Result<IncludeScope, ExpandError> {
    match Scope::parse_with(input, reference) {
        Ok(Scope::Include(include)) => Ok(include),
        Ok(_) => Err(ExpandError::InvalidScope {
            input: input.to_owned(),
            message:
                "it is a scope of another resource (expected `include:<nsid>[?aud=<did#svc>]`)"
                    .to_owned(),
            hint: None,
        }),
        Err(ScopeError { message, hint, .. }) => Err(ExpandError::InvalidScope {
            input: input.to_owned(),
            message,
            hint,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    #[test]
    fn dropped_entries_keep_message_consequence_and_hint_apart() {
        let set = r#"{"lexicon": 1, "id": "com.example.authPost", "defs": {"main": {
          "type": "permission-set", "permissions": [
            {"type": "permission", "resource": "repo", "collection": ["app.bsky.feed.post"]}]}}}"#;
        let (catalog, _) = Catalog::load([(FileId(0), "authPost.json", set)]);
        let expansion = catalog.expand_str("include:com.example.authPost").unwrap();
        let dropped = &expansion.dropped[0];
        assert_eq!(
            dropped.message,
            "`collection` value `app.bsky.feed.post` is outside the namespace of `com.example.authPost`"
        );
        assert_eq!(dropped.consequence, Some("; the whole entry is ignored"));
        let hint = "a set may only grant NSIDs starting with `com.example.`; move `app.bsky.feed.post` to a set under its own namespace";
        assert_eq!(dropped.hint.as_deref(), Some(hint));
        assert_eq!(
            dropped.to_string(),
            format!(
                "{}; the whole entry is ignored (hint: {hint})",
                dropped.message
            )
        );
        assert_eq!(dropped.field.as_deref(), Some("collection"));
    }

    #[test]
    fn invalid_include_scopes_keep_the_hint_apart() {
        let Err(error) = parse_include("include:com.example.authPost?aud=*") else {
            panic!("`aud=*` is rejected");
        };
        let ExpandError::InvalidScope { message, hint, .. } = &error else {
            panic!("{error:?}");
        };
        assert!(
            message.starts_with("`aud` value `*`: `include` does not accept `aud=*`"),
            "{message}"
        );
        let hint = hint.as_deref().expect("a hint");
        assert_eq!(
            error.to_string(),
            format!("`include:com.example.authPost?aud=*` is not a valid include scope: {message} (hint: {hint})")
        );
        let Err(ExpandError::InvalidScope { hint, .. }) = parse_include("repo:com.example.post")
        else {
            panic!("a repo scope is not an include scope");
        };
        assert_eq!(hint, None);
    }
}
