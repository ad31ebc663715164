//! [`normalize_into`]: validation and canonical formatting of one scope string straight from the
//! borrowed input, without building a [`Scope`] or an error message. It decides exactly like
//! [`Scope::parse`] and writes exactly [`Scope::write_canonical`]; the tests below and the
//! conformance run check that.

use std::fmt;

use smallvec::SmallVec;

use super::canonical::{self, Values, REPO_ACTIONS};
use super::params::{self, ResourceSpec};
use super::tokenize::{hex_value, query_start, KEEP_QUERY};
use super::{Resource, Scope, ScopeError, ScopeErrorKind, StaticScope};
use crate::bytemap::{self, find_special};
use crate::syntax::{did_ref_parts_plain_valid, host_plain_valid_classes, Nsid};

/// A scope string that [`normalize_into`] rejected. Creating one costs nothing: the full
/// [`ScopeError`] (message, hint, location) is built only by [`ScopeRejection::error`] or
/// `Display`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeRejection<'a> {
    input: &'a str,
}

impl<'a> ScopeRejection<'a> {
    /// The rejected scope string.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The error [`Scope::parse`] reports for the input.
    pub fn error(&self) -> ScopeError {
        match Scope::parse(self.input) {
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
    let mark = out.len();
    if write_if_valid(input, out) {
        Ok(())
    } else {
        out.truncate(mark);
        Err(ScopeRejection { input })
    }
}

/// The first index at or after `from` whose byte is one of `targets`, or `bytes.len()`. Eight
/// bytes at a time (SWAR: a byte equal to a target becomes a zero byte after XOR, and
/// `(v - 0x01…) & !v & 0x80…` has its lowest set bit in the first zero byte of `v`; bits above it
/// may be false alarms, so only the lowest one is used). The last partial word is read as the
/// final eight bytes of the input shifted down, so no byte loop runs unless the input is shorter
/// than eight bytes.
fn find_any<const N: usize>(bytes: &[u8], from: usize, targets: [u8; N]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let len = bytes.len();
    let first_hit = |word: u64| {
        let mut hit = 0;
        for t in targets {
            let v = word ^ (ONES * u64::from(t));
            hit |= v.wrapping_sub(ONES) & !v & HIGH;
        }
        hit
    };
    let mut j = from;
    if len < 8 {
        while j < len && !targets.contains(&bytes[j]) {
            j += 1;
        }
        return j.min(len);
    }
    while j + 8 <= len {
        let hit = first_hit(load_word(bytes, j));
        if hit != 0 {
            return j + (hit.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    if j >= len {
        return len;
    }
    // The bytes `j..len` are the top `len - j` bytes of the last word; shifting them down fills
    // the top with zero bytes, which match no (non-zero) target and come after every real byte.
    let shift = 8 * (8 - (len - j));
    let hit = first_hit(load_word(bytes, len - 8) >> shift);
    if hit != 0 {
        (j + (hit.trailing_zeros() / 8) as usize).min(len)
    } else {
        len
    }
}

/// The eight bytes at `at` as a little-endian word (`at + 8 <= bytes.len()`).
#[inline(always)]
fn load_word(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
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
}

/// What the resource prefix of a scope string is.
enum Head {
    Static(StaticScope),
    /// The resource and the offset of the `:` or `?` after its name.
    Resource(Resource, usize),
}

/// The prefix of `bytes`, dispatched on its first byte: a static scope (the whole string), or a
/// resource name followed by `:` or `?`.
fn head(bytes: &[u8]) -> Option<Head> {
    let named = |name: &[u8]| {
        bytes.len() > name.len()
            && bytes.starts_with(name)
            && matches!(bytes[name.len()], b':' | b'?')
    };
    let (resource, name_len) = match *bytes.first()? {
        b'r' if named(b"repo") => (Resource::Repo, 4),
        b'r' if named(b"rpc") => (Resource::Rpc, 3),
        b'b' if named(b"blob") => (Resource::Blob, 4),
        b'a' if bytes == b"atproto" => return Some(Head::Static(StaticScope::Atproto)),
        b'a' if named(b"account") => (Resource::Account, 7),
        b'i' if named(b"identity") => (Resource::Identity, 8),
        b'i' if named(b"include") => (Resource::Include, 7),
        b't' => {
            return StaticScope::ALL
                .into_iter()
                .find(|s| s.as_str().as_bytes() == bytes)
                .map(Head::Static)
        }
        _ => return None,
    };
    Some(Head::Resource(resource, name_len))
}

/// `application/x-www-form-urlencoded` decoding of `raw` onto `scratch` (see
/// [`form_decode`](super::tokenize::form_decode)); returns the range written. Decoding never
/// makes text longer, and only an escape of a byte >= 0x80 can make it invalid UTF-8.
fn form_decode_into(raw: &[u8], scratch: &mut Scratch) -> Text {
    let start = scratch.len;
    let out = scratch.room(raw.len());
    // Byte by byte: the values that get here hold escapes, usually many of them, and short runs
    // between them cost more to find and copy than to walk.
    let (mut i, mut n) = (0, 0);
    let mut high = false;
    while let Some(&b) = raw.get(i) {
        let decoded = match b {
            b'+' => b' ',
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex_value),
                raw.get(i + 2).copied().and_then(hex_value),
            ) {
                (Some(hi), Some(lo)) => {
                    i += 2;
                    hi * 16 + lo
                }
                _ => b'%',
            },
            _ => b,
        };
        high |= decoded >= 0x80;
        out[n] = decoded;
        n += 1;
        i += 1;
    }
    scratch.len = start + n;
    if high && std::str::from_utf8(&scratch.bytes()[start..]).is_err() {
        let fixed = String::from_utf8_lossy(&scratch.bytes()[start..]).into_owned();
        scratch.len = start;
        scratch.room(fixed.len()).copy_from_slice(fixed.as_bytes());
        scratch.len = start + fixed.len();
    }
    Text {
        start,
        end: scratch.len,
        decoded: true,
    }
}

/// JavaScript `decodeURIComponent` of `raw` onto `scratch`, or `None` where it throws (a
/// malformed escape, or escapes that do not decode to UTF-8).
fn uri_decode_into(raw: &[u8], scratch: &mut Scratch) -> Option<Text> {
    let start = scratch.len;
    let out = scratch.room(raw.len());
    let (mut i, mut run, mut n) = (0, 0, 0);
    let mut high = false;
    loop {
        i = find_any(raw, i, [b'%']);
        if i >= raw.len() {
            break;
        }
        out[n..n + (i - run)].copy_from_slice(&raw[run..i]);
        n += i - run;
        let hi = hex_value(*raw.get(i + 1)?)?;
        let lo = hex_value(*raw.get(i + 2)?)?;
        let d = hi * 16 + lo;
        high |= d >= 0x80;
        out[n] = d;
        n += 1;
        i += 3;
        run = i;
    }
    out[n..n + (raw.len() - run)].copy_from_slice(&raw[run..]);
    n += raw.len() - run;
    scratch.len = start + n;
    if high {
        std::str::from_utf8(&scratch.bytes()[start..]).ok()?;
    }
    Some(Text {
        start,
        end: scratch.len,
        decoded: true,
    })
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
        if let Some(aud) = RawAud::recognize_plain(raw, base, plc, canonical, id_start) {
            return Some(aud);
        }
        let id_end = find_any(raw, id_start, [b'%', b'#']);
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

    /// [`RawAud::recognize`] after `did:<method>:`, for values of up to 64 bytes whose id and
    /// fragment hold only letters, digits, `.`, `-` and `_`, on their byte class maps; `None`
    /// leaves the value to the byte loops of `recognize` (which decide the same where this
    /// decides).
    fn recognize_plain(
        raw: &[u8],
        base: usize,
        plc: bool,
        mut canonical: bool,
        id_start: usize,
    ) -> Option<RawAud> {
        let len = raw.len();
        if len > 64 {
            return None;
        }
        let classes = bytemap::classes(raw);
        let plain = classes.alnum | classes.dot | classes.dash | classes.underscore;
        let from = |at: usize| classes.all & (u64::MAX << at);
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
        if fragment_start >= len || from(fragment_start) & !plain != 0 {
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
        valid.then_some(RawAud {
            plc,
            canonical,
            value: (base, base + len),
            id: (base + id_start, base + id_end),
            fragment: (base + fragment_start, base + len),
        })
    }

    /// Appends the canonical (query-encoded) value.
    fn write(&self, input: &str, out: &mut String) {
        if self.canonical {
            out.push_str(&input[self.value.0..self.value.1]);
            return;
        }
        out.push_str(if self.plc { "did:plc:" } else { "did:web:" });
        out.push_str(&input[self.id.0..self.id.1]);
        out.push_str("%23");
        out.push_str(&input[self.fragment.0..self.fragment.1]);
    }
}

fn write_if_valid(input: &str, out: &mut String) -> bool {
    let bytes = input.as_bytes();
    let (resource, prefix_end) = match head(bytes) {
        None => return false,
        Some(Head::Static(s)) => {
            out.push_str(s.as_str());
            return true;
        }
        Some(Head::Resource(resource, end)) => (resource, end),
    };
    if matches!(resource, Resource::Rpc | Resource::Include | Resource::Repo)
        && write_simple(input, resource, prefix_end, out)
    {
        return true;
    }
    // One pass over the rest: the positional part runs to the first `?`; the query is split on
    // `&` and each segment at its first `=`. Only text holding `%` or `+` is decoded, onto one
    // scratch buffer.
    let mut scratch = Scratch::new();
    let len = bytes.len();
    let mut i = prefix_end;
    let positional = if bytes[i] == b':' {
        let start = i + 1;
        let mut escaped = false;
        i = find_special(bytes, start);
        while i < len && bytes[i] != b'?' {
            escaped |= bytes[i] == b'%';
            i = find_special(bytes, i + 1);
        }
        if escaped {
            match uri_decode_into(&bytes[start..i], &mut scratch) {
                Some(t) => Some(t),
                None => return false,
            }
        } else {
            Some(Text::raw(start, i))
        }
    } else {
        None
    };
    let mut params: SmallVec<[(Text, Text); 8]> = SmallVec::new();
    // An `aud` recognized in its raw form (see [`RawAud`]): the index of its parameter.
    let mut fast_aud: Option<(usize, RawAud)> = None;
    let aud_allowed = matches!(resource, Resource::Rpc | Resource::Include);
    if i < len.saturating_sub(1) {
        // `i` is the first `?`; `new URLSearchParams` drops one more leading `?`.
        let mut start = query_start(input, i);
        let mut eq = usize::MAX;
        let mut name_special = false;
        let mut value_special = false;
        let mut j = start;
        while j <= len {
            // Skip the bytes that need no attention (stopping at a few others too, which the
            // `match` passes over).
            j = find_special(bytes, j);
            let b = if j < len { bytes[j] } else { b'&' };
            match b {
                b'&' => {
                    if j > start {
                        let (name_end, value_start) = if eq == usize::MAX {
                            (j, j)
                        } else {
                            (eq, eq + 1)
                        };
                        let name = if name_special {
                            form_decode_into(&bytes[start..name_end], &mut scratch)
                        } else {
                            Text::raw(start, name_end)
                        };
                        let raw_aud =
                            if aud_allowed && !name_special && &bytes[start..name_end] == b"aud" {
                                RawAud::recognize(&bytes[value_start..j], value_start)
                            } else {
                                None
                            };
                        let value = if let Some(aud) = raw_aud {
                            fast_aud = Some((params.len(), aud));
                            Text::raw(value_start, j)
                        } else if value_special {
                            form_decode_into(&bytes[value_start..j], &mut scratch)
                        } else {
                            Text::raw(value_start, j)
                        };
                        params.push((name, value));
                    }
                    start = j + 1;
                    eq = usize::MAX;
                    name_special = false;
                    value_special = false;
                }
                b'=' if eq == usize::MAX => eq = j,
                b'%' | b'+' => {
                    if eq == usize::MAX {
                        name_special = true;
                    } else {
                        value_special = true;
                    }
                }
                _ => {}
            }
            j += 1;
        }
    }
    // Every decoded piece is UTF-8 on its own, so the whole buffer is.
    let decoded = if scratch.len == 0 {
        ""
    } else {
        match std::str::from_utf8(scratch.bytes()) {
            Ok(decoded) => decoded,
            Err(_) => return false,
        }
    };
    let text = |t: Text| -> &str {
        if t.decoded {
            &decoded[t.start..t.end]
        } else {
            &input[t.start..t.end]
        }
    };
    let Some(spec) = params::spec_for(resource) else {
        return false;
    };
    let mut slots: [Values<'_>; 2] = Default::default();
    if !validate(
        spec,
        positional.map(text),
        &params,
        fast_aud.map(|(k, _)| k),
        text,
        &mut slots,
    ) {
        return false;
    }
    let [first, second] = &mut slots;
    match resource {
        Resource::Repo => {
            let mut actions = 0u8;
            for a in second.iter() {
                if let Some(bit) = REPO_ACTIONS.iter().position(|x| x == a) {
                    actions |= 1 << bit;
                }
            }
            if second.is_empty() {
                actions = 7;
            }
            canonical::write_repo(out, first, actions);
        }
        Resource::Rpc => {
            let lxms = first;
            let Some(&aud) = second.first() else {
                return false;
            };
            if aud == "*" && lxms.contains(&"*") {
                return false;
            }
            match fast_aud {
                Some((_, raw)) => {
                    let first = canonical::write_rpc_methods(out, lxms);
                    canonical::write_aud_name(out, first);
                    raw.write(input, out);
                }
                None => canonical::write_rpc(out, lxms, aud),
            }
        }
        Resource::Blob => canonical::write_blob(out, first, false),
        Resource::Account => {
            let Some(&attr) = first.first() else {
                return false;
            };
            canonical::write_account(out, attr, second);
        }
        Resource::Identity => {
            let Some(&attr) = first.first() else {
                return false;
            };
            canonical::write_identity(out, attr);
        }
        Resource::Include => {
            let Some(&nsid) = first.first() else {
                return false;
            };
            match fast_aud {
                Some((_, raw)) => {
                    canonical::write_include(out, nsid, None);
                    canonical::write_aud_name(out, true);
                    raw.write(input, out);
                }
                None => canonical::write_include(out, nsid, second.first().copied()),
            }
        }
    }
    true
}

/// The shapes most scope strings have, written without the general machinery: NSIDs without
/// escapes (one, or several named ones in strictly increasing order, as permission-set expansion
/// writes them), an `aud` that [`RawAud`] recognizes, repo actions:
///
/// - `rpc:<nsid>?aud=<did ref>`, `rpc?lxm=<nsid>[&lxm=<nsid>…]&aud=<did ref>` (any order);
/// - `include:<nsid>[?aud=<did ref>]`, `include?nsid=<nsid>[&aud=<did ref>]` (either order);
/// - `repo:<nsid>[?action=<a>…]`, `repo?collection=<nsid>[&collection=<nsid>…][&action=<a>…]`.
///
/// True when the input is one of them, valid, and its canonical form was appended; false means
/// "not decided here" and leaves `out` as it was: anything else (escapes, `*`, repeats, unsorted
/// lists, unknown or empty parameters, invalid values) goes the general way, which also gives
/// every rejection.
fn write_simple(input: &str, resource: Resource, prefix_end: usize, out: &mut String) -> bool {
    let mark = out.len();
    let written = write_simple_or_stop(input, resource, prefix_end, out).is_some();
    if !written {
        out.truncate(mark);
    }
    written
}

/// [`write_simple`] with `?` for "not decided here"; `out` may hold a partial result then.
fn write_simple_or_stop(
    input: &str,
    resource: Resource,
    prefix_end: usize,
    out: &mut String,
) -> Option<()> {
    let bytes = input.as_bytes();
    let len = bytes.len();
    let (prefix, nsid_name) = match resource {
        Resource::Rpc => ("rpc", "lxm"),
        Resource::Include => ("include", "nsid"),
        Resource::Repo => ("repo", "collection"),
        _ => return None,
    };
    let mut nsids = NsidList {
        several: resource != Resource::Include,
        count: 0,
        first: "",
        last: "",
    };
    let mut positional = false;
    let mut aud: Option<RawAud> = None;
    let mut actions = 0u8;
    let mut i = prefix_end;
    if bytes[i] == b':' {
        let end = find_special(bytes, i + 1);
        if end < len && bytes[end] != b'?' {
            return None;
        }
        nsids.add(&input[i + 1..end], false)?;
        positional = true;
        i = end;
    }
    if i < len {
        // `bytes[i]` is the `?`; each segment is `name=value`.
        let mut start = i + 1;
        while start <= len {
            if start == len {
                return None;
            }
            let eq = find_special(bytes, start);
            if eq >= len || bytes[eq] != b'=' {
                return None;
            }
            let name = &bytes[start..eq];
            let value_start = eq + 1;
            // What the name is for this resource (slice patterns compare in place).
            let kind = match (resource, name) {
                (Resource::Rpc | Resource::Include, b"aud") => SimpleParam::Aud,
                (Resource::Rpc, b"lxm")
                | (Resource::Include, b"nsid")
                | (Resource::Repo, b"collection") => SimpleParam::Nsid,
                (Resource::Repo, b"action") => SimpleParam::Action,
                _ => return None,
            };
            let end = if kind == SimpleParam::Aud {
                // The raw audience runs to the next `&`; it may hold `%` and `#`.
                let end = segment_end(bytes, value_start);
                if aud.is_some() {
                    return None;
                }
                aud = Some(RawAud::recognize(&bytes[value_start..end], value_start)?);
                end
            } else {
                let end = find_special(bytes, value_start);
                if end < len && bytes[end] != b'&' {
                    return None;
                }
                let value = &input[value_start..end];
                if kind == SimpleParam::Nsid {
                    if positional {
                        return None;
                    }
                    nsids.add(value, true)?;
                } else {
                    actions |= match value.as_bytes() {
                        b"create" => 1,
                        b"update" => 2,
                        b"delete" => 4,
                        _ => return None,
                    };
                }
                end
            };
            start = end + 1;
        }
    }
    if nsids.count == 0 || resource == Resource::Rpc && aud.is_none() {
        return None;
    }
    out.push_str(prefix);
    if nsids.count == 1 {
        out.push(':');
        out.push_str(nsids.first);
    } else {
        // Several (named, valid, sorted): the query's `name=value` segments, in input order.
        let mut separator = '?';
        let mut start = i + 1;
        while start < len {
            let end = segment_end(bytes, start);
            let segment = &input[start..end];
            if let Some(value) = segment
                .strip_prefix(nsid_name)
                .and_then(|rest| rest.strip_prefix('='))
            {
                out.push(separator);
                out.push_str(nsid_name);
                out.push('=');
                out.push_str(value);
                separator = '&';
            }
            start = end + 1;
        }
    }
    let mut separator = if nsids.count == 1 { '?' } else { '&' };
    if let Some(aud) = aud {
        out.push(separator);
        out.push_str("aud=");
        aud.write(input, out);
    }
    if actions != 0 && actions != 7 {
        for (bit, name) in REPO_ACTIONS.iter().enumerate() {
            if actions & (1 << bit) != 0 {
                out.push(separator);
                out.push_str("action=");
                out.push_str(name);
                separator = '&';
            }
        }
    }
    Some(())
}

/// The parameters [`write_simple`] takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SimpleParam {
    Aud,
    Nsid,
    Action,
}

/// The end of the query segment that starts at `from`: the next `&`, or the end of `bytes`.
fn segment_end(bytes: &[u8], from: usize) -> usize {
    let mut end = find_special(bytes, from);
    while end < bytes.len() && bytes[end] != b'&' {
        end = find_special(bytes, end + 1);
    }
    end
}

/// The NSIDs of [`write_simple`]: checked as they come, written at the end.
struct NsidList<'a> {
    /// Whether the parameter takes several values.
    several: bool,
    count: usize,
    first: &'a str,
    last: &'a str,
}

impl<'a> NsidList<'a> {
    /// Takes a valid NSID that sorts after the previous one; a positional one (`named` false)
    /// or a single-valued parameter takes no second value.
    fn add(&mut self, value: &'a str, named: bool) -> Option<()> {
        if self.count > 0 && !(named && self.several && value > self.last) || !Nsid::is_valid(value)
        {
            return None;
        }
        if self.count == 0 {
            self.first = value;
        }
        self.count += 1;
        self.last = value;
        Some(())
    }
}

/// The reference `Parser.parse` as a yes/no question: the values of each parameter of `spec` (in
/// table order, at most two parameters) filled into `slots` (empty on entry), or false when the
/// string is not valid. The positional
/// value always fills the first parameter. Every check must pass, so their order does not
/// matter and each value is looked at once; the parameter at index `prevalidated` was already
/// checked (a [`RawAud`]).
fn validate<'v>(
    spec: &ResourceSpec,
    positional: Option<&'v str>,
    params: &[(Text, Text)],
    prevalidated: Option<usize>,
    text: impl Fn(Text) -> &'v str,
    slots: &mut [Values<'v>; 2],
) -> bool {
    validate_into(spec, positional, params, prevalidated, text, slots).is_some()
}

/// `a == b` for the short parameter names, compared in place (a general `==` calls `memcmp`).
#[inline(always)]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// [`validate`] with `?` for the early exits.
fn validate_into<'v>(
    spec: &ResourceSpec,
    positional: Option<&'v str>,
    params: &[(Text, Text)],
    prevalidated: Option<usize>,
    text: impl Fn(Text) -> &'v str,
    slots: &mut [Values<'v>; 2],
) -> Option<()> {
    let table = spec.params;
    if table.len() > slots.len() {
        return None;
    }
    for (index, &(name, value)) in params.iter().enumerate() {
        let name = text(name);
        let k = table.iter().position(|p| same_name(p.name, name))?;
        let param = &table[k];
        let slot = &mut slots[k];
        if !param.multiple && !slot.is_empty() {
            return None;
        }
        let value = text(value);
        if prevalidated != Some(index) && !(param.validate)(value) {
            return None;
        }
        slot.push(value);
    }
    for (k, (param, slot)) in table.iter().zip(slots.iter_mut()).enumerate() {
        match positional {
            Some(value) if k == 0 => {
                if !slot.is_empty() || !(param.validate)(value) {
                    return None;
                }
                slot.push(value);
            }
            _ if param.required && slot.is_empty() => return None,
            _ => {}
        }
    }
    Some(())
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

    #[test]
    fn agrees_with_parse_on_the_fixture_inputs() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/scope");
        let mut n = 0;
        for file in ["parse.txt", "normalize.txt", "differential.txt"] {
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

    #[test]
    fn agrees_with_parse_on_edge_cases() {
        for input in [
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
        ] {
            let (slow, fast) = both(input);
            assert_eq!(slow, fast, "{input:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]
        /// Random strings over the scope alphabet, behind each resource prefix.
        #[test]
        fn agrees_with_parse_on_random_strings(
            prefix in "(repo|rpc|blob|account|identity|include|atproto|transition)[:?]?",
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

    #[test]
    fn find_any_matches_a_byte_loop() {
        let text = b"repo?collection=a.b.c&action=create%2B+x=y&&zzzzzzzzzzzzzzzzzzzzzzzz=";
        for from in 0..=text.len() {
            let slow = (from..text.len())
                .find(|&j| b"&=%+".contains(&text[j]))
                .unwrap_or(text.len());
            assert_eq!(find_any(text, from, [b'&', b'=', b'%', b'+']), slow);
        }
        for b in 0..=255u8 {
            for at in 0..16 {
                let mut bytes = [b'a'; 16];
                bytes[at] = b;
                let expected = if b == b'?' || b == b'%' { at } else { 16 };
                assert_eq!(find_any(&bytes, 0, [b'?', b'%']), expected, "{b:#x}");
            }
        }
    }

    #[test]
    fn the_positional_value_fills_the_first_parameter() {
        for resource in Resource::ALL {
            let spec = params::spec_for(resource).expect("spec");
            assert_eq!(spec.params[0].name, spec.positional, "{resource:?}");
            assert!(spec.params.len() <= 2);
        }
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
