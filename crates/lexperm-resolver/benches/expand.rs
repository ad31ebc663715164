//! Expansion of every corpus permission set (with and without `?aud=`), and the token scope of a
//! client requesting the ten Bluesky sets. Inputs: `fixtures/resolver/sources/` (verbatim copies
//! of the corpus sets).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::Catalog;

fn sources() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/resolver/sources");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        // `lexicon-valid.json` is a list of test documents, not one lexicon.
        .filter(|p| !p.ends_with("lexicon-valid.json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read fixture");
            (p.display().to_string(), text)
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read fixture dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn catalog(sources: &[(String, String)]) -> Catalog {
    let (catalog, _) = Catalog::load(
        sources
            .iter()
            .enumerate()
            .map(|(i, (p, t))| (FileId(i as u32), p.as_str(), t.as_str())),
    );
    catalog
}

const BSKY_SETS: &[&str] = &[
    "app.bsky.authCreatePosts",
    "app.bsky.authDeleteContent",
    "app.bsky.authFullApp",
    "app.bsky.authManageFeedDeclarations",
    "app.bsky.authManageLabelerService",
    "app.bsky.authManageModeration",
    "app.bsky.authManageNotifications",
    "app.bsky.authManageProfile",
    "app.bsky.authViewAll",
];

fn bench(c: &mut Criterion) {
    let sources = sources();
    let catalog = catalog(&sources);
    let includes: Vec<String> = catalog
        .permission_sets()
        .flat_map(|(doc, _)| {
            let nsid = doc.nsid_str();
            [
                format!("include:{nsid}"),
                format!("include:{nsid}?aud=did:web:api.example.com%23svc"),
            ]
        })
        .collect();
    assert_eq!(includes.len(), 26, "13 corpus sets, with and without aud");

    c.bench_function("expand/all_corpus_sets_x2", |b| {
        b.iter(|| {
            let mut granted = 0;
            for include in &includes {
                granted += catalog.expand_str(include).expect("set").granted.len();
            }
            std::hint::black_box(granted)
        })
    });

    let mut client = vec!["atproto".to_owned()];
    client.extend(
        BSKY_SETS
            .iter()
            .map(|s| format!("include:{s}?aud=did:web:api.bsky.app%23bsky_appview")),
    );
    client.push(
        "include:chat.bsky.authFullChatClient?aud=did:web:api.bsky.chat%23bsky_chat".to_owned(),
    );
    let client = client.join(" ");
    let token = catalog.token_scope(&client);
    assert!(token.errors.is_empty(), "{:?}", token.errors);

    c.bench_function("token_scope/bluesky_10_sets", |b| {
        b.iter(|| {
            let token = catalog.token_scope(std::hint::black_box(&client));
            std::hint::black_box(token.token_scope())
        })
    });

    c.bench_function("catalog/load_corpus_sets", |b| {
        b.iter(|| std::hint::black_box(catalog_len(&sources)))
    });
}

fn catalog_len(sources: &[(String, String)]) -> usize {
    catalog(sources).len()
}

criterion_group!(benches, bench);
criterion_main!(benches);
