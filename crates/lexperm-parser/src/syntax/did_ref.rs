//! DID service references: [`DidServiceRef`].

use super::did::{did_method, DidProblem, DID_MAX_LEN};
use super::{SyntaxError, SyntaxKind, SyntaxReason};
use crate::bytemap::{self, Classes};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// DID service reference
// ---------------------------------------------------------------------------------------------

/// An absolute atproto DID reference with a service fragment: `did:plc:…#svc` or
/// `did:web:host#svc` (permissions.md §1.3, `isAtprotoDidRefAbsolute`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DidServiceRef {
    value: String,
    hash: usize,
}

impl DidServiceRef {
    /// True when `value` is an atproto DID with a `#fragment`. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        did_ref_plain_valid(value.as_bytes()) || did_ref_problem(value).is_none()
    }

    /// Parses a DID service reference, explaining the first problem found.
    pub fn parse(value: &str) -> Result<DidServiceRef, SyntaxError> {
        if let Some(problem) = did_ref_problem(value) {
            return Err(problem.error(value));
        }
        let hash = value.find('#').unwrap_or(value.len());
        Ok(DidServiceRef {
            value: value.to_owned(),
            hash,
        })
    }

    /// The DID part (before `#`).
    pub fn did(&self) -> &str {
        &self.value[..self.hash]
    }

    /// The service fragment (after `#`, without it).
    pub fn fragment(&self) -> &str {
        &self.value[self.hash + 1..]
    }

    /// The whole reference text.
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// Which rule of its `#service` fragment a DID service reference breaks; rules of its DID part
/// are [`DidProblem`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DidRefProblem {
    /// No `#`.
    NoFragment,
    /// Nothing after `#`.
    EmptyFragment,
    /// A second `#`.
    SecondHash,
    /// A character not allowed in a URI fragment.
    FragmentCharacter,
}

/// The first problem of a DID service reference, found without allocating; turned into a
/// [`SyntaxError`] only when one is asked for.
#[derive(Debug, Clone, Copy)]
enum Fault {
    NoFragment,
    EmptyFragment(usize),
    SecondHash(usize),
    FragmentChar(usize),
    TooLong,
    NoDidPrefix,
    NotPlcOrWeb,
    Method(usize),
    Msid(usize, DidProblem),
    PlcId,
    WebEmptyHost,
    WebPath(usize),
    WebPort(usize),
    WebHost,
}

impl Fault {
    /// The error for `value`, the whole reference text (`did#fragment`).
    fn error(self, value: &str) -> SyntaxError {
        let did_len = value.find('#').unwrap_or(value.len());
        let did = 0..did_len;
        const WEB: usize = "did:web:".len();
        let fragment = SyntaxReason::DidServiceRef;
        let (reason, range, message, hint) = match self {
            Fault::NoFragment => (
                fragment(DidRefProblem::NoFragment),
                0..value.len(),
                "aud needs a #service fragment",
                Some("append the service id, e.g. `did:web:api.example.com#svc_appview`"),
            ),
            Fault::EmptyFragment(hash) => (
                fragment(DidRefProblem::EmptyFragment),
                hash..value.len(),
                "the #service fragment is empty",
                Some("write the service id after `#`"),
            ),
            Fault::SecondHash(at) => (
                fragment(DidRefProblem::SecondHash),
                at..at + 1,
                "more than one `#`",
                None,
            ),
            Fault::FragmentChar(bad) => (
                fragment(DidRefProblem::FragmentCharacter),
                bad..bad + 1,
                "character not allowed in a URI fragment",
                Some("percent-encode it or use letters, digits, `_`, `-`, `.`"),
            ),
            Fault::TooLong => (
                SyntaxReason::Did(DidProblem::TooLong),
                did,
                "DID is longer than 2048 characters",
                None,
            ),
            Fault::NoDidPrefix => (
                SyntaxReason::Did(DidProblem::MissingPrefix),
                did,
                "a DID starts with `did:`",
                Some("write `did:web:<host>#svc` or `did:plc:<id>#svc`"),
            ),
            Fault::NotPlcOrWeb => (
                SyntaxReason::Did(DidProblem::NotPlcOrWeb),
                did,
                "only did:plc and did:web DIDs are allowed",
                Some("write `did:plc:<24 chars>#svc` or `did:web:<host>#svc`"),
            ),
            Fault::Method(method_len) => (
                SyntaxReason::Did(DidProblem::BadMethod),
                4..4 + method_len,
                "invalid DID method name",
                None,
            ),
            Fault::Msid(at, problem) => (
                SyntaxReason::Did(problem),
                at..(at + 1).min(did_len).max(at),
                match problem {
                    DidProblem::EmptyIdentifier => "the DID method-specific id is empty",
                    DidProblem::BadEnd => "a DID cannot end with `:`",
                    DidProblem::BadEscape => {
                        "bad percent-escape in DID (use two uppercase hex digits)"
                    }
                    _ => "character not allowed in a DID",
                },
                None,
            ),
            Fault::PlcId => (
                SyntaxReason::Did(DidProblem::PlcIdentifier),
                did,
                "did:plc needs exactly 24 base32 characters ([a-z2-7]) after `did:plc:`",
                None,
            ),
            Fault::WebEmptyHost => (
                SyntaxReason::Did(DidProblem::WebEmptyHost),
                WEB..WEB + 1,
                "did:web host is empty",
                None,
            ),
            Fault::WebPath(colon) => (
                SyntaxReason::Did(DidProblem::WebPath),
                WEB + colon..did_len,
                "atproto does not allow path components in did:web",
                Some("use a bare host name, e.g. `did:web:api.example.com`"),
            ),
            Fault::WebPort(port) => (
                SyntaxReason::Did(DidProblem::WebPort),
                WEB + port..did_len,
                "atproto does not allow port numbers in did:web, except for localhost",
                None,
            ),
            Fault::WebHost => (
                SyntaxReason::Did(DidProblem::WebHost),
                WEB..did_len,
                "did:web host is not a valid URL host",
                Some("use a DNS name such as `api.example.com`"),
            ),
        };
        let err = SyntaxError::new(SyntaxKind::DidServiceRef, reason, range, message);
        match hint {
            Some(hint) => err.hint(hint),
            None => err,
        }
    }
}

/// Byte classes of [`did_ref_plain_valid`].
const DID_HOST: u8 = 1;
const DID_FRAGMENT: u8 = 2;
static DID_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_' {
            table[b] |= DID_HOST;
        }
        if c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
            )
        {
            table[b] |= DID_FRAGMENT;
        }
        b += 1;
    }
    table
};

/// One pass over the common shapes, `did:web:<plain host>#<fragment>` and
/// `did:plc:<24 base32>#<fragment>` without escapes: true means valid. False means "not decided
/// here" (the full check runs), so this only ever accepts what [`did_ref_problem`] accepts.
fn did_ref_plain_valid(value: &[u8]) -> bool {
    let (plc, rest) = if let Some(rest) = value.strip_prefix(b"did:plc:") {
        (true, rest)
    } else if let Some(rest) = value.strip_prefix(b"did:web:") {
        (false, rest)
    } else {
        return false;
    };
    let Some(hash) = memchr::memchr(b'#', rest) else {
        return false;
    };
    did_ref_parts_plain_valid(plc, &rest[..hash], &rest[hash + 1..])
}

/// The fast path of [`DidServiceRef::is_valid`] on the pieces of `did:plc:<id>#<fragment>`
/// (`plc`) or `did:web:<id>#<fragment>`: true means valid, false means "not decided here" (the
/// full check may still accept it). `id` holds no `#`.
pub(crate) fn did_ref_parts_plain_valid(plc: bool, id: &[u8], fragment: &[u8]) -> bool {
    let fragment_ok = !fragment.is_empty()
        && fragment
            .iter()
            .all(|&b| DID_CLASS[b as usize] & DID_FRAGMENT != 0);
    if plc {
        return id.len() == 24
            && id
                .iter()
                .all(|&b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
            && fragment_ok;
    }
    if id.len() <= 64 {
        return host_plain_valid_short(id) && fragment_ok;
    }
    host_plain_valid(id) && fragment_ok
}

/// [`host_plain_valid`] for up to 64 bytes, on the byte class maps; a host with `--` is left
/// to the loop (it may hold an `xn--` label).
fn host_plain_valid_short(host: &[u8]) -> bool {
    host_plain_valid_classes(host, bytemap::classes(host))
}

/// [`host_plain_valid_short`] given the byte classes of `host` (at most 64 bytes).
pub(crate) fn host_plain_valid_classes(host: &[u8], classes: Classes) -> bool {
    let Classes {
        all,
        alnum,
        dot,
        dash,
        underscore,
    } = classes;
    if dash & (dash >> 1) != 0 {
        return host_plain_valid(host);
    }
    let end = host.len();
    // Non-dot bytes at the start or after a dot.
    let label_starts = all & !dot & ((dot << 1) | 1);
    if alnum | dot | dash | underscore != all
        || label_starts == 0
        || dot >> (end - 1) != 0 && (end < 2 || dot >> (end - 2) & 1 != 0)
    {
        return false;
    }
    !host[bytemap::last_bit(label_starts)].is_ascii_digit()
}

/// The host of a plain `did:web`: `[A-Za-z0-9._-]`, no label starting with `xn--`, and a last
/// label that does not start with a digit (`url_host_is_valid`'s fast path). False means "not
/// decided here".
fn host_plain_valid(host: &[u8]) -> bool {
    let mut label = 0;
    let mut last_label = 0;
    for (end, &b) in host.iter().enumerate() {
        if DID_CLASS[b as usize] & DID_HOST == 0 {
            return false;
        }
        if b == b'.' {
            label = end + 1;
        } else if end == label {
            if host.len() >= end + 4 && host[end..end + 4].eq_ignore_ascii_case(b"xn--") {
                return false;
            }
            last_label = end;
        }
    }
    let end = host.len();
    // `last_label` is the start of the last non-empty label, which is the last label after one
    // trailing `.` is trimmed, unless the host ends in `..` (left to the full check).
    if end == 0
        || 8 + end > DID_MAX_LEN
        || host[end - 1] == b'.' && (end < 2 || host[end - 2] == b'.')
    {
        return false;
    }
    !host[last_label].is_ascii_digit()
}

/// The first problem of `value` as a DID service reference, or `None` when it is valid.
fn did_ref_problem(value: &str) -> Option<Fault> {
    let Some(hash) = value.find('#') else {
        return Some(Fault::NoFragment);
    };
    if hash == value.len() - 1 {
        return Some(Fault::EmptyFragment(hash));
    }
    if let Some(second) = value[hash + 1..].find('#') {
        return Some(Fault::SecondHash(hash + 1 + second));
    }
    if let Some(bad) = fragment_error(value, hash + 1) {
        return Some(Fault::FragmentChar(bad));
    }
    atproto_did_problem(&value[..hash])
}

impl fmt::Display for DidServiceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl std::str::FromStr for DidServiceRef {
    type Err = SyntaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DidServiceRef::parse(s)
    }
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// RFC 3986 fragment check (`@atproto/did` `isFragment`); returns the offset of the first bad byte.
fn fragment_error(value: &str, start: usize) -> Option<usize> {
    let bytes = value.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {}
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {}
            b':' | b'@' | b'/' | b'?' => {}
            b'%' => {
                if i + 2 >= bytes.len() || !is_hex(bytes[i + 1]) || !is_hex(bytes[i + 2]) {
                    return Some(i);
                }
                i += 2;
            }
            _ => return Some(i),
        }
        i += 1;
    }
    None
}

/// `@atproto/did` `assertDidMsid`: method-specific-id characters; uppercase hex only in escapes.
fn msid_error(did: &str, start: usize) -> Option<(usize, DidProblem)> {
    let bytes = did.as_bytes();
    if start >= bytes.len() {
        return Some((start, DidProblem::EmptyIdentifier));
    }
    let upper_hex = |b: Option<&u8>| matches!(b, Some(b'0'..=b'9' | b'A'..=b'F'));
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {}
            b':' => {
                if i == bytes.len() - 1 {
                    return Some((i, DidProblem::BadEnd));
                }
            }
            b'%' => {
                if !upper_hex(bytes.get(i + 1)) || !upper_hex(bytes.get(i + 2)) {
                    return Some((i, DidProblem::BadEscape));
                }
                i += 2;
            }
            _ => return Some((i, DidProblem::DisallowedCharacter)),
        }
        i += 1;
    }
    None
}

fn atproto_did_problem(did: &str) -> Option<Fault> {
    // The DID part shares the length, `did:` and method-separator rules of every DID; the
    // method may hold digits here, and only `plc` and `web` pass.
    let method = match did_method(did) {
        Ok(method) => method,
        Err(DidProblem::TooLong) => return Some(Fault::TooLong),
        Err(DidProblem::MissingPrefix) => return Some(Fault::NoDidPrefix),
        Err(_) => return Some(Fault::NotPlcOrWeb),
    };
    let method_len = method.len();
    let method = &did[method];
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Some(Fault::Method(method_len));
    }
    if let Some((at, problem)) = msid_error(did, 4 + method_len + 1) {
        return Some(Fault::Msid(at, problem));
    }
    match method {
        "plc" => {
            let ok = did.len() == 32
                && did.as_bytes()[8..]
                    .iter()
                    .all(|&b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
            (!ok).then_some(Fault::PlcId)
        }
        "web" => did_web_problem(did),
        _ => Some(Fault::NotPlcOrWeb),
    }
}

fn did_web_problem(did: &str) -> Option<Fault> {
    const PREFIX: usize = "did:web:".len();
    let host_enc = &did[PREFIX..];
    if host_enc.starts_with(':') {
        return Some(Fault::WebEmptyHost);
    }
    if let Some(colon) = host_enc.find(':') {
        return Some(Fault::WebPath(colon));
    }
    let is_localhost = host_enc == "localhost" || host_enc.starts_with("localhost%3A");
    if !is_localhost {
        if let Some(port) = host_enc.find("%3A") {
            return Some(Fault::WebPort(port));
        }
    }
    if is_localhost {
        // `http://localhost:<port>`: the port must be empty or digits up to 65535.
        let port = host_enc["localhost".len()..].replace("%3A", ":");
        let port = port.strip_prefix(':').unwrap_or("");
        if !port.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Fault::WebHost);
        }
        let digits = port.trim_start_matches('0');
        if digits.len() > 5 || digits.parse::<u32>().unwrap_or(0) > 65535 {
            return Some(Fault::WebHost);
        }
        return None;
    }
    (!url_host_is_valid(host_enc)).then_some(Fault::WebHost)
}

/// WHATWG URL host parsing for a special scheme, restricted to what a did:web msid can contain
/// (ASCII `[A-Za-z0-9._-]` and `%XX`). See docs/divergences.md for the IDNA approximation.
fn url_host_is_valid(host_enc: &str) -> bool {
    // Fast path: a plain DNS-like name (no escapes, no `xn--`, last label not numeric) is valid.
    if !host_enc.contains('%')
        && !host_enc
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"xn--"))
    {
        let trimmed = host_enc.strip_suffix('.').unwrap_or(host_enc);
        let last = trimmed.rsplit('.').next().unwrap_or("");
        let numeric_start = last.bytes().next().is_some_and(|b| b.is_ascii_digit());
        if !numeric_start && !host_enc.is_empty() {
            return true;
        }
    }
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(host_enc).collect();
    let Ok(host) = std::str::from_utf8(&decoded) else {
        return false;
    };
    if host.is_empty() {
        return false;
    }
    for c in host.chars() {
        let forbidden = matches!(
            c,
            '\u{0}'
                ..='\u{1f}'
                    | ' '
                    | '#'
                    | '%'
                    | '/'
                    | ':'
                    | '<'
                    | '>'
                    | '?'
                    | '@'
                    | '['
                    | '\\'
                    | ']'
                    | '^'
                    | '|'
                    | '\u{7f}'
        );
        if forbidden {
            return false;
        }
    }
    let lower = host.to_ascii_lowercase();
    for label in lower.split('.') {
        if let Some(encoded) = label.strip_prefix("xn--") {
            match punycode_decode(encoded) {
                Some(decoded)
                    if !decoded.is_ascii()
                        && !decoded.chars().any(|c| c.is_control() || c.is_whitespace()) => {}
                _ => return false,
            }
        }
    }
    if ends_in_number(&lower) {
        return parse_ipv4(&lower);
    }
    true
}

fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Saturate: any huge value fails the range checks anyway.
    Some(u64::from_str_radix(digits, radix).unwrap_or(u64::MAX))
}

fn ends_in_number(host: &str) -> bool {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") {
        if parts.len() == 1 {
            return false;
        }
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    ipv4_number(last).is_some() && (last.starts_with("0x") || last.starts_with("0X"))
}

fn parse_ipv4(host: &str) -> bool {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 {
        return false;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        match ipv4_number(part) {
            Some(n) => numbers.push(n),
            None => return false,
        }
    }
    let n = numbers.len();
    if numbers[..n - 1].iter().any(|&v| v > 255) {
        return false;
    }
    numbers[n - 1] < 256u64.pow(5 - n as u32)
}

/// RFC 3492 Punycode decoding of one label (without the `xn--` prefix).
fn punycode_decode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    let (basic, extended) = match input.rfind('-') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let mut n: u32 = 128;
    let mut i: u32 = 0;
    let mut bias: u32 = 72;
    let bytes = extended.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let old_i = i;
        let mut w: u32 = 1;
        let mut k = BASE;
        loop {
            let byte = *bytes.get(pos)?;
            pos += 1;
            let digit = match byte {
                b'a'..=b'z' => byte - b'a',
                b'A'..=b'Z' => byte - b'A',
                b'0'..=b'9' => byte - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                T_MIN
            } else if k >= bias + T_MAX {
                T_MAX
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = output.len() as u32 + 1;
        let mut delta = if old_i == 0 {
            i / DAMP
        } else {
            (i - old_i) / 2
        };
        delta += delta / len;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        bias = k + (BASE * delta) / (delta + SKEW);
        n = n.checked_add(i / len)?;
        i %= len;
        output.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    Some(output.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_refs() {
        for (did, ok) in [
            ("did:web:example.com#x", true),
            ("did:web:.#x", true),
            ("did:web:%41bc.com#x", true),
            ("did:web:example.123#x", false),
            ("did:web:1.2.3.4#x", true),
            ("did:web:0x7f.1#x", true),
            ("did:web:xn--a.com#x", false),
            ("did:web:xn--80ak6aa92e.com#x", true),
            ("did:web:a_b.com#x", true),
            ("did:web:%2A.com#x", true),
            ("did:web:%C3%A9.com#x", true),
            ("did:web:localhost%3A#x", true),
            ("did:web:localhost%3A99999#x", false),
            ("did:web:localhost%3A3000#x", true),
            ("did:web:a..b#x", true),
            ("did:web:256.1.1.1#x", false),
            ("did:web:a.0x#x", false),
            ("did:web:a.09#x", false),
            ("did:web:a.0x1g#x", true),
            ("did:web:%20a.com#x", false),
            ("did:web:LOCALHOST%3A80#x", false),
            ("did:web:a%2Fb.com#x", false),
            ("did:web:xn--.com#x", false),
            ("did:web:XN--a.com#x", false),
            ("did:plc:l3rouwludahu3ui3bt66mfvj#atproto_appview", true),
            ("did:plc:111#x", false),
            ("did:web:example.com", false),
            ("did:key:zabc#x", false),
        ] {
            assert_eq!(DidServiceRef::is_valid(did), ok, "{did}");
        }
    }

    fn host_paths_agree(host: &str) {
        if host.len() <= 64 {
            assert_eq!(
                host_plain_valid_short(host.as_bytes()),
                host_plain_valid(host.as_bytes()),
                "{host:?}"
            );
        }
    }

    #[test]
    fn host_short_path_agrees_on_edge_cases() {
        for host in [
            "",
            ".",
            "..",
            "a.",
            "a..",
            ".a",
            "a.b.",
            "x.com",
            "x.com.",
            "1.2.3.4",
            "1.2.3.a",
            "a.2",
            "a.2.",
            "xn--a.com",
            "a.xn--b.com",
            "a.XN--b",
            "a.bxn--c",
            "a--b.com",
            "a_b.c-d",
            "a b.com",
            "a%2e.com",
            "api.example.com",
            "é.com",
        ] {
            host_paths_agree(host);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
        #[test]
        fn host_short_path_agrees_on_random_hosts(host in "[a-cxnXN0-2._:-]{0,64}") {
            host_paths_agree(&host);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The one-pass fast path only accepts what the full DID check accepts.
        #[test]
        fn did_ref_fast_path_agrees_with_the_full_check(
            method in "(web|plc|key|Web)",
            msid in "([a-zA-Z0-9._:-]|%3A|%2E|xn--|XN--|localhost|\\.){0,12}",
            fragment in "(#[a-zA-Z0-9._~%#-]{0,6})?",
        ) {
            let value = format!("did:{method}:{msid}{fragment}");
            if did_ref_plain_valid(value.as_bytes()) {
                proptest::prop_assert!(did_ref_problem(&value).is_none(), "{}", value);
            }
            proptest::prop_assert_eq!(
                DidServiceRef::is_valid(&value),
                did_ref_problem(&value).is_none(),
                "{}",
                value
            );
        }
    }

    #[test]
    fn did_ref_fast_path_takes_the_common_shapes() {
        for did in [
            "did:web:api.bsky.app#bsky_appview",
            "did:web:localhost#x",
            "did:web:a.b.#x",
            "did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_labeler",
        ] {
            assert!(did_ref_plain_valid(did.as_bytes()), "{did}");
            assert!(did_ref_problem(did).is_none(), "{did}");
        }
        for did in [
            "did:web:a..#x",
            "did:web:xn--80ak6aa92e.com#x",
            "did:web:1.2.3.4#x",
            "did:web:a.com#",
            "did:web:a.com#x%20",
            "did:plc:ewvi7nxzyoun6zhxrhs64oi#x",
        ] {
            assert!(!did_ref_plain_valid(did.as_bytes()), "{did}");
        }
    }
}
