//! Handles ([`Handle`]) and at-identifiers ([`AtIdentifier`], a handle or a DID).

use super::{Did, SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;
use std::ops::Range;

/// The handle grammar: ASCII letters, digits, `-` and `.`; at most 253 bytes; at least two labels
/// of 1–63 bytes not starting or ending with `-`; the last label does not start with a digit
/// (`@atproto/syntax` `isValidHandle`). A namespace: there are no `Handle` values.
#[derive(Debug, Clone, Copy)]
pub enum Handle {}

/// Which handle rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandleProblem {
    /// The value is empty.
    Empty,
    /// Longer than 253 bytes.
    TooLong,
    /// A character outside ASCII letters, digits, `-` and `.`.
    DisallowedCharacter,
    /// An empty label.
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong,
    /// A label starts or ends with `-`.
    HyphenAtEdge,
    /// Fewer than two labels.
    TooFewLabels,
    /// The last label starts with a digit.
    LastLabelStartsWithDigit,
}

impl fmt::Display for HandleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandleProblem::Empty => "empty handle",
            HandleProblem::TooLong => "a handle is at most 253 characters",
            HandleProblem::DisallowedCharacter => {
                "a handle holds ASCII letters, digits, `-` and `.` only"
            }
            HandleProblem::EmptyLabel => "empty handle label",
            HandleProblem::LabelTooLong => "a handle label is at most 63 characters",
            HandleProblem::HyphenAtEdge => "a handle label cannot start or end with `-`",
            HandleProblem::TooFewLabels => "a handle needs at least two labels",
            HandleProblem::LastLabelStartsWithDigit => {
                "the last handle label cannot start with a digit"
            }
        })
    }
}

impl Handle {
    /// True when `value` is a valid handle. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        Handle::problem(value).is_none()
    }

    /// The first handle rule `value` breaks and the byte range it concerns, or `None` when
    /// `value` is a valid handle. Never allocates.
    pub fn problem(value: &str) -> Option<(HandleProblem, Range<usize>)> {
        let bytes = value.as_bytes();
        let full = 0..bytes.len();
        if bytes.is_empty() {
            return Some((HandleProblem::Empty, full));
        }
        if bytes.len() > 253 {
            return Some((HandleProblem::TooLong, full));
        }
        if let Some((at, ch)) = value
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        {
            return Some((HandleProblem::DisallowedCharacter, at..at + ch.len_utf8()));
        }
        let mut start = 0;
        let mut labels = 0;
        for label in bytes.split(|&b| b == b'.') {
            let range = start..start + label.len();
            start = range.end + 1;
            let problem = match label {
                [] => HandleProblem::EmptyLabel,
                _ if label.len() > 63 => HandleProblem::LabelTooLong,
                [b'-', ..] | [.., b'-'] => HandleProblem::HyphenAtEdge,
                _ => {
                    labels += 1;
                    continue;
                }
            };
            return Some((problem, range));
        }
        if labels < 2 {
            return Some((HandleProblem::TooFewLabels, full));
        }
        let last = memchr::memrchr(b'.', bytes).map_or(0, |dot| dot + 1);
        (!bytes[last].is_ascii_alphabetic())
            .then_some((HandleProblem::LastLabelStartsWithDigit, last..bytes.len()))
    }

    /// Checks a handle, naming the first problem found (see [`Handle::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(
            SyntaxKind::Handle,
            SyntaxReason::Handle,
            Handle::problem(value),
        )
    }
}

/// The at-identifier grammar: a DID when the value starts with `did:`, otherwise a handle. A
/// namespace: there are no `AtIdentifier` values.
#[derive(Debug, Clone, Copy)]
pub enum AtIdentifier {}

impl AtIdentifier {
    /// True when `value` is a valid DID or handle. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        if value.starts_with("did:") {
            Did::is_valid(value)
        } else {
            Handle::is_valid(value)
        }
    }

    /// Checks an at-identifier: the DID or handle problem, with kind
    /// [`SyntaxKind::AtIdentifier`].
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        let checked = if value.starts_with("did:") {
            Did::check(value)
        } else {
            Handle::check(value)
        };
        checked.map_err(|err| err.within(SyntaxKind::AtIdentifier, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::assert_problems;

    #[test]
    fn problems_name_the_rule_and_the_place() {
        let labels = |last: usize| [63, 63, 63, last].map(|n| "a".repeat(n)).join(".");
        let long = labels(62);
        let long_label = format!("a.{}.c", "b".repeat(64));
        let cases: [(&str, HandleProblem, Range<usize>); 8] = [
            ("", HandleProblem::Empty, 0..0),
            (&long, HandleProblem::TooLong, 0..254),
            ("a_b.com", HandleProblem::DisallowedCharacter, 1..2),
            ("a..com", HandleProblem::EmptyLabel, 2..2),
            ("a.-b.com", HandleProblem::HyphenAtEdge, 2..4),
            ("localhost", HandleProblem::TooFewLabels, 0..9),
            ("a.b.1com", HandleProblem::LastLabelStartsWithDigit, 4..8),
            (&long_label, HandleProblem::LabelTooLong, 2..66),
        ];
        assert_problems(&cases, Handle::problem, Handle::check, SyntaxReason::Handle);
        assert!(Handle::is_valid(&labels(61)));
        let err = AtIdentifier::check("did:x").unwrap_err();
        assert_eq!(err.kind, SyntaxKind::AtIdentifier);
        assert!(matches!(err.reason, SyntaxReason::Did(_)));
    }
}
