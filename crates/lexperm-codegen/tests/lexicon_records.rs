//! CIDs of real lexicon records, checked against CIDs computed independently with JavaScript encoders
//! (`fixtures/lexicon-records/expected-cids.json`; see `fixtures/README.md`).

use std::path::Path;

use lexperm_codegen::records::schema_record;
use serde_json::Value;

#[test]
fn records_match_independently_computed_cids() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicon-records");
    let expected: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected-cids.json")).unwrap())
            .unwrap();
    assert_eq!(expected.len(), 9);
    for entry in expected {
        let file = entry["file"].as_str().unwrap();
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("lexicons").join(file)).unwrap(),
        )
        .unwrap();
        let record = schema_record(&doc).unwrap_or_else(|err| panic!("{file}: {err}"));
        assert_eq!(record.nsid(), entry["nsid"].as_str().unwrap(), "{file}");
        assert_eq!(
            record.dag_cbor().len() as u64,
            entry["dag_cbor_len"].as_u64().unwrap(),
            "{file}"
        );
        assert_eq!(
            record.cid().to_string(),
            entry["cid"].as_str().unwrap(),
            "{file}"
        );
    }
}
