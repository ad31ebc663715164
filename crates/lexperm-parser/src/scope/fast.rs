//! [`normalize_into`]: validation and canonical formatting of one scope string straight from the
//! borrowed input, without building a [`Scope`] or an error message. It decides exactly like
//! [`Scope::parse`] and writes exactly [`Scope::write_canonical`]; the tests below and the
//! conformance run check that.

use std::fmt;

use smallvec::SmallVec;

use super::canonical::{self, Values, REPO_ACTIONS};
use super::params::{self, ResourceSpec};
use super::tokenize::{hex_value, query_start};
use super::{Resource, Scope, ScopeError, ScopeErrorKind, StaticScope};

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
/// `(v - 0x01…) & !v & 0x80…` is non-zero exactly when `v` has a zero byte), then one at a time.
fn find_any<const N: usize>(bytes: &[u8], from: usize, targets: [u8; N]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut j = from;
    while let Some(chunk) = bytes.get(j..j + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(word);
        let mut hit = 0;
        for t in targets {
            let v = word ^ (ONES * u64::from(t));
            hit |= v.wrapping_sub(ONES) & !v & HIGH;
        }
        if hit != 0 {
            break;
        }
        j += 8;
    }
    while j < bytes.len() && !targets.iter().any(|&t| t == bytes[j]) {
        j += 1;
    }
    j
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

/// Decoded names and values, one after the other: on the stack, moved to the heap only when
/// more than 256 bytes are decoded.
struct Scratch {
    stack: [u8; 256],
    heap: Vec<u8>,
    len: usize,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            stack: [0; 256],
            heap: Vec::new(),
            len: 0,
        }
    }

    /// Room for `more` bytes after the current ones (filled in, then committed by setting
    /// `len`).
    fn room(&mut self, more: usize) -> &mut [u8] {
        let need = self.len + more;
        if self.heap.is_empty() && need <= self.stack.len() {
            return &mut self.stack[self.len..need];
        }
        if self.heap.is_empty() {
            self.heap.extend_from_slice(&self.stack[..self.len]);
        }
        self.heap.resize(need, 0);
        &mut self.heap[self.len..need]
    }

    fn bytes(&self) -> &[u8] {
        if self.heap.is_empty() {
            &self.stack[..self.len]
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
    let (mut i, mut run, mut n) = (0, 0, 0);
    let mut high = false;
    loop {
        i = find_any(raw, i, [b'%', b'+']);
        let Some(&b) = raw.get(i) else {
            break;
        };
        out[n..n + (i - run)].copy_from_slice(&raw[run..i]);
        n += i - run;
        if b == b'+' {
            out[n] = b' ';
            i += 1;
        } else if let (Some(hi), Some(lo)) = (
            raw.get(i + 1).copied().and_then(hex_value),
            raw.get(i + 2).copied().and_then(hex_value),
        ) {
            let d = hi * 16 + lo;
            high |= d >= 0x80;
            out[n] = d;
            i += 3;
        } else {
            out[n] = b'%';
            i += 1;
        }
        n += 1;
        run = i;
    }
    out[n..n + (raw.len() - run)].copy_from_slice(&raw[run..]);
    n += raw.len() - run;
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
    // One pass over the rest: the positional part runs to the first `?`; the query is split on
    // `&` and each segment at its first `=`. Only text holding `%` or `+` is decoded, onto one
    // scratch buffer.
    let mut scratch = Scratch::new();
    let len = bytes.len();
    let mut i = prefix_end;
    let positional = if bytes[i] == b':' {
        let start = i + 1;
        let mut escaped = false;
        i = find_any(bytes, start, [b'?', b'%']);
        while i < len && bytes[i] == b'%' {
            escaped = true;
            i = find_any(bytes, i + 1, [b'?', b'%']);
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
    if i < len.saturating_sub(1) {
        // `i` is the first `?`; `new URLSearchParams` drops one more leading `?`.
        let mut start = query_start(input, i);
        let mut eq = usize::MAX;
        let mut name_special = false;
        let mut value_special = false;
        let mut j = start;
        while j <= len {
            // Skip the bytes that need no attention.
            j = find_any(bytes, j, [b'&', b'=', b'%', b'+']);
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
                        let value = if value_special {
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
    let Ok(decoded) = std::str::from_utf8(scratch.bytes()) else {
        return false;
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
    let Some(slots) = validate(spec, positional.map(text), &params, text) else {
        return false;
    };
    out.reserve(len + 16);
    let [first, second] = slots;
    match resource {
        Resource::Repo => {
            let mut collections = first;
            let mut actions = 0u8;
            for a in &second {
                if let Some(bit) = REPO_ACTIONS.iter().position(|x| x == a) {
                    actions |= 1 << bit;
                }
            }
            if second.is_empty() {
                actions = 7;
            }
            canonical::write_repo(out, &mut collections, actions);
        }
        Resource::Rpc => {
            let mut lxms = first;
            let Some(&aud) = second.first() else {
                return false;
            };
            if aud == "*" && lxms.contains(&"*") {
                return false;
            }
            canonical::write_rpc(out, &mut lxms, aud);
        }
        Resource::Blob => canonical::write_blob(out, &first, false),
        Resource::Account => {
            let Some(&attr) = first.first() else {
                return false;
            };
            canonical::write_account(out, attr, &second);
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
            canonical::write_include(out, nsid, second.first().copied());
        }
    }
    true
}

/// The reference `Parser.parse` as a yes/no question: the values of each parameter of `spec` (in
/// table order, at most two parameters), or `None` when the string is not valid. The positional
/// value always fills the first parameter. Every check must pass, so their order does not
/// matter and each value is looked at once.
fn validate<'v>(
    spec: &ResourceSpec,
    positional: Option<&'v str>,
    params: &[(Text, Text)],
    text: impl Fn(Text) -> &'v str,
) -> Option<[Values<'v>; 2]> {
    let mut slots: [Values<'v>; 2] = Default::default();
    let table = spec.params;
    if table.len() > slots.len() {
        return None;
    }
    for &(name, value) in params {
        let name = text(name);
        let k = table.iter().position(|p| p.name == name)?;
        let param = &table[k];
        let slot = &mut slots[k];
        if !param.multiple && !slot.is_empty() {
            return None;
        }
        let value = text(value);
        if !(param.validate)(value) {
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
    Some(slots)
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
            body in "([a-zA-Z0-9.*/:?&=%+#@ -]|%2[0-9A-F]|collection=|action=|lxm=|aud=|accept=|attr=|nsid=|com.example.foo|did:web:x.com%23s|did:plc:abcdefghijklmnopqrstuvwx#s|image/png|create|manage|email){0,8}",
        ) {
            let input = format!("{prefix}{body}");
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
