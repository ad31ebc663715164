//! The Lexicon string formats (lexicon spec, "String Formats"): `at-identifier`, `at-uri`, `cid`,
//! `datetime`, `did`, `handle`, `nsid`, `tid`, `record-key`, `uri`, `language`, and `space-ref`
//! (permissioned data: `at://<did>/space/<space type nsid>/<skey>`).
//!
//! [`StringFormat::is_valid`] dispatches to the grammar owners in [`crate::syntax`]; the formats
//! only lexicons use (`cid`, `datetime`, `uri`) and the lexicon-only checks (record key types,
//! blob `accept`, body `encoding`) live here. Hand-written, no regex, no allocation, following
//! the reference validators (`@atproto/syntax`, indigo `atproto/syntax`); every format is tested
//! against the interop vectors.

use crate::syntax::{AtIdentifier, AtUri, Did, Handle, LanguageTag, Nsid, RecordKey, Tid};
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
    /// `space-ref`: `at://<did>/space/<space type nsid>/<skey>`.
    SpaceRef,
}

impl StringFormat {
    /// Every format, sorted by name.
    pub const ALL: [StringFormat; 12] = [
        StringFormat::AtIdentifier,
        StringFormat::AtUri,
        StringFormat::Cid,
        StringFormat::Datetime,
        StringFormat::Did,
        StringFormat::Handle,
        StringFormat::Language,
        StringFormat::Nsid,
        StringFormat::RecordKey,
        StringFormat::SpaceRef,
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
            StringFormat::SpaceRef => "space-ref",
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
            StringFormat::AtIdentifier => AtIdentifier::is_valid(value),
            StringFormat::AtUri => AtUri::is_valid(value),
            StringFormat::Cid => is_valid_cid(value),
            StringFormat::Datetime => is_valid_datetime(value),
            StringFormat::Did => Did::is_valid(value),
            StringFormat::Handle => Handle::is_valid(value),
            StringFormat::Nsid => Nsid::is_valid(value),
            StringFormat::Tid => Tid::is_valid(value),
            StringFormat::RecordKey => RecordKey::is_valid(value),
            StringFormat::Uri => is_valid_uri(value),
            StringFormat::Language => LanguageTag::is_valid(value),
            StringFormat::SpaceRef => is_valid_space_ref(value),
        }
    }
}

impl fmt::Display for StringFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `space-ref`: exactly `at://<did>/space/<nsid>/<skey>`, the DID, the space type NSID and the
/// space key (record-key syntax) each checked by its grammar owner; nothing may follow the key.
pub fn is_valid_space_ref(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("at://") else {
        return false;
    };
    let mut parts = rest.split('/');
    let (Some(did), Some("space"), Some(nsid), Some(skey), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    Did::is_valid(did) && Nsid::is_valid(nsid) && RecordKey::is_valid(skey)
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

/// Checks a record `key` value (`tid`, `nsid`, `any`, or `literal:<record-key>`).
pub fn is_valid_record_key_type(value: &str) -> bool {
    match value {
        "tid" | "nsid" | "any" => true,
        _ => value
            .strip_prefix("literal:")
            .is_some_and(RecordKey::is_valid),
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
    use crate::syntax::NsidProblem;
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
        check("nsid", &["valid"], Nsid::is_valid);
    }

    #[test]
    fn handle_vectors() {
        check("handle", &["valid"], Handle::is_valid);
    }

    #[test]
    fn did_vectors() {
        check("did", &["valid"], Did::is_valid);
    }

    #[test]
    fn at_identifier_vectors() {
        check("at-identifier", &["valid"], AtIdentifier::is_valid);
    }

    #[test]
    fn at_uri_vectors() {
        check("at-uri", &["valid"], AtUri::is_valid);
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
        check("record-key", &["valid"], RecordKey::is_valid);
    }

    #[test]
    fn tid_vectors() {
        check("tid", &["valid"], Tid::is_valid);
    }

    #[test]
    fn uri_vectors() {
        check("uri", &["valid"], is_valid_uri);
    }

    /// Well-formed tags pass the syntax check; only valid ones pass the strict check.
    #[test]
    fn language_vectors() {
        check("language", &["valid", "lenient"], LanguageTag::is_valid);
        check("language", &["valid"], LanguageTag::is_valid_strict);
    }

    #[test]
    fn space_ref() {
        let valid = [
            "at://did:plc:abc123/space/my.bulletin.board/self",
            "at://did:web:example.com/space/com.example.forum/3jzfcijpj2z2a",
            "at://did:plc:abc123/space/com.example.forum/a.b-c_d~e:f",
        ];
        for value in valid {
            assert!(StringFormat::SpaceRef.is_valid(value), "{value}");
        }
        let invalid = [
            "",
            "at://did:plc:abc123/space/my.bulletin.board",
            "at://did:plc:abc123/space/my.bulletin.board/",
            "at://did:plc:abc123/space/my.bulletin.board/self/extra",
            "at://did:plc:abc123/spaces/my.bulletin.board/self",
            "at://alice.example.com/space/my.bulletin.board/self",
            "at://did:plc:abc123/space/board/self",
            "at://did:plc:abc123/space/my.bulletin.board/..",
            "at://did:plc:abc123/space/my.bulletin.board/a b",
            "at://did:plc:abc123/space/my.bulletin.board/self#frag",
            "at://did:plc:abc123/space/my.bulletin.board/self?x=1",
            "https://did:plc:abc123/space/my.bulletin.board/self",
            "at://did:plc:abc123/my.bulletin.board/self",
        ];
        for value in invalid {
            assert!(!StringFormat::SpaceRef.is_valid(value), "{value}");
        }
        assert_eq!(
            StringFormat::from_name("space-ref"),
            Some(StringFormat::SpaceRef)
        );
    }

    #[test]
    fn nsid_errors_name_the_problem() {
        let problem = |value| Nsid::problem(value).map(|(problem, _)| problem);
        assert_eq!(problem("one-two-three"), Some(NsidProblem::TooFewSegments));
        assert_eq!(problem("a..b"), Some(NsidProblem::EmptySegment));
        assert_eq!(
            problem("1a.b.c"),
            Some(NsidProblem::FirstSegmentStartsWithDigit)
        );
        assert_eq!(problem("a.b.c-d"), Some(NsidProblem::NameHasHyphen));
        assert_eq!(problem("a.-b.c"), Some(NsidProblem::HyphenAtEdge));
        assert_eq!(problem("a.b.c*"), Some(NsidProblem::PartialWildcard));
        assert_eq!(
            NsidProblem::PartialWildcard.to_string(),
            NsidProblem::DisallowedCharacter.to_string()
        );
        assert!(StringFormat::Nsid.is_valid("cn.8.lex.stuff"));
        assert!(!StringFormat::Nsid.is_valid("com.example.*"));
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
