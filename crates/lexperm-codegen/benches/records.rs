//! Encoding + CID of every lexicon in the atproto corpus (397 files).
//!
//! The corpus folder is the `atproto` set of `cargo xtask corpus`; without it the bench prints a
//! note and measures nothing. Run with `cargo bench -p lexperm-codegen --bench records`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lexperm_codegen::records::schema_record;
use lexperm_datamodel::cbor;
use serde_json::Value;

#[path = "../../../tests/support/corpus.rs"]
mod support;

/// Every document of the corpus' `atproto` set, or nothing (with the skip note) without a corpus.
fn load_corpus() -> Vec<Value> {
    let Some(root) = support::corpus_for("records bench") else {
        return Vec::new();
    };
    support::corpus_files(&root, &["atproto"])
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("readable lexicon file");
            serde_json::from_str(&text).expect("lexicon file is JSON")
        })
        .collect()
}

fn bench_records(c: &mut Criterion) {
    let docs = load_corpus();
    if docs.is_empty() {
        return;
    }
    let total_bytes: usize = docs
        .iter()
        .map(|doc| {
            schema_record(doc)
                .expect("corpus lexicon encodes")
                .dag_cbor()
                .len()
        })
        .sum();
    eprintln!(
        "{} lexicons, {} bytes of DAG-CBOR in all",
        docs.len(),
        total_bytes
    );
    let mut group = c.benchmark_group("records");
    group.throughput(Throughput::Elements(docs.len() as u64));
    group.bench_function("schema_record_all_atproto_lexicons", |b| {
        b.iter(|| {
            for doc in &docs {
                let record = schema_record(std::hint::black_box(doc)).expect("encodes");
                std::hint::black_box(record.cid());
            }
        })
    });
    let records: Vec<Value> = docs
        .iter()
        .map(|doc| schema_record(doc).expect("encodes").value().clone())
        .collect();
    group.bench_function("cbor_encode_only_all_atproto_lexicons", |b| {
        b.iter(|| {
            for record in &records {
                std::hint::black_box(cbor::encode(std::hint::black_box(record)).expect("encodes"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_records);
criterion_main!(benches);
