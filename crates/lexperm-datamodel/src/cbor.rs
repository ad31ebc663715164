//! DAG-CBOR: encoding of atproto data model values given in their JSON form, and (inside this crate)
//! decoding of the subset that commits, MST nodes and CAR headers use. Both go through one owner of
//! the CBOR head (major type and argument, shortest form).
//!
//! The JSON form maps onto DAG-CBOR as the atproto data model specifies:
//! - integers (signed 64-bit) become CBOR integers in their shortest form. A number written with a
//!   fraction or exponent is accepted only when it is integral and within ±(2^53 − 1) (JSON parsers in
//!   JavaScript cannot tell `123.0` from `123`, and the interop vectors list `123.0` as valid); any other
//!   float is an error, because the data model has no floats;
//! - strings, booleans, null, arrays as usual; maps with text keys, written in DAG-CBOR canonical order
//!   (shorter keys first, then bytewise), whatever the order of the JSON object;
//! - `{"$link": "<cid>"}` becomes tag 42 over a byte string of 0x00 followed by the binary CID;
//! - `{"$bytes": "<base64>"}` becomes a byte string.
//!
//! Data model rules that concern the shape of values are checked on the way: `$link` and `$bytes`
//! objects have no other keys, `$type` is a non-empty string, and a `{"$type": "blob"}` object has a
//! `ref` link, a `mimeType` string and an integer `size`. Each error carries the JSON pointer of the
//! offending value.
//!
//! ```
//! use serde_json::json;
//! use lexperm_datamodel::cbor;
//!
//! let bytes = cbor::encode(&json!({"b": 1, "a": [true, null]})).unwrap();
//! assert_eq!(bytes, [0xa2, 0x61, b'a', 0x82, 0xf5, 0xf6, 0x61, b'b', 0x01]);
//! let err = cbor::encode(&json!({"a": [1.5]})).unwrap_err();
//! assert_eq!(err.pointer(), "/a/0");
//! ```

use std::fmt;

use serde_json::{Map, Number, Value};

use crate::base::base64_decode;
use crate::cid::{Cid, CidError};

pub(crate) mod decode;
pub(crate) mod head;

pub use decode::DecodeError;

/// CBOR tag that marks a CID link in DAG-CBOR.
pub const CID_TAG: u64 = 42;

/// Largest integer a float-written JSON number may hold (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A value that cannot be encoded, with the JSON pointer of where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodeError {
    pointer: String,
    kind: EncodeErrorKind,
}

/// What is wrong with a value that cannot be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// A record (top-level value) must be an object.
    #[error("a record must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A number with a fractional part.
    #[error(
        "{value} is a float; the atproto data model has integers only (use an integer or a string)"
    )]
    Float {
        /// The number as written.
        value: String,
    },
    /// An integer outside the signed 64-bit range, or a float-written integer beyond ±(2^53 − 1).
    #[error("{value} is out of range; integers must fit in signed 64 bits (and float-written ones in ±(2^53 - 1))")]
    IntegerOutOfRange {
        /// The number as written.
        value: String,
    },
    /// `$link` is not a string.
    #[error("`$link` must be a string holding a CID")]
    LinkNotString,
    /// `$link` is not a valid CID.
    #[error("`$link` is not a valid CID: {0}")]
    InvalidLink(CidError),
    /// `$bytes` is not a string.
    #[error("`$bytes` must be a base64 string")]
    BytesNotString,
    /// `$bytes` is not valid base64.
    #[error("`$bytes` is not valid base64 (standard alphabet, padding optional): {reason}")]
    InvalidBase64 {
        /// What is wrong, with an offset.
        reason: String,
    },
    /// A `$link` or `$bytes` object has other keys besides.
    #[error("an object with `{special}` must have no other key, found `{extra}`")]
    ExtraKeys {
        /// `$link` or `$bytes`.
        special: &'static str,
        /// The first other key.
        extra: String,
    },
    /// `$type` is not a string.
    #[error("`$type` must be a string, found {found}")]
    TypeNotString {
        /// The JSON type found.
        found: &'static str,
    },
    /// `$type` is the empty string.
    #[error("`$type` must not be empty")]
    TypeEmpty,
    /// A blob (`"$type": "blob"`) lacks a field or has one of the wrong type.
    #[error("a blob needs `{field}` as {expected}")]
    BlobField {
        /// `ref`, `mimeType` or `size`.
        field: &'static str,
        /// What the field must be.
        expected: &'static str,
    },
}

impl EncodeError {
    /// The JSON pointer (RFC 6901) of the offending value; empty for the top level.
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong.
    pub fn kind(&self) -> &EncodeErrorKind {
        &self.kind
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "at the top level: {}", self.kind)
        } else {
            write!(f, "at {}: {}", self.pointer, self.kind)
        }
    }
}

impl std::error::Error for EncodeError {}

/// Encodes any data model value as DAG-CBOR.
pub fn encode(value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder {
        out: Vec::with_capacity(256),
        path: Vec::new(),
    };
    encoder.value(value)?;
    Ok(encoder.out)
}

/// Encodes a record: like [`encode`], but the top-level value must be an object.
pub fn encode_record(value: &Value) -> Result<Vec<u8>, EncodeError> {
    if !value.is_object() {
        return Err(EncodeError {
            pointer: String::new(),
            kind: EncodeErrorKind::NotAnObject {
                found: json_type(value),
            },
        });
    }
    encode(value)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

struct Encoder<'a> {
    out: Vec<u8>,
    path: Vec<Segment<'a>>,
}

impl<'a> Encoder<'a> {
    fn error(&self, kind: EncodeErrorKind) -> EncodeError {
        let mut pointer = String::new();
        for segment in &self.path {
            pointer.push('/');
            match segment {
                Segment::Key(key) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
                Segment::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        EncodeError { pointer, kind }
    }

    fn error_at(&mut self, key: &'a str, kind: EncodeErrorKind) -> EncodeError {
        self.path.push(Segment::Key(key));
        let err = self.error(kind);
        self.path.pop();
        err
    }

    fn head(&mut self, major: u8, argument: u64) {
        head::write(&mut self.out, major, argument);
    }

    fn integer(&mut self, value: i64) {
        if value >= 0 {
            self.head(head::UNSIGNED, value as u64);
        } else {
            // CBOR major type 1 stores -1 - n.
            self.head(head::NEGATIVE, (-1 - value) as u64);
        }
    }

    fn text(&mut self, text: &str) {
        self.head(head::TEXT, text.len() as u64);
        self.out.extend_from_slice(text.as_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.head(head::BYTES, bytes.len() as u64);
        self.out.extend_from_slice(bytes);
    }

    fn value(&mut self, value: &'a Value) -> Result<(), EncodeError> {
        match value {
            Value::Null => self.out.push(0xf6),
            Value::Bool(false) => self.out.push(0xf4),
            Value::Bool(true) => self.out.push(0xf5),
            Value::Number(number) => {
                let integer = self.number(number)?;
                self.integer(integer);
            }
            Value::String(text) => self.text(text),
            Value::Array(items) => {
                self.head(head::ARRAY, items.len() as u64);
                for (index, item) in items.iter().enumerate() {
                    self.path.push(Segment::Index(index));
                    self.value(item)?;
                    self.path.pop();
                }
            }
            Value::Object(map) => self.object(map)?,
        }
        Ok(())
    }

    fn number(&self, number: &Number) -> Result<i64, EncodeError> {
        if let Some(integer) = number.as_i64() {
            return Ok(integer);
        }
        let written = number.to_string();
        if number.is_u64() {
            return Err(self.error(EncodeErrorKind::IntegerOutOfRange { value: written }));
        }
        let float = number.as_f64().unwrap_or(f64::NAN);
        if !float.is_finite() || float.fract() != 0.0 {
            return Err(self.error(EncodeErrorKind::Float { value: written }));
        }
        if float.abs() > MAX_SAFE_INTEGER {
            return Err(self.error(EncodeErrorKind::IntegerOutOfRange { value: written }));
        }
        Ok(float as i64)
    }

    fn object(&mut self, map: &'a Map<String, Value>) -> Result<(), EncodeError> {
        if let Some(link) = map.get("$link") {
            self.only_key(map, "$link")?;
            let Value::String(text) = link else {
                return Err(self.error_at("$link", EncodeErrorKind::LinkNotString));
            };
            let cid = Cid::parse(text)
                .map_err(|err| self.error_at("$link", EncodeErrorKind::InvalidLink(err)))?;
            self.head(head::TAG, CID_TAG);
            self.head(head::BYTES, cid.as_bytes().len() as u64 + 1);
            self.out.push(0x00);
            self.out.extend_from_slice(cid.as_bytes());
            return Ok(());
        }
        if let Some(bytes) = map.get("$bytes") {
            self.only_key(map, "$bytes")?;
            let Value::String(text) = bytes else {
                return Err(self.error_at("$bytes", EncodeErrorKind::BytesNotString));
            };
            let decoded = base64_decode(text).map_err(|err| {
                self.error_at(
                    "$bytes",
                    EncodeErrorKind::InvalidBase64 {
                        reason: err.to_string(),
                    },
                )
            })?;
            self.bytes(&decoded);
            return Ok(());
        }
        if let Some(type_value) = map.get("$type") {
            match type_value {
                Value::String(text) if text.is_empty() => {
                    return Err(self.error_at("$type", EncodeErrorKind::TypeEmpty));
                }
                Value::String(text) if text == "blob" => self.check_blob(map)?,
                Value::String(_) => {}
                other => {
                    let found = json_type(other);
                    return Err(self.error_at("$type", EncodeErrorKind::TypeNotString { found }));
                }
            }
        }
        let mut entries: Vec<(&'a String, &'a Value)> = map.iter().collect();
        entries.sort_by(|(a, _), (b, _)| {
            a.len()
                .cmp(&b.len())
                .then_with(|| a.as_bytes().cmp(b.as_bytes()))
        });
        self.head(head::MAP, entries.len() as u64);
        for (key, item) in entries {
            self.text(key);
            self.path.push(Segment::Key(key));
            self.value(item)?;
            self.path.pop();
        }
        Ok(())
    }

    fn only_key(
        &mut self,
        map: &'a Map<String, Value>,
        special: &'static str,
    ) -> Result<(), EncodeError> {
        match map.keys().find(|key| key.as_str() != special) {
            Some(extra) => Err(self.error_at(
                extra,
                EncodeErrorKind::ExtraKeys {
                    special,
                    extra: extra.clone(),
                },
            )),
            None => Ok(()),
        }
    }

    fn check_blob(&mut self, map: &'a Map<String, Value>) -> Result<(), EncodeError> {
        let ref_is_link = map
            .get("ref")
            .and_then(Value::as_object)
            .is_some_and(|link| link.contains_key("$link"));
        let checks: [(&'static str, &'static str, bool); 3] = [
            ("ref", "a `{\"$link\": …}` object", ref_is_link),
            (
                "mimeType",
                "a string",
                map.get("mimeType").is_some_and(Value::is_string),
            ),
            (
                "size",
                "an integer",
                map.get("size").is_some_and(|size| size.is_i64()),
            ),
        ];
        for (field, expected, ok) in checks {
            if !ok {
                let kind = EncodeErrorKind::BlobField { field, expected };
                return Err(if map.contains_key(field) {
                    self.error_at(field, kind)
                } else {
                    self.error(kind)
                });
            }
        }
        Ok(())
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(value: Value, expected: &[u8]) {
        assert_eq!(encode(&value).unwrap(), expected, "{value}");
    }

    #[test]
    fn integers_use_the_shortest_head() {
        check(json!(0), &[0x00]);
        check(json!(23), &[0x17]);
        check(json!(24), &[0x18, 24]);
        check(json!(255), &[0x18, 0xff]);
        check(json!(256), &[0x19, 0x01, 0x00]);
        check(json!(65536), &[0x1a, 0, 1, 0, 0]);
        check(json!(4294967296u64), &[0x1b, 0, 0, 0, 1, 0, 0, 0, 0]);
        check(json!(-1), &[0x20]);
        check(json!(-25), &[0x38, 24]);
        check(
            json!(i64::MIN),
            &[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        );
        check(json!(123.0), &[0x18, 123]);
        check(json!(-0.0), &[0x00]);
        check(serde_json::from_str("1e3").unwrap(), &[0x19, 0x03, 0xe8]);
        check(
            serde_json::from_str("-9007199254740991.0").unwrap(),
            &[0x3b, 0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe],
        );
    }

    #[test]
    fn numbers_outside_the_data_model_are_errors() {
        let cases = [
            (json!({"a": 1.5}), "/a", "1.5 is a float"),
            (
                json!([u64::MAX]),
                "/0",
                "18446744073709551615 is out of range",
            ),
            (json!({"x/y~": 1e300}), "/x~1y~0", "is out of range"),
        ];
        for (value, pointer, message) in cases {
            let err = encode(&value).unwrap_err();
            assert_eq!(err.pointer(), pointer);
            assert!(err.to_string().contains(message), "{err}");
        }
    }

    #[test]
    fn map_keys_are_sorted_length_first() {
        let bytes = encode(&json!({"bb": 1, "a": 2, "c": 3, "aaa": 4})).unwrap();
        let expected_order = ["a", "c", "bb", "aaa"];
        let mut expected = vec![0xa4];
        for (key, value) in expected_order.iter().zip([2u8, 3, 1, 4]) {
            expected.push(0x60 | key.len() as u8);
            expected.extend_from_slice(key.as_bytes());
            expected.push(value);
        }
        assert_eq!(bytes, expected);
    }

    #[test]
    fn special_objects_are_checked() {
        let link = "bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity";
        let cases = [
            (
                json!({"a": {"$link": 1}}),
                "/a/$link",
                "`$link` must be a string",
            ),
            (
                json!({"a": {"$link": "."}}),
                "/a/$link",
                "unsupported multibase prefix '.'",
            ),
            (
                json!({"a": {"$link": link, "x": 1}}),
                "/a/x",
                "no other key, found `x`",
            ),
            (
                json!({"a": {"$bytes": [1]}}),
                "/a/$bytes",
                "must be a base64 string",
            ),
            (
                json!({"a": {"$bytes": "a*"}}),
                "/a/$bytes",
                "invalid character '*' at offset 1",
            ),
            (json!([{"$type": ""}]), "/0/$type", "must not be empty"),
            (json!([{"$type": null}]), "/0/$type", "found null"),
            (
                json!({"$type": "blob", "mimeType": "a/b", "size": 1}),
                "",
                "needs `ref`",
            ),
            (
                json!({"$type": "blob", "ref": {"$link": link}, "mimeType": "a/b", "size": "1"}),
                "/size",
                "needs `size` as an integer",
            ),
        ];
        for (value, pointer, message) in cases {
            let err = encode(&value).unwrap_err();
            assert_eq!(err.pointer(), pointer, "{value}");
            assert!(err.to_string().contains(message), "{err}");
        }
    }

    #[test]
    fn record_must_be_an_object() {
        let err = encode_record(&json!("blah")).unwrap_err();
        assert_eq!(
            err.kind(),
            &EncodeErrorKind::NotAnObject { found: "a string" }
        );
        assert_eq!(
            err.to_string(),
            "at the top level: a record must be a JSON object, found a string"
        );
    }

    #[test]
    fn bytes_and_links_encode_as_byte_strings() {
        check(json!({"$bytes": "AAEC"}), &[0x43, 0, 1, 2]);
        let cid = Cid::for_dag_cbor(&[0xa0]);
        let mut expected = vec![0xd8, 0x2a, 0x58, 37, 0x00];
        expected.extend_from_slice(cid.as_bytes());
        check(json!({"$link": cid.to_string()}), &expected);
    }
}
