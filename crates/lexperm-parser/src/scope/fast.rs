//! [`normalize_into`]: validation and canonical formatting of one scope string straight from the
//! borrowed input, without building a [`Scope`] or an error message.
//!
//! It reads the grammar from the same places [`Scope::parse`] does: the resource names of
//! [`Resource`], the tokenizer parts and decoders of `tokenize`, the parameter tables of
//! `params` (names, positional parameter, required and multi-valued parameters, validators) and
//! the canonical formatter of `canonical`. What those do not decide (a resource without a table
//! or a formatter, more parameters than it has room for, a rule across parameters) it hands to
//! [`Scope::parse`] and [`Scope::write_canonical`], so it decides exactly like them; the tests
//! below and `tests/scope_fast.rs` check that in both directions.

use std::fmt;
use std::sync::OnceLock;

use smallvec::SmallVec;

use super::canonical::{self, Encoded, Values};
use super::params::{self, ResourceSpec};
use super::tokenize::{form_decode_to, uri_decode_to, Parts, Segments, KEEP_QUERY};
use super::{Reference, Resource, Scope, ScopeError, ScopeErrorKind, StaticScope};
use crate::bytemap;
use crate::bytemap::find_special;
use crate::syntax::{did_ref_parts_plain_valid, host_plain_valid_classes};

/// A scope string that [`normalize_into`] rejected. Creating one costs nothing: the full
/// [`ScopeError`] (message, hint, location) is built only by [`ScopeRejection::error`] or
/// `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRejection<'a> {
    input: &'a str,
    reference: Reference,
}

impl<'a> ScopeRejection<'a> {
    /// The rejected scope string.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The error [`Scope::parse`] reports for the input.
    pub fn error(&self) -> ScopeError {
        match Scope::parse_with(self.input, self.reference) {
            Err(e) => e,
            // The two paths are tested to agree; if they ever do not, say so instead of
            // panicking.
            Ok(_) => ScopeError::new(
                ScopeErrorKind::InvalidValue,
                0..self.input.len(),
                "rejected by the fast normalizer but accepted by `Scope::parse` (a lexperm bug)",
            ),
        }
    }
}

impl fmt::Display for ScopeRejection<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.error(), f)
    }
}

impl std::error::Error for ScopeRejection<'_> {}

/// Appends the canonical form of the scope value `input` to `out` (what
/// `Scope::parse(input)?.to_string()` gives), or rejects it and leaves `out` as it was.
///
/// This is the fast path for normalizing many strings: reuse one buffer, and nothing is
/// allocated for inputs without `%`, `+` or upper-case accept types and with up to eight values
/// per parameter.
///
/// ```
/// use lexperm_parser::scope::normalize_into;
///
/// let mut out = String::new();
/// normalize_into("rpc?lxm=com.example.b&lxm=com.example.a&aud=*", &mut out).unwrap();
/// assert_eq!(out, "rpc?lxm=com.example.a&lxm=com.example.b&aud=*");
/// let err = normalize_into("repo:com.example.*", &mut out).unwrap_err();
/// assert_eq!(err.error().kind.name(), "partial-wildcard");
/// ```
pub fn normalize_into<'a>(input: &'a str, out: &mut String) -> Result<(), ScopeRejection<'a>> {
    normalize_with(input, out, &TABLES, Reference::default())
}

/// [`normalize_into`] following `reference`.
pub fn normalize_into_with<'a>(
    input: &'a str,
    out: &mut String,
    reference: Reference,
) -> Result<(), ScopeRejection<'a>> {
    normalize_with(input, out, &TABLES, reference)
}

/// [`normalize_into`] on the given tables.
#[inline(always)]
fn normalize_with<'a>(
    input: &'a str,
    out: &mut String,
    tables: &Tables,
    reference: Reference,
) -> Result<(), ScopeRejection<'a>> {
    let mark = out.len();
    let rejection = ScopeRejection { input, reference };
    match decide(input, out, tables, reference) {
        Decision::Written => Ok(()),
        Decision::Rejected => {
            out.truncate(mark);
            Err(rejection)
        }
        Decision::Deferred => {
            out.truncate(mark);
            match Scope::parse_with(input, reference) {
                Ok(scope) => {
                    scope.write_canonical(out);
                    Ok(())
                }
                Err(_) => Err(rejection),
            }
        }
    }
}

/// The signature of [`canonical::write_values`].
type WriteValues =
    fn(&mut String, &ResourceSpec, &mut [&mut [&str]], &[Option<Encoded<'_>>]) -> bool;

/// Where the fast path finds a resource's parameter table and its canonical formatter.
struct Tables {
    /// The parameter table; `None` hands the resource to `Scope::parse`.
    spec: fn(Resource) -> Option<&'static ResourceSpec>,
    /// The canonical formatter of validated values ([`canonical::write_values`]); false hands
    /// the input to `Scope::parse`.
    write: WriteValues,
    /// What [`Plans::new`] derives from `spec`, made on first use.
    plans: OnceLock<Plans>,
}

impl Tables {
    const fn new(
        spec: fn(Resource) -> Option<&'static ResourceSpec>,
        write: WriteValues,
    ) -> Tables {
        Tables {
            spec,
            write,
            plans: OnceLock::new(),
        }
    }

    #[inline(always)]
    fn plans(&self) -> &Plans {
        self.plans.get_or_init(|| Plans::new(self.spec))
    }
}

/// The tables `Scope::parse` and `Scope::write_canonical` use.
static TABLES: Tables = Tables::new(params::spec_for, canonical::write_values);

/// The most parameters a table may have for the fast path to handle its resource.
const MAX_PARAMS: usize = 6;

/// Resource names up to this length are found by their length (see [`Plans::by_len`]).
const SHORT_NAME: usize = 16;

/// What the fast path reads from [`Resource::ALL`], [`StaticScope::ALL`] and the parameter
/// tables, derived once.
struct Plans {
    /// One plan per resource, in [`Resource::ALL`] order.
    all: Vec<Plan>,
    /// For each name length below [`SHORT_NAME`], the places in `all` of the (at most two)
    /// resources whose name has that length; `None` where more have it (then `all` is walked).
    by_len: [Option<[Option<u8>; 2]>; SHORT_NAME],
    /// Whether a static scope string starts with a resource name followed by `:` or `?` (or is
    /// one): then static scopes are looked for first, as `Scope::parse` does; otherwise only
    /// inputs whose prefix names no resource can be one.
    statics_first: bool,
}

/// One resource as the fast path handles it.
struct Plan {
    resource: Resource,
    name: &'static [u8],
    spec: Option<&'static ResourceSpec>,
    /// The single-scan shape of [`decide_simple`], when the table allows it.
    simple: Option<Simple>,
}

impl Plans {
    fn new(spec: fn(Resource) -> Option<&'static ResourceSpec>) -> Plans {
        let all: Vec<Plan> = Resource::ALL
            .into_iter()
            .map(|resource| {
                let spec = spec(resource);
                Plan {
                    resource,
                    name: resource.as_str().as_bytes(),
                    spec,
                    simple: spec.and_then(Simple::of),
                }
            })
            .collect();
        let mut by_len = [Some([None; 2]); SHORT_NAME];
        for (place, plan) in all.iter().enumerate() {
            let Some(Some(slots)) = by_len.get_mut(plan.name.len()) else {
                continue;
            };
            match (
                slots.iter_mut().find(|slot| slot.is_none()),
                u8::try_from(place),
            ) {
                (Some(slot), Ok(place)) => *slot = Some(place),
                _ => by_len[plan.name.len()] = None,
            }
        }
        let statics_first = StaticScope::ALL.into_iter().any(|s| {
            let text = s.as_str();
            let prefix = &text.as_bytes()[..Parts::of(text).prefix_end];
            all.iter().any(|plan| plan.name == prefix)
        });
        Plans {
            all,
            by_len,
            statics_first,
        }
    }

    /// The plan of the resource named `name` ([`Resource::from_name`]).
    #[inline(always)]
    fn named(&self, name: &[u8]) -> Option<&Plan> {
        let same = |plan: &&Plan| params::same_bytes(plan.name, name);
        match self.by_len.get(name.len()) {
            Some(Some(slots)) => slots
                .iter()
                .map_while(|slot| slot.map(|place| &self.all[usize::from(place)]))
                .find(|plan| plan.name.first() == name.first() && same(plan)),
            _ => self.all.iter().find(same),
        }
    }
}

/// What [`decide`] made of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    /// Valid; its canonical form was appended.
    Written,
    /// Invalid (`Scope::parse` rejects it too).
    Rejected,
    /// Not decided here: `Scope::parse` decides.
    Deferred,
}

/// A name or value of the scope string: a byte range of the input, or of the scratch buffer
/// when it had to be decoded.
#[derive(Clone, Copy)]
struct Text {
    start: usize,
    end: usize,
    decoded: bool,
}

impl Text {
    fn raw(start: usize, end: usize) -> Text {
        Text {
            start,
            end,
            decoded: false,
        }
    }
}

/// Decoded names and values, one after the other: on the stack (set up only when something is
/// decoded), moved to the heap only when more than 256 bytes are decoded.
struct Scratch {
    stack: Option<[u8; 256]>,
    heap: Vec<u8>,
    len: usize,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            stack: None,
            heap: Vec::new(),
            len: 0,
        }
    }

    /// Room for `more` bytes after the current ones (filled in, then committed by setting
    /// `len`).
    fn room(&mut self, more: usize) -> &mut [u8] {
        let need = self.len + more;
        if self.heap.is_empty() && need <= 256 {
            return &mut self.stack.get_or_insert([0; 256])[self.len..need];
        }
        if self.heap.is_empty() {
            if let Some(stack) = &self.stack {
                self.heap.extend_from_slice(&stack[..self.len]);
            }
        }
        self.heap.resize(need, 0);
        &mut self.heap[self.len..need]
    }

    fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            self.stack.as_ref().map_or(&[], |stack| &stack[..self.len])
        } else {
            &self.heap[..self.len]
        }
    }

    /// `application/x-www-form-urlencoded` decoding of `raw` onto the end (the tokenizer's
    /// decoder; invalid UTF-8 becomes U+FFFD as there).
    fn form_decode(&mut self, raw: &[u8]) -> Text {
        let start = self.len;
        self.len += form_decode_to(raw, self.room(raw.len()));
        let written = &self.bytes()[start..];
        if !written.is_ascii() && std::str::from_utf8(written).is_err() {
            let fixed = String::from_utf8_lossy(written).into_owned();
            self.len = start;
            self.room(fixed.len()).copy_from_slice(fixed.as_bytes());
            self.len = start + fixed.len();
        }
        Text {
            start,
            end: self.len,
            decoded: true,
        }
    }

    /// `decodeURIComponent` of `raw` onto the end (the tokenizer's decoder), or `None` where it
    /// throws (a malformed escape, or escapes that do not decode to UTF-8).
    fn uri_decode(&mut self, raw: &[u8]) -> Option<Text> {
        let start = self.len;
        let n = uri_decode_to(raw, self.room(raw.len())).ok()?;
        self.len += n;
        let written = &self.bytes()[start..];
        if !written.is_ascii() {
            std::str::from_utf8(written).ok()?;
        }
        Some(Text {
            start,
            end: self.len,
            decoded: true,
        })
    }
}

/// The reference `Parser.parse` as a decision, from the tables: every check must pass, so their
/// order does not matter and each value is looked at once.
#[inline(always)]
fn decide(input: &str, out: &mut String, tables: &Tables, reference: Reference) -> Decision {
    let plans = tables.plans();
    if plans.statics_first {
        if let Some(s) = StaticScope::from_name(input) {
            out.push_str(s.as_str());
            return Decision::Written;
        }
    }
    let bytes = input.as_bytes();
    // The prefix is a resource name of a few bytes: a loop finds its end sooner than a
    // `memchr2` call sets up.
    let prefix_end = bytes
        .iter()
        .position(|&b| b == b':' || b == b'?')
        .unwrap_or(bytes.len());
    let Some(plan) = plans
        .named(&bytes[..prefix_end])
        .filter(|plan| reference.knows(plan.resource))
    else {
        return match StaticScope::from_name(input) {
            Some(s) if !plans.statics_first => {
                out.push_str(s.as_str());
                Decision::Written
            }
            _ => Decision::Rejected,
        };
    };
    let Some(spec) = plan.spec else {
        return Decision::Deferred;
    };
    if let Some(simple) = &plan.simple {
        // Most tables have one or two parameters: their scan keeps two lists, not six.
        let decision = if simple.len <= 2 {
            decide_simple::<2>(input, out, tables, spec, simple, prefix_end)
        } else {
            decide_simple::<MAX_PARAMS>(input, out, tables, spec, simple, prefix_end)
        };
        if let Some(decision) = decision {
            return decision;
        }
    }
    decide_general(input, out, tables, spec)
}

/// [`decide`] for any input of a resource with the table `spec`.
#[inline(never)]
fn decide_general(input: &str, out: &mut String, tables: &Tables, spec: &ResourceSpec) -> Decision {
    let parts = Parts::of(input);
    let table = spec.params;
    if table.len() > MAX_PARAMS {
        return Decision::Deferred;
    }
    let bytes = input.as_bytes();
    let mut scratch = Scratch::new();
    let positional = match parts.positional {
        Some((range, true)) => match scratch.uri_decode(&bytes[range]) {
            Some(text) => Some(text),
            None => return Decision::Rejected,
        },
        Some((range, false)) => Some(Text::raw(range.start, range.end)),
        None => None,
    };
    // The parameter the positional value fills; a table without one is left to the general way.
    let positional_index = match positional {
        Some(_) => match spec.index_of(spec.positional.as_bytes()) {
            Some(k) => Some(k),
            None => return Decision::Deferred,
        },
        None => None,
    };
    let mut counts = [0u8; MAX_PARAMS];
    let mut values: [Values<'_>; MAX_PARAMS] = Default::default();
    let mut encoded: [Option<Encoded<'_>>; MAX_PARAMS] = [None; MAX_PARAMS];
    // Values are checked and kept as they come while nothing was decoded; from the first
    // decoded text on (which lives in `scratch`, still growing) they wait in `pending`, so each
    // parameter's values stay in input order.
    let mut pending: SmallVec<[(usize, Text); 4]> = SmallVec::new();
    match (positional_index, positional) {
        (Some(k), Some(t)) if !t.decoded => {
            let value = &input[t.start..t.end];
            if !(table[k].validate)(value) {
                return Decision::Rejected;
            }
            values[k].push(value);
            counts[k] = 1;
        }
        (Some(k), Some(t)) => {
            pending.push((k, t));
            counts[k] = 1;
        }
        _ => {}
    }
    for segment in Segments::new(input, parts.query.unwrap_or(bytes.len() + 1)) {
        let raw_name = &bytes[segment.name.clone()];
        let k = if segment.name_escaped {
            let name = scratch.form_decode(raw_name);
            let k = spec.index_of(&scratch.bytes()[name.start..name.end]);
            // Only the parameter index is kept.
            scratch.len = name.start;
            k
        } else {
            spec.index_of(raw_name)
        };
        // An unknown name, a second value of a single-valued parameter, or the positional
        // parameter also given by name.
        let Some(k) = k else {
            return Decision::Rejected;
        };
        let param = &table[k];
        if counts[k] > 0 && (!param.multiple || positional_index == Some(k)) {
            return Decision::Rejected;
        }
        counts[k] = counts[k].saturating_add(1);
        let range = segment.value;
        if !param.multiple && params::accepts_every_did_ref(param) {
            if let Some(aud) = RawAud::recognize(&bytes[range.clone()], range.start) {
                // Checked as a DID reference, which the parameter accepts.
                encoded[k] = Some(aud.encoded(input));
                values[k].push(&input[range.start..range.end]);
                continue;
            }
        }
        let text = if segment.value_escaped {
            scratch.form_decode(&bytes[range.start..range.end])
        } else {
            Text::raw(range.start, range.end)
        };
        if !text.decoded && pending.is_empty() {
            let value = &input[range.start..range.end];
            if !(param.validate)(value) {
                return Decision::Rejected;
            }
            values[k].push(value);
        } else {
            pending.push((k, text));
        }
    }
    // A parameter the table requires, given neither by name nor positionally.
    if table
        .iter()
        .zip(counts)
        .any(|(param, count)| param.required && count == 0)
    {
        return Decision::Rejected;
    }
    if !pending.is_empty() {
        // Each decoded piece is UTF-8 on its own, so the whole buffer is.
        let Ok(decoded) = std::str::from_utf8(scratch.bytes()) else {
            return Decision::Deferred;
        };
        for &(k, t) in &pending {
            let value = if t.decoded {
                &decoded[t.start..t.end]
            } else {
                &input[t.start..t.end]
            };
            if !(table[k].validate)(value) {
                return Decision::Rejected;
            }
            values[k].push(value);
        }
    }
    let n = table.len();
    let mut values = values.each_mut().map(|v| v.as_mut_slice());
    if (tables.write)(out, spec, &mut values[..n], &encoded[..n]) {
        Decision::Written
    } else {
        Decision::Deferred
    }
}

/// The values of one parameter in [`decide_simple`]: inline up to two (most parameters have
/// one or two values).
type FewValues<'a> = SmallVec<[&'a str; 4]>;

/// What [`decide_simple`] reads from a table of up to [`MAX_PARAMS`] parameters, derived once
/// ([`Simple::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Simple {
    /// The parameters in table order (`len` of them).
    params: [SimpleParam; MAX_PARAMS],
    len: usize,
    /// The place of the positional parameter.
    positional: usize,
}

/// One parameter of a [`Simple`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SimpleParam {
    name: &'static [u8],
    multiple: bool,
    required: bool,
    /// Single-valued, and its validator accepts every DID service reference
    /// ([`params::accepts_every_did_ref`]): values are recognized raw ([`RawAud`]).
    raw_aud: bool,
}

impl Simple {
    /// The shape of `spec` for [`decide_simple`]: `None` unless it has 1 to [`MAX_PARAMS`] parameters,
    /// one of them named as its positional parameter, and names that the query decoder leaves
    /// as they are and that hold no separator (so a name compared raw is the decoded name).
    fn of(spec: &'static ResourceSpec) -> Option<Simple> {
        let plain = |name: &str| {
            !name.is_empty() && !name.bytes().any(|b| matches!(b, b'%' | b'+' | b'&' | b'='))
        };
        if !(1..=MAX_PARAMS).contains(&spec.params.len())
            || !spec.params.iter().all(|p| plain(p.name))
        {
            return None;
        }
        let positional = spec.index_of(spec.positional.as_bytes())?;
        let row = |param: &ResourceSpec, k: usize| {
            let param = &param.params[k];
            SimpleParam {
                name: param.name.as_bytes(),
                multiple: param.multiple,
                required: param.required,
                raw_aud: !param.multiple && params::accepts_every_did_ref(param),
            }
        };
        let first = row(spec, 0);
        let mut params = [first; MAX_PARAMS];
        for (k, slot) in params.iter_mut().enumerate().take(spec.params.len()) {
            *slot = row(spec, k);
        }
        Some(Simple {
            params,
            len: spec.params.len(),
            positional,
        })
    }
}

/// The end of the text at `from`: the first `stop` byte or the end of `bytes`, and whether the
/// text holds a `%`, or with `query` a `+` (text the decoder would change).
#[inline(always)]
fn text_end(bytes: &[u8], from: usize, stop: u8, query: bool) -> (usize, bool) {
    let mut escaped = false;
    let mut j = find_special(bytes, from);
    while let Some(&b) = bytes.get(j) {
        if b == stop {
            break;
        }
        escaped |= b == b'%' || (query && b == b'+');
        j = find_special(bytes, j + 1);
    }
    (j, escaped)
}

/// Whether `rest` starts with `name=`.
#[inline(always)]
fn starts_named(rest: &[u8], name: &[u8]) -> bool {
    rest.len() > name.len()
        && rest[name.len()] == b'='
        && params::same_bytes(&rest[..name.len()], name)
}

/// [`decide`] in one scan for the shape most scope strings have, on a table of the [`Simple`]
/// kind: names that need no decoding, each parameter given at most once unless it takes
/// several, the positional one positionally or by name. Values without escapes are checked
/// where they stand; escaped ones are decoded into a scratch buffer and checked once the scan
/// is over (a [`RawAud`] value of a parameter that takes one is recognized raw). The values are
/// checked with the table's validators and written by the tables' formatter. `None` for
/// anything else (escaped, repeated, unknown or empty names, the positional parameter given
/// both ways or not at all), which [`decide_general`] then decides. `N` is at least the
/// table's length (and at most [`MAX_PARAMS`]).
#[inline(always)]
fn decide_simple<const N: usize>(
    input: &str,
    out: &mut String,
    tables: &Tables,
    spec: &ResourceSpec,
    simple: &Simple,
    prefix_end: usize,
) -> Option<Decision> {
    let bytes = input.as_bytes();
    let len = bytes.len();
    let table = spec.params;
    let p = simple.positional;
    let mut scratch = Scratch::new();
    let mut lists: [FewValues<'_>; N] = std::array::from_fn(|_| FewValues::new());
    let mut counts = [0u8; N];
    // Decoded values wait here until the scan is over (`scratch` is still growing); from the
    // first one on, plain values wait too, so each parameter's values stay in input order.
    let mut pending: SmallVec<[(usize, Text); 4]> = SmallVec::new();
    let mut aud = None;
    // Text without escapes is its own decoding: a value the validator refuses is refused by
    // `Scope::parse` too.
    let mut i = prefix_end;
    let positional_given = bytes.get(i) == Some(&b':');
    if positional_given {
        let (end, escaped) = text_end(bytes, i + 1, b'?', false);
        if escaped {
            let Some(text) = scratch.uri_decode(&bytes[i + 1..end]) else {
                return Some(Decision::Rejected);
            };
            pending.push((p, text));
        } else {
            let value = &input[i + 1..end];
            if !(table[p].validate)(value) {
                return Some(Decision::Rejected);
            }
            lists[p].push(value);
        }
        counts[p] = 1;
        i = end;
    }
    if i < len {
        // `bytes[i]` is the first `?`: a query that is empty or starts with another `?` goes
        // the general way.
        let mut start = i + 1;
        if bytes.get(start).is_none_or(|&b| b == b'?') {
            return None;
        }
        loop {
            let rest = &bytes[start..];
            let k = (0..simple.len).find(|&k| starts_named(rest, simple.params[k].name))?;
            let param = &simple.params[k];
            if counts[k] > 0 && (!param.multiple || (k == p && positional_given)) {
                return None;
            }
            counts[k] = counts[k].saturating_add(1);
            let value = start + param.name.len() + 1;
            let end = if param.raw_aud {
                let (found, end) = RawAud::recognize_value(bytes, value)?;
                aud = Some((k, found));
                lists[k].push(&input[value..end]);
                end
            } else {
                let (end, escaped) = text_end(bytes, value, b'&', true);
                if escaped {
                    let text = scratch.form_decode(&bytes[value..end]);
                    pending.push((k, text));
                } else if pending.is_empty() {
                    let text = &input[value..end];
                    if !(table[k].validate)(text) {
                        return Some(Decision::Rejected);
                    }
                    lists[k].push(text);
                } else {
                    pending.push((k, Text::raw(value, end)));
                }
                end
            };
            if end == len {
                break;
            }
            start = end + 1;
            if start == len {
                return None;
            }
        }
    }
    if counts[p] == 0 {
        return None;
    }
    // A required parameter that is absent.
    if (0..simple.len).any(|k| simple.params[k].required && counts[k] == 0) {
        return Some(Decision::Rejected);
    }
    if !pending.is_empty() {
        // Each decoded piece is UTF-8 on its own, so the whole buffer is.
        let Ok(decoded) = std::str::from_utf8(scratch.bytes()) else {
            return Some(Decision::Deferred);
        };
        for &(k, t) in &pending {
            let value = if t.decoded {
                &decoded[t.start..t.end]
            } else {
                &input[t.start..t.end]
            };
            if !(table[k].validate)(value) {
                return Some(Decision::Rejected);
            }
            lists[k].push(value);
        }
    }
    let mut encoded: [Option<Encoded<'_>>; N] = [None; N];
    if let Some((k, aud)) = aud {
        encoded[k] = Some(aud.encoded(input));
    }
    let mut values = lists.each_mut().map(|v| v.as_mut_slice());
    let n = simple.len;
    Some(
        if (tables.write)(out, spec, &mut values[..n], &encoded[..n]) {
            Decision::Written
        } else {
            Decision::Deferred
        },
    )
}

/// An `aud` value that its raw (still form-encoded) text already shows to be a valid DID service
/// reference `did:<method>:<id>#<fragment>` whose canonical encoding,
/// `did:<method>:<id>%23<fragment>`, copies `id` and `fragment` from the input: no decoding,
/// no DID check on a decoded copy, no re-encoding.
#[derive(Clone, Copy)]
struct RawAud {
    plc: bool,
    /// The raw value is its own canonical encoding.
    canonical: bool,
    value: (usize, usize),
    id: (usize, usize),
    fragment: (usize, usize),
}

impl RawAud {
    /// Recognizes `did(:|%3A)(plc|web)(:|%3A)<id>(#|%23)<fragment>` at `base..base + raw.len()`
    /// of the input, where `id` and `fragment` hold no escapes, the fragment only bytes the
    /// query encoder keeps, and the DID fast path accepts the pieces. `None` leaves the value
    /// to the general path (decode, check, encode), which also gives every rejection.
    fn recognize(raw: &[u8], base: usize) -> Option<RawAud> {
        let (plc, mut canonical, id_start) = RawAud::method(raw)?;
        match RawAud::recognize_plain(raw, base, plc, canonical, id_start) {
            Some((aud, end)) if end == raw.len() => return Some(aud),
            _ => {}
        }
        let id_end =
            memchr::memchr2(b'%', b'#', &raw[id_start..]).map_or(raw.len(), |i| id_start + i);
        if id_end == raw.len() {
            return None;
        }
        let fragment_start = if raw[id_end] == b'#' {
            canonical = false;
            id_end + 1
        } else if raw.get(id_end + 1..id_end + 3)? == b"23" {
            id_end + 3
        } else {
            return None;
        };
        let fragment = &raw[fragment_start..];
        if !fragment.iter().all(|&b| KEEP_QUERY[b as usize])
            || !did_ref_parts_plain_valid(plc, &raw[id_start..id_end], fragment)
        {
            return None;
        }
        Some(RawAud {
            plc,
            canonical,
            value: (base, base + raw.len()),
            id: (base + id_start, base + id_end),
            fragment: (base + fragment_start, base + raw.len()),
        })
    }

    /// `did(:|%3A)(plc|web)(:|%3A)` at the start of `raw`: whether the method is `plc`, whether
    /// both colons are written `:`, and where the id starts.
    #[inline(always)]
    fn method(raw: &[u8]) -> Option<(bool, bool, usize)> {
        let mut canonical = true;
        let colon = |i: usize, canonical: &mut bool| match raw.get(i)? {
            b':' => Some(i + 1),
            b'%' if matches!(raw.get(i + 1..i + 3)?, b"3A" | b"3a") => {
                *canonical = false;
                Some(i + 3)
            }
            _ => None,
        };
        if !raw.starts_with(b"did") {
            return None;
        }
        let i = colon(3, &mut canonical)?;
        let plc = match raw.get(i..i + 3)? {
            b"plc" => true,
            b"web" => false,
            _ => return None,
        };
        let id_start = colon(i + 3, &mut canonical)?;
        Some((plc, canonical, id_start))
    }

    /// [`RawAud::recognize`] of the query value at `start` of `bytes`, which runs to the next
    /// `&` or the end, and the value's end.
    #[inline(always)]
    fn recognize_value(bytes: &[u8], start: usize) -> Option<(RawAud, usize)> {
        let rest = &bytes[start..];
        // The method's bytes hold no `&`, so they lie inside the value.
        let (plc, canonical, id_start) = RawAud::method(rest)?;
        if let Some((aud, end)) = RawAud::recognize_plain(rest, start, plc, canonical, id_start) {
            return Some((aud, start + end));
        }
        let end = memchr::memchr(b'&', rest).map_or(bytes.len(), |k| start + k);
        Some((RawAud::recognize(&bytes[start..end], start)?, end))
    }

    /// [`RawAud::recognize`] after `did:<method>:` of the value at the start of `raw`, which
    /// ends at the first `&` or the end of `raw`, for values within the first 64 bytes whose id
    /// and fragment hold only letters, digits, `.`, `-` and `_`, on their byte class maps; the
    /// value and its end (relative to `raw`). `None` leaves the value to the byte loops of
    /// `recognize` (which decide the same where this decides).
    fn recognize_plain(
        raw: &[u8],
        base: usize,
        plc: bool,
        mut canonical: bool,
        id_start: usize,
    ) -> Option<(RawAud, usize)> {
        let window = &raw[..raw.len().min(64)];
        let classes = bytemap::classes(window);
        let plain = classes.alnum | classes.dot | classes.dash | classes.underscore;
        let from = |at: usize| {
            if at < 64 {
                classes.all & (u64::MAX << at)
            } else {
                0
            }
        };
        // The id runs to the first other byte, which must start `#` or `%23`.
        let stop = from(id_start) & !plain;
        if stop == 0 {
            return None;
        }
        let id_end = stop.trailing_zeros() as usize;
        let fragment_start = match raw[id_end] {
            b'#' => {
                canonical = false;
                id_end + 1
            }
            b'%' if raw.get(id_end + 1..id_end + 3) == Some(b"23") => id_end + 3,
            _ => return None,
        };
        // The fragment runs to the first other byte, which must end the value.
        let len = match from(fragment_start) & !plain {
            0 if window.len() == raw.len() => raw.len(),
            0 => return None,
            stop => {
                let end = stop.trailing_zeros() as usize;
                if raw[end] != b'&' {
                    return None;
                }
                end
            }
        };
        if fragment_start >= len {
            return None;
        }
        let id = &raw[id_start..id_end];
        let valid = if plc {
            id.len() == 24
                && id
                    .iter()
                    .all(|&b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        } else {
            host_plain_valid_classes(id, classes.range(id_start, id_end))
        };
        let aud = RawAud {
            plc,
            canonical,
            value: (base, base + len),
            id: (base + id_start, base + id_end),
            fragment: (base + fragment_start, base + len),
        };
        valid.then_some((aud, len))
    }

    /// The canonical (query-encoded) value, in pieces.
    fn encoded<'a>(&self, input: &'a str) -> Encoded<'a> {
        if self.canonical {
            return [&input[self.value.0..self.value.1], "", "", ""];
        }
        let method = if self.plc { "did:plc:" } else { "did:web:" };
        // With `%23` between them, the id and the fragment are written as they stand.
        if self.fragment.0 == self.id.1 + 3 {
            return [method, &input[self.id.0..self.fragment.1], "", ""];
        }
        [
            method,
            &input[self.id.0..self.id.1],
            "%23",
            &input[self.fragment.0..self.fragment.1],
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(input: &str) -> (Option<String>, Option<String>) {
        let slow = Scope::parse(input).ok().map(|s| s.to_string());
        let mut out = String::from("prefix ");
        let fast = normalize_into(input, &mut out)
            .ok()
            .map(|()| out["prefix ".len()..].to_owned());
        if fast.is_none() {
            assert_eq!(out, "prefix ", "{input}: buffer restored");
        }
        (slow, fast)
    }

    /// The scope fixtures whose columns are scope strings.
    const FIXTURES: [&str; 4] = [
        "parse.txt",
        "normalize.txt",
        "differential.txt",
        "space.txt",
    ];

    #[test]
    fn agrees_with_parse_on_the_fixture_inputs() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/scope");
        let mut n = 0;
        for file in FIXTURES {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("fixture");
            for line in text.lines() {
                if line.starts_with('#') {
                    continue;
                }
                // Every tab-separated field is a scope string worth trying.
                for field in line.split('\t') {
                    let (slow, fast) = both(field);
                    assert_eq!(slow, fast, "{field:?}");
                    n += 1;
                }
            }
        }
        assert!(n > 1000, "{n}");
    }

    const EDGE_CASES: &[&str] = &[
        "",
        "repo",
        "repo:",
        "repo?",
        "repo:?",
        "repo:*??action=create&action=update&action=delete",
        "account??attr=email",
        "account:email??",
        "blob?accept=image/png&accept=image/png",
        "blob?accept=IMAGE/PNG&accept=image/*",
        "blob?accept=*/*&accept=x",
        "rpc:*?aud=*",
        "rpc?lxm=*&lxm=a.b.c&aud=did:web:x.com%23s",
        "rpc:a.b.c?aud=did:web:x.com%23s&aud=*",
        "include:a.b.c?aud=*",
        "include:a.b.c?aud=did:plc:abcdefghijklmnopqrstuvwx%23s",
        "identity:*",
        "identity?attr=handle&attr=handle",
        "account:email?action=manage&action=read&action=manage",
        "account:email?action=read&action=read",
        "repo:%zz",
        "repo:%E2%82",
        "repo:a.b.c?collection=a.b.c",
        "repo?collection=a.b.c&collection=a.b.c&action=create&action=create",
        "blob:t%25/x",
        "blob?accept=a/b%2Bc",
        "atproto",
        "atproto:x",
        "transition:foo",
        "REPO:a.b.c",
        "rpc:a.b.c?aud=did%3Aweb%3Ax.com%23s",
        "rpc:a.b.c?aud=did%3aweb%3Ax.com%23s_1",
        "rpc:a.b.c?aud=did:web:x.com#s",
        "rpc:a.b.c?aud=did:web:x.com%23s%23t",
        "rpc:a.b.c?aud=did:web:x.com%23",
        "rpc:a.b.c?aud=did:web:x.com%23s+t",
        "rpc:a.b.c?aud=did:web:x.com%23s!t",
        "rpc:a.b.c?aud=did:web:x.com%23s~",
        "rpc:a.b.c?aud=did:web:x.com%2523s",
        "rpc:a.b.c?aud=did:web:x.com%2fy%23s",
        "rpc:a.b.c?aud=did:web:1.2.3.4%23s",
        "rpc:a.b.c?aud=did:web:x.xn--y.com%23s",
        "rpc:a.b.c?aud=did:web:x.com.%23s",
        "rpc:a.b.c?aud=did:web:x.com..%23s",
        "rpc:a.b.c?aud=did:web:x.com%3A8080%23s",
        "rpc:a.b.c?aud=did:web:%23s",
        "rpc:a.b.c?aud=did:plc:abcdefghijklmnopqrstuvwx%23s",
        "rpc:a.b.c?aud=did:plc:abcdefghijklmnopqrstuvw1%23s",
        "rpc:a.b.c?aud=did:plc:abcdefghijklmnopqrstuvwxy%23s",
        "rpc:a.b.c?aud=did%3Aplc%3Aabcdefghijklmnopqrstuvwx%23s",
        "rpc:a.b.c?aud=did:key:zabc%23s",
        "rpc:a.b.c?aud=DID:web:x.com%23s",
        "rpc:a.b.c?aud=did:web:x.com%23s&aud=did:web:y.com%23s",
        "rpc?aud=did:web:x.com%23s&lxm=a.b.c&lxm=*",
        "include:a.b.c?aud=did%3Aweb%3Ax.com%23s",
        "include:a.b.c?aud=did:web:x.com#s&aud=*",
        "repo:a.b.c?aud=did:web:x.com%23s",
        "blob:*/*?aud=did:web:x.com%23s",
        // The shapes of `write_simple`, and near misses that must go the general way.
        "rpc?lxm=a.b.c&lxm=a.b.d&aud=did:web:x.com%23s",
        "rpc?lxm=a.b.d&lxm=a.b.c&aud=did:web:x.com%23s",
        "rpc?lxm=a.b.c&lxm=a.b.c&aud=did:web:x.com%23s",
        "rpc?aud=did:web:x.com%23s&lxm=a.b.c&lxm=a.b.d",
        "rpc?lxm=a.b.c&aud=did:web:x.com%23s&lxm=a.b.d",
        "rpc:a.b.c?lxm=a.b.d&aud=did:web:x.com%23s",
        "rpc:a.b.c?aud=did:web:x.com%23s&aud=did:web:x.com%23s",
        "rpc?lxm=a.b.c?&aud=did:web:x.com%23s",
        "rpc?lxm=a.b.c=&aud=did:web:x.com%23s",
        "rpc?lxm=a.b.c",
        "rpc:a.b.c",
        "include?nsid=a.b.c&nsid=a.b.d",
        "include?aud=did:web:x.com%23s&nsid=a.b.c",
        "include:a.b.c?nsid=a.b.c",
        "include:a.b.c?aud=did:web:x.com%23s&foo=bar",
        "repo?collection=a.b.c&collection=a.b.d&action=create",
        "repo?action=delete&collection=a.b.c&action=create",
        "repo:a.b.c?action=create&action=update&action=delete",
        "repo:a.b.c?action=create&&action=update",
        "repo:a.b.c?action=create&",
        "repo:a.b.c?action=Create",
        "repo:a.b.c?",
        "repo:a.b.c?aud=did:web:x.com%23s",
        "repo?collection=a.b.c&collection=a.b.d&collection=a.b.c",
    ];

    #[test]
    fn agrees_with_parse_on_edge_cases() {
        for input in EDGE_CASES {
            let (slow, fast) = both(input);
            assert_eq!(slow, fast, "{input:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Random strings over the scope alphabet, behind each resource prefix.
        #[test]
        fn agrees_with_parse_on_random_strings(
            prefix in "(repo|rpc|blob|account|identity|include|space|atproto|transition)[:?]?",
            body in "([a-zA-Z0-9.*/:?&=%+#@ -]|%2[0-9A-F]|collection=|action=|lxm=|aud=|accept=|attr=|nsid=|com.example.foo|did:web:x.com%23s|did%3Aweb%3Ax.com%23s|did:plc:abcdefghijklmnopqrstuvwx#s|did%3aplc:abcdefghijklmnopqrstuvwx%23s|image/png|create|manage|email){0,8}",
        ) {
            let input = format!("{prefix}{body}");
            let (slow, fast) = both(&input);
            proptest::prop_assert_eq!(slow, fast, "{:?}", input);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Queries assembled from the parameters of the common shapes, in any order.
        #[test]
        fn agrees_with_parse_on_simple_shapes(
            prefix in 0..8usize,
            segments in proptest::collection::vec(0..16usize, 0..6),
        ) {
            const PREFIXES: [&str; 8] = [
                "rpc?", "rpc:a.b.c?", "include?", "include:a.b.c?", "repo?", "repo:a.b.c?",
                "rpc:com.example.foo", "repo:a.b.c",
            ];
            const SEGMENTS: [&str; 16] = [
                "lxm=a.b.c", "lxm=a.b.d", "lxm=com.example.foo", "aud=did:web:x.com%23s",
                "aud=did%3Aplc%3Aabcdefghijklmnopqrstuvwx%23s", "aud=*", "nsid=a.b.c",
                "collection=a.b.c", "collection=a.b.d", "action=create", "action=update",
                "action=delete", "action=read", "", "lxm=*", "collection=a.b.c-",
            ];
            let query: Vec<&str> = segments.iter().map(|&k| SEGMENTS[k]).collect();
            let input = format!("{}{}", PREFIXES[prefix], query.join("&"));
            let (slow, fast) = both(&input);
            proptest::prop_assert_eq!(slow, fast, "{:?}", input);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// `space:` queries of every parameter, escaped and plain, in any order: the six-row
        /// table takes the single scan, which decodes escaped values itself.
        #[test]
        fn agrees_with_parse_on_space_shapes(
            prefix in 0..6usize,
            segments in proptest::collection::vec(0..24usize, 0..8),
        ) {
            const PREFIXES: [&str; 6] = [
                "space?", "space:a.b.c?", "space:%2A?", "space:a.b%2Ec?", "space:*", "space:a.b.c",
            ];
            const SEGMENTS: [&str; 24] = [
                "type=a.b.c", "type=%2A", "authority=*", "authority=%2A", "authority=self",
                "authority=did:plc:abcdefghijklmnopqrstuvwx", "authority=did%3Aplc%3Aabcdefghijklmnopqrstuvwx",
                "authority=did%3Aweb%3Ax.com%253A8080", "skey=self", "skey=a~b", "skey=a%7Eb", "skey=%2A",
                "collection=a.b.c", "collection=a.b.d", "collection=%2A", "collection=a.b%2Ee",
                "action=read", "action=read_self", "action=create", "action=del%65te",
                "manage=create", "manage=update", "", "collection=a+b.c",
            ];
            let query: Vec<&str> = segments.iter().map(|&k| SEGMENTS[k]).collect();
            let input = format!("{}{}", PREFIXES[prefix], query.join("&"));
            let (slow, fast) = both(&input);
            proptest::prop_assert_eq!(slow, fast, "{:?}", input);
        }
    }

    /// The fixture inputs and the edge cases above.
    fn corpus() -> Vec<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/scope");
        let mut inputs: Vec<String> = EDGE_CASES.iter().map(|s| (*s).to_owned()).collect();
        for file in FIXTURES {
            let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("fixture");
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                inputs.extend(line.split('\t').map(str::to_owned));
            }
        }
        inputs
    }

    /// `normalize_with(tables)` gives `Scope::parse` + `Display` on every corpus input, and
    /// every input of a resource in `deferred` is handed to `Scope::parse`.
    fn agrees_on_tables(tables: &Tables, deferred: &[Resource]) {
        let mut handed_on = 0;
        for input in corpus() {
            let slow = Scope::parse(&input).ok().map(|s| s.to_string());
            let mut out = String::from("prefix ");
            let fast = normalize_with(&input, &mut out, tables, Reference::default())
                .ok()
                .map(|()| out["prefix ".len()..].to_owned());
            assert_eq!(slow, fast, "{input:?}");
            let prefix_end = input.find([':', '?']).unwrap_or(input.len());
            let resource = Resource::from_name(&input[..prefix_end]);
            if resource.is_some_and(|r| deferred.contains(&r)) {
                let decision = decide(&input, &mut String::new(), tables, Reference::default());
                assert_eq!(decision, Decision::Deferred, "{input:?}");
                handed_on += 1;
            }
        }
        assert!(deferred.is_empty() || handed_on > 20, "{handed_on}");
    }

    /// A resource whose table the fast path does not get, or whose values the formatter does
    /// not write, goes the general way and gives the same results: what a resource added to
    /// the tables needs no code here for.
    #[test]
    fn resources_without_a_table_or_a_formatter_go_the_general_way() {
        fn only_repo_and_blob(resource: Resource) -> Option<&'static ResourceSpec> {
            matches!(resource, Resource::Repo | Resource::Blob)
                .then(|| params::spec_for(resource))
                .flatten()
        }
        let without_tables = Tables::new(only_repo_and_blob, canonical::write_values);
        agrees_on_tables(
            &without_tables,
            &[
                Resource::Rpc,
                Resource::Account,
                Resource::Identity,
                Resource::Include,
            ],
        );
        fn write_only_rpc(
            out: &mut String,
            spec: &ResourceSpec,
            values: &mut [&mut [&str]],
            encoded: &[Option<Encoded<'_>>],
        ) -> bool {
            spec.resource == Resource::Rpc && canonical::write_values(out, spec, values, encoded)
        }
        let without_formatters = Tables::new(params::spec_for, write_only_rpc);
        // Rejections are still decided here; only the valid inputs are handed on.
        let mut out = String::new();
        assert_eq!(
            decide(
                "repo:a.b.c?foo=bar",
                &mut out,
                &without_formatters,
                Reference::default()
            ),
            Decision::Rejected
        );
        assert_eq!(
            decide(
                "repo:a.b.c",
                &mut out,
                &without_formatters,
                Reference::default()
            ),
            Decision::Deferred
        );
        agrees_on_tables(&without_formatters, &[]);
        agrees_on_tables(&TABLES, &[]);
    }

    /// A copy of the table of `resource` with its parameters in the order of `order` (indices
    /// into the real table), followed by `extra` more copies of its first parameter under other
    /// names, neither required nor positional.
    fn reshaped(resource: Resource, order: &[usize], extra: usize) -> &'static ResourceSpec {
        const NAMES: [&str; 8] = [
            "extra-a", "extra-b", "extra-c", "extra-d", "extra-e", "extra-f", "extra-g", "extra-h",
        ];
        let spec = params::spec_for(resource).expect("spec");
        let copy = |p: &params::ParamSpec, name: &'static str, required: bool| params::ParamSpec {
            name,
            multiple: p.multiple,
            required,
            convert: p.convert,
            validate: p.validate,
        };
        let mut rows: Vec<params::ParamSpec> = order
            .iter()
            .map(|&k| {
                copy(
                    &spec.params[k],
                    spec.params[k].name,
                    spec.params[k].required,
                )
            })
            .collect();
        rows.extend(
            NAMES[..extra]
                .iter()
                .map(|n| copy(&spec.params[0], n, false)),
        );
        Box::leak(Box::new(ResourceSpec {
            resource,
            positional: spec.positional,
            params: Box::leak(rows.into_boxed_slice()),
        }))
    }

    /// Tables whose parameter order differs from the real one (the positional parameter last)
    /// are read by name: nothing depends on where a parameter stands.
    #[test]
    fn parameters_are_found_by_name_not_by_place() {
        static REVERSED: std::sync::OnceLock<Vec<&'static ResourceSpec>> =
            std::sync::OnceLock::new();
        REVERSED.get_or_init(|| {
            Resource::ALL
                .iter()
                .map(|&r| {
                    let n = params::spec_for(r).expect("spec").params.len();
                    reshaped(r, &(0..n).rev().collect::<Vec<_>>(), 0)
                })
                .collect()
        });
        fn reversed(resource: Resource) -> Option<&'static ResourceSpec> {
            REVERSED
                .get()?
                .iter()
                .copied()
                .find(|s| s.resource == resource)
        }
        let tables = Tables::new(reversed, canonical::write_values);
        assert_eq!(
            reversed(Resource::Repo).expect("spec").params[1].name,
            "collection"
        );
        agrees_on_tables(&tables, &[]);
    }

    /// A table with more parameters than the fast path has room for goes the general way. The
    /// extra parameters here are unknown to `Scope::parse`, so results only agree because the
    /// inputs are handed on (were they decided here, `extra-a=x` would be accepted).
    #[test]
    fn tables_longer_than_the_slots_go_the_general_way() {
        static WIDE: std::sync::OnceLock<&'static ResourceSpec> = std::sync::OnceLock::new();
        WIDE.get_or_init(|| reshaped(Resource::Repo, &[0, 1], MAX_PARAMS - 1));
        fn wide(resource: Resource) -> Option<&'static ResourceSpec> {
            if resource == Resource::Repo {
                WIDE.get().copied()
            } else {
                params::spec_for(resource)
            }
        }
        let tables = Tables::new(wide, canonical::write_values);
        assert!(wide(Resource::Repo).expect("spec").params.len() > MAX_PARAMS);
        let mut out = String::new();
        assert!(normalize_with(
            "repo:a.b.c?extra-a=x",
            &mut out,
            &tables,
            Reference::default()
        )
        .is_err());
        agrees_on_tables(&tables, &[Resource::Repo]);
    }

    /// The plans read what the tables say: the single scan's parameters, the resources by
    /// name, and static scopes after resources (none of them reads as a resource prefix).
    #[test]
    fn plans_follow_the_tables() {
        let plans = TABLES.plans();
        assert!(!plans.statics_first);
        for resource in Resource::ALL {
            let plan = plans.named(resource.as_str().as_bytes()).expect("plan");
            assert_eq!(plan.name, resource.as_str().as_bytes());
            let spec = params::spec_for(resource).expect("spec");
            // Every table of the reference fits the single scan.
            let simple = plan.simple.expect("single scan");
            assert_eq!(simple.len, spec.params.len());
            assert_eq!(spec.params[simple.positional].name, spec.positional);
            for (row, param) in simple.params.iter().zip(spec.params) {
                assert_eq!(row.name, param.name.as_bytes());
                assert_eq!(row.multiple, param.multiple);
                assert_eq!(row.required, param.required);
            }
        }
        let aud = |resource: Resource| {
            let simple = plans.named(resource.as_str().as_bytes()).unwrap().simple;
            simple.map(|s| {
                s.params[..s.len]
                    .iter()
                    .map(|p| p.raw_aud)
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(aud(Resource::Rpc), Some(vec![false, true]));
        assert_eq!(aud(Resource::Include), Some(vec![false, true]));
        assert_eq!(aud(Resource::Repo), Some(vec![false, false]));
        assert_eq!(aud(Resource::Space), Some(vec![false; 6]));
        for name in ["", "rep", "repos", "Repo", "atproto", "transition"] {
            assert!(plans.named(name.as_bytes()).is_none(), "{name}");
        }
        // A table with a name the query decoder would change has no single scan.
        static ODD: std::sync::OnceLock<&'static ResourceSpec> = std::sync::OnceLock::new();
        let odd = ODD.get_or_init(|| {
            let spec = reshaped(Resource::Repo, &[0], 1);
            let rows: Vec<params::ParamSpec> = spec
                .params
                .iter()
                .map(|p| params::ParamSpec {
                    name: if p.name == "collection" {
                        p.name
                    } else {
                        "a+b"
                    },
                    multiple: p.multiple,
                    required: p.required,
                    convert: p.convert,
                    validate: p.validate,
                })
                .collect();
            Box::leak(Box::new(ResourceSpec {
                resource: Resource::Repo,
                positional: spec.positional,
                params: Box::leak(rows.into_boxed_slice()),
            }))
        });
        assert_eq!(Simple::of(odd), None);
        assert!(Simple::of(reshaped(Resource::Repo, &[0, 1], MAX_PARAMS - 1)).is_none());
    }

    #[test]
    fn long_inputs_decode_past_the_stack_buffer() {
        let lxms: Vec<String> = (0..40).map(|i| format!("lxm=com.example.m{i}")).collect();
        let input = format!(
            "rpc?{}&aud=did%3Aweb%3Aapi.example.com%23svc",
            lxms.join("&").replace('.', "%2E")
        );
        assert!(input.len() > 256);
        let (slow, fast) = both(&input);
        assert!(fast.is_some());
        assert_eq!(slow, fast);
    }

    #[test]
    fn rejection_reports_the_parse_error() {
        let mut out = String::new();
        let err = normalize_into("repo:com.example.*", &mut out).unwrap_err();
        assert_eq!(err.input(), "repo:com.example.*");
        assert_eq!(err.error(), Scope::parse("repo:com.example.*").unwrap_err());
        assert_eq!(
            err.to_string(),
            Scope::parse("repo:com.example.*").unwrap_err().to_string()
        );
    }
}
