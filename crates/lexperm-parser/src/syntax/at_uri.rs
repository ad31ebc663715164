//! `at://` URIs: [`AtUri`].

use super::{AtIdentifier, Nsid, RecordKey, SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;
use std::ops::Range;

/// The at-uri grammar of lexicon strings: `at://<did or handle>[/<nsid>[/<record-key>]]`, then
/// an optional `#/<fragment>`, at most 8 KiB (`@atproto/syntax` `isValidAtUri`). A namespace:
/// there are no `AtUri` values.
#[derive(Debug, Clone, Copy)]
pub enum AtUri {}

/// Which at-uri rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtUriProblem {
    /// Longer than 8 KiB.
    TooLong,
    /// The fragment does not start with `/` or holds a character not allowed in it.
    BadFragment,
    /// The value does not start with `at://`.
    MissingPrefix,
    /// A character not allowed in a URI path.
    DisallowedCharacter,
    /// The authority is not a DID or handle.
    BadAuthority,
    /// The collection is not an NSID.
    BadCollection,
    /// The record key is not a record key.
    BadRecordKey,
    /// More than three path segments.
    TooManySegments,
}

impl fmt::Display for AtUriProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AtUriProblem::TooLong => "an AT URI is at most 8192 characters",
            AtUriProblem::BadFragment => "the fragment must be `#/` followed by path characters",
            AtUriProblem::MissingPrefix => "an AT URI starts with `at://`",
            AtUriProblem::DisallowedCharacter => "character not allowed in an AT URI",
            AtUriProblem::BadAuthority => "the authority is not a valid DID or handle",
            AtUriProblem::BadCollection => "the collection is not a valid NSID",
            AtUriProblem::BadRecordKey => "the record key is not valid",
            AtUriProblem::TooManySegments => {
                "an AT URI has at most an authority, a collection and a record key"
            }
        })
    }
}

/// Bytes allowed in the path of an AT URI.
fn is_path_byte(b: u8) -> bool {
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

impl AtUri {
    /// True when `value` is a valid AT URI. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        AtUri::problem(value).is_none()
    }

    /// The first at-uri rule `value` breaks and the byte range it concerns, or `None` when
    /// `value` is a valid AT URI. Never allocates.
    pub fn problem(value: &str) -> Option<(AtUriProblem, Range<usize>)> {
        const PREFIX: usize = "at://".len();
        let bytes = value.as_bytes();
        if bytes.len() > 8 * 1024 {
            return Some((AtUriProblem::TooLong, 0..bytes.len()));
        }
        let end = memchr::memchr(b'#', bytes).unwrap_or(bytes.len());
        if end < bytes.len() {
            let fragment = &bytes[end + 1..];
            if fragment.first() != Some(&b'/')
                || !fragment
                    .iter()
                    .all(|&b| is_path_byte(b) || matches!(b, b'[' | b']'))
            {
                return Some((AtUriProblem::BadFragment, end..bytes.len()));
            }
        }
        if !bytes[..end].starts_with(b"at://") {
            return Some((AtUriProblem::MissingPrefix, 0..end));
        }
        if let Some(bad) = bytes[PREFIX..end].iter().position(|&b| !is_path_byte(b)) {
            let at = PREFIX + bad;
            let len = value[at..].chars().next().map_or(1, char::len_utf8);
            return Some((AtUriProblem::DisallowedCharacter, at..at + len));
        }
        let parts = [
            (
                AtUriProblem::BadAuthority,
                AtIdentifier::is_valid as fn(&str) -> bool,
            ),
            (AtUriProblem::BadCollection, Nsid::is_valid),
            (AtUriProblem::BadRecordKey, RecordKey::is_valid),
        ];
        let mut start = PREFIX;
        for (i, part) in value[PREFIX..end].split('/').enumerate() {
            let range = start..start + part.len();
            start = range.end + 1;
            match parts.get(i) {
                Some((_, valid)) if valid(part) => {}
                Some(&(problem, _)) => return Some((problem, range)),
                None => return Some((AtUriProblem::TooManySegments, range)),
            }
        }
        None
    }

    /// Checks an AT URI, naming the first problem found (see [`AtUri::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(
            SyntaxKind::AtUri,
            SyntaxReason::AtUri,
            AtUri::problem(value),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::assert_problems;

    #[test]
    fn problems_name_the_rule_and_the_place() {
        assert_problems(
            &[
                ("at://a.com#x", AtUriProblem::BadFragment, 10..12),
                ("http://a.com", AtUriProblem::MissingPrefix, 0..12),
                ("at://a.com/b c", AtUriProblem::DisallowedCharacter, 12..13),
                ("at://a_b.com", AtUriProblem::BadAuthority, 5..12),
                ("at://a.com/c-d", AtUriProblem::BadCollection, 11..14),
                ("at://a.com/a.b.c/..", AtUriProblem::BadRecordKey, 17..19),
                (
                    "at://a.com/a.b.c/k/x",
                    AtUriProblem::TooManySegments,
                    19..20,
                ),
                ("at://a.com/", AtUriProblem::BadCollection, 11..11),
            ],
            AtUri::problem,
            AtUri::check,
            SyntaxReason::AtUri,
        );
        assert!(AtUri::is_valid("at://did:plc:abc/a.b.c/k#/x[0]"));
    }
}
