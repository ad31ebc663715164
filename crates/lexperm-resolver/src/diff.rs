//! [`CatalogDiff`]: two versions of a set of lexicons, before and after a change, matched for
//! comparison. No rule lives here; the breaking-change rules of `lexperm-lint` read a diff.
//!
//! Matching goes from the outside in:
//! - documents by NSID ([`CatalogDiff::documents`]); an NSID only on the before side is
//!   [`CatalogDiff::removed`], unless a document with the same content appears under a new NSID
//!   ([`CatalogDiff::renamed`]); an NSID only on the after side is [`CatalogDiff::added`];
//! - defs by name ([`DocPair::defs`], [`DocPair::removed_defs`]);
//! - schemas along their path: record objects, properties and parameters by name, array items, the
//!   `input`/`output` body schemas and the subscription `message` schema. Every schema present on
//!   both sides is one [`SchemaPair`] ([`CatalogDiff::schemas`]); the walk stops where the types
//!   differ. Every `properties` container (object or `params`, with its `required` and
//!   `nullable` lists) is one [`FieldSetPair`] ([`CatalogDiff::field_sets`]), including
//!   `parameters` present on one side only. Every `input`, `output` and `message` present on
//!   either side is one [`BodyPair`] ([`CatalogDiff::bodies`]).
//!
//! Permission sets and space declarations are matched as documents and defs but not walked: what
//! they grant is compared by meaning in [`crate::grants`] ([`CatalogDiff::grant_changes`],
//! [`CatalogDiff::space_changes`]).
//!
//! The two catalogs must give their files distinct [`FileId`]s, so that a span says which side it
//! is on ([`CatalogDiff::side_of`]).
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::{Catalog, CatalogDiff};
//!
//! let before = r#"{"lexicon": 1, "id": "com.example.post", "defs": {"main": {"type": "record",
//!   "key": "tid", "record": {"type": "object", "properties": {"text": {"type": "string"}}}}}}"#;
//! let after = before.replace(r#""type": "string""#, r#""type": "integer""#);
//! let (before, _) = Catalog::load([(FileId(1), "before.json", before)]);
//! let (after, _) = Catalog::load([(FileId(0), "after.json", after.as_str())]);
//! let diff = CatalogDiff::new(&before, &after, &|_| None);
//! let changed: Vec<String> = diff
//!     .schemas()
//!     .iter()
//!     .filter(|pair| pair.before.schema_type() != pair.after.schema_type())
//!     .map(|pair| pair.location())
//!     .collect();
//! assert_eq!(changed, ["com.example.post#main.text"]);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

use lexperm_parser::diagnostics::{FileId, Span};
use lexperm_parser::json::{self, JsonKind, JsonValue};
use lexperm_parser::lexicon::{
    Body, Def, ErrorDef, Message, ObjectSchema, ParamsSchema, Property, Schema, SchemaKind, Spanned,
};

use crate::catalog::{Catalog, CatalogDoc};
use crate::grants::GrantChange;

/// Which version a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The version the change starts from (the base).
    Before,
    /// The changed version.
    After,
}

/// The same NSID in both versions (or, for [`CatalogDiff::renamed`], the same content under two
/// NSIDs).
#[derive(Debug, Clone, Copy)]
pub struct DocPair<'a> {
    /// The document in the before version.
    pub before: &'a CatalogDoc,
    /// The document in the after version.
    pub after: &'a CatalogDoc,
}

impl<'a> DocPair<'a> {
    /// The NSID (the after side's, for a rename).
    pub fn nsid(&self) -> &'a str {
        self.after.nsid_str()
    }

    /// The defs present in both versions, in the after document's order.
    pub fn defs(&self) -> impl Iterator<Item = DefPair<'a>> + 'a {
        let pair = *self;
        pair.after.doc.defs.iter().filter_map(move |after| {
            let before = pair.before.doc.def(&after.name)?;
            Some(DefPair {
                doc: pair,
                before,
                after,
            })
        })
    }

    /// The defs of the before version that the after version lacks, in source order.
    pub fn removed_defs(&self) -> impl Iterator<Item = &'a Def> + 'a {
        let pair = *self;
        pair.before
            .doc
            .defs
            .iter()
            .filter(move |def| pair.after.doc.def(&def.name).is_none())
    }

    /// `nsid#path`, the way findings name a place in this document.
    pub fn location(&self, path: &str) -> String {
        format!("{}#{path}", self.nsid())
    }
}

/// A def present in both versions of a document.
#[derive(Debug, Clone, Copy)]
pub struct DefPair<'a> {
    /// The documents.
    pub doc: DocPair<'a>,
    /// The def before.
    pub before: &'a Def,
    /// The def after.
    pub after: &'a Def,
}

/// What a schema of a [`SchemaPair`] is to its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A named def.
    Def,
    /// The `record` object of a record def.
    RecordObject,
    /// A property of an object.
    Property,
    /// A parameter of a `params` schema.
    Parameter,
    /// The `items` of an array.
    Items,
    /// The `parameters` of a query, procedure or subscription.
    Parameters,
    /// The schema of a procedure's `input`.
    Input,
    /// The schema of a query's or procedure's `output`.
    Output,
    /// The schema of a subscription's `message`.
    Message,
}

/// One schema present in both versions at the same path.
#[derive(Debug, Clone)]
pub struct SchemaPair<'a> {
    /// The documents.
    pub doc: DocPair<'a>,
    /// Where the schema is inside its document: the def name, then `.name` per property or
    /// parameter, `[]` for array items, `.parameters`, `.input`, `.output`, `.message`
    /// (`main.text`, `main.tags[]`, `main.parameters.limit`, `main.output.cursor`). A record's
    /// object has the record's path.
    pub path: String,
    /// What the schema is to its parent.
    pub place: Place,
    /// The schema before.
    pub before: &'a Schema,
    /// The schema after.
    pub after: &'a Schema,
}

impl SchemaPair<'_> {
    /// `nsid#path`.
    pub fn location(&self) -> String {
        self.doc.location(&self.path)
    }

    /// The NSID of the document.
    pub fn nsid(&self) -> &str {
        self.doc.nsid()
    }
}

/// Whether the fields of a [`FieldSet`] are object properties or query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `properties` of an `object`.
    Property,
    /// `properties` of a `params`.
    Parameter,
}

impl FieldKind {
    /// `property` or `parameter`, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            FieldKind::Property => "property",
            FieldKind::Parameter => "parameter",
        }
    }
}

/// The fields of one `object` or `params` schema (all empty when the schema is absent).
#[derive(Debug, Clone)]
pub struct FieldSet<'a> {
    /// `properties`, in source order.
    pub properties: &'a [Property],
    /// `required`.
    pub required: &'a [Spanned<String>],
    /// `nullable` (always empty for `params`).
    pub nullable: &'a [Spanned<String>],
    /// Where to point for a field this side lacks: the opening brace of the `properties` map,
    /// else the schema's `type`, else (no `parameters` at all) the `type` of the def.
    pub anchor: Span,
    /// The lookups by name of a large set, made on first use (see [`FieldSet::property`]).
    index: OnceLock<FieldIndex<'a>>,
}

/// [`FieldSet`]'s entries by name (the first of each name, as a scan in source order finds).
#[derive(Debug, Clone, Default)]
struct FieldIndex<'a> {
    properties: HashMap<&'a str, &'a Property>,
    required: HashMap<&'a str, &'a Spanned<String>>,
    nullable: HashMap<&'a str, &'a Spanned<String>>,
}

/// Sets with more entries than this are looked up through a [`FieldIndex`]; smaller ones are
/// scanned, which costs less than building one.
const FIELD_SCAN_LIMIT: usize = 16;

impl<'a> FieldSet<'a> {
    fn object(object: &'a ObjectSchema, schema: &Schema) -> Self {
        FieldSet {
            properties: object.properties.as_ref().map_or(&[], |p| &p.value),
            required: object.required.as_ref().map_or(&[], |r| &r.value),
            nullable: object.nullable.as_ref().map_or(&[], |n| &n.value),
            anchor: object
                .properties
                .as_ref()
                .map_or_else(|| schema.anchor(), |p| opening(p.span)),
            index: OnceLock::new(),
        }
    }

    fn params(params: &'a ParamsSchema, schema: &Schema) -> Self {
        FieldSet {
            properties: params.properties.as_ref().map_or(&[], |p| &p.value),
            required: params.required.as_ref().map_or(&[], |r| &r.value),
            nullable: &[],
            anchor: params
                .properties
                .as_ref()
                .map_or_else(|| schema.anchor(), |p| opening(p.span)),
            index: OnceLock::new(),
        }
    }

    fn empty(anchor: Span) -> Self {
        FieldSet {
            properties: &[],
            required: &[],
            nullable: &[],
            anchor,
            index: OnceLock::new(),
        }
    }

    /// The field named `name`.
    pub fn property(&self, name: &str) -> Option<&'a Property> {
        match self.index() {
            Some(index) => index.properties.get(name).copied(),
            None => self.properties.iter().find(|p| p.name == name),
        }
    }

    /// The `required` entry naming `name`, when the field is required.
    pub fn required(&self, name: &str) -> Option<&'a Spanned<String>> {
        match self.index() {
            Some(index) => index.required.get(name).copied(),
            None => self.required.iter().find(|r| r.value == name),
        }
    }

    /// The `nullable` entry naming `name`, when the field is nullable.
    pub fn nullable(&self, name: &str) -> Option<&'a Spanned<String>> {
        match self.index() {
            Some(index) => index.nullable.get(name).copied(),
            None => self.nullable.iter().find(|n| n.value == name),
        }
    }

    /// The index of a set too large to scan for each name (every field is looked up on the other
    /// side, so scanning would make the comparison quadratic).
    fn index(&self) -> Option<&FieldIndex<'a>> {
        let largest = self
            .properties
            .len()
            .max(self.required.len())
            .max(self.nullable.len());
        if largest <= FIELD_SCAN_LIMIT {
            return None;
        }
        Some(self.index.get_or_init(|| {
            let by_name = |list: &'a [Spanned<String>]| {
                let mut map = HashMap::new();
                for entry in list {
                    map.entry(entry.value.as_str()).or_insert(entry);
                }
                map
            };
            let mut properties = HashMap::new();
            for property in self.properties {
                properties.entry(property.name.as_str()).or_insert(property);
            }
            FieldIndex {
                properties,
                required: by_name(self.required),
                nullable: by_name(self.nullable),
            }
        }))
    }
}

/// One `properties` container (of an object, or the `parameters` of an endpoint) in both
/// versions.
#[derive(Debug, Clone)]
pub struct FieldSetPair<'a> {
    /// The documents.
    pub doc: DocPair<'a>,
    /// The container's path (see [`SchemaPair::path`]); a field's path is `path.name`.
    pub path: String,
    /// Properties or parameters.
    pub kind: FieldKind,
    /// The fields before.
    pub before: FieldSet<'a>,
    /// The fields after.
    pub after: FieldSet<'a>,
}

impl FieldSetPair<'_> {
    /// `nsid#path.name`: where the field `name` is.
    pub fn field_location(&self, name: &str) -> String {
        self.doc.location(&format!("{}.{name}", self.path))
    }
}

/// An `input`/`output` body or a subscription `message`, seen the same way.
#[derive(Debug, Clone, Copy)]
pub struct BodyView<'a> {
    /// The body object.
    pub span: Span,
    /// `encoding` (`None` for a message, which has none).
    pub encoding: Option<&'a Spanned<String>>,
    /// `schema`.
    pub schema: Option<&'a Schema>,
}

impl<'a> BodyView<'a> {
    fn body(body: &'a Body) -> Self {
        BodyView {
            span: body.span,
            encoding: body.encoding.as_ref(),
            schema: body.schema.as_deref(),
        }
    }

    fn message(message: &'a Message) -> Self {
        BodyView {
            span: message.span,
            encoding: None,
            schema: message.schema.as_deref(),
        }
    }

    /// Where to point at the body's schema: its `type`, else the body.
    pub fn schema_anchor(&self) -> Span {
        self.schema.map_or(self.span, Schema::anchor)
    }
}

/// An `input`, `output` or `message` present in at least one version of an endpoint or
/// subscription.
#[derive(Debug, Clone)]
pub struct BodyPair<'a> {
    /// The documents.
    pub doc: DocPair<'a>,
    /// `def.input`, `def.output` or `def.message`.
    pub path: String,
    /// [`Place::Input`], [`Place::Output`] or [`Place::Message`].
    pub place: Place,
    /// The body before, if any.
    pub before: Option<BodyView<'a>>,
    /// The body after, if any.
    pub after: Option<BodyView<'a>>,
    /// The def (query, procedure or subscription) before.
    pub before_def: &'a Schema,
    /// The def after.
    pub after_def: &'a Schema,
}

impl BodyPair<'_> {
    /// `input`, `output` or `message`.
    pub fn name(&self) -> &'static str {
        body_name(self.place)
    }

    /// `nsid#path`.
    pub fn location(&self) -> String {
        self.doc.location(&self.path)
    }

    /// `nsid#def`: the query, procedure or subscription the body belongs to.
    pub fn def_location(&self) -> String {
        let def = self
            .path
            .rsplit_once('.')
            .map_or(self.path.as_str(), |(def, _)| def);
        self.doc.location(def)
    }
}

/// Two catalogs matched for comparison; see the module documentation.
#[derive(Debug)]
pub struct CatalogDiff<'a> {
    before: &'a Catalog,
    after: &'a Catalog,
    before_files: HashSet<FileId>,
    documents: Vec<DocPair<'a>>,
    removed: Vec<&'a CatalogDoc>,
    added: Vec<&'a CatalogDoc>,
    renamed: Vec<DocPair<'a>>,
    schemas: Vec<SchemaPair<'a>>,
    field_sets: Vec<FieldSetPair<'a>>,
    bodies: Vec<BodyPair<'a>>,
    grant_changes: OnceLock<Vec<GrantChange<'a>>>,
}

impl<'a> CatalogDiff<'a> {
    /// Matches `before` against `after`. `text` gives the source text of a file of either side
    /// when it is known; it is only read to recognize renamed documents (a removed and an added
    /// document whose `defs` are the same JSON, descriptions aside), and `|_| None` turns that
    /// off. The catalogs must not share file ids.
    pub fn new(
        before: &'a Catalog,
        after: &'a Catalog,
        text: &dyn Fn(FileId) -> Option<&'a str>,
    ) -> Self {
        let mut diff = CatalogDiff {
            before,
            after,
            before_files: before.documents().iter().map(|doc| doc.file).collect(),
            documents: Vec::new(),
            removed: Vec::new(),
            added: Vec::new(),
            renamed: Vec::new(),
            schemas: Vec::new(),
            field_sets: Vec::new(),
            bodies: Vec::new(),
            grant_changes: OnceLock::new(),
        };
        debug_assert!(
            after
                .documents()
                .iter()
                .all(|doc| !diff.before_files.contains(&doc.file)),
            "the two sides of a diff must not share file ids"
        );
        for doc in before.indexed() {
            match after.get(doc.nsid_str()) {
                Some(other) => diff.documents.push(DocPair {
                    before: doc,
                    after: other,
                }),
                None => diff.removed.push(doc),
            }
        }
        diff.added = after
            .indexed()
            .filter(|doc| !before.contains(doc.nsid_str()))
            .collect();
        diff.match_renames(text);
        for pair in diff.documents.clone() {
            for def in pair.defs() {
                diff.walk(
                    pair,
                    def.after.name.clone(),
                    Place::Def,
                    &def.before.schema,
                    &def.after.schema,
                );
            }
        }
        diff
    }

    /// The before catalog.
    pub fn before(&self) -> &'a Catalog {
        self.before
    }

    /// The after catalog.
    pub fn after(&self) -> &'a Catalog {
        self.after
    }

    /// Which side `file` belongs to (files of neither catalog count as after).
    pub fn side_of(&self, file: FileId) -> Side {
        if self.before_files.contains(&file) {
            Side::Before
        } else {
            Side::After
        }
    }

    /// Documents present in both versions, by NSID.
    pub fn documents(&self) -> &[DocPair<'a>] {
        &self.documents
    }

    /// Documents of the before version whose NSID is gone and whose content did not reappear
    /// under another NSID, by NSID.
    pub fn removed(&self) -> &[&'a CatalogDoc] {
        &self.removed
    }

    /// Documents of the after version under an NSID the before version lacks, renames aside.
    pub fn added(&self) -> &[&'a CatalogDoc] {
        &self.added
    }

    /// Documents whose NSID changed while their `defs` stayed the same.
    pub fn renamed(&self) -> &[DocPair<'a>] {
        &self.renamed
    }

    /// Every def present in both versions, by NSID then in the after document's order.
    pub fn defs(&self) -> impl Iterator<Item = DefPair<'a>> + '_ {
        self.documents.iter().flat_map(DocPair::defs)
    }

    /// Every schema present in both versions at the same path, in walk order (a parent before
    /// its children).
    pub fn schemas(&self) -> &[SchemaPair<'a>] {
        &self.schemas
    }

    /// Every `properties` container in both versions (and endpoint `parameters` present on
    /// either side).
    pub fn field_sets(&self) -> &[FieldSetPair<'a>] {
        &self.field_sets
    }

    /// Every `input`, `output` and `message` present on either side of a def of the same type.
    pub fn bodies(&self) -> &[BodyPair<'a>] {
        &self.bodies
    }

    /// Where [`CatalogDiff::grant_changes`] keeps its result.
    pub(crate) fn cached_grant_changes(&self) -> &OnceLock<Vec<GrantChange<'a>>> {
        &self.grant_changes
    }

    /// Pairs each removed document with the first added one whose `defs` are the same JSON.
    fn match_renames(&mut self, text: &dyn Fn(FileId) -> Option<&'a str>) {
        if self.removed.is_empty() || self.added.is_empty() {
            return;
        }
        let mut added: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, doc) in self.added.iter().enumerate() {
            if let Some(print) = fingerprint(doc, text) {
                added.entry(print).or_default().push(index);
            }
        }
        let mut taken = vec![false; self.added.len()];
        let mut kept = Vec::new();
        for doc in std::mem::take(&mut self.removed) {
            let found = fingerprint(doc, text)
                .and_then(|print| added.get(&print))
                .and_then(|candidates| candidates.iter().copied().find(|&i| !taken[i]));
            match found {
                Some(index) => {
                    taken[index] = true;
                    self.renamed.push(DocPair {
                        before: doc,
                        after: self.added[index],
                    });
                }
                None => kept.push(doc),
            }
        }
        self.removed = kept;
        let mut index = 0;
        self.added.retain(|_| {
            index += 1;
            !taken[index - 1]
        });
    }

    /// Records `before`/`after` at `path` and walks into both while their types agree.
    fn walk(
        &mut self,
        doc: DocPair<'a>,
        path: String,
        place: Place,
        before: &'a Schema,
        after: &'a Schema,
    ) {
        let same_type = before.schema_type() == after.schema_type();
        self.schemas.push(SchemaPair {
            doc,
            path: path.clone(),
            place,
            before,
            after,
        });
        if !same_type {
            return;
        }
        if let (Some(b), Some(a)) = (EndpointParts::of(before), EndpointParts::of(after)) {
            let defs = (before, after);
            self.parameters(doc, &path, (b.parameters, a.parameters), defs);
            for place in [Place::Input, Place::Output, Place::Message] {
                self.body(doc, &path, place, (b.body(place), a.body(place)), defs);
            }
            return;
        }
        match (&before.kind, &after.kind) {
            (SchemaKind::Record(b), SchemaKind::Record(a)) => {
                if let (Some(b), Some(a)) = (&b.record, &a.record) {
                    self.walk(doc, path, Place::RecordObject, b, a);
                }
            }
            (SchemaKind::Object(b), SchemaKind::Object(a)) => {
                let fields = (FieldSet::object(b, before), FieldSet::object(a, after));
                self.fields(doc, path, FieldKind::Property, fields);
            }
            (SchemaKind::Params(b), SchemaKind::Params(a)) => {
                let fields = (FieldSet::params(b, before), FieldSet::params(a, after));
                self.fields(doc, path, FieldKind::Parameter, fields);
            }
            (SchemaKind::Array(b), SchemaKind::Array(a)) => {
                if let (Some(b), Some(a)) = (&b.items, &a.items) {
                    self.walk(doc, format!("{path}[]"), Place::Items, b, a);
                }
            }
            _ => {}
        }
    }

    /// Records a `properties` container and walks the fields present on both sides.
    fn fields(
        &mut self,
        doc: DocPair<'a>,
        path: String,
        kind: FieldKind,
        (before, after): (FieldSet<'a>, FieldSet<'a>),
    ) {
        let place = match kind {
            FieldKind::Property => Place::Property,
            FieldKind::Parameter => Place::Parameter,
        };
        for field in after.properties {
            if let Some(old) = before.property(&field.name) {
                self.walk(
                    doc,
                    format!("{path}.{}", field.name),
                    place,
                    &old.schema,
                    &field.schema,
                );
            }
        }
        self.field_sets.push(FieldSetPair {
            doc,
            path,
            kind,
            before,
            after,
        });
    }

    /// The `parameters` of an endpoint or subscription: walked when on both sides, else recorded
    /// as a field set with one side empty.
    fn parameters(
        &mut self,
        doc: DocPair<'a>,
        def_path: &str,
        (before, after): (Option<&'a Schema>, Option<&'a Schema>),
        (before_def, after_def): (&'a Schema, &'a Schema),
    ) {
        let path = format!("{def_path}.parameters");
        let side = |schema: Option<&'a Schema>, def: &'a Schema| match schema {
            Some(schema) => match &schema.kind {
                SchemaKind::Params(params) => Some(FieldSet::params(params, schema)),
                _ => None,
            },
            None => Some(FieldSet::empty(def.anchor())),
        };
        match (before, after) {
            (Some(b), Some(a)) => self.walk(doc, path, Place::Parameters, b, a),
            (None, None) => {}
            _ => {
                if let (Some(b), Some(a)) = (side(before, before_def), side(after, after_def)) {
                    self.field_sets.push(FieldSetPair {
                        doc,
                        path,
                        kind: FieldKind::Parameter,
                        before: b,
                        after: a,
                    });
                }
            }
        }
    }

    /// Records a body present on either side and walks its schema when both have one.
    fn body(
        &mut self,
        doc: DocPair<'a>,
        def_path: &str,
        place: Place,
        (before, after): (Option<BodyView<'a>>, Option<BodyView<'a>>),
        (before_def, after_def): (&'a Schema, &'a Schema),
    ) {
        if before.is_none() && after.is_none() {
            return;
        }
        let path = format!("{def_path}.{}", body_name(place));
        if let (Some(b), Some(a)) = (before.and_then(|b| b.schema), after.and_then(|a| a.schema)) {
            self.walk(doc, path.clone(), place, b, a);
        }
        self.bodies.push(BodyPair {
            doc,
            path,
            place,
            before,
            after,
            before_def,
            after_def,
        });
    }
}

/// `input`, `output` or `message`: the field a body of `place` is in.
fn body_name(place: Place) -> &'static str {
    match place {
        Place::Input => "input",
        Place::Message => "message",
        _ => "output",
    }
}

/// What the walk compares of a query, procedure or subscription.
struct EndpointParts<'a> {
    parameters: Option<&'a Schema>,
    input: Option<BodyView<'a>>,
    output: Option<BodyView<'a>>,
    message: Option<BodyView<'a>>,
}

impl<'a> EndpointParts<'a> {
    /// The parts of `schema`, when it is a query, procedure or subscription (a query's `input`,
    /// which the language does not allow, is left out).
    fn of(schema: &'a Schema) -> Option<Self> {
        let body = |body: &'a Option<Body>| body.as_ref().map(BodyView::body);
        Some(match &schema.kind {
            SchemaKind::Query(q) => EndpointParts {
                parameters: q.parameters.as_deref(),
                input: None,
                output: body(&q.output),
                message: None,
            },
            SchemaKind::Procedure(p) => EndpointParts {
                parameters: p.parameters.as_deref(),
                input: body(&p.input),
                output: body(&p.output),
                message: None,
            },
            SchemaKind::Subscription(s) => EndpointParts {
                parameters: s.parameters.as_deref(),
                input: None,
                output: None,
                message: s.message.as_ref().map(BodyView::message),
            },
            _ => return None,
        })
    }

    fn body(&self, place: Place) -> Option<BodyView<'a>> {
        match place {
            Place::Input => self.input,
            Place::Message => self.message,
            _ => self.output,
        }
    }
}

/// The first byte of `span` (an object's opening brace).
fn opening(span: Span) -> Span {
    Span::new(
        span.file,
        span.start,
        span.end.min(span.start.saturating_add(1)),
    )
}

/// The `errors` of a query, procedure or subscription (empty for any other schema).
pub fn errors_of(schema: &Schema) -> &[ErrorDef] {
    let errors = match &schema.kind {
        SchemaKind::Query(q) => &q.errors,
        SchemaKind::Procedure(p) => &p.errors,
        SchemaKind::Subscription(s) => &s.errors,
        _ => return &[],
    };
    errors.as_ref().map_or(&[], |e| &e.value)
}

/// A ref written in the document `nsid`, in its one full form `nsid#name`: `#name` is local and
/// a bare NSID means its `main`. Refs that differ only in spelling compare equal this way.
pub fn absolute_ref(nsid: &str, reference: &str) -> String {
    match reference.split_once('#') {
        Some(("", name)) => format!("{nsid}#{name}"),
        Some(_) => reference.to_owned(),
        None => format!("{reference}#main"),
    }
}

/// The `defs` of `doc` as canonical JSON (members sorted, `description`s left out, refs to the
/// document itself written locally), or `None` when its text is unknown.
fn fingerprint<'a>(doc: &CatalogDoc, text: &dyn Fn(FileId) -> Option<&'a str>) -> Option<String> {
    let (value, _) = json::parse(doc.file, text(doc.file)?);
    let defs = value?.as_object()?.value("defs")?.clone();
    let mut out = String::new();
    canonical(&defs, &format!("{}#", doc.nsid_str()), &mut out);
    Some(out)
}

fn canonical(value: &JsonValue, own_prefix: &str, out: &mut String) {
    match &value.kind {
        JsonKind::Null => out.push_str("null"),
        JsonKind::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        JsonKind::Number(n) => out.push_str(&n.raw),
        JsonKind::String(s) => {
            let s = match s.strip_prefix(own_prefix) {
                Some(name) => format!("#{name}"),
                None => s.clone(),
            };
            let _ = write!(out, "{s:?}");
        }
        JsonKind::Array(items) => {
            out.push('[');
            for item in items {
                canonical(item, own_prefix, out);
                out.push(',');
            }
            out.push(']');
        }
        JsonKind::Object(object) => {
            let mut members: Vec<_> = object
                .members
                .iter()
                .filter(|m| m.key != "description")
                .collect();
            members.sort_by(|a, b| a.key.cmp(&b.key));
            out.push('{');
            for member in members {
                let _ = write!(out, "{:?}:", member.key);
                canonical(&member.value, own_prefix, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(first_file: u32, docs: &[&str]) -> Catalog {
        let (catalog, _) = Catalog::load(
            docs.iter()
                .enumerate()
                .map(|(i, text)| (FileId(first_file + i as u32), "x.json", *text)),
        );
        catalog
    }

    const POST: &str = r#"{"lexicon": 1, "id": "com.example.post", "defs": {
        "main": {"type": "record", "key": "tid", "record": {"type": "object", "required": ["text"], "properties": {
            "text": {"type": "string", "description": "Text."},
            "tags": {"type": "array", "items": {"type": "string"}}}}},
        "view": {"type": "object", "properties": {}}}}"#;

    const GET: &str = r#"{"lexicon": 1, "id": "com.example.getPost", "defs": {"main": {"type": "query",
        "parameters": {"type": "params", "properties": {"uri": {"type": "string"}}},
        "output": {"encoding": "application/json", "schema": {"type": "ref", "ref": "com.example.post#view"}}}}}"#;

    #[test]
    fn walks_every_schema_both_sides_hold() {
        let before = catalog(10, &[POST, GET]);
        let after = catalog(0, &[POST, GET]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        let paths: Vec<String> = diff.schemas().iter().map(SchemaPair::location).collect();
        assert_eq!(
            paths,
            [
                "com.example.getPost#main",
                "com.example.getPost#main.parameters",
                "com.example.getPost#main.parameters.uri",
                "com.example.getPost#main.output",
                "com.example.post#main",
                "com.example.post#main",
                "com.example.post#main.text",
                "com.example.post#main.tags",
                "com.example.post#main.tags[]",
                "com.example.post#view",
            ]
        );
        assert_eq!(diff.field_sets().len(), 3);
        assert_eq!(diff.bodies().len(), 1);
        assert_eq!(diff.side_of(FileId(10)), Side::Before);
        assert_eq!(diff.side_of(FileId(1)), Side::After);
    }

    #[test]
    fn parameters_on_one_side_are_a_field_set_with_an_empty_side() {
        let without = GET.replace(
            r#""parameters": {"type": "params", "properties": {"uri": {"type": "string"}}},"#,
            "",
        );
        let before = catalog(10, &[&without]);
        let after = catalog(0, &[GET]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        let sets = diff.field_sets();
        assert_eq!(sets.len(), 1);
        assert!(sets[0].before.properties.is_empty());
        assert_eq!(sets[0].after.properties[0].name, "uri");
        assert_eq!(
            sets[0].field_location("uri"),
            "com.example.getPost#main.parameters.uri"
        );
    }

    #[test]
    fn a_type_change_stops_the_walk() {
        let changed = POST.replace(
            r#""type": "array", "items": {"type": "string"}"#,
            r#""type": "string""#,
        );
        let before = catalog(10, &[POST]);
        let after = catalog(0, &[&changed]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        assert!(!diff.schemas().iter().any(|p| p.path == "main.tags[]"));
    }

    #[test]
    fn removed_added_and_renamed_documents() {
        let renamed = POST
            .replace("com.example.post", "com.example.postV2")
            .replace("\"Text.\"", "\"The text.\"");
        let texts = [POST, GET, &renamed];
        let before = catalog(10, &[POST, GET]);
        let after = catalog(0, &[&renamed]);
        let text = |file: FileId| match file.0 {
            10 => Some(texts[0]),
            11 => Some(texts[1]),
            0 => Some(texts[2]),
            _ => None,
        };
        let diff = CatalogDiff::new(&before, &after, &text);
        assert_eq!(diff.renamed().len(), 1);
        assert_eq!(diff.renamed()[0].before.nsid_str(), "com.example.post");
        assert_eq!(diff.renamed()[0].nsid(), "com.example.postV2");
        let removed: Vec<&str> = diff.removed().iter().map(|d| d.nsid_str()).collect();
        assert_eq!(removed, ["com.example.getPost"]);
        assert!(diff.added().is_empty());
        // Without texts the same change is a removal and an addition.
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        assert!(diff.renamed().is_empty());
        assert_eq!(diff.removed().len(), 2);
        assert_eq!(diff.added().len(), 1);
    }

    #[test]
    fn removed_defs_and_refs() {
        let before = catalog(10, &[POST]);
        let trimmed = POST.replace(r#","view": {"type": "object", "properties": {}}"#, "");
        let trimmed = trimmed.replace(
            r#",
        "view": {"type": "object", "properties": {}}"#,
            "",
        );
        let after = catalog(0, &[&trimmed]);
        let diff = CatalogDiff::new(&before, &after, &|_| None);
        let removed: Vec<&str> = diff.documents()[0]
            .removed_defs()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(removed, ["view"]);
        assert_eq!(
            absolute_ref("com.example.post", "#view"),
            "com.example.post#view"
        );
        assert_eq!(
            absolute_ref("com.example.post", "com.example.a"),
            "com.example.a#main"
        );
        assert_eq!(
            absolute_ref("com.example.post", "com.example.a#b"),
            "com.example.a#b"
        );
    }
}
