//! NSIDs: [`Nsid`].

use super::{SyntaxError, SyntaxKind};
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

    /// Parses an NSID, explaining the first problem found.
    pub fn parse(value: &str) -> Result<Nsid, SyntaxError> {
        if Nsid::is_valid(value) {
            return Ok(Nsid(value.to_owned()));
        }
        Err(Nsid::explain(value))
    }

    fn explain(value: &str) -> SyntaxError {
        let err = |range: Range<usize>, msg: &str| SyntaxError::new(SyntaxKind::Nsid, range, msg);
        let full = 0..value.len();
        if value.is_empty() {
            return err(full, "empty NSID")
                .hint("write a reversed domain plus a name, e.g. `com.example.fooBar`");
        }
        if value.len() > NSID_MAX_LEN {
            return err(full, "NSID is longer than 317 characters");
        }
        if value == "*" {
            return err(full, "a wildcard is not an NSID here");
        }
        if let Some(star) = value.find('*') {
            return err(star..star + 1, "partial wildcards are not allowed")
                .hint("use `*` alone, or list each NSID explicitly");
        }
        if let Some((idx, ch)) = value
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        {
            return err(
                idx..idx + ch.len_utf8(),
                &format!("character {ch:?} is not allowed in an NSID"),
            )
            .hint("NSIDs use ASCII letters, digits, `-` and `.` only");
        }
        let n_segments = value.split('.').count();
        if n_segments < 3 {
            return err(full, "an NSID needs at least three segments")
                .hint("write a reversed domain plus a name, e.g. `com.example.fooBar`");
        }
        let mut start = 0usize;
        for (i, segment) in value.split('.').enumerate() {
            let range = start..start + segment.len();
            start += segment.len() + 1;
            if segment.is_empty() {
                return err(range, "empty NSID segment");
            }
            if segment.len() > 63 {
                return err(range, "NSID segment longer than 63 characters");
            }
            if segment.starts_with('-') || segment.ends_with('-') {
                return err(range, "an NSID segment cannot start or end with `-`");
            }
            if i == 0 && !segment.as_bytes()[0].is_ascii_alphabetic() {
                return err(range, "the first NSID segment must start with a letter");
            }
            if i == n_segments - 1 {
                if !segment.as_bytes()[0].is_ascii_alphabetic() {
                    return err(range, "the NSID name segment must start with a letter");
                }
                if segment.contains('-') {
                    return err(range, "the NSID name segment cannot contain `-`")
                        .hint("use camelCase for the name, e.g. `fooBar`");
                }
            }
        }
        err(full, "not a valid NSID")
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
    /// `com.example.fooBar`).
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The byte-map NSID check against the segment loop, on NSID-like strings.
    fn nsid_paths_agree(value: &str) {
        let bytes = value.as_bytes();
        if (5..=64).contains(&bytes.len()) {
            assert_eq!(
                nsid_valid_short(bytes),
                nsid_valid_by_segments(bytes),
                "{value:?}"
            );
        }
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
}
