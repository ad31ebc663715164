//! The [`Catalog`]: every loaded lexicon document, indexed by NSID and by authority.
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::Catalog;
//!
//! let text = r#"{"lexicon": 1, "id": "com.example.post",
//!   "defs": {"main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#;
//! let (catalog, diagnostics) = Catalog::load([(FileId(0), "post.json", text)]);
//! assert!(diagnostics.is_empty());
//! assert_eq!(catalog.records().count(), 1);
//! assert!(catalog.get("com.example.post").is_some());
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use lexperm_parser::diagnostics::{Diagnostic, FileId, Span};
use lexperm_parser::lexicon::{
    self, Def, LexiconDoc, LoadedLexicon, PermissionSetSchema, ProcedureSchema, QuerySchema,
    RecordSchema, SchemaKind, SchemaType, SpaceDeclProblem, SpaceSchema,
};
use lexperm_parser::scope::Reference;
use lexperm_parser::syntax::Nsid;

use crate::expand::{audience_expansion, AudienceExpansion, PLACEHOLDER_AUD};
use crate::source::{LexiconSource, ResolveError};

/// Where a catalog document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A file given to [`Catalog::load`] / [`Catalog::add`].
    Local,
    /// Fetched through a [`LexiconSource`].
    Remote,
}

/// One lexicon document in the catalog.
#[derive(Debug, Clone)]
pub struct CatalogDoc {
    /// The file it was read from.
    pub file: FileId,
    /// The path (or URI) shown to users.
    pub path: String,
    /// The document's `id`, when it is a valid NSID. Documents without one are kept (so
    /// cross-file lints see them) but are not indexed.
    pub nsid: Option<Nsid>,
    /// The typed document.
    pub doc: LexiconDoc,
    /// True when loading it produced an error diagnostic.
    pub has_errors: bool,
    /// Where it came from.
    pub origin: Origin,
    /// [`Self::expansion_with_aud`], made on first use. Documents are never changed once in the
    /// catalog, so it cannot go stale.
    audience_expansion: OnceLock<Option<AudienceExpansion>>,
    /// The catalog's reference, which that expansion follows.
    reference: Reference,
}

impl CatalogDoc {
    /// The expansion of the document's permission set as `include:<nsid>?aud=<placeholder>`
    /// ([`PLACEHOLDER_AUD`]), made once and kept. `None` when `main` is not a permission set or the
    /// `id` is not an NSID.
    pub fn expansion_with_aud(&self) -> Option<&AudienceExpansion> {
        self.audience_expansion
            .get_or_init(|| {
                let nsid = self.nsid.as_ref()?;
                let set = self.permission_set()?;
                let text = format!("include:{nsid}?aud={PLACEHOLDER_AUD}");
                let Ok(lexperm_parser::scope::Scope::Include(include)) =
                    lexperm_parser::scope::Scope::parse_with(&text, self.reference)
                else {
                    return None;
                };
                Some(audience_expansion(&include, set, self.reference))
            })
            .as_ref()
    }

    /// The `main` def.
    pub fn main(&self) -> Option<&Def> {
        self.doc.main()
    }

    /// The permission set in `main`, when `main` is one.
    pub fn permission_set(&self) -> Option<&PermissionSetSchema> {
        match &self.main()?.schema.kind {
            SchemaKind::PermissionSet(set) => Some(set),
            _ => None,
        }
    }

    /// The record in `main`, when `main` is one.
    pub fn record(&self) -> Option<&RecordSchema> {
        match &self.main()?.schema.kind {
            SchemaKind::Record(record) => Some(record),
            _ => None,
        }
    }

    /// The space type declaration in `main`, when `main` is one.
    pub fn space(&self) -> Option<&SpaceSchema> {
        match &self.main()?.schema.kind {
            SchemaKind::Space(space) => Some(space),
            _ => None,
        }
    }

    /// The type of `main`, when it has one.
    pub fn main_type(&self) -> Option<SchemaType> {
        self.main().and_then(|m| m.schema.schema_type())
    }

    /// The endpoint (query or procedure) in `main`, when `main` is one.
    pub fn endpoint(&self) -> Option<Endpoint<'_>> {
        match &self.main()?.schema.kind {
            SchemaKind::Query(q) => Some(Endpoint::Query(q)),
            SchemaKind::Procedure(p) => Some(Endpoint::Procedure(p)),
            _ => None,
        }
    }

    /// The NSID as text, `""` when the document has no valid one.
    pub fn nsid_str(&self) -> &str {
        self.nsid.as_ref().map_or("", Nsid::as_str)
    }
}

/// An XRPC endpoint: what an `rpc:` scope names.
#[derive(Debug, Clone, Copy)]
pub enum Endpoint<'a> {
    /// `query` (HTTP GET).
    Query(&'a QuerySchema),
    /// `procedure` (HTTP POST).
    Procedure(&'a ProcedureSchema),
}

impl Endpoint<'_> {
    /// `query` or `procedure`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Endpoint::Query(_) => "query",
            Endpoint::Procedure(_) => "procedure",
        }
    }
}

/// A second document claiming an NSID that is already in the catalog. The first one loaded
/// stays indexed; the duplicate is kept in [`Catalog::documents`] for lints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The NSID both documents declare.
    pub nsid: String,
    /// Index (in [`Catalog::documents`]) of the document that is indexed.
    pub first: usize,
    /// Index of the later document.
    pub duplicate: usize,
    /// Span of the duplicate's `id` value.
    pub span: Span,
    /// Span of the first document's `id` value.
    pub first_span: Span,
}

/// Every loaded lexicon document, indexed by NSID and by authority. Built with
/// [`Catalog::load`] (texts) or [`Catalog::from_loaded`] (already loaded / linted documents).
/// Loading never fails: problems are diagnostics, and documents with problems are still added.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    docs: Vec<CatalogDoc>,
    by_nsid: BTreeMap<String, usize>,
    duplicates: Vec<Duplicate>,
    next_file: u32,
    reference: Reference,
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Catalog {
        Catalog::default()
    }

    /// The reference that [`Catalog::expand`], [`Catalog::token_scope`] and the other scope
    /// readings of this catalog follow (the default: permissioned data).
    pub fn reference(&self) -> Reference {
        self.reference
    }

    /// Makes the catalog's scope readings follow `reference` (including each document's
    /// [`CatalogDoc::expansion_with_aud`], made again on next use).
    pub fn set_reference(&mut self, reference: Reference) {
        self.reference = reference;
        for doc in &mut self.docs {
            if doc.reference != reference {
                doc.reference = reference;
                doc.audience_expansion = OnceLock::new();
            }
        }
    }

    /// Loads every `(file, path, text)` with [`lexicon::load`] and returns the catalog plus the
    /// loader's diagnostics (JSON syntax, field types, missing fields, unknown types), in input
    /// order. Per-file lint rules are not run.
    pub fn load<'a, I>(sources: I) -> (Catalog, Vec<Diagnostic>)
    where
        I: IntoIterator<Item = (FileId, &'a str, &'a str)>,
    {
        let mut catalog = Catalog::new();
        let mut diagnostics = Vec::new();
        for (file, path, text) in sources {
            diagnostics.extend(catalog.add(file, path, text));
        }
        (catalog, diagnostics)
    }

    /// Builds a catalog from documents that were already loaded (for example by
    /// [`lexperm_lint::lint_file`], which also lints). Their diagnostics are not kept.
    pub fn from_loaded<I>(loaded: I) -> Catalog
    where
        I: IntoIterator<Item = (FileId, String, LoadedLexicon)>,
    {
        let mut catalog = Catalog::new();
        for (file, path, lexicon) in loaded {
            catalog.add_loaded(file, path, lexicon, Origin::Local);
        }
        catalog
    }

    /// Loads one text and adds it; returns the loader's diagnostics.
    pub fn add(&mut self, file: FileId, path: &str, text: &str) -> Vec<Diagnostic> {
        let loaded = lexicon::load(file, text);
        let diagnostics = loaded.diagnostics.clone();
        self.add_loaded(file, path.to_owned(), loaded, Origin::Local);
        diagnostics
    }

    /// Adds one loaded document (nothing is added when the text was not a JSON object).
    /// Returns its index in [`Catalog::documents`].
    pub fn add_loaded(
        &mut self,
        file: FileId,
        path: String,
        loaded: LoadedLexicon,
        origin: Origin,
    ) -> Option<usize> {
        self.next_file = self.next_file.max(file.0.saturating_add(1));
        let has_errors = loaded.has_errors();
        let doc = loaded.doc?;
        let nsid = doc.id_str().and_then(|id| Nsid::parse(id).ok());
        let index = self.docs.len();
        if let Some(nsid) = &nsid {
            match self.by_nsid.get(nsid.as_str()) {
                Some(&first) => self.duplicates.push(Duplicate {
                    nsid: nsid.as_str().to_owned(),
                    first,
                    duplicate: index,
                    span: doc.anchor(),
                    first_span: self.docs[first].doc.anchor(),
                }),
                None => {
                    self.by_nsid.insert(nsid.as_str().to_owned(), index);
                }
            }
        }
        self.docs.push(CatalogDoc {
            file,
            path,
            nsid,
            doc,
            has_errors,
            origin,
            audience_expansion: OnceLock::new(),
            reference: self.reference,
        });
        Some(index)
    }

    /// A file id no document of this catalog uses yet (for documents fetched remotely).
    pub fn next_file_id(&self) -> FileId {
        FileId(self.next_file)
    }

    /// The document declaring `nsid` (the first one loaded, when there are duplicates).
    pub fn get(&self, nsid: &str) -> Option<&CatalogDoc> {
        self.by_nsid.get(nsid).map(|&i| &self.docs[i])
    }

    /// True when a document declares `nsid`.
    pub fn contains(&self, nsid: &str) -> bool {
        self.by_nsid.contains_key(nsid)
    }

    /// Every document, in load order, including duplicates and documents without a valid NSID.
    pub fn documents(&self) -> &[CatalogDoc] {
        &self.docs
    }

    /// The indexed documents (one per NSID), sorted by NSID.
    pub fn indexed(&self) -> impl Iterator<Item = &CatalogDoc> {
        self.by_nsid.values().map(|&i| &self.docs[i])
    }

    /// Documents declaring an NSID another document already declared.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Number of indexed NSIDs.
    pub fn len(&self) -> usize {
        self.by_nsid.len()
    }

    /// True when no NSID is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_nsid.is_empty()
    }

    /// Indexed documents whose `main` is a record, sorted by NSID.
    pub fn records(&self) -> impl Iterator<Item = (&CatalogDoc, &RecordSchema)> {
        self.indexed().filter_map(|d| d.record().map(|r| (d, r)))
    }

    /// Indexed documents whose `main` is a query or procedure, sorted by NSID.
    pub fn endpoints(&self) -> impl Iterator<Item = (&CatalogDoc, Endpoint<'_>)> {
        self.indexed().filter_map(|d| d.endpoint().map(|e| (d, e)))
    }

    /// Indexed documents whose `main` is a permission set, sorted by NSID.
    pub fn permission_sets(&self) -> impl Iterator<Item = (&CatalogDoc, &PermissionSetSchema)> {
        self.indexed()
            .filter_map(|d| d.permission_set().map(|s| (d, s)))
    }

    /// Indexed documents whose `main` is a space type declaration, sorted by NSID.
    pub fn spaces(&self) -> impl Iterator<Item = (&CatalogDoc, &SpaceSchema)> {
        self.indexed().filter_map(|d| d.space().map(|s| (d, s)))
    }

    /// The space type declaration `nsid`, or why the authorization server could not resolve it.
    pub fn space_decl(&self, nsid: &str) -> Result<(&CatalogDoc, &SpaceSchema), SpaceDeclError> {
        let doc = self.get(nsid).ok_or_else(|| SpaceDeclError::NotFound {
            nsid: nsid.to_owned(),
        })?;
        let space = doc.space().ok_or_else(|| SpaceDeclError::NotASpace {
            nsid: nsid.to_owned(),
            found: doc.main_type(),
        })?;
        match space.problem() {
            Some(problem) => Err(SpaceDeclError::Invalid {
                nsid: nsid.to_owned(),
                problem,
            }),
            None => Ok((doc, space)),
        }
    }

    /// Indexed documents grouped by authority domain (`example.com` for `com.example.post`),
    /// authorities sorted, documents sorted by NSID.
    pub fn by_authority(&self) -> BTreeMap<String, Vec<&CatalogDoc>> {
        self.group_by(|nsid| nsid.authority())
    }

    /// Indexed documents grouped by NSID group (`com.example.` for `com.example.post`: what a
    /// permission set in that group may grant), groups sorted, documents sorted by NSID.
    pub fn by_group(&self) -> BTreeMap<String, Vec<&CatalogDoc>> {
        self.group_by(|nsid| nsid.group_prefix().to_owned())
    }

    fn group_by(&self, key: impl Fn(&Nsid) -> String) -> BTreeMap<String, Vec<&CatalogDoc>> {
        let mut groups: BTreeMap<String, Vec<&CatalogDoc>> = BTreeMap::new();
        for doc in self.indexed() {
            if let Some(nsid) = &doc.nsid {
                groups.entry(key(nsid)).or_default().push(doc);
            }
        }
        groups
    }

    /// Fetches `nsid` through `source` when the catalog does not hold it yet, and adds it (with
    /// [`Catalog::next_file_id`] and [`Origin::Remote`]). Returns what was fetched (`None` when
    /// the NSID was already present), so the caller can show its text in diagnostics.
    pub fn resolve(
        &mut self,
        nsid: &Nsid,
        source: &mut dyn LexiconSource,
    ) -> Result<Option<Resolved>, ResolveError> {
        if self.contains(nsid.as_str()) {
            return Ok(None);
        }
        let fetched = source.fetch(nsid)?;
        let file = self.next_file_id();
        let loaded = lexicon::load(file, &fetched.text);
        let diagnostics = loaded.diagnostics.clone();
        let declared = loaded
            .doc
            .as_ref()
            .and_then(|d| d.id_str().map(str::to_owned));
        if declared.as_deref() != Some(nsid.as_str()) {
            return Err(ResolveError::IdMismatch {
                nsid: nsid.as_str().to_owned(),
                found: declared,
            });
        }
        self.add_loaded(file, fetched.location.clone(), loaded, Origin::Remote);
        Ok(Some(Resolved {
            file,
            location: fetched.location,
            text: fetched.text,
            diagnostics,
        }))
    }
}

/// Why [`Catalog::space_decl`] found no space type declaration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpaceDeclError {
    /// No document in the catalog declares the NSID.
    #[error("no lexicon `{nsid}` in the catalog declares the space type (hint: add the directory holding it with --lexicons)")]
    NotFound {
        /// The space type NSID.
        nsid: String,
    },
    /// The document's `main` is not a `space`.
    #[error("`{nsid}` is not a space type (its main definition is {})", found.map(|t| lexperm_parser::wording::a_word(t.as_str())).unwrap_or_else(|| "missing".to_owned()))]
    NotASpace {
        /// The NSID.
        nsid: String,
        /// The type of `main`, when it has one.
        found: Option<SchemaType>,
    },
    /// The declaration breaks a rule of the strict reference validator, so an authorization
    /// server that validates it cannot resolve it.
    #[error("the space type declaration `{nsid}` is invalid: {problem} (hint: `lexperm lint` shows where)")]
    Invalid {
        /// The space type NSID.
        nsid: String,
        /// The first rule it breaks.
        problem: SpaceDeclProblem,
    },
}

impl SpaceDeclError {
    /// Stable kebab-case code: `space-not-found`, `not-a-space` or `invalid-space`.
    pub fn code(&self) -> &'static str {
        match self {
            SpaceDeclError::NotFound { .. } => "space-not-found",
            SpaceDeclError::NotASpace { .. } => "not-a-space",
            SpaceDeclError::Invalid { .. } => "invalid-space",
        }
    }

    /// The space type NSID.
    pub fn nsid(&self) -> &str {
        match self {
            SpaceDeclError::NotFound { nsid }
            | SpaceDeclError::NotASpace { nsid, .. }
            | SpaceDeclError::Invalid { nsid, .. } => nsid,
        }
    }
}

/// A document fetched by [`Catalog::resolve`].
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The file id it was given.
    pub file: FileId,
    /// Where it came from (shown as its path).
    pub location: String,
    /// Its text.
    pub text: String,
    /// The loader's diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FetchedLexicon;

    fn record(id: &str) -> String {
        format!(
            r#"{{"lexicon": 1, "id": "{id}", "defs": {{"main": {{"type": "record", "key": "tid", "record": {{"type": "object", "properties": {{}}}}}}}}}}"#
        )
    }

    #[test]
    fn indexes_by_nsid_authority_and_group() {
        let a = record("com.example.feed.post");
        let b = record("com.example.actor.profile");
        let c = r#"{"lexicon": 1, "id": "com.example.feed.getFeed", "defs": {"main": {"type": "query"}}}"#;
        let (catalog, diagnostics) = Catalog::load([
            (FileId(0), "a.json", a.as_str()),
            (FileId(1), "b.json", b.as_str()),
            (FileId(2), "c.json", c),
        ]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(catalog.len(), 3);
        assert_eq!(catalog.records().count(), 2);
        assert_eq!(catalog.endpoints().count(), 1);
        let groups = catalog.by_group();
        assert_eq!(
            groups.keys().collect::<Vec<_>>(),
            ["com.example.actor.", "com.example.feed."]
        );
        assert_eq!(catalog.by_authority()["feed.example.com"].len(), 2);
        assert_eq!(catalog.next_file_id(), FileId(3));
    }

    #[test]
    fn records_duplicates_and_keeps_broken_documents() {
        let a = record("com.example.post");
        let (catalog, diagnostics) = Catalog::load([
            (FileId(0), "a.json", a.as_str()),
            (FileId(1), "b.json", a.as_str()),
            (FileId(2), "c.json", r#"{"lexicon": 1, "defs": {}}"#),
            (FileId(3), "d.json", "{not json"),
        ]);
        assert!(!diagnostics.is_empty());
        assert_eq!(catalog.len(), 1);
        assert_eq!(catalog.documents().len(), 3);
        assert_eq!(catalog.duplicates().len(), 1);
        assert_eq!(catalog.duplicates()[0].first, 0);
        assert_eq!(catalog.duplicates()[0].span.file, FileId(1));
        assert_eq!(catalog.get("com.example.post").unwrap().file, FileId(0));
    }

    struct OneDoc(String);

    impl LexiconSource for OneDoc {
        fn fetch(&mut self, nsid: &Nsid) -> Result<FetchedLexicon, ResolveError> {
            Ok(FetchedLexicon {
                location: format!("at://did:plc:x/com.atproto.lexicon.schema/{nsid}"),
                text: self.0.clone(),
            })
        }
    }

    #[test]
    fn resolves_missing_nsids_through_a_source() {
        let mut catalog = Catalog::new();
        let nsid = Nsid::parse("com.example.post").unwrap();
        let resolved = catalog
            .resolve(&nsid, &mut OneDoc(record("com.example.post")))
            .unwrap()
            .expect("fetched");
        assert_eq!(resolved.file, FileId(0));
        assert_eq!(
            catalog.get("com.example.post").unwrap().origin,
            Origin::Remote
        );
        assert!(catalog
            .resolve(&nsid, &mut crate::NoSource)
            .unwrap()
            .is_none());
        let other = Nsid::parse("com.example.other").unwrap();
        assert!(matches!(
            catalog.resolve(&other, &mut OneDoc(record("com.example.post"))),
            Err(ResolveError::IdMismatch { .. })
        ));
        assert!(matches!(
            catalog.resolve(&other, &mut crate::NoSource),
            Err(ResolveError::NotFound { .. })
        ));
    }
}
