//! Scope parsing, normalization and permission checks.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use lexperm_parser::scope::{
    normalize_scope_string, AccountAction, AccountAttr, RepoAction, Scope, ScopeSet,
};

/// A realistic expanded token scope (Bluesky app + chat sets, plus direct scopes).
const TOKEN: &str = "atproto transition:email \
rpc?lxm=app.bsky.actor.getPreferences&lxm=app.bsky.actor.getProfile&lxm=app.bsky.actor.getProfiles&lxm=app.bsky.feed.getTimeline&lxm=app.bsky.feed.getFeed&lxm=app.bsky.feed.getPostThread&lxm=app.bsky.notification.listNotifications&aud=did:web:api.bsky.app%23bsky_appview \
repo?collection=app.bsky.actor.profile&collection=app.bsky.feed.like&collection=app.bsky.feed.post&collection=app.bsky.feed.repost&collection=app.bsky.graph.follow \
rpc?lxm=chat.bsky.convo.getConvo&lxm=chat.bsky.convo.sendMessage&aud=did:web:api.bsky.chat%23bsky_chat \
repo:chat.bsky.actor.declaration blob:image/* blob:video/mp4 account:email?action=manage identity:handle";

fn bench(c: &mut Criterion) {
    c.bench_function("parse one repo scope", |b| {
        b.iter(|| {
            Scope::parse(black_box(
                "repo?collection=app.bsky.feed.post&collection=app.bsky.feed.like&action=create",
            ))
        })
    });
    c.bench_function("parse+canonical one rpc scope", |b| {
        b.iter(|| {
            Scope::parse(black_box(
                "rpc:app.bsky.feed.getFeed?aud=did:web:api.bsky.app%23bsky_appview",
            ))
            .map(|s| s.to_string())
        })
    });
    c.bench_function("normalize token scope (12 values)", |b| {
        b.iter(|| normalize_scope_string(black_box(TOKEN)))
    });
    c.bench_function("ScopeSet::parse token scope", |b| {
        b.iter(|| ScopeSet::parse(black_box(TOKEN)))
    });

    let set = ScopeSet::parse(TOKEN).with_transition(true);
    c.bench_function("allows_repo hit", |b| {
        b.iter(|| set.allows_repo(black_box("app.bsky.graph.follow"), RepoAction::Create))
    });
    c.bench_function("allows_repo miss", |b| {
        b.iter(|| set.allows_repo(black_box("com.example.nothing"), RepoAction::Delete))
    });
    c.bench_function("allows_rpc hit", |b| {
        b.iter(|| {
            set.allows_rpc(
                black_box("app.bsky.notification.listNotifications"),
                black_box("did:web:api.bsky.app#bsky_appview"),
            )
        })
    });
    c.bench_function("allows_rpc miss (wrong aud)", |b| {
        b.iter(|| {
            set.allows_rpc(
                black_box("app.bsky.feed.getFeed"),
                black_box("did:web:api.bsky.app"),
            )
        })
    });
    c.bench_function("allows_blob", |b| {
        b.iter(|| set.allows_blob(black_box("video/mp4")))
    });
    c.bench_function("allows_account", |b| {
        b.iter(|| set.allows_account(AccountAttr::Email, AccountAction::Manage))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
