//! The canonical formatter (`Parser.format` + `ScopeStringSyntax.toString` of the reference),
//! shared by [`Scope::write_canonical`](super::Scope::write_canonical) and the allocation-free
//! [`normalize_into`](super::normalize_into). It works on borrowed value slices and writes into
//! one caller-owned buffer.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::js_cmp;
use super::params::ResourceSpec;
use super::tokenize::{encode_into, Component};
use super::Resource;

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

/// Writes `prefix:value` for a value the encoder leaves unchanged: a validated NSID, `*` or an
/// enumerated name (letters, digits, `.` and `-` are never escaped).
#[inline]
fn head_plain(out: &mut String, prefix: &str, value: &str) {
    out.push_str(prefix);
    out.push(':');
    out.push_str(value);
}

/// A parameter name with its separator and `=`: `?name=` for the first parameter, `&name=`
/// after it (one copy each instead of three).
struct Name {
    first: &'static str,
    next: &'static str,
}

const COLLECTION: Name = Name {
    first: "?collection=",
    next: "&collection=",
};
const LXM: Name = Name {
    first: "?lxm=",
    next: "&lxm=",
};
const ACCEPT: Name = Name {
    first: "?accept=",
    next: "&accept=",
};
const ACTION: Name = Name {
    first: "?action=",
    next: "&action=",
};
const AUD: Name = Name {
    first: "?aud=",
    next: "&aud=",
};

#[inline]
fn separator(out: &mut String, first: &mut bool, name: &Name) {
    out.push_str(if *first { name.first } else { name.next });
    *first = false;
}

/// Writes `?name=value` for the first parameter and `&name=value` after it.
fn param(out: &mut String, first: &mut bool, name: &Name, value: &str) {
    separator(out, first, name);
    encode_into(out, value, Component::Query);
}

/// [`param`] for a value the encoder leaves unchanged (see [`head_plain`]).
#[inline]
fn param_plain(out: &mut String, first: &mut bool, name: &Name, value: &str) {
    separator(out, first, name);
    out.push_str(value);
}

/// Sorts NSIDs (and `*`) and removes duplicates. NSIDs are ASCII, so byte order is the
/// reference's UTF-16 order. Lists that are already sorted and unique (what permission-set
/// expansion and canonical input produce) are only checked, not sorted.
#[inline]
fn sort_unique_ascii(values: &mut Values<'_>) {
    if values.len() < 2 || values.windows(2).all(|w| w[0] < w[1]) {
        return;
    }
    values.sort_unstable();
    values.dedup();
}

/// Writes `prefix:<value>` when `values` has one entry, otherwise `prefix?name=v1&name=v2…`, each
/// value once. `values` is sorted, so equal values are adjacent. `plain` says that the values
/// need no encoding (see [`head_plain`]). Returns whether a `?` is still to be written.
#[inline]
fn multi_head(out: &mut String, prefix: &str, name: &Name, values: &[&str], plain: bool) -> bool {
    let mut first = true;
    if values.len() == 1 {
        if plain {
            head_plain(out, prefix, values[0]);
        } else {
            head(out, prefix, Some(values[0]));
        }
    } else {
        out.push_str(prefix);
        for (i, v) in values.iter().enumerate() {
            if i > 0 && values[i - 1] == *v {
                continue;
            }
            if plain {
                param_plain(out, &mut first, name, v);
            } else {
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
            sort_unique_ascii(collections);
        }
    }
    let mut first = multi_head(out, "repo", &COLLECTION, collections, true);
    if actions & 7 != 7 {
        for (bit, name) in REPO_ACTIONS.iter().enumerate() {
            if actions & (1 << bit) != 0 {
                param_plain(out, &mut first, &ACTION, name);
            }
        }
    }
}

/// `rpc`: methods (`*` or NSIDs) and the audience (`*` or a DID reference).
pub(crate) fn write_rpc(out: &mut String, lxms: &mut Values<'_>, aud: &str) {
    let mut first = write_rpc_methods(out, lxms);
    param(out, &mut first, &AUD, aud);
}

/// [`write_rpc`] up to the audience; returns whether a `?` is still to be written.
pub(crate) fn write_rpc_methods(out: &mut String, lxms: &mut Values<'_>) -> bool {
    if lxms.len() > 1 && lxms.contains(&"*") {
        lxms.clear();
        lxms.push("*");
    }
    sort_unique_ascii(lxms);
    multi_head(out, "rpc", &LXM, lxms, true)
}

/// Writes `?aud=` (`first`) or `&aud=`; the caller writes the encoded value.
pub(crate) fn write_aud_name(out: &mut String, first: bool) {
    out.push_str(if first { AUD.first } else { AUD.next });
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
    multi_head(out, "blob", &ACCEPT, &kept, false);
}

/// `account`: the attribute and the actions (validated names) as given (the default `[read]` is not written).
pub(crate) fn write_account(out: &mut String, attr: &str, actions: &[&str]) {
    head_plain(out, "account", attr);
    if actions.iter().all(|a| *a == "read") {
        return;
    }
    let mut first = true;
    for (i, a) in actions.iter().enumerate() {
        if !actions[..i].contains(a) {
            param_plain(out, &mut first, &ACTION, a);
        }
    }
}

/// `identity:<attr>`.
pub(crate) fn write_identity(out: &mut String, attr: &str) {
    head_plain(out, "identity", attr);
}

/// `include:<nsid>[?aud=<aud>]`.
pub(crate) fn write_include(out: &mut String, nsid: &str, aud: Option<&str>) {
    head_plain(out, "include", nsid);
    if let Some(aud) = aud {
        let mut first = true;
        param(out, &mut first, &AUD, aud);
    }
}

/// The canonical query encoding of one value in up to four consecutive pieces: what a caller
/// that recognized the value in its raw text hands over instead of decoded text to encode.
pub(crate) type Encoded<'a> = [&'a str; 4];

/// Writes a query value: its pieces when already encoded, otherwise the encoded text.
#[inline]
fn query_value(out: &mut String, value: &str, encoded: Option<&Encoded<'_>>) {
    match encoded {
        Some(pieces) => pieces
            .iter()
            .filter(|piece| !piece.is_empty())
            .for_each(|piece| out.push_str(piece)),
        None => encode_into(out, value, Component::Query),
    }
}

/// Writes the canonical form of `spec`'s resource from validated values: `values[k]` lists the
/// values of `spec.params[k]` (the positional one included), `encoded[k]` holds the canonical
/// encoding of a single-valued parameter's value when the caller has it (its text in `values`
/// is then only compared, never written). The formatter is the one
/// [`Scope::write_canonical`](super::Scope::write_canonical) uses. Returns false, with `out`
/// possibly partly written, when the values need a decision that is not made here (a rule
/// across parameters, a resource or parameter this does not know); the caller then asks
/// `Scope::parse`.
pub(crate) fn write_values(
    out: &mut String,
    spec: &ResourceSpec,
    values: &mut [Values<'_>],
    encoded: &[Option<Encoded<'_>>],
) -> bool {
    write_values_or_defer(out, spec, values, encoded).is_some()
}

/// The one value of the single-valued parameter `k`, or none; `None` for several.
fn single<'v>(values: &[Values<'v>], k: usize) -> Option<Option<&'v str>> {
    match values.get(k)?.as_slice() {
        [] => Some(None),
        [value] => Some(Some(*value)),
        _ => None,
    }
}

/// [`write_values`] with `?` for "not decided here".
fn write_values_or_defer(
    out: &mut String,
    spec: &ResourceSpec,
    values: &mut [Values<'_>],
    encoded: &[Option<Encoded<'_>>],
) -> Option<()> {
    let index = |name: &str| spec.index_of(name.as_bytes());
    match spec.resource {
        Resource::Repo => {
            let (c, a) = (index("collection")?, index("action")?);
            let mut actions = 0u8;
            for action in values.get(a)? {
                let bit = REPO_ACTIONS.iter().position(|name| name == action)?;
                actions |= 1 << bit;
            }
            if actions == 0 {
                actions = 7;
            }
            write_repo(out, values.get_mut(c)?, actions);
        }
        Resource::Rpc => {
            let (l, d) = (index("lxm")?, index("aud")?);
            let aud = single(values, d)??;
            let lxms = values.get_mut(l)?;
            if aud == "*" && lxms.contains(&"*") {
                return None;
            }
            let first = write_rpc_methods(out, lxms);
            write_aud_name(out, first);
            query_value(out, aud, encoded.get(d)?.as_ref());
        }
        Resource::Blob => write_blob(out, values.get(index("accept")?)?, false),
        Resource::Account => {
            let attr = single(values, index("attr")?)??;
            write_account(out, attr, values.get(index("action")?)?);
        }
        Resource::Identity => write_identity(out, single(values, index("attr")?)??),
        Resource::Include => {
            let (n, d) = (index("nsid")?, index("aud")?);
            write_include(out, single(values, n)??, None);
            if let Some(aud) = single(values, d)? {
                write_aud_name(out, true);
                query_value(out, aud, encoded.get(d)?.as_ref());
            }
        }
    }
    Some(())
}
