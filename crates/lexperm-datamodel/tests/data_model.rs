//! Data-model vectors written for lexperm (`fixtures/data-model/vectors.json`), applied to the
//! DAG-CBOR encoder: the `encode` and `valid` vectors must give the bytes and CIDs `@ipld/dag-cbor`
//! gives them (`fixtures/data-model/expected.json`, measured by `produce.mjs`), the `invalid` ones
//! must be rejected at the expected location.

use std::path::Path;

use lexperm_datamodel::cbor;
use lexperm_datamodel::cid::Cid;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data-model")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

/// The `list` vectors of `vectors.json`.
fn vectors(list: &str) -> Vec<Value> {
    fixture("vectors.json")[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} list"))
        .clone()
}

/// Each vector of `list` with its measurement from `expected.json`, paired by note.
fn measured(list: &str) -> Vec<(Value, Value)> {
    let inputs = vectors(list);
    let expected = fixture("expected.json")[list]
        .as_array()
        .unwrap_or_else(|| panic!("no {list} list in expected.json"))
        .clone();
    assert_eq!(
        inputs.len(),
        expected.len(),
        "{list}: run produce.mjs again"
    );
    for (input, expected) in inputs.iter().zip(&expected) {
        assert_eq!(
            input["note"], expected["note"],
            "{list}: run produce.mjs again"
        );
    }
    inputs.into_iter().zip(expected).collect()
}

/// Encodes `json` as a record and checks the bytes and CID against the measurement.
fn assert_encodes_as_measured(json: &Value, expected: &Value) {
    let note = &expected["note"];
    let bytes = cbor::encode_record(json).unwrap_or_else(|err| panic!("{note}: {err}"));
    assert_eq!(
        base64_unpadded(&bytes),
        expected["cbor_base64"].as_str().unwrap(),
        "{note}"
    );
    assert_eq!(
        Cid::for_dag_cbor(&bytes).to_string(),
        expected["cid"].as_str().unwrap(),
        "{note}"
    );
}

/// Standard base64 without padding, written here so the test does not share the crate's codec.
fn base64_unpadded(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn fixtures_encode_to_the_expected_bytes_and_cid() {
    let cases = measured("encode");
    assert_eq!(cases.len(), 6);
    for (case, expected) in &cases {
        assert_encodes_as_measured(&case["json"], expected);
    }
}

#[test]
fn valid_values_encode() {
    let cases = measured("valid");
    assert_eq!(cases.len(), 5);
    for (case, expected) in &cases {
        assert_encodes_as_measured(&case["json"], expected);
    }
}

#[test]
fn invalid_values_are_rejected_with_a_location() {
    // Every invalid vector concerns encoding: top-level type, floats, `$type`, blobs, `$bytes`, `$link`.
    let expected_pointers = [
        ("top-level not an object", ""),
        ("float", "/note/count"),
        ("record with $type null", "/note/$type"),
        ("record with $type wrong type", "/note/$type"),
        ("record with empty $type string", "/note/$type"),
        ("blob with string size", "/pic/size"),
        ("blob with missing key", "/pic"),
        ("bytes with wrong field type", "/raw/$bytes"),
        ("bytes with extra fields", "/raw/encoding"),
        ("link with wrong field type", "/ref/$link"),
        ("link with bogus CID", "/ref/$link"),
        ("link with extra fields", "/ref/rel"),
        ("float inside an array", "/cells/2"),
        ("integer-valued float beyond 2^53", "/big"),
    ];
    let cases = vectors("invalid");
    assert_eq!(cases.len(), expected_pointers.len());
    for (case, (note, pointer)) in cases.iter().zip(expected_pointers) {
        assert_eq!(case["note"], note);
        let err = cbor::encode_record(&case["json"]).expect_err(note);
        assert_eq!(err.pointer(), pointer, "{note}: {err}");
    }
}

#[test]
fn random_values_match_ipld_dag_cbor() {
    // 200 seeded random values (non-ASCII keys, integer widths, links, bytes, nesting) with the CIDs
    // `@ipld/dag-cbor` gives them; see `fixtures/random-values/produce.mjs`.
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/random-values/random-values.json");
    let cases: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(cases.len(), 200);
    for case in cases {
        let bytes =
            cbor::encode(&case["json"]).unwrap_or_else(|err| panic!("{}: {err}", case["json"]));
        assert_eq!(
            Cid::for_dag_cbor(&bytes).to_string(),
            case["cid"].as_str().unwrap(),
            "{}",
            case["json"]
        );
    }
}
