//! NSIDs: [`Nsid`].

use super::{SyntaxError, SyntaxKind, SyntaxReason};
use crate::bytemap::{self, Classes};
use std::fmt;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// NSID
// ---------------------------------------------------------------------------------------------

/// A valid NSID such as `com.example.fooBar`: a reversed domain authority plus a name segment.
///
/// Validation is exactly `@atproto/syntax` `isValidNsid` (at most 317 bytes, at least three
/// segments, first segment starts with a letter, middle segments may start with a digit, the name
/// is a letter followed by letters and digits). No case folding is done anywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nsid(String);

const NSID_MAX_LEN: usize = 253 + 1 + 63;

/// [`Nsid::is_valid`] once the length is checked, byte by byte with each segment checked at its
/// `.` (or the end): the path for NSIDs longer than 64 bytes, and the one [`nsid_valid_short`]
/// is tested against.
fn nsid_valid_by_segments(bytes: &[u8]) -> bool {
    let segment_ok = |start: usize, end: usize, first: bool| {
        let n = end - start;
        n > 0
            && n <= 63
            && bytes[start] != b'-'
            && bytes[end - 1] != b'-'
            && (!first || bytes[start].is_ascii_alphabetic())
    };
    let mut start = 0;
    let mut n_segments = 0usize;
    let mut dash = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'.' => {
                if !segment_ok(start, i, n_segments == 0) {
                    return false;
                }
                n_segments += 1;
                start = i + 1;
                dash = false;
            }
            b'-' => dash = true,
            _ if b.is_ascii_alphanumeric() => {}
            _ => return false,
        }
    }
    if !segment_ok(start, bytes.len(), n_segments == 0) {
        return false;
    }
    n_segments + 1 >= 3 && bytes[start].is_ascii_alphabetic() && !dash
}

/// [`Nsid::is_valid`] for 5 to 64 bytes: each rule is a test on the byte class maps (with at
/// most 64 bytes no segment can pass 63). Agrees with [`nsid_valid_by_segments`] (tested below).
fn nsid_valid_short(bytes: &[u8]) -> bool {
    let len = bytes.len();
    debug_assert!((5..=64).contains(&len));
    let Classes {
        all,
        alnum,
        dot,
        dash,
        ..
    } = bytemap::classes(bytes);
    let last = len - 1;
    if alnum | dot | dash != all
        || !bytes[0].is_ascii_alphabetic()
        || (dot | dash) >> last != 0
        || dot & (dot >> 1) != 0
        || dash & ((dot << 1) | (dot >> 1)) != 0
        || dot.count_ones() < 2
    {
        return false;
    }
    // The name: after the last dot, a letter first and no dash.
    let name = bytemap::last_bit(dot) + 1;
    bytes[name].is_ascii_alphabetic() && dash >> name == 0
}

/// The [`SyntaxError`] for `problem` at `range` of `value`: a message and hint per rule.
fn nsid_error(value: &str, problem: NsidProblem, range: Range<usize>) -> SyntaxError {
    let message = match problem {
        NsidProblem::Empty => "empty NSID",
        NsidProblem::TooLong => "NSID is longer than 317 characters",
        NsidProblem::Wildcard => "a wildcard is not an NSID here",
        NsidProblem::PartialWildcard => "partial wildcards are not allowed",
        NsidProblem::DisallowedCharacter => {
            let ch = value[range.clone()].chars().next().unwrap_or_default();
            let err = SyntaxError::new(
                SyntaxKind::Nsid,
                SyntaxReason::Nsid(problem),
                range,
                format!("character {ch:?} is not allowed in an NSID"),
            );
            return err.hint("NSIDs use ASCII letters, digits, `-` and `.` only");
        }
        NsidProblem::TooFewSegments => "an NSID needs at least three segments",
        NsidProblem::EmptySegment => "empty NSID segment",
        NsidProblem::SegmentTooLong => "NSID segment longer than 63 characters",
        NsidProblem::HyphenAtEdge | NsidProblem::NameHyphenAtEdge => {
            "an NSID segment cannot start or end with `-`"
        }
        NsidProblem::FirstSegmentStartsWithDigit => {
            "the first NSID segment must start with a letter"
        }
        NsidProblem::NameStartsWithDigit => "the NSID name segment must start with a letter",
        NsidProblem::NameHasHyphen => "the NSID name segment cannot contain `-`",
    };
    let hint = match problem {
        NsidProblem::Empty | NsidProblem::TooFewSegments => {
            Some("write a reversed domain plus a name, e.g. `com.example.fooBar`")
        }
        NsidProblem::PartialWildcard => Some("use `*` alone, or list each NSID explicitly"),
        NsidProblem::NameHasHyphen => Some("use camelCase for the name, e.g. `fooBar`"),
        _ => None,
    };
    let err = SyntaxError::new(
        SyntaxKind::Nsid,
        SyntaxReason::Nsid(problem),
        range,
        message,
    );
    match hint {
        Some(hint) => err.hint(hint),
        None => err,
    }
}

/// Which NSID rule a value breaks. [`Nsid::problem`] reports the first one found, checking in
/// this order: the whole value, its characters, the segment count, then segment by segment.
///
/// `Display` gives the wording of `@atproto/syntax` (one message for several rules where the
/// reference does not tell them apart); [`Nsid::check`] gives a message and hint per rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NsidProblem {
    /// The value is empty.
    Empty,
    /// Longer than 317 bytes.
    TooLong,
    /// The value is `*`.
    Wildcard,
    /// A `*` inside the value.
    PartialWildcard,
    /// A character outside ASCII letters, digits, `-` and `.`.
    DisallowedCharacter,
    /// Fewer than three segments.
    TooFewSegments,
    /// An empty segment.
    EmptySegment,
    /// A segment longer than 63 bytes.
    SegmentTooLong,
    /// A domain segment starts or ends with `-`.
    HyphenAtEdge,
    /// The name segment starts or ends with `-`.
    NameHyphenAtEdge,
    /// The first segment starts with a digit.
    FirstSegmentStartsWithDigit,
    /// The name segment starts with a digit.
    NameStartsWithDigit,
    /// The name segment holds a `-`.
    NameHasHyphen,
}

impl fmt::Display for NsidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NsidProblem::Empty | NsidProblem::TooFewSegments => "NSID needs at least three parts",
            NsidProblem::TooLong => "NSID is too long (317 chars max)",
            NsidProblem::Wildcard
            | NsidProblem::PartialWildcard
            | NsidProblem::DisallowedCharacter => {
                "Disallowed characters in NSID (ASCII letters, digits, dashes, periods only)"
            }
            NsidProblem::EmptySegment => "NSID parts can not be empty",
            NsidProblem::SegmentTooLong => "NSID part too long (max 63 chars)",
            NsidProblem::HyphenAtEdge => "NSID parts can not start or end with hyphen",
            NsidProblem::FirstSegmentStartsWithDigit => {
                "NSID first part may not start with a digit"
            }
            NsidProblem::NameHyphenAtEdge
            | NsidProblem::NameStartsWithDigit
            | NsidProblem::NameHasHyphen => {
                "NSID name part must be only letters and digits (and no leading digit)"
            }
        })
    }
}

impl Nsid {
    /// True when `value` is a valid NSID. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        let bytes = value.as_bytes();
        match bytes.len() {
            5..=64 => nsid_valid_short(bytes),
            65..=NSID_MAX_LEN => nsid_valid_by_segments(bytes),
            _ => false,
        }
    }

    /// The first NSID rule `value` breaks and the byte range it concerns, or `None` when `value`
    /// is a valid NSID. This is the grammar; [`Nsid::is_valid`] is its fast path. Never
    /// allocates.
    pub fn problem(value: &str) -> Option<(NsidProblem, Range<usize>)> {
        let bytes = value.as_bytes();
        let full = 0..bytes.len();
        if bytes.is_empty() {
            return Some((NsidProblem::Empty, full));
        }
        if bytes.len() > NSID_MAX_LEN {
            return Some((NsidProblem::TooLong, full));
        }
        if bytes == b"*" {
            return Some((NsidProblem::Wildcard, full));
        }
        if let Some(star) = memchr::memchr(b'*', bytes) {
            return Some((NsidProblem::PartialWildcard, star..star + 1));
        }
        if let Some((at, ch)) = value
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        {
            return Some((NsidProblem::DisallowedCharacter, at..at + ch.len_utf8()));
        }
        let n_segments = memchr::memchr_iter(b'.', bytes).count() + 1;
        if n_segments < 3 {
            return Some((NsidProblem::TooFewSegments, full));
        }
        let mut start = 0;
        for (i, segment) in bytes.split(|&b| b == b'.').enumerate() {
            let range = start..start + segment.len();
            start = range.end + 1;
            let name = i == n_segments - 1;
            let problem = match segment {
                [] => NsidProblem::EmptySegment,
                _ if segment.len() > 63 => NsidProblem::SegmentTooLong,
                [b'-', ..] | [.., b'-'] if name => NsidProblem::NameHyphenAtEdge,
                [b'-', ..] | [.., b'-'] => NsidProblem::HyphenAtEdge,
                [first, ..] if i == 0 && !first.is_ascii_alphabetic() => {
                    NsidProblem::FirstSegmentStartsWithDigit
                }
                [first, ..] if name && !first.is_ascii_alphabetic() => {
                    NsidProblem::NameStartsWithDigit
                }
                _ if name && memchr::memchr(b'-', segment).is_some() => NsidProblem::NameHasHyphen,
                _ => continue,
            };
            return Some((problem, range));
        }
        None
    }

    /// Checks an NSID, explaining the first problem found (see [`Nsid::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        match Nsid::problem(value) {
            None => Ok(()),
            Some((problem, range)) => Err(nsid_error(value, problem, range)),
        }
    }

    /// Parses an NSID, explaining the first problem found.
    pub fn parse(value: &str) -> Result<Nsid, SyntaxError> {
        if Nsid::is_valid(value) {
            return Ok(Nsid(value.to_owned()));
        }
        Nsid::check(value).map(|()| Nsid(value.to_owned()))
    }

    /// The NSID text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name: the last segment (`fooBar` in `com.example.fooBar`).
    pub fn name(&self) -> &str {
        match self.0.rfind('.') {
            Some(dot) => &self.0[dot + 1..],
            None => &self.0,
        }
    }

    /// The authority domain: every segment but the name, reversed (`example.com` for
    /// `com.example.fooBar`), case kept; [`NsidAuthority`] is the lowercased DNS name.
    pub fn authority(&self) -> String {
        let group = &self.0[..self.0.rfind('.').unwrap_or(0)];
        let mut parts: Vec<&str> = group.split('.').collect();
        parts.reverse();
        parts.join(".")
    }

    /// The group prefix: the NSID up to and including its last `.` (`com.example.` for
    /// `com.example.fooBar`).
    pub fn group_prefix(&self) -> &str {
        match self.0.rfind('.') {
            Some(dot) => &self.0[..=dot],
            None => "",
        }
    }

    /// True when a permission set with this NSID may grant `target` (permissions.md §4): `target`
    /// is longer than [`Nsid::group_prefix`] and starts with it, byte for byte. `*` never
    /// qualifies. This is the reference `IncludeScope.isParentAuthorityOf`.
    pub fn is_parent_authority_of(&self, target: &str) -> bool {
        if target == "*" {
            return false;
        }
        let prefix = self.group_prefix();
        target.len() > prefix.len() && target.as_bytes().starts_with(prefix.as_bytes())
    }
}

impl fmt::Display for Nsid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Nsid {
    type Err = SyntaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nsid::parse(s)
    }
}

impl AsRef<str> for Nsid {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The authority of an NSID as a DNS name: every segment but the name, reversed and lowercased
/// (`example.com` for `Com.Example.fooBar`). Its authority record lives at
/// [`NsidAuthority::lexicon_record_name`]; resolution never tries parent domains.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NsidAuthority(String);

impl NsidAuthority {
    /// The authority of `nsid`.
    pub fn of(nsid: &Nsid) -> NsidAuthority {
        NsidAuthority(nsid.authority().to_ascii_lowercase())
    }

    /// The authority of the NSID `value`, or why `value` is not an NSID.
    pub fn of_str(value: &str) -> Result<NsidAuthority, SyntaxError> {
        Nsid::parse(value).map(|nsid| NsidAuthority::of(&nsid))
    }

    /// The domain name (`example.com`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain name, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The DNS name of the authority record: `_lexicon.<authority>`.
    pub fn lexicon_record_name(&self) -> String {
        lexicon_record_name(&self.0)
    }
}

impl fmt::Display for NsidAuthority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The DNS name holding the authority record of the authority domain `authority`:
/// `_lexicon.<authority>`.
pub fn lexicon_record_name(authority: &str) -> String {
    format!("_lexicon.{authority}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::assert_problems;

    #[test]
    fn nsid_basics() {
        for ok in [
            "a.b.c",
            "com.9example.foo",
            "Com.Example.Foo",
            "com.example.fooBar",
        ] {
            assert!(Nsid::is_valid(ok), "{ok}");
        }
        for bad in [
            "a.b",
            "com.example.9foo",
            "com.example.foo-bar",
            "com.example-.foo",
            "com.example.*",
            "9com.example.foo",
            "com..example",
            "",
        ] {
            assert!(!Nsid::is_valid(bad), "{bad}");
            assert!(Nsid::parse(bad).is_err());
        }
        let nsid = Nsid::parse("com.example.calendar.auth").unwrap();
        assert_eq!(nsid.name(), "auth");
        assert_eq!(nsid.authority(), "calendar.example.com");
        assert_eq!(nsid.group_prefix(), "com.example.calendar.");
    }

    /// The byte-map NSID check against the segment loop, and both fast paths and
    /// [`Nsid::is_valid`] against the grammar ([`Nsid::problem`]), on NSID-like strings.
    fn nsid_paths_agree(value: &str) {
        let bytes = value.as_bytes();
        let owner = Nsid::problem(value).is_none();
        if (5..=64).contains(&bytes.len()) {
            assert_eq!(
                nsid_valid_short(bytes),
                nsid_valid_by_segments(bytes),
                "{value:?}"
            );
            assert_eq!(nsid_valid_short(bytes), owner, "short path: {value:?}");
        }
        if bytes.len() <= NSID_MAX_LEN {
            assert_eq!(
                nsid_valid_by_segments(bytes),
                owner,
                "segment path: {value:?}"
            );
        }
        assert_eq!(Nsid::is_valid(value), owner, "is_valid: {value:?}");
        assert_eq!(Nsid::check(value).is_ok(), owner, "check: {value:?}");
    }

    #[test]
    fn nsid_short_path_agrees_on_edge_cases() {
        for value in [
            "a.b.c",
            "a.b.c-",
            "a.b-.c",
            "a.-b.c",
            "a.b.-c",
            "a.b.c-d",
            "a-b.c-d.e",
            "1a.b.c",
            "a.1b.c",
            "a.b.1c",
            "a..b.c",
            ".a.b.c",
            "a.b.c.",
            "a.b",
            "ab.cd",
            "a.b.c\u{0}",
            "a.b.c\u{80}x",
            "com.example.fooBar",
            "com.exa_mple.foo",
            "com.example.foo*",
            "app.bsky.feed.getFeedSkeleton",
            "a.b.c/d",
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.f",
            "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.a.b.c.d.e.fg",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b.c",
            "a.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.c",
            "a.b.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc-",
            "a.b.cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
        ] {
            nsid_paths_agree(value);
        }
        // Every byte at every position of a valid NSID of each word-boundary length.
        for len in [5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64] {
            let mut base = vec![b'a'; len];
            base[2] = b'.';
            base[len - 2] = b'.';
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = base.clone();
                    bytes[at] = b;
                    if let Ok(value) = std::str::from_utf8(&bytes) {
                        nsid_paths_agree(value);
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
        #[test]
        fn nsid_short_path_agrees_on_random_strings(value in "[a-cA-C0-9.-]{5,64}") {
            nsid_paths_agree(&value);
        }

        #[test]
        fn nsid_short_path_agrees_on_nsid_shapes(
            value in "([a-z][a-z0-9-]{0,6}\\.){1,5}[a-zA-Z0-9-]{1,8}",
        ) {
            nsid_paths_agree(&value);
        }
    }

    /// `segments` as an NSID of `a`s, each segment of the given length.
    fn nsid_of(segments: &[usize]) -> String {
        let parts: Vec<String> = segments.iter().map(|&n| "a".repeat(n)).collect();
        parts.join(".")
    }

    #[test]
    fn lengths_around_the_limits() {
        // 63 + 63 + 63 + 63 + 61 + 4 dots = 317 bytes: the longest NSID.
        let longest = nsid_of(&[63, 63, 63, 63, 61]);
        assert_eq!(longest.len(), 317);
        assert!(Nsid::is_valid(&longest));
        let too_long = nsid_of(&[63, 63, 63, 63, 62]);
        assert_eq!(too_long.len(), 318);
        assert!(!Nsid::is_valid(&too_long));
        assert_eq!(
            Nsid::problem(&too_long),
            Some((NsidProblem::TooLong, 0..318))
        );
        // A 64-byte segment in each position.
        for at in 0..3 {
            let mut lens = [3, 3, 3];
            lens[at] = 64;
            let value = nsid_of(&lens);
            let start = lens[..at].iter().map(|n| n + 1).sum::<usize>();
            assert_eq!(
                Nsid::problem(&value),
                Some((NsidProblem::SegmentTooLong, start..start + 64)),
                "{value}"
            );
            lens[at] = 63;
            assert!(Nsid::is_valid(&nsid_of(&lens)));
        }
        // Every total length from 1 to 330, with segments of 63 and a shorter last one.
        for total in 1..=330usize {
            let mut lens = Vec::new();
            let mut left = total;
            while left > 64 {
                lens.push(63);
                left -= 64;
            }
            lens.push(left);
            let value = nsid_of(&lens);
            assert_eq!(value.len(), total);
            nsid_paths_agree(&value);
            let mut with_bad_end = value.into_bytes();
            for b in [b'-', b'.', b'1', b'A', b'*', b'_'] {
                let last = with_bad_end.len() - 1;
                with_bad_end[last] = b;
                nsid_paths_agree(std::str::from_utf8(&with_bad_end).unwrap());
            }
        }
    }

    #[test]
    fn problems_name_the_rule_and_the_place() {
        let cases: [(&str, NsidProblem, Range<usize>); 13] = [
            ("", NsidProblem::Empty, 0..0),
            ("*", NsidProblem::Wildcard, 0..1),
            ("com.ex*.foo", NsidProblem::PartialWildcard, 6..7),
            ("com.ex_.foo", NsidProblem::DisallowedCharacter, 6..7),
            ("com.é.foo", NsidProblem::DisallowedCharacter, 4..6),
            ("one-two-three", NsidProblem::TooFewSegments, 0..13),
            ("a..b", NsidProblem::EmptySegment, 2..2),
            ("a.-b.c", NsidProblem::HyphenAtEdge, 2..4),
            ("a.b.c-", NsidProblem::NameHyphenAtEdge, 4..6),
            ("1a.b.c", NsidProblem::FirstSegmentStartsWithDigit, 0..2),
            ("a.b.1c", NsidProblem::NameStartsWithDigit, 4..6),
            ("a.b.c-d", NsidProblem::NameHasHyphen, 4..7),
            ("a.b", NsidProblem::TooFewSegments, 0..3),
        ];
        assert_problems(&cases, Nsid::problem, Nsid::check, SyntaxReason::Nsid);
        assert_eq!(
            NsidProblem::TooFewSegments.to_string(),
            "NSID needs at least three parts"
        );
        assert_eq!(
            Nsid::check("com.é.foo").unwrap_err().message,
            "character 'é' is not allowed in an NSID"
        );
    }

    #[test]
    fn authority_is_the_reversed_lowercased_domain() {
        let of = |value: &str| NsidAuthority::of_str(value).map(NsidAuthority::into_string);
        assert_eq!(of("app.toy.record").unwrap(), "toy.app");
        assert_eq!(of("Com.Example.fooBar").unwrap(), "example.com");
        let authority = NsidAuthority::of_str("edu.university.dept.lab.blogging.getBlogPost");
        assert_eq!(
            authority.unwrap().lexicon_record_name(),
            "_lexicon.blogging.lab.dept.university.edu"
        );
        // The name segment and the 317-byte total count for the authority too.
        let long_name = format!("com.example.{}", "a".repeat(64));
        assert_eq!(
            of(&long_name).unwrap_err().reason,
            SyntaxReason::Nsid(NsidProblem::SegmentTooLong)
        );
        let too_long = nsid_of(&[63, 63, 63, 63, 62]);
        assert_eq!(
            of(&too_long).unwrap_err().reason,
            SyntaxReason::Nsid(NsidProblem::TooLong)
        );
        assert!(of("com.example.foo-bar").is_err());
    }

    /// Segment lengths that hit the 63/64 boundary often, and a byte to put somewhere.
    fn near_valid_nsid() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let len = prop_oneof![Just(1usize), Just(62), Just(63), Just(64), 1..70usize];
        let byte = prop_oneof![
            Just('-'),
            Just('.'),
            Just('1'),
            Just('Z'),
            Just('*'),
            Just('_'),
            Just('é'),
            Just('a'),
        ];
        (
            proptest::collection::vec(len, 1..7),
            proptest::collection::vec((any::<proptest::sample::Index>(), byte), 0..3),
        )
            .prop_map(|(lens, edits)| {
                let mut chars: Vec<char> = nsid_of(&lens).chars().collect();
                for (at, ch) in edits {
                    let i = at.index(chars.len());
                    chars[i] = ch;
                }
                chars.into_iter().collect()
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        /// The fast paths accept exactly what the grammar accepts, near the length limits.
        #[test]
        fn fast_paths_equal_the_grammar_near_limits(value in near_valid_nsid()) {
            nsid_paths_agree(&value);
        }

        /// The same on arbitrary strings.
        #[test]
        fn fast_paths_equal_the_grammar_on_any_string(value in "\\PC{0,80}") {
            nsid_paths_agree(&value);
        }

        /// The same on NSID-shaped strings of mixed classes.
        #[test]
        fn fast_paths_equal_the_grammar_on_nsid_shapes(
            value in "([a-zA-Z0-9][a-zA-Z0-9-]{0,8}\\.){0,6}[a-zA-Z0-9-]{0,9}",
        ) {
            nsid_paths_agree(&value);
        }
    }
}
