//! The atproto interop data-model vectors (`fixtures/data-model/`), applied to the DAG-CBOR encoder.

use std::path::Path;

use lexperm_datamodel::cbor;
use lexperm_datamodel::cid::Cid;
use serde_json::Value;

fn fixture(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/data-model")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
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
    let cases = fixture("data-model-fixtures.json");
    assert_eq!(cases.len(), 3);
    for case in cases {
        let bytes = cbor::encode_record(&case["json"]).unwrap();
        assert_eq!(
            base64_unpadded(&bytes),
            case["cbor_base64"].as_str().unwrap(),
            "{}",
            case["json"]
        );
        assert_eq!(
            Cid::for_dag_cbor(&bytes).to_string(),
            case["cid"].as_str().unwrap()
        );
    }
}

#[test]
fn valid_values_encode() {
    let cases = fixture("data-model-valid.json");
    assert_eq!(cases.len(), 5);
    for case in cases {
        let result = cbor::encode_record(&case["json"]);
        assert!(result.is_ok(), "{}: {:?}", case["note"], result);
    }
}

#[test]
fn invalid_values_are_rejected_with_a_location() {
    // Every invalid vector concerns encoding: top-level type, floats, `$type`, blobs, `$bytes`, `$link`.
    let expected_pointers = [
        ("top-level not an object", ""),
        ("float", "/rcrd/a"),
        ("record with $type null", "/rcrd/$type"),
        ("record with $type wrong type", "/rcrd/$type"),
        ("record with empty $type string", "/rcrd/$type"),
        ("blob with string size", "/blb/size"),
        ("blob with missing key", "/blb"),
        ("bytes with wrong field type", "/lnk/$bytes"),
        ("bytes with extra fields", "/lnk/other"),
        ("link with wrong field type", "/lnk/$link"),
        ("link with bogus CID", "/lnk/$link"),
        ("link with extra fields", "/lnk/other"),
    ];
    let cases = fixture("data-model-invalid.json");
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
