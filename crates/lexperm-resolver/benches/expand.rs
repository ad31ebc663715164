//! Expansion of every corpus permission set (with and without `?aud=`), and the token scope of a
//! client requesting the ten Bluesky sets. Inputs: the permission sets of the real-world corpus
//! (`cargo xtask corpus`); without it, prints a note and measures nothing.

#[path = "../../../tests/support/corpus.rs"]
mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::Catalog;

/// Path and text of every permission set of the corpus, or nothing (with the skip note) when the
/// corpus is missing.
fn sources() -> Vec<(String, String)> {
    let Some(root) = support::corpus_for("expand bench") else {
        return Vec::new();
    };
    support::corpus_files(&root, support::CORPUS_SETS)
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read corpus file");
            (p.display().to_string(), text)
        })
        .filter(|(_, text)| {
            let doc: serde_json::Value = serde_json::from_str(text).expect("corpus json");
            doc["defs"]["main"]["type"] == "permission-set"
        })
        .collect()
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
    if sources.is_empty() {
        return;
    }
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
    assert_eq!(
        includes.len(),
        26,
        "13 corpus sets (10 Bluesky, 3 hypercerts), with and without aud"
    );

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
