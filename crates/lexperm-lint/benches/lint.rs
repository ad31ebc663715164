//! Throughput of `lint_file` (JSON parse, typed model, every per-file rule) over the shared corpus
//! (`$LEXPERM_CORPUS`, default: the `shared/corpus` beside the workspace; 551 real lexicons).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lexperm_lint::lint_file;
use lexperm_parser::diagnostics::FileId;

fn collect(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

fn corpus() -> Vec<String> {
    let root = std::env::var_os("LEXPERM_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .map(|dir| dir.join("shared").join("corpus"))
                .find(|dir| dir.is_dir())
                .unwrap_or_else(|| PathBuf::from("/work/shared/corpus"))
        });
    let mut texts = Vec::new();
    for folder in [
        "atproto-lexicons",
        "hypercerts-org-hypercerts-lexicon",
        "lexicon-community-lexicon",
        "mary-ext-tangled.sh-mirror",
        "mary-ext-atcute",
    ] {
        collect(&root.join(folder), &mut texts);
    }
    texts
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    if texts.is_empty() {
        eprintln!("no corpus found; set LEXPERM_CORPUS");
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
