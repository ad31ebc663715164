//! CIDs of lexicon records checked against CIDs computed independently with JavaScript encoders
//! (see `fixtures/README.md`): the lexicons written for lexperm
//! (`fixtures/lexicon-records/expected-cids.json`) and real-world lexicons of the corpus of `cargo
//! xtask corpus` (`fixtures/lexicon-records/corpus-cids.json`; skipped with a note when the corpus is
//! missing, see `tests/support/corpus.rs`).

use std::path::Path;

use lexperm_codegen::records::schema_record;
use serde_json::Value;

#[path = "../../../tests/support/corpus.rs"]
mod support;

fn fixture_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lexicon-records")
}

/// The entries of a measured CID list: `file`, `nsid`, `cid`, `dag_cbor_len`.
fn measured(name: &str) -> Vec<Value> {
    let path = fixture_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{path:?}: {err}"))
}

/// Builds the record of each entry's `file` under `dir` and checks its NSID, DAG-CBOR length and CID.
fn check_records(dir: &Path, expected: &[Value]) {
    for entry in expected {
        let file = entry["file"].as_str().unwrap();
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path:?}: {err}"));
        let doc: Value = serde_json::from_str(&text).unwrap();
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

#[test]
fn records_match_independently_computed_cids() {
    let expected = measured("expected-cids.json");
    assert_eq!(expected.len(), 11);
    check_records(&fixture_dir().join("lexicons"), &expected);
}

#[test]
fn corpus_records_match_independently_computed_cids() {
    let Some(root) = support::corpus() else {
        return;
    };
    let expected = measured("corpus-cids.json");
    assert_eq!(expected.len(), 5);
    check_records(&root, &expected);
}
