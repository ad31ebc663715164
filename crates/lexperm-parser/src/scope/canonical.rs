//! The canonical formatter (`Parser.format` + `ScopeStringSyntax.toString` of the reference),
//! shared by [`Scope::write_canonical`](super::Scope::write_canonical) and the allocation-free
//! [`normalize_into`](super::normalize_into). It works on borrowed value slices and writes into
//! one caller-owned buffer.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::js_cmp;
use super::tokenize::{encode_into, Component};

/// A short list of values, inline up to eight.
pub(crate) type Values<'a> = SmallVec<[&'a str; 8]>;

/// Repo actions as a bit set, in the reference order `create`, `update`, `delete`.
pub(crate) const REPO_ACTIONS: [&str; 3] = ["create", "update", "delete"];

/// Writes `prefix[:positional]`.
fn head(out: &mut String, prefix: &str, positional: Option<&str>) {
    out.push_str(prefix);
    if let Some(positional) = positional {
        out.push(':');
        encode_into(out, positional, Component::Positional);
    }
}

/// Writes `?name=value` for the first parameter and `&name=value` after it.
fn param(out: &mut String, first: &mut bool, name: &str, value: &str) {
    out.push(if *first { '?' } else { '&' });
    *first = false;
    out.push_str(name);
    out.push('=');
    encode_into(out, value, Component::Query);
}

fn sort_unique(values: &mut Values<'_>) {
    values.sort_unstable_by(|a, b| js_cmp(a, b));
    values.dedup();
}

/// Writes `prefix:<value>` when `values` has one entry, otherwise `prefix?name=v1&name=v2…` (each
/// value once, first occurrence first). Returns whether a `?` was written.
fn multi_head(out: &mut String, prefix: &str, name: &str, values: &[&str]) -> bool {
    let mut first = true;
    if values.len() == 1 {
        head(out, prefix, Some(values[0]));
    } else {
        head(out, prefix, None);
        for (i, v) in values.iter().enumerate() {
            if !values[..i].contains(v) {
                param(out, &mut first, name, v);
            }
        }
    }
    first
}

/// `repo`: `collections` as parsed (`*` or NSIDs), `actions` as a bit set over [`REPO_ACTIONS`].
pub(crate) fn write_repo(out: &mut String, collections: &mut Values<'_>, actions: u8) {
    if collections.len() > 1 {
        if collections.contains(&"*") {
            collections.clear();
            collections.push("*");
        } else {
            sort_unique(collections);
        }
    }
    let mut first = multi_head(out, "repo", "collection", collections);
    if actions & 7 != 7 {
        for (bit, name) in REPO_ACTIONS.iter().enumerate() {
            if actions & (1 << bit) != 0 {
                param(out, &mut first, "action", name);
            }
        }
    }
}

/// `rpc`: methods (`*` or NSIDs) and the audience (`*` or a DID reference).
pub(crate) fn write_rpc(out: &mut String, lxms: &mut Values<'_>, aud: &str) {
    if lxms.len() > 1 && lxms.contains(&"*") {
        lxms.clear();
        lxms.push("*");
    }
    sort_unique(lxms);
    let mut first = multi_head(out, "rpc", "lxm", lxms);
    param(out, &mut first, "aud", aud);
}

/// `blob`: the accept normalizer (`*/*` absorbs all; otherwise lower-case, drop exact types
/// covered by a `type/*` in the list, sort) and the formatter. With `dedup_first` false,
/// duplicates stay until after the positional-or-named decision, as in the reference
/// (`blob?accept=a/b&accept=a/b` → `blob?accept=a/b`); with `dedup_first` true they are removed
/// first (`blob:a/b`), which gives the form the canonical string re-parses to.
pub(crate) fn write_blob(out: &mut String, accept: &[&str], dedup_first: bool) {
    if accept.contains(&"*/*") {
        head(out, "blob", Some("*/*"));
        return;
    }
    let lower: SmallVec<[Cow<'_, str>; 8]> = accept
        .iter()
        .map(|v| {
            if v.is_ascii() {
                if v.bytes().any(|b| b.is_ascii_uppercase()) {
                    Cow::Owned(v.to_ascii_lowercase())
                } else {
                    Cow::Borrowed(*v)
                }
            } else {
                Cow::Owned(v.to_lowercase())
            }
        })
        .collect();
    let mut kept: Values<'_> = lower
        .iter()
        .map(|v| v.as_ref())
        .filter(|v| {
            if v.ends_with("/*") {
                return true;
            }
            let base = v.split('/').next().unwrap_or("");
            !lower
                .iter()
                .any(|w| w.len() == base.len() + 2 && w.starts_with(base) && w.ends_with("/*"))
        })
        .collect();
    kept.sort_by(|a, b| js_cmp(a, b));
    if dedup_first {
        kept.dedup();
    }
    multi_head(out, "blob", "accept", &kept);
}

/// `account`: the attribute and the actions as given (the default `[read]` is not written).
pub(crate) fn write_account(out: &mut String, attr: &str, actions: &[&str]) {
    head(out, "account", Some(attr));
    if actions.iter().all(|a| *a == "read") {
        return;
    }
    let mut first = true;
    for (i, a) in actions.iter().enumerate() {
        if !actions[..i].contains(a) {
            param(out, &mut first, "action", a);
        }
    }
}

/// `identity:<attr>`.
pub(crate) fn write_identity(out: &mut String, attr: &str) {
    head(out, "identity", Some(attr));
}

/// `include:<nsid>[?aud=<aud>]`.
pub(crate) fn write_include(out: &mut String, nsid: &str, aud: Option<&str>) {
    head(out, "include", Some(nsid));
    if let Some(aud) = aud {
        let mut first = true;
        param(out, &mut first, "aud", aud);
    }
}
