//! The canonical formatter (`Parser.format` + `ScopeStringSyntax.toString` of the reference),
//! shared by [`Scope::write_canonical`](super::Scope::write_canonical) and the allocation-free
//! [`normalize_into`](super::normalize_into). It works on borrowed value slices and writes into
//! one caller-owned buffer: each piece of text is copied once, with the separators and
//! parameter names as constant pieces (`rpc:`, `?aud=`, `&lxm=`) that the compiler writes in
//! place.

use std::borrow::Cow;

use smallvec::SmallVec;

use super::js_cmp;
use super::params::{self, ResourceSpec};
use super::tokenize::{encode_into, Component};
use super::Resource;

/// A short list of values, inline up to eight.
pub(crate) type Values<'a> = SmallVec<[&'a str; 8]>;

/// Repo actions as a bit set, in the reference order `create`, `update`, `delete`.
pub(crate) const REPO_ACTIONS: [&str; 3] = ["create", "update", "delete"];

/// Appends `pieces` after one capacity check.
#[inline(always)]
fn put<const N: usize>(out: &mut String, pieces: [&str; N]) {
    out.reserve(pieces.iter().map(|piece| piece.len()).sum());
    for piece in pieces {
        out.push_str(piece);
    }
}

/// How a resource's canonical form starts: `name` before a query, `positional` (`name:`)
/// before the positional value.
struct Head {
    name: &'static str,
    positional: &'static str,
}

impl Head {
    const fn new(name: &'static str, positional: &'static str) -> Head {
        Head { name, positional }
    }
}

const REPO: Head = Head::new("repo", "repo:");
const RPC: Head = Head::new("rpc", "rpc:");
const BLOB: Head = Head::new("blob", "blob:");
const ACCOUNT: Head = Head::new("account", "account:");
const IDENTITY: Head = Head::new("identity", "identity:");
const INCLUDE: Head = Head::new("include", "include:");
const SPACE: Head = Head::new("space", "space:");

/// A parameter name with its separator and `=`: `?name=` for the first parameter, `&name=`
/// after it.
struct Name {
    first: &'static str,
    next: &'static str,
}

impl Name {
    const fn new(first: &'static str, next: &'static str) -> Name {
        Name { first, next }
    }

    #[inline(always)]
    fn get(&self, first: bool) -> &'static str {
        if first {
            self.first
        } else {
            self.next
        }
    }
}

const COLLECTION: Name = Name::new("?collection=", "&collection=");
const LXM: Name = Name::new("?lxm=", "&lxm=");
const ACCEPT: Name = Name::new("?accept=", "&accept=");
const ACTION: Name = Name::new("?action=", "&action=");
const AUD: Name = Name::new("?aud=", "&aud=");
const AUTHORITY: Name = Name::new("?authority=", "&authority=");
const SKEY: Name = Name::new("?skey=", "&skey=");
const MANAGE: Name = Name::new("?manage=", "&manage=");

/// Space actions as a bit set, in the reference order.
pub(crate) const SPACE_ACTIONS: [&str; 5] = ["read_self", "read", "create", "update", "delete"];
/// The default space actions (`read`, `create`, `update`, `delete`) as bits over
/// [`SPACE_ACTIONS`].
const SPACE_DEFAULT_ACTIONS: u8 = 0b11110;
/// Space management operations as a bit set, in the reference order.
pub(crate) const SPACE_MANAGE: [&str; 3] = ["create", "update", "delete"];

/// Sorts NSIDs (and `*`) and removes duplicates, in place: the unique values are the first
/// ones, and their number is returned. NSIDs are ASCII, so byte order is the reference's UTF-16
/// order. Lists that are already sorted and unique (what permission-set expansion and canonical
/// input produce) are only checked, not sorted.
#[inline]
fn sort_unique_ascii(values: &mut [&str]) -> usize {
    if values.len() < 2 || values.windows(2).all(|w| w[0] < w[1]) {
        return values.len();
    }
    values.sort_unstable();
    let mut kept = 1;
    for i in 1..values.len() {
        if values[i] != values[kept - 1] {
            values[kept] = values[i];
            kept += 1;
        }
    }
    kept
}

/// An NSID list as `repo` and `rpc` take it: `*` absorbs the rest; otherwise sorted, each
/// value once. Reorders `values` in place and returns the list to write, a prefix of it.
#[inline(always)]
fn nsid_list<'s, 'v>(values: &'s mut [&'v str]) -> &'s [&'v str] {
    if values.len() < 2 {
        return values;
    }
    let kept = match values.iter().position(|v| *v == "*") {
        Some(star) => {
            values.swap(0, star);
            1
        }
        None => sort_unique_ascii(values),
    };
    &values[..kept]
}

/// Writes `head:<value>` when `values` has one entry, otherwise `head?name=v1&name=v2…`.
/// `plain` says that the values are NSIDs, `*` or enumerated names, which the encoder leaves
/// unchanged (letters, digits, `.`, `-` and `*` are never escaped), and that they are unique;
/// otherwise each is encoded and an entry equal to the one before it (the list is sorted) is
/// skipped. Returns whether a `?` is still to be written.
#[inline(always)]
fn multi_head(out: &mut String, head: &Head, name: &Name, values: &[&str], plain: bool) -> bool {
    if let [value] = values {
        if plain {
            put(out, [head.positional, value]);
        } else {
            out.push_str(head.positional);
            encode_into(out, value, Component::Positional);
        }
        return true;
    }
    out.push_str(head.name);
    let mut first = true;
    for (i, value) in values.iter().enumerate() {
        if plain {
            put(out, [name.get(first), value]);
        } else {
            if i > 0 && values[i - 1] == *value {
                continue;
            }
            out.push_str(name.get(first));
            encode_into(out, value, Component::Query);
        }
        first = false;
    }
    first
}

/// Writes the `action=` parameters of a repo action bit set (none for all three, the default).
#[inline(always)]
fn repo_actions(out: &mut String, mut first: bool, actions: u8) {
    if actions & 7 == 7 {
        return;
    }
    for (bit, action) in REPO_ACTIONS.iter().enumerate() {
        if actions & (1 << bit) != 0 {
            put(out, [ACTION.get(first), action]);
            first = false;
        }
    }
}

/// `repo`: `collections` as parsed (`*` or NSIDs), `actions` as a bit set over [`REPO_ACTIONS`].
pub(crate) fn write_repo(out: &mut String, collections: &mut [&str], actions: u8) {
    let collections = nsid_list(collections);
    let first = multi_head(out, &REPO, &COLLECTION, collections, true);
    repo_actions(out, first, actions);
}

/// `rpc`: methods (`*` or NSIDs) and the audience (`*` or a DID reference).
pub(crate) fn write_rpc(out: &mut String, lxms: &mut [&str], aud: &str) {
    write_rpc_encoded(out, lxms, aud, None);
}

/// [`write_rpc`] with the audience's canonical encoding when the caller has it.
#[inline(always)]
fn write_rpc_encoded(
    out: &mut String,
    lxms: &mut [&str],
    aud: &str,
    encoded: Option<&Encoded<'_>>,
) {
    let lxms = nsid_list(lxms);
    let first = multi_head(out, &RPC, &LXM, lxms, true);
    out.push_str(AUD.get(first));
    query_value(out, aud, encoded);
}

/// `blob`: the accept normalizer (`*/*` absorbs all; otherwise lower-case, drop exact types
/// covered by a `type/*` in the list, sort) and the formatter. With `dedup_first` false,
/// duplicates stay until after the positional-or-named decision, as in the reference
/// (`blob?accept=a/b&accept=a/b` → `blob?accept=a/b`); with `dedup_first` true they are removed
/// first (`blob:a/b`), which gives the form the canonical string re-parses to.
pub(crate) fn write_blob(out: &mut String, accept: &[&str], dedup_first: bool) {
    if accept.contains(&"*/*") {
        multi_head(out, &BLOB, &ACCEPT, &["*/*"], false);
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
    // The `type` of every `type/*`, sorted, so each exact type is looked up in log time.
    let mut wildcards: Values<'_> = lower.iter().filter_map(|w| w.strip_suffix("/*")).collect();
    wildcards.sort_unstable();
    let mut kept: Values<'_> = lower
        .iter()
        .map(|v| v.as_ref())
        .filter(|v| {
            if v.ends_with("/*") {
                return true;
            }
            let base = v.split('/').next().unwrap_or("");
            wildcards.binary_search(&base).is_err()
        })
        .collect();
    kept.sort_by(|a, b| js_cmp(a, b));
    if dedup_first {
        kept.dedup();
    }
    multi_head(out, &BLOB, &ACCEPT, &kept, false);
}

/// `account`: the attribute and the actions (validated names) as given (the default `[read]` is not written).
pub(crate) fn write_account(out: &mut String, attr: &str, actions: &[&str]) {
    put(out, [ACCOUNT.positional, attr]);
    if actions.iter().all(|a| *a == "read") {
        return;
    }
    let mut first = true;
    for (i, a) in actions.iter().enumerate() {
        if !actions[..i].contains(a) {
            put(out, [ACTION.get(first), a]);
            first = false;
        }
    }
}

/// The single values and bit sets of a `space` scope.
pub(crate) struct SpaceParts<'a> {
    /// `*` or the type NSID (written as the positional part as it is: letters, digits, `.`,
    /// `-` and `*` are never escaped).
    pub space_type: &'a str,
    /// `self` (left out), `*` or the DID.
    pub authority: &'a str,
    /// `*` (left out) or the key.
    pub skey: &'a str,
    /// Bits over [`SPACE_ACTIONS`]; none or exactly the default is left out.
    pub actions: u8,
    /// Bits over [`SPACE_MANAGE`].
    pub manage: u8,
}

/// Writes the `names` whose bit is set in `bits`, in table order.
#[inline(always)]
fn bit_values(out: &mut String, first: &mut bool, name: &Name, names: &[&str], bits: u8) {
    for (bit, value) in names.iter().enumerate() {
        if bits & (1 << bit) != 0 {
            put(out, [name.get(*first), value]);
            *first = false;
        }
    }
}

/// Writes one single value unless it equals its default.
#[inline(always)]
fn single_value(out: &mut String, first: &mut bool, name: &Name, value: &str, default: &str) {
    if value != default {
        out.push_str(name.get(*first));
        encode_into(out, value, Component::Query);
        *first = false;
    }
}

/// `space:<type>` then `authority`, `skey`, `collection` (`*` absorbs the rest, otherwise
/// sorted, each once), `action`, `manage`, leaving out the defaults (`self`, `*`, no
/// collections, the four default actions, no management). The type and the collections are
/// NSIDs or `*`, written as they are (as `repo` writes its collections); the authority and the
/// key are encoded.
pub(crate) fn write_space(out: &mut String, parts: &SpaceParts<'_>, collections: &mut [&str]) {
    put(out, [SPACE.positional, parts.space_type]);
    let mut first = true;
    single_value(out, &mut first, &AUTHORITY, parts.authority, "self");
    single_value(out, &mut first, &SKEY, parts.skey, "*");
    for collection in nsid_list(collections) {
        put(out, [COLLECTION.get(first), collection]);
        first = false;
    }
    if parts.actions != 0 && parts.actions != SPACE_DEFAULT_ACTIONS {
        bit_values(out, &mut first, &ACTION, &SPACE_ACTIONS, parts.actions);
    }
    bit_values(out, &mut first, &MANAGE, &SPACE_MANAGE, parts.manage);
}

/// `identity:<attr>`.
pub(crate) fn write_identity(out: &mut String, attr: &str) {
    put(out, [IDENTITY.positional, attr]);
}

/// `include:<nsid>[?aud=<aud>]`.
pub(crate) fn write_include(out: &mut String, nsid: &str, aud: Option<&str>) {
    write_include_encoded(out, nsid, aud, None);
}

/// [`write_include`] with the audience's canonical encoding when the caller has it.
#[inline(always)]
fn write_include_encoded(
    out: &mut String,
    nsid: &str,
    aud: Option<&str>,
    encoded: Option<&Encoded<'_>>,
) {
    put(out, [INCLUDE.positional, nsid]);
    if let Some(aud) = aud {
        out.push_str(AUD.first);
        query_value(out, aud, encoded);
    }
}

/// The canonical query encoding of one value in up to four consecutive pieces: what a caller
/// that recognized the value in its raw text hands over instead of decoded text to encode.
pub(crate) type Encoded<'a> = [&'a str; 4];

/// Writes a query value: its pieces when already encoded, otherwise the encoded text.
#[inline(always)]
fn query_value(out: &mut String, value: &str, encoded: Option<&Encoded<'_>>) {
    match encoded {
        Some([whole, "", "", ""]) => out.push_str(whole),
        Some([first, rest, "", ""]) => put(out, [first, rest]),
        Some(&pieces) => put(out, pieces),
        None => encode_into(out, value, Component::Query),
    }
}

/// Writes the canonical form of `spec`'s resource from validated values: `values[k]` lists the
/// values of `spec.params[k]` (reordered in place where the formatter sorts them) (the positional one included), `encoded[k]` holds the canonical
/// encoding of a single-valued parameter's value when the caller has it (its text in `values`
/// is then only compared, never written). The formatter is the one
/// [`Scope::write_canonical`](super::Scope::write_canonical) uses. Returns false, with `out`
/// possibly partly written, when the values need a decision that is not made here (a rule
/// across parameters, a resource or parameter this does not know); the caller then asks
/// `Scope::parse`.
pub(crate) fn write_values(
    out: &mut String,
    spec: &ResourceSpec,
    values: &mut [&mut [&str]],
    encoded: &[Option<Encoded<'_>>],
) -> bool {
    write_values_or_defer(out, spec, values, encoded).is_some()
}

/// The parameters a writer reads, by name, and where they stand in their resource's table
/// (found at compile time).
struct Params<const N: usize> {
    table: &'static ResourceSpec,
    names: [&'static str; N],
    places: Option<[usize; N]>,
}

impl<const N: usize> Params<N> {
    const fn new(table: &'static ResourceSpec, names: [&'static str; N]) -> Params<N> {
        let mut places = [0; N];
        let mut i = 0;
        while i < N {
            match const_index_of(table, names[i]) {
                Some(k) => places[i] = k,
                None => {
                    return Params {
                        table,
                        names,
                        places: None,
                    }
                }
            }
            i += 1;
        }
        Params {
            table,
            names,
            places: Some(places),
        }
    }

    /// The places of the parameters in `spec`: those found at compile time when `spec` is the
    /// table they were found in, otherwise looked up by name.
    #[inline(always)]
    fn places(&self, spec: &ResourceSpec) -> Option<[usize; N]> {
        if std::ptr::eq(spec, self.table) {
            return self.places;
        }
        let mut places = [0; N];
        for (place, name) in places.iter_mut().zip(self.names) {
            *place = spec.index_of(name.as_bytes())?;
        }
        Some(places)
    }
}

/// [`ResourceSpec::index_of`] at compile time.
const fn const_index_of(spec: &ResourceSpec, name: &str) -> Option<usize> {
    let mut k = 0;
    while k < spec.params.len() {
        let (a, b) = (spec.params[k].name.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut i = 0;
            while i < a.len() && a[i] == b[i] {
                i += 1;
            }
            if i == a.len() {
                return Some(k);
            }
        }
        k += 1;
    }
    None
}

const REPO_PARAMS: Params<2> = Params::new(&params::REPO, ["collection", "action"]);
const RPC_PARAMS: Params<2> = Params::new(&params::RPC, ["lxm", "aud"]);
const BLOB_PARAMS: Params<1> = Params::new(&params::BLOB, ["accept"]);
const ACCOUNT_PARAMS: Params<2> = Params::new(&params::ACCOUNT, ["attr", "action"]);
const IDENTITY_PARAMS: Params<1> = Params::new(&params::IDENTITY, ["attr"]);
const INCLUDE_PARAMS: Params<2> = Params::new(&params::INCLUDE, ["nsid", "aud"]);
const SPACE_PARAMS: Params<6> = Params::new(
    &params::SPACE,
    [
        "type",
        "authority",
        "skey",
        "collection",
        "action",
        "manage",
    ],
);

/// The bit set of `values` over `names`; `None` for a value not in `names`.
#[inline(always)]
fn name_bits(values: &[&str], names: &[&str]) -> Option<u8> {
    let mut bits = 0u8;
    for value in values {
        bits |= 1 << names.iter().position(|name| name == value)?;
    }
    Some(bits)
}

/// The one value of the single-valued parameter `k`, or none; `None` for several.
#[inline(always)]
fn single<'v>(values: &[&mut [&'v str]], k: usize) -> Option<Option<&'v str>> {
    match &**values.get(k)? {
        [] => Some(None),
        [value] => Some(Some(*value)),
        _ => None,
    }
}

/// [`write_values`] with `?` for "not decided here".
fn write_values_or_defer(
    out: &mut String,
    spec: &ResourceSpec,
    values: &mut [&mut [&str]],
    encoded: &[Option<Encoded<'_>>],
) -> Option<()> {
    match spec.resource {
        Resource::Repo => {
            let [c, a] = REPO_PARAMS.places(spec)?;
            let mut actions = 0u8;
            for action in values.get(a)?.iter() {
                let bit = REPO_ACTIONS.iter().position(|name| name == action)?;
                actions |= 1 << bit;
            }
            if actions == 0 {
                actions = 7;
            }
            write_repo(out, values.get_mut(c)?, actions);
        }
        Resource::Rpc => {
            let [l, d] = RPC_PARAMS.places(spec)?;
            let aud = single(values, d)??;
            let encoded = encoded.get(d)?.as_ref();
            let lxms = values.get_mut(l)?;
            if aud == "*" && lxms.contains(&"*") {
                return None;
            }
            write_rpc_encoded(out, lxms, aud, encoded);
        }
        Resource::Blob => {
            let [k] = BLOB_PARAMS.places(spec)?;
            write_blob(out, values.get(k)?, false);
        }
        Resource::Account => {
            let [t, a] = ACCOUNT_PARAMS.places(spec)?;
            write_account(out, single(values, t)??, values.get(a)?);
        }
        Resource::Identity => {
            let [t] = IDENTITY_PARAMS.places(spec)?;
            write_identity(out, single(values, t)??);
        }
        Resource::Include => {
            let [n, d] = INCLUDE_PARAMS.places(spec)?;
            let aud = single(values, d)?;
            write_include_encoded(out, single(values, n)??, aud, encoded.get(d)?.as_ref());
        }
        Resource::Space => {
            let [t, a, k, c, x, m] = SPACE_PARAMS.places(spec)?;
            let parts = SpaceParts {
                space_type: single(values, t)??,
                authority: single(values, a)?.unwrap_or("self"),
                skey: single(values, k)?.unwrap_or("*"),
                actions: name_bits(values.get(x)?, &SPACE_ACTIONS)?,
                manage: name_bits(values.get(m)?, &SPACE_MANAGE)?,
            };
            write_space(out, &parts, values.get_mut(c)?);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use std::time::{Duration, Instant};

    /// 40,000 accept values, every second one an exact type under the wildcard before it:
    /// looking for each type's wildcard among all values took half a minute.
    #[test]
    fn long_accept_lists_take_near_linear_time() {
        let values: Vec<String> = (0..40_000)
            .map(|i| match i % 2 {
                0 => format!("accept=t{i}/*"),
                _ => format!("accept=t{}/x", i - 1),
            })
            .collect();
        let input = format!("blob?{}", values.join("&"));
        let start = Instant::now();
        let canonical = Scope::parse(&input).expect("valid").to_string();
        let elapsed = start.elapsed();
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        assert!(canonical.starts_with("blob?accept=t0/*&accept=t10/*&"));
        assert!(
            !canonical.contains("/x"),
            "types under a wildcard are dropped"
        );
    }

    /// The constant heads and names spell what the tables and `Resource` say.
    #[test]
    fn heads_and_names_follow_the_tables() {
        for (head, resource) in [
            (&REPO, Resource::Repo),
            (&RPC, Resource::Rpc),
            (&BLOB, Resource::Blob),
            (&ACCOUNT, Resource::Account),
            (&IDENTITY, Resource::Identity),
            (&INCLUDE, Resource::Include),
            (&SPACE, Resource::Space),
        ] {
            assert_eq!(head.name, resource.as_str());
            assert_eq!(head.positional, format!("{}:", resource.as_str()));
        }
        for (name, table, param) in [
            (&COLLECTION, &params::REPO, "collection"),
            (&ACTION, &params::REPO, "action"),
            (&LXM, &params::RPC, "lxm"),
            (&AUD, &params::RPC, "aud"),
            (&ACCEPT, &params::BLOB, "accept"),
            (&ACTION, &params::ACCOUNT, "action"),
            (&AUD, &params::INCLUDE, "aud"),
            (&AUTHORITY, &params::SPACE, "authority"),
            (&SKEY, &params::SPACE, "skey"),
            (&COLLECTION, &params::SPACE, "collection"),
            (&ACTION, &params::SPACE, "action"),
            (&MANAGE, &params::SPACE, "manage"),
        ] {
            assert!(table.index_of(param.as_bytes()).is_some(), "{param}");
            assert_eq!(name.first, format!("?{param}="));
            assert_eq!(name.next, format!("&{param}="));
        }
        // Every writer finds its parameters in the static tables at compile time.
        assert!(REPO_PARAMS.places.is_some() && RPC_PARAMS.places.is_some());
        assert!(BLOB_PARAMS.places.is_some() && ACCOUNT_PARAMS.places.is_some());
        assert!(IDENTITY_PARAMS.places.is_some() && INCLUDE_PARAMS.places.is_some());
        assert!(SPACE_PARAMS.places.is_some());
        // The bit orders are the enumerations' orders.
        let actions: Vec<&str> = crate::scope::SpaceAction::ALL
            .iter()
            .map(|a| a.as_str())
            .collect();
        assert_eq!(actions, SPACE_ACTIONS);
        let manage: Vec<&str> = crate::scope::SpaceManageOp::ALL
            .iter()
            .map(|m| m.as_str())
            .collect();
        assert_eq!(manage, SPACE_MANAGE);
        let default = name_bits(&["read", "create", "update", "delete"], &SPACE_ACTIONS);
        assert_eq!(default, Some(SPACE_DEFAULT_ACTIONS));
    }
}
