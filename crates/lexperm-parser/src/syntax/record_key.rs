//! Record keys ([`RecordKey`]) and timestamp identifiers ([`Tid`]).

use super::{SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;
use std::ops::Range;

/// The record key grammar: 1–512 bytes of `[A-Za-z0-9._:~-]`, not `.` or `..`
/// (`@atproto/syntax` `isValidRecordKey`). A namespace: there are no `RecordKey` values.
#[derive(Debug, Clone, Copy)]
pub enum RecordKey {}

/// Which record key rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKeyProblem {
    /// The value is empty.
    Empty,
    /// Longer than 512 bytes.
    TooLong,
    /// The value is `.` or `..`.
    DotSegment,
    /// A character outside `[A-Za-z0-9._:~-]`.
    DisallowedCharacter,
}

impl fmt::Display for RecordKeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKeyProblem::Empty => "empty record key",
            RecordKeyProblem::TooLong => "a record key is at most 512 characters",
            RecordKeyProblem::DotSegment => "a record key cannot be `.` or `..`",
            RecordKeyProblem::DisallowedCharacter => {
                "a record key holds ASCII letters, digits and `.`, `_`, `:`, `~`, `-` only"
            }
        })
    }
}

impl RecordKey {
    /// True when `value` is a valid record key. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        RecordKey::problem(value).is_none()
    }

    /// The first record key rule `value` breaks and the byte range it concerns, or `None` when
    /// `value` is a valid record key. Never allocates.
    pub fn problem(value: &str) -> Option<(RecordKeyProblem, Range<usize>)> {
        let full = 0..value.len();
        if value.is_empty() {
            return Some((RecordKeyProblem::Empty, full));
        }
        if value.len() > 512 {
            return Some((RecordKeyProblem::TooLong, full));
        }
        if value == "." || value == ".." {
            return Some((RecordKeyProblem::DotSegment, full));
        }
        value
            .char_indices()
            .find(|&(_, c)| {
                !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '~' | '-'))
            })
            .map(|(at, ch)| {
                (
                    RecordKeyProblem::DisallowedCharacter,
                    at..at + ch.len_utf8(),
                )
            })
    }

    /// Checks a record key, naming the first problem found (see [`RecordKey::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(
            SyntaxKind::RecordKey,
            SyntaxReason::RecordKey,
            RecordKey::problem(value),
        )
    }
}

/// The TID grammar: 13 characters of base32-sortable (`[2-7a-z]`), the first in `[2-7a-j]`
/// (`@atproto/syntax` `isValidTid`). A namespace: there are no `Tid` values.
#[derive(Debug, Clone, Copy)]
pub enum Tid {}

/// Which TID rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TidProblem {
    /// Not 13 bytes long.
    WrongLength,
    /// The first character is outside `[2-7a-j]`.
    BadFirstCharacter,
    /// A character outside `[2-7a-z]`.
    DisallowedCharacter,
}

impl fmt::Display for TidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TidProblem::WrongLength => "a TID is exactly 13 characters",
            TidProblem::BadFirstCharacter => "a TID starts with one of `234567abcdefghij`",
            TidProblem::DisallowedCharacter => "a TID holds `2`–`7` and `a`–`z` only",
        })
    }
}

impl Tid {
    /// True when `value` is a valid TID. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        Tid::problem(value).is_none()
    }

    /// The first TID rule `value` breaks and the byte range it concerns, or `None` when `value`
    /// is a valid TID. Never allocates.
    pub fn problem(value: &str) -> Option<(TidProblem, Range<usize>)> {
        let bytes = value.as_bytes();
        if bytes.len() != 13 {
            return Some((TidProblem::WrongLength, 0..bytes.len()));
        }
        if !matches!(bytes[0], b'2'..=b'7' | b'a'..=b'j') {
            return Some((TidProblem::BadFirstCharacter, 0..1));
        }
        // 13 bytes with an ASCII first byte: a bad byte may start a multi-byte character.
        value
            .char_indices()
            .skip(1)
            .find(|&(_, c)| !matches!(c, '2'..='7' | 'a'..='z'))
            .map(|(at, ch)| (TidProblem::DisallowedCharacter, at..at + ch.len_utf8()))
    }

    /// Checks a TID, naming the first problem found (see [`Tid::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(SyntaxKind::Tid, SyntaxReason::Tid, Tid::problem(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::assert_problems;

    #[test]
    fn problems_name_the_rule_and_the_place() {
        let long = "a".repeat(513);
        assert_problems(
            &[
                ("", RecordKeyProblem::Empty, 0..0),
                (&long[..], RecordKeyProblem::TooLong, 0..513),
                ("..", RecordKeyProblem::DotSegment, 0..2),
                ("a/b", RecordKeyProblem::DisallowedCharacter, 1..2),
                ("aé", RecordKeyProblem::DisallowedCharacter, 1..3),
            ],
            RecordKey::problem,
            RecordKey::check,
            SyntaxReason::RecordKey,
        );
        assert!(RecordKey::is_valid(&long[1..]));
        assert_problems(
            &[
                ("3jzfcijpj2z2", TidProblem::WrongLength, 0..12),
                ("kjzfcijpj2z2a", TidProblem::BadFirstCharacter, 0..1),
                ("3jzfcijpj2z2A", TidProblem::DisallowedCharacter, 12..13),
                ("3jzfcijpjé2z", TidProblem::DisallowedCharacter, 9..11),
            ],
            Tid::problem,
            Tid::check,
            SyntaxReason::Tid,
        );
        assert!(Tid::is_valid("3jzfcijpj2z2a"));
    }
}
