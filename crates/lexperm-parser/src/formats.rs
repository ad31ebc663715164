//! Syntax checks for the Lexicon string formats (lexicon spec, "String Formats"): `at-identifier`,
//! `at-uri`, `cid`, `datetime`, `did`, `handle`, `nsid`, `tid`, `record-key`, `uri`, `language`.
//!
//! Hand-written, no regex, no allocation. Each `is_valid_*` follows the reference validators
//! (`@atproto/syntax`, indigo `atproto/syntax`) and is tested against the interop vectors.

use std::fmt;

/// The string formats a lexicon `string` schema may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringFormat {
    /// `at-identifier`: a handle or a DID.
    AtIdentifier,
    /// `at-uri`.
    AtUri,
    /// `cid`.
    Cid,
    /// `datetime`.
    Datetime,
    /// `did`.
    Did,
    /// `handle`.
    Handle,
    /// `nsid`.
    Nsid,
    /// `tid`.
    Tid,
    /// `record-key`.
    RecordKey,
    /// `uri`.
    Uri,
    /// `language` (BCP 47).
    Language,
}

impl StringFormat {
    /// Every format, sorted by name.
    pub const ALL: [StringFormat; 11] = [
        StringFormat::AtIdentifier,
        StringFormat::AtUri,
        StringFormat::Cid,
        StringFormat::Datetime,
        StringFormat::Did,
        StringFormat::Handle,
        StringFormat::Language,
        StringFormat::Nsid,
        StringFormat::RecordKey,
        StringFormat::Tid,
        StringFormat::Uri,
    ];

    /// The name as written in a lexicon.
    pub fn as_str(self) -> &'static str {
        match self {
            StringFormat::AtIdentifier => "at-identifier",
            StringFormat::AtUri => "at-uri",
            StringFormat::Cid => "cid",
            StringFormat::Datetime => "datetime",
            StringFormat::Did => "did",
            StringFormat::Handle => "handle",
            StringFormat::Nsid => "nsid",
            StringFormat::Tid => "tid",
            StringFormat::RecordKey => "record-key",
            StringFormat::Uri => "uri",
            StringFormat::Language => "language",
        }
    }

    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<StringFormat> {
        StringFormat::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == name)
    }

    /// True when `value` is valid for this format.
    pub fn is_valid(self, value: &str) -> bool {
        match self {
            StringFormat::AtIdentifier => is_valid_at_identifier(value),
            StringFormat::AtUri => is_valid_at_uri(value),
            StringFormat::Cid => is_valid_cid(value),
            StringFormat::Datetime => is_valid_datetime(value),
            StringFormat::Did => is_valid_did(value),
            StringFormat::Handle => is_valid_handle(value),
            StringFormat::Nsid => is_valid_nsid(value),
            StringFormat::Tid => is_valid_tid(value),
            StringFormat::RecordKey => is_valid_record_key(value),
            StringFormat::Uri => is_valid_uri(value),
            StringFormat::Language => is_valid_language(value),
        }
    }
}

impl fmt::Display for StringFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not an NSID; messages follow `@atproto/syntax`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsidError {
    /// Longer than 317 characters.
    TooLong,
    /// A character outside ASCII letters, digits, `-` and `.`.
    DisallowedCharacters,
    /// Fewer than three segments.
    TooFewParts,
    /// An empty segment.
    EmptyPart,
    /// A segment longer than 63 characters.
    PartTooLong,
    /// A segment starting or ending with `-`.
    HyphenAtEdge,
    /// The first segment starts with a digit.
    FirstPartStartsWithDigit,
    /// The name segment has a hyphen or starts with a digit.
    BadName,
}

impl fmt::Display for NsidError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NsidError::TooLong => "NSID is too long (317 chars max)",
            NsidError::DisallowedCharacters => {
                "Disallowed characters in NSID (ASCII letters, digits, dashes, periods only)"
            }
            NsidError::TooFewParts => "NSID needs at least three parts",
            NsidError::EmptyPart => "NSID parts can not be empty",
            NsidError::PartTooLong => "NSID part too long (max 63 chars)",
            NsidError::HyphenAtEdge => "NSID parts can not start or end with hyphen",
            NsidError::FirstPartStartsWithDigit => "NSID first part may not start with a digit",
            NsidError::BadName => {
                "NSID name part must be only letters and digits (and no leading digit)"
            }
        })
    }
}

/// Checks NSID syntax exactly as `@atproto/syntax` `isValidNsid` (regex plus length ≤ 317),
/// returning the first problem found.
pub fn check_nsid(value: &str) -> Result<(), NsidError> {
    if value.len() > 317 {
        return Err(NsidError::TooLong);
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(NsidError::DisallowedCharacters);
    }
    let count = value.split('.').count();
    if count < 3 {
        return Err(NsidError::TooFewParts);
    }
    for (i, part) in value.split('.').enumerate() {
        let bytes = part.as_bytes();
        if bytes.is_empty() {
            return Err(NsidError::EmptyPart);
        }
        if bytes.len() > 63 {
            return Err(NsidError::PartTooLong);
        }
        if i + 1 == count {
            if !bytes[0].is_ascii_alphabetic() || !bytes.iter().all(u8::is_ascii_alphanumeric) {
                return Err(NsidError::BadName);
            }
        } else {
            if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
                return Err(NsidError::HyphenAtEdge);
            }
            if i == 0 && !bytes[0].is_ascii_alphabetic() {
                return Err(NsidError::FirstPartStartsWithDigit);
            }
        }
    }
    Ok(())
}

/// NSID syntax, exactly `@atproto/syntax` `isValidNsid`.
pub fn is_valid_nsid(value: &str) -> bool {
    check_nsid(value).is_ok()
}

/// Handle syntax: ASCII letters, digits, `-`, `.`; at most 253 characters; at least two labels of
/// 1–63 characters not starting or ending with `-`; the last label does not start with a digit.
pub fn is_valid_handle(value: &str) -> bool {
    if value.is_empty() || value.len() > 253 {
        return false;
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return false;
    }
    let mut labels = 0;
    let mut last = "";
    for label in value.split('.') {
        let bytes = label.as_bytes();
        if bytes.is_empty() || bytes.len() > 63 {
            return false;
        }
        if bytes[0] == b'-' || bytes[bytes.len() - 1] == b'-' {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && last.as_bytes()[0].is_ascii_alphabetic()
}

/// DID syntax: `did:<method>:<id>`, method lower-case letters, id of `[A-Za-z0-9._:%-]` not ending
/// in `:` or `%`, at most 2048 characters.
pub fn is_valid_did(value: &str) -> bool {
    if value.len() > 2048 {
        return false;
    }
    let Some(rest) = value.strip_prefix("did:") else {
        return false;
    };
    let Some((method, id)) = rest.split_once(':') else {
        return false;
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'%' | b'-'))
    {
        return false;
    }
    !matches!(id.as_bytes()[id.len() - 1], b':' | b'%')
}

/// `at-identifier`: a DID or a handle.
pub fn is_valid_at_identifier(value: &str) -> bool {
    if value.starts_with("did:") {
        is_valid_did(value)
    } else {
        is_valid_handle(value)
    }
}

/// Record key syntax: 1–512 characters of `[A-Za-z0-9._:~-]`, not `.` or `..`.
pub fn is_valid_record_key(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 512
        && value != "."
        && value != ".."
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'~' | b'-'))
}

/// TID syntax: 13 characters of base32-sortable, the first in `234567a-j`.
pub fn is_valid_tid(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 13
        && matches!(bytes[0], b'2'..=b'7' | b'a'..=b'j')
        && bytes[1..]
            .iter()
            .all(|b| matches!(b, b'2'..=b'7' | b'a'..=b'z'))
}

/// CID syntax (the loose check of the reference validators): 8–256 characters of
/// `[A-Za-z0-9+=]`, and not a CIDv0 starting with `Qmb`.
pub fn is_valid_cid(value: &str) -> bool {
    (8..=256).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'=')
        && !value.starts_with("Qmb")
}

/// `uri`: a scheme of lower-case letters, `.` and `-` (starting with a letter, at most 81
/// characters), `:`, then at least one printable non-space ASCII character; at most 8192 bytes.
pub fn is_valid_uri(value: &str) -> bool {
    if value.len() > 8192 {
        return false;
    }
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme = scheme.as_bytes();
    if scheme.is_empty()
        || scheme.len() > 81
        || !scheme[0].is_ascii_lowercase()
        || !scheme
            .iter()
            .all(|b| b.is_ascii_lowercase() || matches!(b, b'.' | b'-'))
    {
        return false;
    }
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_graphic())
}

/// `at-uri`: `at://<did or handle>[/<nsid>[/<record-key>]][#/<fragment>]`, at most 8 KiB.
pub fn is_valid_at_uri(value: &str) -> bool {
    if value.len() > 8 * 1024 {
        return false;
    }
    let (uri, fragment) = match value.split_once('#') {
        Some((uri, fragment)) => (uri, Some(fragment)),
        None => (value, None),
    };
    if let Some(fragment) = fragment {
        let bytes = fragment.as_bytes();
        if bytes.first() != Some(&b'/')
            || !bytes
                .iter()
                .all(|&b| is_uri_path_char(b) || matches!(b, b'[' | b']'))
        {
            return false;
        }
    }
    let Some(rest) = uri.strip_prefix("at://") else {
        return false;
    };
    if !rest.bytes().all(is_uri_path_char) {
        return false;
    }
    let mut parts = rest.split('/');
    let authority = parts.next().unwrap_or("");
    if !is_valid_at_identifier(authority) {
        return false;
    }
    if let Some(collection) = parts.next() {
        if !is_valid_nsid(collection) {
            return false;
        }
        if let Some(rkey) = parts.next() {
            if !is_valid_record_key(rkey) {
                return false;
            }
        }
    }
    parts.next().is_none()
}

fn is_uri_path_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'.' | b'_'
                | b'~'
                | b':'
                | b'@'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b')'
                | b'('
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'%'
                | b'/'
                | b'-'
        )
}

/// `datetime`: RFC 3339 with upper-case `T` and `Z`, whole seconds, optional fraction of 1–20
/// digits, a required timezone (`Z` or `±hh:mm`, not `-00:00`), a real calendar date and time,
/// and not before year 0000 once the offset is applied; at most 64 characters.
pub fn is_valid_datetime(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() > 64 || b.len() < 20 {
        return false;
    }
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if !(digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19))
    {
        return false;
    }
    let mut pos = 19;
    if b[pos] == b'.' {
        pos += 1;
        let start = pos;
        while pos < b.len() && b[pos].is_ascii_digit() {
            pos += 1;
        }
        if pos == start || pos - start > 20 {
            return false;
        }
    }
    let zone = &b[pos..];
    let offset_minutes: i64 = match zone {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
        {
            if zone == b"-00:00" {
                return false;
            }
            let hours = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let minutes = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            if hours > 23 || minutes > 59 {
                return false;
            }
            let total = hours * 60 + minutes;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return false,
    };
    let number = |range: std::ops::Range<usize>| {
        b[range]
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
    };
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return false;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    // Year 0000 is allowed, but not a time that falls before it in UTC.
    if year == 0 && month == 1 && day == 1 && hour * 60 + minute - offset_minutes < 0 {
        return false;
    }
    true
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

const GRANDFATHERED: &[&str] = &[
    "en-GB-oed",
    "i-ami",
    "i-bnn",
    "i-default",
    "i-enochian",
    "i-hak",
    "i-klingon",
    "i-lux",
    "i-mingo",
    "i-navajo",
    "i-pwn",
    "i-tao",
    "i-tay",
    "i-tsu",
    "sgn-BE-FR",
    "sgn-BE-NL",
    "sgn-CH-DE",
    "art-lojban",
    "cel-gaulish",
    "no-bok",
    "no-nyn",
    "zh-guoyu",
    "zh-hakka",
    "zh-min",
    "zh-min-nan",
    "zh-xiang",
];

/// `language`: a well-formed BCP 47 tag, the grammar `@atproto/syntax` `isValidLanguage` accepts
/// (primary language subtag in lower case, the rest case-insensitive).
pub fn is_valid_language(value: &str) -> bool {
    language_tag(value).is_some()
}

/// Like [`is_valid_language`], and also rejects repeated variants or extension singletons
/// (`@atproto/syntax` `parseLanguageString`).
pub fn is_valid_language_strict(value: &str) -> bool {
    language_tag(value).is_some_and(|unique| unique)
}

/// Parses a language tag; `Some(no_duplicates)` when well-formed.
fn language_tag(value: &str) -> Option<bool> {
    if GRANDFATHERED.contains(&value) {
        return Some(true);
    }
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    let mut subtags = value.split('-').peekable();
    let first = subtags.next()?;
    if first == "x" || first == "X" {
        return private_use_rest(&mut subtags).then_some(true);
    }
    if !(2..=3).contains(&first.len()) || !first.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    // extlang: up to three 3-letter subtags.
    let mut extlangs = 0;
    while extlangs < 3 && subtags.peek().is_some_and(|s| s.len() == 3 && alpha(s)) {
        subtags.next();
        extlangs += 1;
    }
    if subtags.peek().is_some_and(|s| s.len() == 4 && alpha(s)) {
        subtags.next();
    }
    if subtags.peek().is_some_and(|s| {
        (s.len() == 2 && alpha(s)) || (s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
    }) {
        subtags.next();
    }
    let mut unique = true;
    let mut variants: Vec<&str> = Vec::new();
    while let Some(s) = subtags.peek() {
        let is_variant = ((5..=8).contains(&s.len()) && alnum(s))
            || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit() && alnum(s));
        if !is_variant {
            break;
        }
        if variants.iter().any(|v| v.eq_ignore_ascii_case(s)) {
            unique = false;
        }
        variants.push(s);
        subtags.next();
    }
    let mut singletons: Vec<u8> = Vec::new();
    while let Some(s) = subtags.next() {
        if s.len() != 1 || !s.as_bytes()[0].is_ascii_alphanumeric() {
            return None;
        }
        let singleton = s.as_bytes()[0].to_ascii_lowercase();
        if singleton == b'x' {
            return private_use_rest(&mut subtags).then_some(unique);
        }
        if singletons.contains(&singleton) {
            unique = false;
        }
        singletons.push(singleton);
        let mut count = 0;
        while subtags
            .peek()
            .is_some_and(|s| (2..=8).contains(&s.len()) && alnum(s))
        {
            subtags.next();
            count += 1;
        }
        if count == 0 {
            return None;
        }
    }
    Some(unique)
}

/// After an `x` singleton: one or more subtags of 1–8 alphanumerics, up to the end.
fn private_use_rest<'a>(subtags: &mut impl Iterator<Item = &'a str>) -> bool {
    let mut count = 0;
    for s in subtags {
        if s.is_empty() || s.len() > 8 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return false;
        }
        count += 1;
    }
    count > 0
}

/// Checks a record `key` value (`tid`, `nsid`, `any`, or `literal:<record-key>`).
pub fn is_valid_record_key_type(value: &str) -> bool {
    match value {
        "tid" | "nsid" | "any" => true,
        _ => value
            .strip_prefix("literal:")
            .is_some_and(is_valid_record_key),
    }
}

/// Checks a blob `accept` entry: `*/*`, or `type/subtype` or `type/*` with non-empty parts, one
/// `/`, no whitespace, and `*` only as the whole subtype.
pub fn is_valid_accept(value: &str) -> bool {
    if value == "*/*" {
        return true;
    }
    let Some((kind, subtype)) = value.split_once('/') else {
        return false;
    };
    if kind.is_empty() || subtype.is_empty() || subtype.contains('/') {
        return false;
    }
    if value
        .bytes()
        .any(|b| b.is_ascii_whitespace() || !b.is_ascii_graphic())
    {
        return false;
    }
    if kind.contains('*') {
        return false;
    }
    subtype == "*" || !subtype.contains('*')
}

/// Checks a MIME type used as a body `encoding`: `type/subtype`, no parameters (`;`), no `,`, no
/// whitespace. `*/*` and `type/*` are allowed.
pub fn is_valid_encoding(value: &str) -> bool {
    if value.is_empty()
        || value
            .bytes()
            .any(|b| matches!(b, b',' | b';') || !b.is_ascii_graphic())
    {
        return false;
    }
    match value.split_once('/') {
        Some((kind, subtype)) => !kind.is_empty() && !subtype.is_empty() && !subtype.contains('/'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Reads `tests/fixtures/syntax/<format>.txt`: per value, the verdict lexperm must give (its
    /// own column where it deliberately differs from the reference, else the reference's:
    /// `valid`, `lenient` or `invalid`) and the value. `#` comments and blank lines are skipped;
    /// values are never trimmed.
    fn vectors(format: &str) -> Vec<(String, String)> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/syntax")
            .join(format!("{format}.txt"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        text.split('\n')
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let mut fields = line.splitn(3, '\t');
                let (Some(reference), Some(lexperm), Some(value)) =
                    (fields.next(), fields.next(), fields.next())
                else {
                    panic!("{path:?}: expected verdict, lexperm verdict and value: {line:?}");
                };
                let verdict = if lexperm == "-" { reference } else { lexperm };
                (verdict.to_string(), value.to_string())
            })
            .collect()
    }

    /// Every value of `format` gets `f(value) == true` exactly when its verdict is one of
    /// `accepted`; both outcomes occur.
    #[track_caller]
    fn check(format: &str, accepted: &[&str], f: fn(&str) -> bool) {
        let rows = vectors(format);
        let valid = rows.iter().filter(|(v, _)| accepted.contains(&v.as_str()));
        assert!(valid.count() > 0 && rows.iter().any(|(v, _)| !accepted.contains(&v.as_str())));
        for (verdict, value) in &rows {
            let want = accepted.contains(&verdict.as_str());
            assert_eq!(f(value), want, "{format}: {verdict}: {value:?}");
        }
    }

    #[test]
    fn nsid_vectors() {
        check("nsid", &["valid"], is_valid_nsid);
    }

    #[test]
    fn handle_vectors() {
        check("handle", &["valid"], is_valid_handle);
    }

    #[test]
    fn did_vectors() {
        check("did", &["valid"], is_valid_did);
    }

    #[test]
    fn at_identifier_vectors() {
        check("at-identifier", &["valid"], is_valid_at_identifier);
    }

    #[test]
    fn at_uri_vectors() {
        check("at-uri", &["valid"], is_valid_at_uri);
    }

    #[test]
    fn cid_vectors() {
        check("cid", &["valid"], is_valid_cid);
    }

    #[test]
    fn datetime_vectors() {
        check("datetime", &["valid"], is_valid_datetime);
    }

    #[test]
    fn record_key_vectors() {
        check("record-key", &["valid"], is_valid_record_key);
    }

    #[test]
    fn tid_vectors() {
        check("tid", &["valid"], is_valid_tid);
    }

    #[test]
    fn uri_vectors() {
        check("uri", &["valid"], is_valid_uri);
    }

    /// Well-formed tags pass the syntax check; only valid ones pass the strict check.
    #[test]
    fn language_vectors() {
        check("language", &["valid", "lenient"], is_valid_language);
        check("language", &["valid"], is_valid_language_strict);
    }

    #[test]
    fn nsid_errors_name_the_problem() {
        assert_eq!(check_nsid("one-two-three"), Err(NsidError::TooFewParts));
        assert_eq!(check_nsid("a..b"), Err(NsidError::EmptyPart));
        assert_eq!(
            check_nsid("1a.b.c"),
            Err(NsidError::FirstPartStartsWithDigit)
        );
        assert_eq!(check_nsid("a.b.c-d"), Err(NsidError::BadName));
        assert_eq!(check_nsid("a.-b.c"), Err(NsidError::HyphenAtEdge));
        assert_eq!(check_nsid("a.b.c*"), Err(NsidError::DisallowedCharacters));
        assert!(is_valid_nsid("cn.8.lex.stuff"));
        assert!(!is_valid_nsid("com.example.*"));
    }

    #[test]
    fn record_key_types() {
        for ok in ["tid", "nsid", "any", "literal:self", "literal:a.b"] {
            assert!(is_valid_record_key_type(ok), "{ok}");
        }
        for bad in ["bogus", "literal:", "literal:..", "Tid", ""] {
            assert!(!is_valid_record_key_type(bad), "{bad}");
        }
    }

    #[test]
    fn accept_patterns() {
        for ok in [
            "*/*",
            "image/*",
            "image/png",
            "video/mp4",
            "application/ld+json",
        ] {
            assert!(is_valid_accept(ok), "{ok}");
        }
        for bad in [
            "*",
            "*/png",
            "image/**",
            "image",
            "/png",
            "image/",
            "image//png",
            "a/b/c",
            "text/ht*",
            "image/ png",
        ] {
            assert!(!is_valid_accept(bad), "{bad}");
        }
    }

    #[test]
    fn encodings() {
        for ok in [
            "application/json",
            "*/*",
            "text/plain",
            "application/vnd.ipld.car",
            "image/*",
        ] {
            assert!(is_valid_encoding(ok), "{ok}");
        }
        for bad in [
            "application/json; charset=utf-8",
            "a/b,c/d",
            "json",
            "",
            "text /plain",
        ] {
            assert!(!is_valid_encoding(bad), "{bad}");
        }
    }
}
