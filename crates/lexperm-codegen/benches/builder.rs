//! What a `build.rs` pays: `Builder::generate_string` on the atproto corpus (397 lexicons): read
//! every file, run the full lint (per-file, cross-file, permission-set rules), expand the
//! permission sets and render the templates. Target: under 50 ms for Rust.
//!
//! The corpus folder is the `atproto` set of `cargo xtask corpus`; without it the bench prints a
//! note and measures nothing. Run with `cargo bench -p lexperm-codegen --bench builder`.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use lexperm_codegen::{Builder, Target};

#[path = "../../../tests/support/corpus.rs"]
mod support;

fn builder(corpus: &Path, target: Target) -> Builder {
    // `undefined-lxm`: the corpus' one lint error (a set names a method no lexicon defines).
    // No `cargo:` lines: printing 420 lines per iteration would only measure the terminal.
    Builder::new()
        .lexicons(corpus)
        .allow_rule("undefined-lxm")
        .target(target)
        .emit_rerun_if_changed(false)
}

fn bench_builder(c: &mut Criterion) {
    let Some(root) = support::corpus_for("builder bench") else {
        return;
    };
    let corpus: PathBuf = root.join("atproto");
    let builder = |target| builder(&corpus, target);
    let code = builder(Target::Rust).generate_string().expect("generates");
    eprintln!("{} bytes of Rust", code.len());
    let mut group = c.benchmark_group("builder");
    group.sample_size(20);
    group.bench_function("rust_all_atproto_lexicons", |b| {
        b.iter(|| builder(Target::Rust).generate_string().expect("generates"))
    });
    group.bench_function("typescript_all_atproto_lexicons", |b| {
        b.iter(|| {
            builder(Target::TypeScript)
                .generate_string()
                .expect("generates")
        })
    });
    group.finish();
}

criterion_group!(benches, bench_builder);
criterion_main!(benches);
