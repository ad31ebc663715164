//! The realistic scope list of `bench-vs-reference`: the scope strings real clients send and
//! servers store, as opposed to the generator's hostile-heavy mix.
//!
//! The base strings are every `include:` scope of the corpus permission sets (with and without
//! `?aud=`), every scope their expansion grants, and typical granular scopes (`atproto`,
//! `transition:*`, `repo:<collection>?action=…`, `rpc:<lxm>?aud=did:web:…%23…`, `blob:image/*`,
//! `account:email`, `identity:handle`), some of them built from the collections and methods the
//! sets name. Each base string is also written in non-canonical spellings: the query form
//! (positional value as a named parameter), with the parameters reversed, and with `:`, `/` and `*`
//! percent-encoded. The list is then repeated, shuffled per pass, up to the requested count.

use std::path::Path;

use lexperm_parser::scope::include::{expand, PermissionEntry};
use lexperm_parser::scope::Scope;
use lexperm_parser::syntax::Nsid;
use serde_json::Value;

use crate::prng::Prng;

/// The corpus folders whose permission sets are expanded.
pub const SET_FOLDERS: &[&str] = crate::corpus::SETS;

/// The audience of the `include:…?aud=` spelling and of the generated `rpc` scopes.
const AUD: &str = "did:web:api.example.com%23svc_appview";

/// Typical granular scopes as clients request them.
const TYPICAL: &[&str] = &[
    "atproto",
    "transition:generic",
    "transition:chat.bsky",
    "transition:email",
    "repo:*",
    "repo:*?action=create",
    "repo:app.bsky.feed.post?action=create",
    "repo:app.bsky.feed.like?action=create&action=delete",
    "rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview",
    "rpc:app.bsky.actor.getProfile?aud=did:web:api.bsky.app%23bsky_appview",
    "rpc:chat.bsky.convo.sendMessage?aud=did:web:api.bsky.chat%23bsky_chat",
    "rpc:*?aud=did:web:api.bsky.app%23bsky_appview",
    "rpc:com.atproto.moderation.createReport?aud=*",
    "rpc?lxm=app.bsky.feed.getFeed&lxm=app.bsky.feed.getTimeline&aud=did:web:api.bsky.app%23bsky_appview",
    "rpc:app.bsky.feed.getTimeline?aud=did:plc:ewvi7nxzyoun6zhxrhs64oiz%23atproto_labeler",
    "blob:image/*",
    "blob:*/*",
    "blob:video/mp4",
    "blob?accept=image/*&accept=video/*",
    "account:email",
    "account:email?action=manage",
    "account:repo?action=manage",
    "account:status",
    "identity:handle",
    "identity:*",
];

/// `count` realistic scope strings (see the module comment), deterministic for `seed`.
pub fn scope_list(corpus: &Path, seed: u64, count: usize) -> Result<Vec<String>, String> {
    let mut base: Vec<String> = Vec::new();
    let mut files = Vec::new();
    for folder in SET_FOLDERS {
        let dir = corpus.join(folder);
        json_files(&dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    files.sort();
    let mut sets = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        sets += usize::from(expand_set(&doc, &mut base)?);
    }
    if sets == 0 {
        return Err(format!(
            "no permission sets under {} ({})\n  hint: run `cargo xtask corpus`, or pass --corpus <dir>",
            corpus.display(),
            SET_FOLDERS.join(", ")
        ));
    }
    // Single-collection and single-method scopes for what the sets name.
    let mut single = Vec::new();
    for scope in &base {
        let (head, params) = split(scope);
        let resource = head.split(':').next().unwrap_or("");
        for (name, value) in params {
            match (resource, name) {
                ("repo", "collection") => {
                    single.push(format!("repo:{value}"));
                    single.push(format!("repo:{value}?action=create&action=update"));
                }
                ("rpc", "lxm") => single.push(format!("rpc:{value}?aud={AUD}")),
                _ => {}
            }
        }
    }
    base.extend(single);
    base.extend(TYPICAL.iter().map(|s| s.to_string()));
    Ok(spelled_and_repeated(base, seed, count))
}

/// For a permission-set document: its `include:` scopes (with and without `?aud=`) and the
/// scopes each grants, appended to `out`. `Ok(false)` when the document is not a permission set.
fn expand_set(doc: &Value, out: &mut Vec<String>) -> Result<bool, String> {
    let main = &doc["defs"]["main"];
    if main["type"] != "permission-set" {
        return Ok(false);
    }
    let Some(id) = doc["id"].as_str() else {
        return Ok(false);
    };
    let Ok(nsid) = Nsid::parse(id) else {
        return Ok(false);
    };
    let entries: Vec<PermissionEntry> = main["permissions"]
        .as_array()
        .map(|a| a.iter().filter_map(PermissionEntry::from_json).collect())
        .unwrap_or_default();
    for include in [format!("include:{id}"), format!("include:{id}?aud={AUD}")] {
        let Ok(Scope::Include(scope)) = Scope::parse(&include) else {
            return Err(format!("{include}: not a valid include scope"));
        };
        out.push(include.clone());
        out.extend(expand(&scope, &nsid, &entries).granted_strings());
    }
    Ok(true)
}

/// `space:` grants as the bulletin sample and typical apps request them.
const TYPICAL_SPACE: &[&str] = &[
    "space:my.bulletin.board?authority=*&skey=self&collection=my.bulletin.position&collection=my.bulletin.post&collection=my.bulletin.removal&manage=create&manage=update&manage=delete",
    "space:my.bulletin.board",
    "space:my.bulletin.board?authority=*&action=read",
    "space:my.bulletin.board?authority=*&skey=self&action=read_self",
    "space:my.bulletin.board?authority=*&skey=self&collection=my.bulletin.post&action=read&action=create",
    "space:com.atmoboards.forum?authority=*&collection=com.atmoboards.reply&collection=com.atmoboards.thread&action=read&action=create",
    "space:com.atmoboards.forum?authority=did:plc:ewvi7nxzyoun6zhxrhs64oiz&skey=general&action=read",
    "space:com.atmoboards.forum?manage=create&manage=update&manage=delete",
    "space:com.atmoboards.forum?authority=*&action=read_self&action=read",
    "space:app.bsky.group.chat?authority=*&collection=app.bsky.group.message&action=read&action=create&action=delete",
    "space:com.example.calendar.shared?authority=*&collection=com.example.calendar.event",
    "space:*?authority=*&action=read",
    "space:com.atmoboards.forum?authority=self&skey=*&action=delete&action=read&action=update&action=create",
    "space:com.atmoboards.forum?skey=a.b-c_d~e:f&action=read",
    "space:com.atmoboards.forum?authority=did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz&action=read",
    "space:my.bulletin.board?collection=my.bulletin.post&collection=*&manage=update",
];

/// `count` realistic `space:` scope strings, deterministic for `seed`: [`TYPICAL_SPACE`] and
/// the `space:` scopes granted by the space entries of `sets` generated permission sets,
/// written canonically and in the non-canonical spellings of [`scope_list`].
pub fn space_list(seed: u64, sets: usize, count: usize) -> Result<Vec<String>, String> {
    let mut base: Vec<String> = TYPICAL_SPACE.iter().map(|s| s.to_string()).collect();
    let mut granted = Vec::new();
    for doc in crate::set_generate::space_set_corpus(seed, sets).docs {
        if let Ok(doc) = serde_json::from_str::<Value>(&doc.text) {
            expand_set(&doc, &mut granted)?;
        }
    }
    base.extend(granted.into_iter().filter(|s| s.starts_with("space:")));
    Ok(spelled_and_repeated(base, seed, count))
}

/// The distinct base strings, each in its spellings (as written, query form, reversed
/// parameters, percent-encoded), repeated in a fresh shuffle per pass up to `count`.
fn spelled_and_repeated(mut base: Vec<String>, seed: u64, count: usize) -> Vec<String> {
    base.sort();
    base.dedup();

    let mut variants: Vec<String> = Vec::new();
    for scope in &base {
        let spellings = [
            scope.clone(),
            query_form(scope),
            reordered(&query_form(scope)),
            reordered(scope),
            percent_encoded(scope),
            percent_encoded(&query_form(scope)),
        ];
        for s in spellings {
            if !variants.contains(&s) {
                variants.push(s);
            }
        }
    }
    let mut rng = Prng::new(seed);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let mut pass = variants.clone();
        rng.shuffle(&mut pass);
        let take = (count - out.len()).min(pass.len());
        out.extend(pass.into_iter().take(take));
    }
    out
}

/// Appends every `*.json` file under `dir` (recursively) to `out`.
pub(crate) fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// `resource[:positional]` and the `name=value` pairs of a (simple, ASCII) scope string.
fn split(scope: &str) -> (&str, Vec<(&str, &str)>) {
    let (head, query) = scope.split_once('?').unwrap_or((scope, ""));
    let params = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    (head, params)
}

fn join(head: &str, params: &[(String, String)]) -> String {
    let mut out = head.to_string();
    for (i, (name, value)) in params.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

fn owned(params: Vec<(&str, &str)>) -> Vec<(String, String)> {
    params
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

/// The name of the parameter the positional part of `resource` fills.
fn positional_name(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "repo" => "collection",
        "rpc" => "lxm",
        "blob" => "accept",
        "account" | "identity" => "attr",
        "include" => "nsid",
        "space" => "type",
        _ => return None,
    })
}

/// `repo:a.b.c?action=create` → `repo?collection=a.b.c&action=create`.
fn query_form(scope: &str) -> String {
    let (head, params) = split(scope);
    let mut params = owned(params);
    let Some((resource, positional)) = head.split_once(':') else {
        return scope.to_string();
    };
    let Some(name) = positional_name(resource) else {
        return scope.to_string();
    };
    params.insert(0, (name.to_string(), positional.to_string()));
    join(resource, &params)
}

/// The parameters in reverse order.
fn reordered(scope: &str) -> String {
    let (head, params) = split(scope);
    let mut params = owned(params);
    params.reverse();
    join(head, &params)
}

/// `:`, `/` and `*` in the positional value and the parameter values written as `%3A`, `%2F`,
/// `%2A`.
fn percent_encoded(scope: &str) -> String {
    let encode = |v: &str| {
        v.replace(':', "%3A")
            .replace('/', "%2F")
            .replace('*', "%2A")
    };
    let (head, params) = split(scope);
    let head = match head.split_once(':') {
        Some((resource, positional)) if positional_name(resource).is_some() => {
            format!("{resource}:{}", encode(positional))
        }
        _ => head.to_string(),
    };
    let params: Vec<(String, String)> = params
        .into_iter()
        .map(|(n, v)| (n.to_string(), encode(v)))
        .collect();
    join(&head, &params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(
            query_form("repo:a.b.c?action=create"),
            "repo?collection=a.b.c&action=create"
        );
        assert_eq!(query_form("atproto"), "atproto");
        assert_eq!(query_form("transition:generic"), "transition:generic");
        assert_eq!(
            reordered("rpc?lxm=a.b.c&aud=did:web:x.com%23s"),
            "rpc?aud=did:web:x.com%23s&lxm=a.b.c"
        );
        assert_eq!(
            percent_encoded("rpc:a.b.c?aud=did:web:x.com%23s"),
            "rpc:a.b.c?aud=did%3Aweb%3Ax.com%23s"
        );
        assert_eq!(percent_encoded("blob:image/*"), "blob:image%2F%2A");
    }

    #[test]
    fn the_space_list_is_valid_space_scopes_in_every_spelling() {
        let list = space_list(1, 200, 4000).expect("list");
        assert_eq!(list.len(), 4000);
        for s in &list {
            assert!(s.starts_with("space"), "{s}");
            assert!(Scope::parse(s).is_ok(), "{s}");
        }
        assert!(list.iter().any(|s| s.starts_with("space?type=")));
        assert!(list.iter().any(|s| s.contains("%2A")));
        // More than the typical grants: the generated sets' space entries.
        let distinct: std::collections::HashSet<&String> = list.iter().collect();
        assert!(
            distinct.len() > TYPICAL_SPACE.len() * 6,
            "{}",
            distinct.len()
        );
    }

    #[test]
    fn every_string_of_the_list_is_valid() {
        let Some(corpus) = crate::test_corpus::corpus() else {
            return;
        };
        let list = scope_list(&corpus, 1, 5000).expect("list");
        assert_eq!(list.len(), 5000);
        for s in &list {
            assert!(Scope::parse(s).is_ok(), "{s}");
        }
    }
}
