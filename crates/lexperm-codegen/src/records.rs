//! Publishable `com.atproto.lexicon.schema` records.
//!
//! A lexicon is published as a record of collection `com.atproto.lexicon.schema` whose record key is the
//! NSID (`id`). The record is the lexicon document itself plus `"$type": "com.atproto.lexicon.schema"`
//! (lexicon spec, "Lexicon Publication and Resolution"; `../spec/lexicon.md` §2).
//!
//! **Which fields a record holds.** Every top-level field of the document is kept, not only the four the
//! meta-schema names (`lexicon`, `id`, `description`, `defs`). The spec defines the record as "the file
//! plus `$type`", the TypeScript and Go validators ignore other keys, and dropping them would make the
//! local CID differ from the CID of a record published from the same file by other tools. Unknown
//! top-level keys (e.g. `revision`, tangled's `needsCbor`) are the lint's business (`unexpected-field`),
//! not the record builder's. The one exception is a top-level `$schema` (the JSON Schema URL editors
//! read, see `lexperm schema`): it describes the file, not the lexicon, so it is left out of the record.
//!
//! **Field order.** DAG-CBOR sorts map keys, so order does not change the CID. For the JSON form the
//! record lists `$type`, `lexicon`, `id`, `revision`, `description`, `defs` (each when present), then any
//! other top-level key in document order; nested values keep the document's order.
//!
//! ```
//! use serde_json::json;
//! use lexperm_codegen::records::schema_record;
//!
//! let doc = json!({"lexicon": 1, "id": "com.example.thing", "defs": {"main": {"type": "token"}}});
//! let record = schema_record(&doc).unwrap();
//! assert_eq!(record.value()["$type"], "com.atproto.lexicon.schema");
//! assert_eq!(
//!     record.at_uri("did:plc:abc"),
//!     "at://did:plc:abc/com.atproto.lexicon.schema/com.example.thing"
//! );
//! assert!(record.cid().to_string().starts_with("bafyrei"));
//! ```

use serde_json::{Map, Value};

use lexperm_parser::syntax::{Nsid, NsidProblem};

use lexperm_datamodel::cbor::{self, EncodeError};
use lexperm_datamodel::cid::Cid;

/// The collection NSID of published lexicons, also the `$type` of their records.
pub const SCHEMA_COLLECTION: &str = "com.atproto.lexicon.schema";

/// Top-level keys in the order the JSON form of a record lists them; other keys follow.
const FIELD_ORDER: [&str; 6] = ["$type", "lexicon", "id", "revision", "description", "defs"];

/// A `com.atproto.lexicon.schema` record with its DAG-CBOR encoding and CID.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaRecord {
    nsid: String,
    value: Value,
    dag_cbor: Vec<u8>,
    cid: Cid,
}

impl SchemaRecord {
    /// The lexicon's NSID (the document's `id`).
    pub fn nsid(&self) -> &str {
        &self.nsid
    }

    /// The record key: the NSID.
    pub fn rkey(&self) -> &str {
        &self.nsid
    }

    /// The record as JSON, in stable field order.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The record's DAG-CBOR bytes, the input of its CID.
    pub fn dag_cbor(&self) -> &[u8] {
        &self.dag_cbor
    }

    /// The record's CID (CIDv1, dag-cbor, sha2-256).
    pub fn cid(&self) -> &Cid {
        &self.cid
    }

    /// The AT-URI of this record in the repository of `did`.
    pub fn at_uri(&self, did: &str) -> String {
        at_uri(did, &self.nsid)
    }
}

/// Why a document cannot become a schema record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The document is not a JSON object.
    #[error("a lexicon document must be a JSON object")]
    NotAnObject,
    /// A required top-level field is missing.
    #[error("the document has no `{field}` field")]
    MissingField {
        /// `lexicon`, `id` or `defs`.
        field: &'static str,
    },
    /// A top-level field has the wrong JSON type or value.
    #[error("`/{field}` must be {expected}")]
    InvalidField {
        /// The field name.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `id` is not a valid NSID.
    #[error("`/id` {id:?} is not a valid NSID: {reason}")]
    InvalidNsid {
        /// The `id` value.
        id: String,
        /// Which NSID rule it breaks.
        reason: NsidProblem,
    },
    /// The document has a `$type` other than `com.atproto.lexicon.schema`.
    #[error("`/$type` is {found:?}; a published lexicon's `$type` must be \"com.atproto.lexicon.schema\" (or absent)")]
    ConflictingType {
        /// The `$type` found.
        found: String,
    },
    /// A value in the document is outside the atproto data model.
    #[error("cannot encode the record {0}")]
    Encode(#[from] EncodeError),
}

/// The top-level key of the editor's JSON Schema hint (`"$schema": "https://…"`); never published.
pub const EDITOR_SCHEMA_KEY: &str = "$schema";

/// Builds the `com.atproto.lexicon.schema` record of a lexicon document and computes its CID.
/// A top-level [`EDITOR_SCHEMA_KEY`] is left out.
///
/// Checks only what the record needs: an object with `lexicon: 1`, an NSID `id`, an object `defs`, an
/// optional string `description`, no conflicting `$type`, and values inside the data model. Whether
/// the lexicon itself is well formed is the lint's job; run it first.
pub fn schema_record(doc: &Value) -> Result<SchemaRecord, RecordError> {
    let map = doc.as_object().ok_or(RecordError::NotAnObject)?;
    match map.get("lexicon") {
        None => return Err(RecordError::MissingField { field: "lexicon" }),
        Some(version) if version.as_i64() == Some(1) => {}
        Some(_) => {
            return Err(RecordError::InvalidField {
                field: "lexicon",
                expected: "the integer 1",
            })
        }
    }
    let nsid = match map.get("id") {
        None => return Err(RecordError::MissingField { field: "id" }),
        Some(Value::String(id)) => id,
        Some(_) => {
            return Err(RecordError::InvalidField {
                field: "id",
                expected: "a string holding an NSID",
            })
        }
    };
    if let Some((reason, _)) = Nsid::problem(nsid) {
        return Err(RecordError::InvalidNsid {
            id: nsid.clone(),
            reason,
        });
    }
    match map.get("defs") {
        None => return Err(RecordError::MissingField { field: "defs" }),
        Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(RecordError::InvalidField {
                field: "defs",
                expected: "an object mapping def names to defs",
            })
        }
    }
    if map.get("description").is_some_and(|d| !d.is_string()) {
        return Err(RecordError::InvalidField {
            field: "description",
            expected: "a string",
        });
    }
    match map.get("$type") {
        None => {}
        Some(Value::String(found)) if found == SCHEMA_COLLECTION => {}
        Some(other) => {
            return Err(RecordError::ConflictingType {
                found: match other {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                },
            })
        }
    }

    let mut record = Map::with_capacity(map.len() + 1);
    record.insert("$type".to_owned(), Value::from(SCHEMA_COLLECTION));
    for key in &FIELD_ORDER[1..] {
        if let Some(value) = map.get(*key) {
            record.insert((*key).to_owned(), value.clone());
        }
    }
    for (key, value) in map {
        if !FIELD_ORDER.contains(&key.as_str()) && key != EDITOR_SCHEMA_KEY {
            record.insert(key.clone(), value.clone());
        }
    }
    let value = Value::Object(record);
    let dag_cbor = cbor::encode_record(&value)?;
    let cid = Cid::for_dag_cbor(&dag_cbor);
    Ok(SchemaRecord {
        nsid: nsid.clone(),
        value,
        dag_cbor,
        cid,
    })
}

/// The AT-URI of a published lexicon: `at://<did>/com.atproto.lexicon.schema/<nsid>`.
pub fn at_uri(did: &str, nsid: &str) -> String {
    format!("at://{did}/{SCHEMA_COLLECTION}/{nsid}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn editor_schema_hint_is_not_published() {
        let plain =
            json!({"lexicon": 1, "id": "com.example.thing", "defs": {"main": {"type": "token"}}});
        let mut hinted = plain.clone();
        hinted["$schema"] = json!("https://lexperm.dev/schema/lexicon.schema.json");
        let record = schema_record(&hinted).unwrap();
        assert!(record.value().get("$schema").is_none());
        assert_eq!(record.cid(), schema_record(&plain).unwrap().cid());
        assert_eq!(record.dag_cbor(), schema_record(&plain).unwrap().dag_cbor());
    }

    #[test]
    fn record_fields_come_in_stable_order() {
        let doc = json!({
            "defs": {"main": {"type": "token"}},
            "needsCbor": true,
            "id": "com.example.thing",
            "description": "A thing.",
            "lexicon": 1
        });
        let record = schema_record(&doc).unwrap();
        let keys: Vec<&str> = record
            .value()
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["$type", "lexicon", "id", "description", "defs", "needsCbor"]
        );
        assert_eq!(record.rkey(), "com.example.thing");
        assert_eq!(record.cid(), &Cid::for_dag_cbor(record.dag_cbor()));
    }

    #[test]
    fn key_order_of_the_document_does_not_change_the_cid() {
        let a = json!({"lexicon": 1, "id": "com.example.thing", "defs": {"a": {"type": "token"}, "b": {"type": "token"}}});
        let b = json!({"defs": {"b": {"type": "token"}, "a": {"type": "token"}}, "id": "com.example.thing", "lexicon": 1, "$type": "com.atproto.lexicon.schema"});
        assert_eq!(
            schema_record(&a).unwrap().cid(),
            schema_record(&b).unwrap().cid()
        );
    }

    #[test]
    fn documents_that_cannot_be_records_are_rejected() {
        let cases = [
            (json!([]), "a lexicon document must be a JSON object"),
            (
                json!({"id": "a.b.c", "defs": {}}),
                "the document has no `lexicon` field",
            ),
            (
                json!({"lexicon": 2, "id": "a.b.c", "defs": {}}),
                "`/lexicon` must be the integer 1",
            ),
            (
                json!({"lexicon": 1, "defs": {}}),
                "the document has no `id` field",
            ),
            (
                json!({"lexicon": 1, "id": 5, "defs": {}}),
                "`/id` must be a string",
            ),
            (
                json!({"lexicon": 1, "id": "a.b", "defs": {}}),
                "at least three parts",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c#main", "defs": {}}),
                "Disallowed characters",
            ),
            (
                json!({"lexicon": 1, "id": "1a.b.c", "defs": {}}),
                "may not start with a digit",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.1c", "defs": {}}),
                "name part",
            ),
            (
                json!({"lexicon": 1, "id": "a..c", "defs": {}}),
                "can not be empty",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c"}),
                "the document has no `defs` field",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c", "defs": []}),
                "`/defs` must be an object",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c", "defs": {}, "description": 1}),
                "`/description` must be a string",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c", "defs": {}, "$type": "x.y.z"}),
                "`/$type` is \"x.y.z\"",
            ),
            (
                json!({"lexicon": 1, "id": "a.b.c", "defs": {"main": {"maxLength": 1.5}}}),
                "cannot encode the record at /defs/main/maxLength: 1.5 is a float",
            ),
        ];
        for (doc, message) in cases {
            let err = schema_record(&doc).unwrap_err();
            assert!(err.to_string().contains(message), "{doc}: {err}");
        }
    }

    #[test]
    fn at_uri_uses_the_schema_collection() {
        assert_eq!(
            at_uri("did:web:example.com", "com.example.thing"),
            "at://did:web:example.com/com.atproto.lexicon.schema/com.example.thing"
        );
    }
}
