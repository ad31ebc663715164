//! Encoding + CID of every lexicon in the atproto corpus (402 files).
//!
//! The corpus folder is `$LEXPERM_CORPUS/atproto-lexicons` (default: the `shared/corpus` beside the workspace).
//! Run with `cargo bench -p lexperm-codegen --bench records`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lexperm_codegen::records::schema_record;
use lexperm_datamodel::cbor;
use serde_json::Value;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
}

fn corpus_dir() -> PathBuf {
    std::env::var_os("LEXPERM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|dir| dir.join("shared").join("corpus"))
                .find(|dir| dir.is_dir())
                .unwrap_or_else(|| PathBuf::from("/work/shared/corpus"))
        })
        .join("atproto-lexicons")
}

fn load_corpus() -> Vec<Value> {
    let root = corpus_dir();
    let mut files = Vec::new();
    json_files(&root, &mut files);
    files.sort();
    files
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
        eprintln!("no lexicons found; set LEXPERM_CORPUS to the corpus folder");
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
