//! The typed model of a Lexicon document, with spans.
//!
//! [`load`] reads a file, [`from_json`] builds from an already parsed [`JsonValue`]. Both return a
//! [`LoadedLexicon`]: the model (when the text was a JSON object) plus every diagnostic found while
//! building it. The loader only checks what it needs to build the model: JSON syntax
//! (`L101`), duplicate keys (`L102`), field value types (`L103`), missing required fields (`L104`)
//! and unknown `type` values (`L105`), each a [`LoadProblem`]. Everything else (where a type may
//! appear, formats, limits, style) is a lint rule of the `lexperm-lint` crate.
//!
//! The model keeps fields it does not know in `unknown_fields` (for the `unexpected-field` lint),
//! and keeps every `permission` entry of a permission set as its raw JSON members, because the
//! meaning of those fields belongs to the scope grammar.

use std::collections::HashMap;
use std::fmt;

use crate::diagnostics::{Diagnostic, Edit, FileId, Fix, LoadProblem, Span};
use crate::formats::StringFormat;
use crate::json::{self, JsonKind, JsonMember, JsonObject, JsonValue};

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where the value (not its key) is.
    pub span: Span,
}

/// The result of loading one lexicon file.
#[derive(Debug, Clone)]
pub struct LoadedLexicon {
    /// The model, when the text held a JSON object at the top.
    pub doc: Option<LexiconDoc>,
    /// Everything found while loading (and, after linting, every lint finding).
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadedLexicon {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
    }
}

/// A key the model does not know, kept so lints can point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownField {
    /// The key as written.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// Where the value is.
    pub value_span: Span,
}

/// A lexicon document.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconDoc {
    /// The file the document was read from.
    pub file: FileId,
    /// The whole top-level object.
    pub span: Span,
    /// `lexicon` (the language version; must be 1).
    pub lexicon: Option<Spanned<i64>>,
    /// `id`, the NSID as written (its syntax is checked by a rule, not the loader).
    pub id: Option<Spanned<String>>,
    /// `revision` (removed from the spec, still accepted by the TS validator).
    pub revision: Option<Spanned<i64>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// Span of the `defs` object, when present and an object.
    pub defs_span: Option<Span>,
    /// The definitions, in source order (members of `defs` that are not objects are left out).
    pub defs: Vec<Def>,
    /// Number of members the `defs` object had, including those left out of [`Self::defs`].
    pub defs_members: usize,
    /// Top-level keys the language does not define (`$type` and a string `$schema`, the editor's
    /// JSON Schema hint, are allowed and not listed here).
    pub unknown_fields: Vec<UnknownField>,
    /// [`Self::defs`] by name, for documents with more than [`DEF_SCAN_LIMIT`] defs (so that
    /// resolving every ref of a large union stays linear); `None` for fewer, where a scan is faster.
    def_index: Option<HashMap<String, usize>>,
}

/// Most defs [`LexiconDoc::def`] scans; past this it looks names up in an index.
const DEF_SCAN_LIMIT: usize = 16;

impl LexiconDoc {
    /// The def named `name`.
    pub fn def(&self, name: &str) -> Option<&Def> {
        match &self.def_index {
            Some(index) => index.get(name).map(|&at| &self.defs[at]),
            None => self.defs.iter().find(|d| d.name == name),
        }
    }

    /// The `main` def.
    pub fn main(&self) -> Option<&Def> {
        self.def("main")
    }

    /// The `id` string, when present.
    pub fn id_str(&self) -> Option<&str> {
        self.id.as_ref().map(|id| id.value.as_str())
    }

    /// A span to report document-level problems at: the `id` value, else the whole document start.
    pub fn anchor(&self) -> Span {
        match &self.id {
            Some(id) => id.span,
            None => Span::new(self.span.file, self.span.start, self.span.start + 1),
        }
    }
}

/// One named definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Def {
    /// The name (`main`, `viewBasic`, …).
    pub name: String,
    /// Where the name key is.
    pub name_span: Span,
    /// The definition.
    pub schema: Schema,
}

/// The type keyword of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaType {
    /// `boolean`
    Boolean,
    /// `integer`
    Integer,
    /// `string`
    String,
    /// `bytes`
    Bytes,
    /// `cid-link`
    CidLink,
    /// `blob`
    Blob,
    /// `array`
    Array,
    /// `object`
    Object,
    /// `params`
    Params,
    /// `token`
    Token,
    /// `ref`
    Ref,
    /// `union`
    Union,
    /// `unknown`
    Unknown,
    /// `record`
    Record,
    /// `query`
    Query,
    /// `procedure`
    Procedure,
    /// `subscription`
    Subscription,
    /// `permission-set`
    PermissionSet,
    /// `permission`
    Permission,
    /// `space` (permissioned data: a space type declaration)
    Space,
}

impl SchemaType {
    /// Every type, in the order of the spec's table.
    pub const ALL: [SchemaType; 20] = [
        SchemaType::Boolean,
        SchemaType::Integer,
        SchemaType::String,
        SchemaType::Bytes,
        SchemaType::CidLink,
        SchemaType::Blob,
        SchemaType::Array,
        SchemaType::Object,
        SchemaType::Params,
        SchemaType::Token,
        SchemaType::Ref,
        SchemaType::Union,
        SchemaType::Unknown,
        SchemaType::Record,
        SchemaType::Query,
        SchemaType::Procedure,
        SchemaType::Subscription,
        SchemaType::PermissionSet,
        SchemaType::Permission,
        SchemaType::Space,
    ];

    /// The keyword as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaType::Boolean => "boolean",
            SchemaType::Integer => "integer",
            SchemaType::String => "string",
            SchemaType::Bytes => "bytes",
            SchemaType::CidLink => "cid-link",
            SchemaType::Blob => "blob",
            SchemaType::Array => "array",
            SchemaType::Object => "object",
            SchemaType::Params => "params",
            SchemaType::Token => "token",
            SchemaType::Ref => "ref",
            SchemaType::Union => "union",
            SchemaType::Unknown => "unknown",
            SchemaType::Record => "record",
            SchemaType::Query => "query",
            SchemaType::Procedure => "procedure",
            SchemaType::Subscription => "subscription",
            SchemaType::PermissionSet => "permission-set",
            SchemaType::Permission => "permission",
            SchemaType::Space => "space",
        }
    }

    /// Parses a type keyword.
    pub fn from_name(name: &str) -> Option<SchemaType> {
        SchemaType::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    /// Record, query, procedure, subscription, permission-set and space: allowed only as `main`.
    pub fn is_primary(self) -> bool {
        matches!(
            self,
            SchemaType::Record
                | SchemaType::Query
                | SchemaType::Procedure
                | SchemaType::Subscription
                | SchemaType::PermissionSet
                | SchemaType::Space
        )
    }

    /// Types that may be a named definition (`main` may also be primary).
    pub fn is_definable(self) -> bool {
        !matches!(
            self,
            SchemaType::Ref
                | SchemaType::Union
                | SchemaType::Unknown
                | SchemaType::Params
                | SchemaType::Permission
        )
    }

    /// boolean, integer, string, bytes, cid-link, blob.
    pub fn is_concrete(self) -> bool {
        matches!(
            self,
            SchemaType::Boolean
                | SchemaType::Integer
                | SchemaType::String
                | SchemaType::Bytes
                | SchemaType::CidLink
                | SchemaType::Blob
        )
    }
}

/// One schema (a def, a property, array items, a body schema, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// The whole schema object.
    pub span: Span,
    /// The `type` value as written, when it is a string.
    pub type_name: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// The type-specific part.
    pub kind: SchemaKind,
    /// Keys this type does not define.
    pub unknown_fields: Vec<UnknownField>,
}

impl Schema {
    /// The schema type, when `type` named a known one.
    pub fn schema_type(&self) -> Option<SchemaType> {
        self.kind.schema_type()
    }

    /// The span to report this schema at: its `type` value, else the start of the object.
    pub fn anchor(&self) -> Span {
        match &self.type_name {
            Some(t) => t.span,
            None => Span::new(self.span.file, self.span.start, self.span.start + 1),
        }
    }
}

/// The type-specific part of a [`Schema`].
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)] // Variants are named after the type keywords.
pub enum SchemaKind {
    Boolean(BooleanSchema),
    Integer(Box<IntegerSchema>),
    String(Box<StringSchema>),
    Bytes(BytesSchema),
    CidLink,
    Blob(Box<BlobSchema>),
    Array(Box<ArraySchema>),
    Object(Box<ObjectSchema>),
    Params(ParamsSchema),
    Token,
    Ref(RefSchema),
    Union(UnionSchema),
    Unknown,
    Record(RecordSchema),
    Query(Box<QuerySchema>),
    Procedure(Box<ProcedureSchema>),
    Subscription(Box<SubscriptionSchema>),
    PermissionSet(Box<PermissionSetSchema>),
    Permission(Box<PermissionEntry>),
    Space(Box<SpaceSchema>),
    /// `type` is missing, not a string, or not a known type (already reported by the loader).
    Invalid,
}

impl SchemaKind {
    /// The schema type, `None` for [`SchemaKind::Invalid`].
    pub fn schema_type(&self) -> Option<SchemaType> {
        Some(match self {
            SchemaKind::Boolean(_) => SchemaType::Boolean,
            SchemaKind::Integer(_) => SchemaType::Integer,
            SchemaKind::String(_) => SchemaType::String,
            SchemaKind::Bytes(_) => SchemaType::Bytes,
            SchemaKind::CidLink => SchemaType::CidLink,
            SchemaKind::Blob(_) => SchemaType::Blob,
            SchemaKind::Array(_) => SchemaType::Array,
            SchemaKind::Object(_) => SchemaType::Object,
            SchemaKind::Params(_) => SchemaType::Params,
            SchemaKind::Token => SchemaType::Token,
            SchemaKind::Ref(_) => SchemaType::Ref,
            SchemaKind::Union(_) => SchemaType::Union,
            SchemaKind::Unknown => SchemaType::Unknown,
            SchemaKind::Record(_) => SchemaType::Record,
            SchemaKind::Query(_) => SchemaType::Query,
            SchemaKind::Procedure(_) => SchemaType::Procedure,
            SchemaKind::Subscription(_) => SchemaType::Subscription,
            SchemaKind::PermissionSet(_) => SchemaType::PermissionSet,
            SchemaKind::Permission(_) => SchemaType::Permission,
            SchemaKind::Space(_) => SchemaType::Space,
            SchemaKind::Invalid => return None,
        })
    }
}

/// A list value (`enum`, `required`, `refs`, …) with the span of the whole array.
pub type SpannedList<T> = Spanned<Vec<Spanned<T>>>;

/// `boolean`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BooleanSchema {
    /// `default`.
    pub default: Option<Spanned<bool>>,
    /// `const`.
    pub const_value: Option<Spanned<bool>>,
}

/// `integer`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IntegerSchema {
    /// `minimum`.
    pub minimum: Option<Spanned<i64>>,
    /// `maximum`.
    pub maximum: Option<Spanned<i64>>,
    /// `enum`.
    pub enum_values: Option<SpannedList<i64>>,
    /// `default`.
    pub default: Option<Spanned<i64>>,
    /// `const`.
    pub const_value: Option<Spanned<i64>>,
}

/// `string`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StringSchema {
    /// `format` as written (whether it is a known format is a rule).
    pub format: Option<Spanned<String>>,
    /// `minLength` (UTF-8 bytes).
    pub min_length: Option<Spanned<i64>>,
    /// `maxLength` (UTF-8 bytes).
    pub max_length: Option<Spanned<i64>>,
    /// `minGraphemes`.
    pub min_graphemes: Option<Spanned<i64>>,
    /// `maxGraphemes`.
    pub max_graphemes: Option<Spanned<i64>>,
    /// `knownValues`.
    pub known_values: Option<SpannedList<String>>,
    /// `enum`.
    pub enum_values: Option<SpannedList<String>>,
    /// `default`.
    pub default: Option<Spanned<String>>,
    /// `const`.
    pub const_value: Option<Spanned<String>>,
}

impl StringSchema {
    /// The `format`, when it names one of the Lexicon string formats.
    pub fn format_kind(&self) -> Option<StringFormat> {
        self.format
            .as_ref()
            .and_then(|f| StringFormat::from_name(&f.value))
    }
}

/// `bytes`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BytesSchema {
    /// `minLength`.
    pub min_length: Option<Spanned<i64>>,
    /// `maxLength`.
    pub max_length: Option<Spanned<i64>>,
}

/// `blob`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BlobSchema {
    /// `accept` (MIME types or globs).
    pub accept: Option<SpannedList<String>>,
    /// `maxSize` (bytes).
    pub max_size: Option<Spanned<i64>>,
}

/// `array`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArraySchema {
    /// `items` (required).
    pub items: Option<Box<Schema>>,
    /// `minLength` (elements).
    pub min_length: Option<Spanned<i64>>,
    /// `maxLength` (elements).
    pub max_length: Option<Spanned<i64>>,
}

/// One entry of `properties`.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The field name.
    pub name: String,
    /// Where the name key is.
    pub name_span: Span,
    /// The field schema.
    pub schema: Schema,
}

/// `properties` with the span of the whole map.
pub type Properties = Spanned<Vec<Property>>;

/// `object`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectSchema {
    /// `properties` (required).
    pub properties: Option<Properties>,
    /// `required`.
    pub required: Option<SpannedList<String>>,
    /// `nullable`.
    pub nullable: Option<SpannedList<String>>,
}

impl ObjectSchema {
    /// The property named `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties
            .as_ref()
            .and_then(|p| p.value.iter().find(|p| p.name == name))
    }
}

/// `params`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamsSchema {
    /// `properties`.
    pub properties: Option<Properties>,
    /// `required`.
    pub required: Option<SpannedList<String>>,
}

/// `ref`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RefSchema {
    /// `ref`: `#name`, `nsid` or `nsid#name`.
    pub reference: Option<Spanned<String>>,
}

/// `union`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UnionSchema {
    /// `refs`.
    pub refs: Option<SpannedList<String>>,
    /// `closed` (default false).
    pub closed: Option<Spanned<bool>>,
}

impl UnionSchema {
    /// True when `closed: true`.
    pub fn is_closed(&self) -> bool {
        self.closed.as_ref().is_some_and(|c| c.value)
    }
}

/// `record`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecordSchema {
    /// `key`: `tid`, `nsid`, `any` or `literal:<value>`.
    pub key: Option<Spanned<String>>,
    /// `record` (required; must be an object).
    pub record: Option<Box<Schema>>,
}

impl RecordSchema {
    /// The record key type, when `key` is valid.
    pub fn key_type(&self) -> Option<RecordKeyType> {
        self.key
            .as_ref()
            .and_then(|k| RecordKeyType::parse(&k.value))
    }
}

/// What record keys a record type accepts (its `key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordKeyType {
    /// `tid`: a timestamp identifier.
    Tid,
    /// `nsid`: an NSID (as used by `com.atproto.lexicon.schema`).
    Nsid,
    /// `any`: any valid record key.
    Any,
    /// `literal:<value>`: exactly this key, most often `self`.
    Literal(String),
}

impl RecordKeyType {
    /// Parses a `key` value; `None` when it is not `tid`, `nsid`, `any` or `literal:<record-key>`.
    pub fn parse(value: &str) -> Option<RecordKeyType> {
        match value {
            "tid" => Some(RecordKeyType::Tid),
            "nsid" => Some(RecordKeyType::Nsid),
            "any" => Some(RecordKeyType::Any),
            _ => value
                .strip_prefix("literal:")
                .filter(|key| crate::syntax::RecordKey::is_valid(key))
                .map(|key| RecordKeyType::Literal(key.to_string())),
        }
    }
}

/// An `input` or `output` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The body object.
    pub span: Span,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `encoding` (required MIME type).
    pub encoding: Option<Spanned<String>>,
    /// `schema`: object, ref or union.
    pub schema: Option<Box<Schema>>,
    /// Keys a body does not define.
    pub unknown_fields: Vec<UnknownField>,
}

/// An `errors[]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorDef {
    /// The entry object.
    pub span: Span,
    /// `name` (required).
    pub name: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// Keys an error entry does not define.
    pub unknown_fields: Vec<UnknownField>,
}

/// `query`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuerySchema {
    /// `parameters` (a params schema).
    pub parameters: Option<Box<Schema>>,
    /// `output`.
    pub output: Option<Body>,
    /// `input`: not allowed on a query; kept so a rule can report it.
    pub input: Option<Body>,
    /// `errors`.
    pub errors: Option<Spanned<Vec<ErrorDef>>>,
}

/// `procedure`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcedureSchema {
    /// `parameters`.
    pub parameters: Option<Box<Schema>>,
    /// `input`.
    pub input: Option<Body>,
    /// `output`.
    pub output: Option<Body>,
    /// `errors`.
    pub errors: Option<Spanned<Vec<ErrorDef>>>,
}

/// A subscription `message`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The message object.
    pub span: Span,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `schema` (must be a union).
    pub schema: Option<Box<Schema>>,
    /// Keys a message does not define.
    pub unknown_fields: Vec<UnknownField>,
}

/// `subscription`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscriptionSchema {
    /// `parameters`.
    pub parameters: Option<Box<Schema>>,
    /// `message` (required).
    pub message: Option<Message>,
    /// `errors`.
    pub errors: Option<Spanned<Vec<ErrorDef>>>,
}

/// A language map (`title:lang`, `detail:lang`): language tag → text.
#[derive(Debug, Clone, PartialEq)]
pub struct LangMap {
    /// The map object.
    pub span: Span,
    /// The entries, in source order: (tag with the span of its key, text).
    pub entries: Vec<(Spanned<String>, Spanned<String>)>,
}

/// `permission-set`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PermissionSetSchema {
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `title:lang`.
    pub title_lang: Option<LangMap>,
    /// `detail`.
    pub detail: Option<Spanned<String>>,
    /// `detail:lang`.
    pub detail_lang: Option<LangMap>,
    /// `permissions` (required), with the span of the array. Entries that are not objects are
    /// reported by the loader and left out.
    pub permissions: Option<Spanned<Vec<PermissionEntry>>>,
}

/// `space`: a permissioned-data space type. Spaces of this type hold records of `collections`;
/// `name` is what consent screens show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpaceSchema {
    /// `key` (required): the record-key type of the spaces' keys (`tid`, `nsid`, `any`,
    /// `literal:<key>`).
    pub key: Option<Spanned<String>>,
    /// `name` (required): the name shown to users, 1 to 64 UTF-8 bytes.
    pub name: Option<Spanned<String>>,
    /// `name:lang`: translations of `name`.
    pub name_lang: Option<LangMap>,
    /// `collections` (required, may be empty): the record types spaces of this type hold, and the
    /// write targets of a `space:` grant that names none.
    pub collections: Option<SpannedList<String>>,
}

/// A rule of the strict reference validator (`@atproto/lex-document`) that a `space` declaration
/// breaks: an authorization server that validates the declaration cannot resolve it, so a
/// `space:` grant of its type that names no collection cannot be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpaceDeclProblem {
    /// `key` is missing.
    MissingKey,
    /// `key` is not a record-key type (`tid`, `nsid`, `any`, `literal:<key>`).
    InvalidKey(String),
    /// `name` is missing.
    MissingName,
    /// `name` is empty or longer than 64 UTF-8 bytes.
    NameLength(usize),
    /// `collections` is missing.
    MissingCollections,
    /// An entry of `collections` is not an NSID.
    InvalidCollection(String),
}

impl fmt::Display for SpaceDeclProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpaceDeclProblem::MissingKey => f.write_str("`key` is missing"),
            SpaceDeclProblem::InvalidKey(key) => {
                write!(f, "`key` `{key}` is not a record-key type")
            }
            SpaceDeclProblem::MissingName => f.write_str("`name` is missing"),
            SpaceDeclProblem::NameLength(n) => {
                write!(f, "`name` is {n} UTF-8 bytes long (1 to 64 allowed)")
            }
            SpaceDeclProblem::MissingCollections => f.write_str("`collections` is missing"),
            SpaceDeclProblem::InvalidCollection(c) => {
                write!(f, "`collections` entry `{c}` is not an NSID")
            }
        }
    }
}

impl SpaceSchema {
    /// Longest `name`, in UTF-8 bytes.
    pub const MAX_NAME_BYTES: usize = 64;

    /// The first rule of the strict reference validator this declaration breaks, or `None` when
    /// an authorization server can use it.
    pub fn problem(&self) -> Option<SpaceDeclProblem> {
        let Some(key) = &self.key else {
            return Some(SpaceDeclProblem::MissingKey);
        };
        if !crate::formats::is_valid_record_key_type(&key.value) {
            return Some(SpaceDeclProblem::InvalidKey(key.value.clone()));
        }
        let Some(name) = &self.name else {
            return Some(SpaceDeclProblem::MissingName);
        };
        if !(1..=Self::MAX_NAME_BYTES).contains(&name.value.len()) {
            return Some(SpaceDeclProblem::NameLength(name.value.len()));
        }
        let Some(collections) = &self.collections else {
            return Some(SpaceDeclProblem::MissingCollections);
        };
        collections
            .value
            .iter()
            .find(|c| !crate::syntax::Nsid::is_valid(&c.value))
            .map(|c| SpaceDeclProblem::InvalidCollection(c.value.clone()))
    }
}

/// One `permission` object, kept raw: every member (including `type` and `resource`) with its key
/// span and value, in source order. The fields' meaning comes from the scope grammar.
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionEntry {
    /// The entry object.
    pub span: Span,
    /// `resource`, when it is a string.
    pub resource: Option<Spanned<String>>,
    /// Every member of the object, in source order.
    pub members: Vec<JsonMember>,
}

impl PermissionEntry {
    /// The member with key `key`.
    pub fn member(&self, key: &str) -> Option<&JsonMember> {
        self.members.iter().find(|m| m.key == key)
    }

    /// Members other than `type` and `resource`: what the scope grammar sees as parameters
    /// (including `description`, which the reference drops an entry for).
    pub fn parameters(&self) -> impl Iterator<Item = &JsonMember> {
        self.members
            .iter()
            .filter(|m| !matches!(m.key.as_str(), "type" | "resource"))
    }
}

/// Loads a lexicon document from `text`. Never fails; see [`LoadedLexicon`].
pub fn load(file: FileId, text: &str) -> LoadedLexicon {
    let parsed = json::parse_document(file, text);
    let mut diagnostics = parsed.diagnostics;
    let doc = match (&parsed.value, parsed.complete) {
        (Some(value), true) => {
            let mut loader = Loader {
                diagnostics: &mut diagnostics,
            };
            loader.document(file, value)
        }
        // A syntax error leaves a partial tree; building from it would only add noise.
        _ => None,
    };
    LoadedLexicon { doc, diagnostics }
}

/// Builds the model from an already parsed JSON value (for example one read from a record).
pub fn from_json(file: FileId, value: &JsonValue) -> LoadedLexicon {
    let mut diagnostics = Vec::new();
    let mut loader = Loader {
        diagnostics: &mut diagnostics,
    };
    let doc = loader.document(file, value);
    LoadedLexicon { doc, diagnostics }
}

const TOP_LEVEL_KEYS: &[&str] = &["lexicon", "id", "revision", "description", "defs", "$type"];

/// True for a top-level `"$schema": "<url>"`: the JSON Schema hint editors read (`lexperm schema`).
/// It is not part of the lexicon; a non-string `$schema` stays an unknown field.
fn is_schema_hint(object: &JsonObject, field: &UnknownField) -> bool {
    field.key == "$schema"
        && object
            .members
            .iter()
            .any(|m| m.key_span == field.key_span && m.value.as_str().is_some())
}

struct Loader<'d> {
    diagnostics: &'d mut Vec<Diagnostic>,
}

/// Describes the value for "found …" in messages.
fn found(value: &JsonValue) -> String {
    match &value.kind {
        JsonKind::Number(n) => format!("{} `{}`", value.kind_name(), n.raw),
        JsonKind::String(s) if s.len() <= 40 => format!("string \"{s}\""),
        JsonKind::Bool(b) => format!("`{b}`"),
        _ => value.kind_name().to_string(),
    }
}

/// The schema type names a `type` may hold (all but `params` and `permission`, which stand only
/// where their parent puts them), for the help of an unknown one.
fn schema_type_names() -> impl Iterator<Item = &'static str> {
    SchemaType::ALL
        .into_iter()
        .filter(|t| !matches!(t, SchemaType::Params | SchemaType::Permission))
        .map(SchemaType::as_str)
}

/// The diagnostic for a `type` value described by `found` (e.g. `"float"`); `name` is the value
/// when it is a string.
fn unknown_schema_type(span: Span, found: &str, name: Option<&str>) -> Diagnostic {
    let close = name.map_or_else(Vec::new, |n| {
        crate::suggest::closest(n, schema_type_names(), 2)
    });
    let help = if name == Some("null") {
        "the `null` type was removed from the Lexicon language; use `nullable` on the object"
            .to_owned()
    } else if let Some(did_you_mean) = crate::suggest::did_you_mean(&close) {
        did_you_mean
    } else {
        format!(
            "use one of: {}",
            schema_type_names().collect::<Vec<_>>().join(", ")
        )
    };
    Diagnostic::load(
        LoadProblem::UnknownSchemaType,
        span,
        format!("unknown schema type {found}"),
    )
    .with_help(help)
}

impl Loader<'_> {
    fn wrong_type(&mut self, what: &str, expected: &str, value: &JsonValue) {
        let found = found(value);
        self.diagnostics.push(
            Diagnostic::load(
                LoadProblem::InvalidFieldType,
                value.span,
                format!("{what} must be {expected}, found {found}"),
            )
            .with_help(format!("change the value to {expected}")),
        );
    }

    /// Attaches to the diagnostic just pushed the fix that makes the single `value` the one
    /// element of an array.
    fn wrap_in_array(&mut self, value: &JsonValue) {
        let span = value.span;
        let fix = Fix::safe(
            "make the value the one element of an array",
            vec![
                Edit::replace(Span::new(span.file, span.start, span.start), "["),
                Edit::replace(Span::new(span.file, span.end, span.end), "]"),
            ],
        );
        if let Some(last) = self.diagnostics.last_mut() {
            last.fix = Some(Box::new(fix));
        }
    }

    fn missing(&mut self, anchor: Span, field: &str, owner: &str) {
        self.diagnostics.push(
            Diagnostic::load(
                LoadProblem::MissingRequiredField,
                anchor,
                format!("{owner} is missing the required field `{field}`"),
            )
            .with_help(format!("add `{field}`")),
        );
    }

    fn string(&mut self, object: &JsonObject, key: &str) -> Option<Spanned<String>> {
        let value = object.value(key)?;
        match value.as_str() {
            Some(s) => Some(Spanned {
                value: s.to_string(),
                span: value.span,
            }),
            None => {
                self.wrong_type(&format!("`{key}`"), "a string", value);
                None
            }
        }
    }

    fn integer(&mut self, object: &JsonObject, key: &str) -> Option<Spanned<i64>> {
        let value = object.value(key)?;
        match value.as_integer() {
            Some(i) => Some(Spanned {
                value: i,
                span: value.span,
            }),
            None => {
                self.wrong_type(&format!("`{key}`"), "an integer", value);
                None
            }
        }
    }

    fn boolean(&mut self, object: &JsonObject, key: &str) -> Option<Spanned<bool>> {
        let value = object.value(key)?;
        match value.as_bool() {
            Some(b) => Some(Spanned {
                value: b,
                span: value.span,
            }),
            None => {
                self.wrong_type(&format!("`{key}`"), "a boolean", value);
                None
            }
        }
    }

    fn string_list(&mut self, object: &JsonObject, key: &str) -> Option<SpannedList<String>> {
        let value = object.value(key)?;
        let Some(items) = value.as_array() else {
            self.wrong_type(&format!("`{key}`"), "an array of strings", value);
            if value.as_str().is_some() {
                self.wrap_in_array(value);
            }
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) => out.push(Spanned {
                    value: s.to_string(),
                    span: item.span,
                }),
                None => self.wrong_type(&format!("`{key}[{i}]`"), "a string", item),
            }
        }
        Some(Spanned {
            value: out,
            span: value.span,
        })
    }

    fn integer_list(&mut self, object: &JsonObject, key: &str) -> Option<SpannedList<i64>> {
        let value = object.value(key)?;
        let Some(items) = value.as_array() else {
            self.wrong_type(&format!("`{key}`"), "an array of integers", value);
            if value.as_integer().is_some() {
                self.wrap_in_array(value);
            }
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_integer() {
                Some(n) => out.push(Spanned {
                    value: n,
                    span: item.span,
                }),
                None => self.wrong_type(&format!("`{key}[{i}]`"), "an integer", item),
            }
        }
        Some(Spanned {
            value: out,
            span: value.span,
        })
    }

    fn unknown_fields(object: &JsonObject, allowed: &[&str]) -> Vec<UnknownField> {
        object
            .members
            .iter()
            .filter(|m| !allowed.contains(&m.key.as_str()))
            .map(|m| UnknownField {
                key: m.key.clone(),
                key_span: m.key_span,
                value_span: m.value.span,
            })
            .collect()
    }

    fn document(&mut self, file: FileId, value: &JsonValue) -> Option<LexiconDoc> {
        let Some(object) = value.as_object() else {
            self.wrong_type("the lexicon document", "a JSON object", value);
            return None;
        };
        let anchor = Span::new(file, value.span.start, value.span.start + 1);
        let lexicon = self.integer(object, "lexicon");
        if object.get("lexicon").is_none() {
            self.missing(anchor, "lexicon", "the lexicon document");
        }
        let id = self.string(object, "id");
        if object.get("id").is_none() {
            self.missing(anchor, "id", "the lexicon document");
        }
        let revision = self.integer(object, "revision");
        let description = self.string(object, "description");
        if let Some(t) = object.value("$type") {
            if t.as_str().is_none() {
                self.wrong_type("`$type`", "a string", t);
            }
        }
        let mut defs = Vec::new();
        let mut defs_span = None;
        let mut defs_members = 0;
        match object.value("defs") {
            None => self.missing(anchor, "defs", "the lexicon document"),
            Some(value) => match value.as_object() {
                None => self.wrong_type("`defs`", "an object", value),
                Some(map) => {
                    defs_span = Some(value.span);
                    defs_members = map.len();
                    defs.reserve(map.len());
                    for member in &map.members {
                        let what = format!("def `{}`", member.key);
                        if let Some(schema) = self.schema(&member.value, &what) {
                            defs.push(Def {
                                name: member.key.clone(),
                                name_span: member.key_span,
                                schema,
                            });
                        }
                    }
                }
            },
        }
        let def_index = (defs.len() > DEF_SCAN_LIMIT).then(|| {
            let mut index = HashMap::with_capacity(defs.len());
            for (at, def) in defs.iter().enumerate() {
                index.entry(def.name.clone()).or_insert(at);
            }
            index
        });
        Some(LexiconDoc {
            def_index,
            file,
            span: value.span,
            lexicon,
            id,
            revision,
            description,
            defs_span,
            defs,
            defs_members,
            unknown_fields: Self::unknown_fields(object, TOP_LEVEL_KEYS)
                .into_iter()
                .filter(|field| !is_schema_hint(object, field))
                .collect(),
        })
    }

    fn boxed_schema(&mut self, object: &JsonObject, key: &str, what: &str) -> Option<Box<Schema>> {
        let value = object.value(key)?;
        self.schema(value, what).map(Box::new)
    }

    fn properties(&mut self, object: &JsonObject) -> Option<Properties> {
        let value = object.value("properties")?;
        let Some(map) = value.as_object() else {
            self.wrong_type("`properties`", "an object", value);
            return None;
        };
        let mut out = Vec::with_capacity(map.len());
        for member in &map.members {
            let what = format!("property `{}`", member.key);
            if let Some(schema) = self.schema(&member.value, &what) {
                out.push(Property {
                    name: member.key.clone(),
                    name_span: member.key_span,
                    schema,
                });
            }
        }
        Some(Spanned {
            value: out,
            span: value.span,
        })
    }

    fn body(&mut self, object: &JsonObject, key: &str) -> Option<Body> {
        let value = object.value(key)?;
        let Some(body) = value.as_object() else {
            self.wrong_type(&format!("`{key}`"), "an object", value);
            return None;
        };
        let encoding = self.string(body, "encoding");
        if body.get("encoding").is_none() {
            self.missing(
                Span::new(value.span.file, value.span.start, value.span.start + 1),
                "encoding",
                &format!("`{key}` body"),
            );
        }
        Some(Body {
            span: value.span,
            description: self.string(body, "description"),
            encoding,
            schema: self.boxed_schema(body, "schema", &format!("`{key}.schema`")),
            unknown_fields: Self::unknown_fields(body, &["description", "encoding", "schema"]),
        })
    }

    fn errors(&mut self, object: &JsonObject) -> Option<Spanned<Vec<ErrorDef>>> {
        let value = object.value("errors")?;
        let Some(items) = value.as_array() else {
            self.wrong_type("`errors`", "an array", value);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Some(entry) = item.as_object() else {
                self.wrong_type(&format!("`errors[{i}]`"), "an object", item);
                continue;
            };
            let name = self.string(entry, "name");
            if entry.get("name").is_none() {
                self.missing(
                    Span::new(item.span.file, item.span.start, item.span.start + 1),
                    "name",
                    &format!("`errors[{i}]`"),
                );
            }
            out.push(ErrorDef {
                span: item.span,
                name,
                description: self.string(entry, "description"),
                unknown_fields: Self::unknown_fields(entry, &["name", "description"]),
            });
        }
        Some(Spanned {
            value: out,
            span: value.span,
        })
    }

    fn lang_map(&mut self, object: &JsonObject, key: &str) -> Option<LangMap> {
        let value = object.value(key)?;
        let Some(map) = value.as_object() else {
            self.wrong_type(
                &format!("`{key}`"),
                "an object mapping language tags to text",
                value,
            );
            return None;
        };
        let mut entries = Vec::with_capacity(map.len());
        for member in &map.members {
            match member.value.as_str() {
                Some(text) => entries.push((
                    Spanned {
                        value: member.key.clone(),
                        span: member.key_span,
                    },
                    Spanned {
                        value: text.to_string(),
                        span: member.value.span,
                    },
                )),
                None => self.wrong_type(
                    &format!("`{key}.{}`", member.key),
                    "a string",
                    &member.value,
                ),
            }
        }
        Some(LangMap {
            span: value.span,
            entries,
        })
    }

    fn permission_entry(&mut self, value: &JsonValue, what: &str) -> Option<PermissionEntry> {
        let Some(object) = value.as_object() else {
            self.wrong_type(what, "a permission object", value);
            return None;
        };
        let resource = self.string(object, "resource");
        if object.get("resource").is_none() {
            self.missing(
                Span::new(value.span.file, value.span.start, value.span.start + 1),
                "resource",
                what,
            );
        }
        Some(PermissionEntry {
            span: value.span,
            resource,
            members: object.members.clone(),
        })
    }

    fn schema(&mut self, value: &JsonValue, what: &str) -> Option<Schema> {
        let Some(object) = value.as_object() else {
            self.wrong_type(what, "a schema object", value);
            return None;
        };
        let start = Span::new(value.span.file, value.span.start, value.span.start + 1);
        let mut type_name = None;
        let schema_type = match object.value("type") {
            None => {
                self.missing(start, "type", what);
                None
            }
            Some(t) => match t.as_str() {
                None => {
                    self.diagnostics
                        .push(unknown_schema_type(t.span, &found(t), None));
                    None
                }
                Some(name) => {
                    type_name = Some(Spanned {
                        value: name.to_string(),
                        span: t.span,
                    });
                    let parsed = SchemaType::from_name(name);
                    if parsed.is_none() {
                        self.diagnostics.push(unknown_schema_type(
                            t.span,
                            &format!("\"{name}\""),
                            Some(name),
                        ));
                    }
                    parsed
                }
            },
        };
        let description = self.string(object, "description");
        let anchor = type_name.as_ref().map_or(start, |t| t.span);
        let type_label = |t: SchemaType| format!("{} schema", t.as_str());
        let (kind, allowed): (SchemaKind, &[&str]) = match schema_type {
            None => (SchemaKind::Invalid, &[]),
            Some(SchemaType::Boolean) => (
                SchemaKind::Boolean(BooleanSchema {
                    default: self.boolean(object, "default"),
                    const_value: self.boolean(object, "const"),
                }),
                &["default", "const"],
            ),
            Some(SchemaType::Integer) => (
                SchemaKind::Integer(Box::new(IntegerSchema {
                    minimum: self.integer(object, "minimum"),
                    maximum: self.integer(object, "maximum"),
                    enum_values: self.integer_list(object, "enum"),
                    default: self.integer(object, "default"),
                    const_value: self.integer(object, "const"),
                })),
                &["minimum", "maximum", "enum", "default", "const"],
            ),
            Some(SchemaType::String) => (
                SchemaKind::String(Box::new(StringSchema {
                    format: self.string(object, "format"),
                    min_length: self.integer(object, "minLength"),
                    max_length: self.integer(object, "maxLength"),
                    min_graphemes: self.integer(object, "minGraphemes"),
                    max_graphemes: self.integer(object, "maxGraphemes"),
                    known_values: self.string_list(object, "knownValues"),
                    enum_values: self.string_list(object, "enum"),
                    default: self.string(object, "default"),
                    const_value: self.string(object, "const"),
                })),
                &[
                    "format",
                    "minLength",
                    "maxLength",
                    "minGraphemes",
                    "maxGraphemes",
                    "knownValues",
                    "enum",
                    "default",
                    "const",
                ],
            ),
            Some(SchemaType::Bytes) => (
                SchemaKind::Bytes(BytesSchema {
                    min_length: self.integer(object, "minLength"),
                    max_length: self.integer(object, "maxLength"),
                }),
                &["minLength", "maxLength"],
            ),
            Some(SchemaType::CidLink) => (SchemaKind::CidLink, &[]),
            Some(SchemaType::Blob) => (
                SchemaKind::Blob(Box::new(BlobSchema {
                    accept: self.string_list(object, "accept"),
                    max_size: self.integer(object, "maxSize"),
                })),
                &["accept", "maxSize"],
            ),
            Some(SchemaType::Array) => {
                let items = self.boxed_schema(object, "items", "`items`");
                if object.get("items").is_none() {
                    self.missing(anchor, "items", &type_label(SchemaType::Array));
                }
                (
                    SchemaKind::Array(Box::new(ArraySchema {
                        items,
                        min_length: self.integer(object, "minLength"),
                        max_length: self.integer(object, "maxLength"),
                    })),
                    &["items", "minLength", "maxLength"],
                )
            }
            Some(SchemaType::Object) => {
                let properties = self.properties(object);
                if object.get("properties").is_none() {
                    self.missing(anchor, "properties", &type_label(SchemaType::Object));
                }
                (
                    SchemaKind::Object(Box::new(ObjectSchema {
                        properties,
                        required: self.string_list(object, "required"),
                        nullable: self.string_list(object, "nullable"),
                    })),
                    &["properties", "required", "nullable"],
                )
            }
            Some(SchemaType::Params) => (
                SchemaKind::Params(ParamsSchema {
                    properties: self.properties(object),
                    required: self.string_list(object, "required"),
                }),
                &["properties", "required"],
            ),
            Some(SchemaType::Token) => (SchemaKind::Token, &[]),
            Some(SchemaType::Ref) => {
                let reference = self.string(object, "ref");
                if object.get("ref").is_none() {
                    self.missing(anchor, "ref", &type_label(SchemaType::Ref));
                }
                (SchemaKind::Ref(RefSchema { reference }), &["ref"])
            }
            Some(SchemaType::Union) => {
                let refs = self.string_list(object, "refs");
                if object.get("refs").is_none() {
                    self.missing(anchor, "refs", &type_label(SchemaType::Union));
                }
                (
                    SchemaKind::Union(UnionSchema {
                        refs,
                        closed: self.boolean(object, "closed"),
                    }),
                    &["refs", "closed"],
                )
            }
            Some(SchemaType::Unknown) => (SchemaKind::Unknown, &[]),
            Some(SchemaType::Record) => {
                let key = self.string(object, "key");
                if object.get("key").is_none() {
                    self.missing(anchor, "key", &type_label(SchemaType::Record));
                }
                let record = self.boxed_schema(object, "record", "`record`");
                if object.get("record").is_none() {
                    self.missing(anchor, "record", &type_label(SchemaType::Record));
                }
                (
                    SchemaKind::Record(RecordSchema { key, record }),
                    &["key", "record"],
                )
            }
            Some(SchemaType::Query) => (
                SchemaKind::Query(Box::new(QuerySchema {
                    parameters: self.boxed_schema(object, "parameters", "`parameters`"),
                    output: self.body(object, "output"),
                    input: self.body(object, "input"),
                    errors: self.errors(object),
                })),
                // `input` is kept in the model; a rule reports it.
                &["parameters", "output", "input", "errors"],
            ),
            Some(SchemaType::Procedure) => (
                SchemaKind::Procedure(Box::new(ProcedureSchema {
                    parameters: self.boxed_schema(object, "parameters", "`parameters`"),
                    input: self.body(object, "input"),
                    output: self.body(object, "output"),
                    errors: self.errors(object),
                })),
                &["parameters", "input", "output", "errors"],
            ),
            Some(SchemaType::Subscription) => {
                let message = match object.value("message") {
                    None => {
                        self.missing(anchor, "message", &type_label(SchemaType::Subscription));
                        None
                    }
                    Some(value) => match value.as_object() {
                        None => {
                            self.wrong_type("`message`", "an object", value);
                            None
                        }
                        Some(message) if message.get("schema").is_none() => {
                            let start =
                                Span::new(value.span.file, value.span.start, value.span.start + 1);
                            self.missing(start, "schema", "subscription `message`");
                            Some(Message {
                                span: value.span,
                                description: self.string(message, "description"),
                                schema: None,
                                unknown_fields: Self::unknown_fields(
                                    message,
                                    &["description", "schema"],
                                ),
                            })
                        }
                        Some(message) => Some(Message {
                            span: value.span,
                            description: self.string(message, "description"),
                            schema: self.boxed_schema(message, "schema", "`message.schema`"),
                            unknown_fields: Self::unknown_fields(
                                message,
                                &["description", "schema"],
                            ),
                        }),
                    },
                };
                (
                    SchemaKind::Subscription(Box::new(SubscriptionSchema {
                        parameters: self.boxed_schema(object, "parameters", "`parameters`"),
                        message,
                        errors: self.errors(object),
                    })),
                    &["parameters", "message", "errors"],
                )
            }
            Some(SchemaType::PermissionSet) => {
                let permissions = match object.value("permissions") {
                    None => {
                        self.missing(
                            anchor,
                            "permissions",
                            &type_label(SchemaType::PermissionSet),
                        );
                        None
                    }
                    Some(value) => match value.as_array() {
                        None => {
                            self.wrong_type(
                                "`permissions`",
                                "an array of permission objects",
                                value,
                            );
                            None
                        }
                        Some(items) => {
                            let mut entries = Vec::with_capacity(items.len());
                            for (i, item) in items.iter().enumerate() {
                                let what = format!("`permissions[{i}]`");
                                if let Some(entry) = self.permission_entry(item, &what) {
                                    entries.push(entry);
                                }
                            }
                            Some(Spanned {
                                value: entries,
                                span: value.span,
                            })
                        }
                    },
                };
                (
                    SchemaKind::PermissionSet(Box::new(PermissionSetSchema {
                        title: self.string(object, "title"),
                        title_lang: self.lang_map(object, "title:lang"),
                        detail: self.string(object, "detail"),
                        detail_lang: self.lang_map(object, "detail:lang"),
                        permissions,
                    })),
                    &[
                        "title",
                        "title:lang",
                        "detail",
                        "detail:lang",
                        "permissions",
                    ],
                )
            }
            Some(SchemaType::Space) => {
                for field in ["key", "name", "collections"] {
                    if object.get(field).is_none() {
                        self.missing(anchor, field, &type_label(SchemaType::Space));
                    }
                }
                (
                    SchemaKind::Space(Box::new(SpaceSchema {
                        key: self.string(object, "key"),
                        name: self.string(object, "name"),
                        name_lang: self.lang_map(object, "name:lang"),
                        collections: self.string_list(object, "collections"),
                    })),
                    &["key", "name", "name:lang", "collections"],
                )
            }
            Some(SchemaType::Permission) => {
                // A permission outside `permissions` is reported by a placement rule; its fields
                // are free-form, so nothing is unknown.
                let entry = self.permission_entry(value, what)?;
                return Some(Schema {
                    span: value.span,
                    type_name,
                    description,
                    kind: SchemaKind::Permission(Box::new(entry)),
                    unknown_fields: Vec::new(),
                });
            }
        };
        let unknown_fields = if schema_type.is_some() {
            object
                .members
                .iter()
                .filter(|m| {
                    let key = m.key.as_str();
                    key != "type" && key != "description" && !allowed.contains(&key)
                })
                .map(|m| UnknownField {
                    key: m.key.clone(),
                    key_span: m.key_span,
                    value_span: m.value.span,
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(Schema {
            span: value.span,
            type_name,
            description,
            kind,
            unknown_fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_ok(text: &str) -> LexiconDoc {
        let loaded = load(FileId(1), text);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        loaded.doc.unwrap()
    }

    #[test]
    fn loads_a_record() {
        let text = r#"{"lexicon": 1, "id": "com.example.post", "defs": {"main": {
            "type": "record", "key": "tid", "description": "A post.",
            "record": {"type": "object", "required": ["text"], "properties": {
                "text": {"type": "string", "maxLength": 300, "maxGraphemes": 30},
                "tags": {"type": "array", "items": {"type": "string", "format": "nsid"}}
            }}}}}"#;
        let doc = load_ok(text);
        assert_eq!(doc.id_str(), Some("com.example.post"));
        let main = doc.main().unwrap();
        let SchemaKind::Record(record) = &main.schema.kind else {
            panic!("not a record")
        };
        assert_eq!(record.key.as_ref().unwrap().value, "tid");
        let SchemaKind::Object(object) = &record.record.as_ref().unwrap().kind else {
            panic!("not an object")
        };
        let text_prop = object.property("text").unwrap();
        assert_eq!(
            &text[text_prop.name_span.start as usize..text_prop.name_span.end as usize],
            "\"text\""
        );
        let SchemaKind::String(s) = &text_prop.schema.kind else {
            panic!("not a string")
        };
        assert_eq!(s.max_length.as_ref().unwrap().value, 300);
        assert_eq!(record.key_type(), Some(RecordKeyType::Tid));
        let tags = object.property("tags").unwrap();
        let SchemaKind::Array(array) = &tags.schema.kind else {
            panic!("not an array")
        };
        let SchemaKind::String(item) = &array.items.as_ref().unwrap().kind else {
            panic!("not a string")
        };
        assert_eq!(item.format_kind(), Some(StringFormat::Nsid));
    }

    #[test]
    fn reports_wrong_types_and_missing_fields() {
        let loaded = load(
            FileId(0),
            r#"{"lexicon": "one", "id": 2, "defs": {"a": {"type": "string", "maxLength": 1.5},
                "b": {"type": "array"}, "c": {"type": "nope"}, "d": 3}}"#,
        );
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["L103", "L103", "L103", "L104", "L105", "L103"]);
        let doc = loaded.doc.unwrap();
        assert_eq!(doc.defs.len(), 3);
        assert_eq!(doc.defs[2].schema.kind, SchemaKind::Invalid);
    }

    #[test]
    fn a_single_value_where_an_array_is_required_comes_with_a_fix() {
        let text = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"main": {"type": "object",
            "required": "text", "properties": {"text": {"type": "string"}}},
            "n": {"type": "integer", "enum": 3}, "o": {"type": "object", "required": true}}}"#;
        let loaded = load(FileId(0), text);
        let fixes: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .map(|fix| {
                let mut fixed = text.to_owned();
                for edit in fix.edits.iter().rev() {
                    let range = edit.span.start as usize..edit.span.end as usize;
                    fixed.replace_range(range, &edit.replacement);
                }
                let at = fix.edits[0].span.start as usize;
                fixed[at..at + 8].to_owned()
            })
            .collect();
        // `true` is not a string: no fix.
        assert_eq!(fixes, ["[\"text\"]", "[3]}, \"o"]);
    }

    #[test]
    fn keeps_permission_entries_raw() {
        let doc = load_ok(
            r#"{"lexicon": 1, "id": "com.example.authX", "defs": {"main": {
                "type": "permission-set", "title": "X", "title:lang": {"ja": "エックス"},
                "permissions": [{"type": "permission", "resource": "repo",
                    "collection": ["com.example.post"], "extra": true}]}}}"#,
        );
        let SchemaKind::PermissionSet(set) = &doc.main().unwrap().schema.kind else {
            panic!("not a permission set")
        };
        let entries = &set.permissions.as_ref().unwrap().value;
        assert_eq!(entries[0].resource.as_ref().unwrap().value, "repo");
        let keys: Vec<_> = entries[0].parameters().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["collection", "extra"]);
        assert_eq!(
            set.title_lang.as_ref().unwrap().entries[0].1.value,
            "エックス"
        );
    }

    #[test]
    fn unknown_fields_are_kept() {
        let doc = load_ok(
            r#"{"lexicon": 1, "id": "a.b.c", "needsCbor": true, "defs": {"x": {"type": "string", "maxlength": 3}}}"#,
        );
        assert_eq!(doc.unknown_fields[0].key, "needsCbor");
        assert_eq!(doc.defs[0].schema.unknown_fields[0].key, "maxlength");
    }

    #[test]
    fn record_key_types_parse() {
        assert_eq!(
            RecordKeyType::parse("literal:self"),
            Some(RecordKeyType::Literal("self".into()))
        );
        assert_eq!(RecordKeyType::parse("literal:"), None);
        assert_eq!(RecordKeyType::parse("bogus"), None);
        assert_eq!(RecordKeyType::parse("any"), Some(RecordKeyType::Any));
    }

    #[test]
    fn from_json_matches_load() {
        let text = r#"{"lexicon": 1, "id": "a.b.c", "defs": {"x": {"type": "token"}}}"#;
        let (value, _) = json::parse(FileId(3), text);
        let built = from_json(FileId(3), &value.unwrap());
        assert_eq!(built.doc, load(FileId(3), text).doc);
    }

    #[test]
    fn model_nodes_stay_small() {
        // Large variants are boxed so a file of many small schemas stays cheap.
        assert!(std::mem::size_of::<Schema>() <= 256);
        assert!(std::mem::size_of::<SchemaKind>() <= 96);
    }

    #[test]
    fn syntax_errors_give_no_document() {
        let loaded = load(FileId(0), r#"{"lexicon": 1,"#);
        assert!(loaded.doc.is_none());
        assert_eq!(loaded.diagnostics[0].code, "L101");
    }
}
