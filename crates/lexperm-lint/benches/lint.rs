//! Throughput of `lint_file` (JSON parse, typed model, every per-file rule) over the real-world
//! corpus of `cargo xtask corpus` (456 lexicons); without it, prints a note and measures nothing.

#[path = "../../../tests/support/corpus.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lexperm_lint::lint_file;
use lexperm_parser::diagnostics::FileId;

/// The text of every corpus lexicon, or nothing (with the skip note) when the corpus is missing.
fn corpus() -> Vec<String> {
    let Some(root) = support::corpus_for("lint_file bench") else {
        return Vec::new();
    };
    support::corpus_files(&root, support::CORPUS_SETS)
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    if texts.is_empty() {
        return;
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut group = c.benchmark_group("lint_file");
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function(
        format!("corpus ({} files, {bytes} bytes)", texts.len()),
        |b| {
            b.iter(|| {
                let mut diagnostics = 0;
                for text in &texts {
                    diagnostics += lint_file(FileId(0), text).diagnostics.len();
                }
                diagnostics
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
