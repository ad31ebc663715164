//! DIDs: [`Did`], the `did:<method>:<identifier>` grammar of `@atproto/syntax`, and the part of it
//! the atproto DID of a service reference shares ([`did_method`]).

use super::{SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;
use std::ops::Range;

/// The longest DID, in bytes.
pub(super) const DID_MAX_LEN: usize = 2048;

/// The DID grammar: `did:<method>:<identifier>`, a method of lower-case ASCII letters, an
/// identifier of `[A-Za-z0-9._:%-]` not ending in `:` or `%`, at most 2048 bytes
/// (`@atproto/syntax` `isValidDid`). A namespace: there are no `Did` values.
#[derive(Debug, Clone, Copy)]
pub enum Did {}

/// Which DID rule a value breaks. The first group applies to every DID; the rest to the atproto
/// DID of a [`super::DidServiceRef`] (`did:plc` or `did:web`, `@atproto/did`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DidProblem {
    /// Longer than 2048 bytes.
    TooLong,
    /// Does not start with `did:`.
    MissingPrefix,
    /// No `:` after the method.
    MissingMethodSeparator,
    /// The method is empty or holds a character outside its class.
    BadMethod,
    /// Nothing after `did:<method>:`.
    EmptyIdentifier,
    /// A character not allowed in the identifier.
    DisallowedCharacter,
    /// The identifier ends in `:` (or `%`).
    BadEnd,
    /// A `%` not followed by two upper-case hex digits (atproto DIDs).
    BadEscape,
    /// A method other than `plc` and `web` (atproto DIDs).
    NotPlcOrWeb,
    /// A `did:plc` identifier that is not 24 base32 characters.
    PlcIdentifier,
    /// A `did:web` with an empty host.
    WebEmptyHost,
    /// A `did:web` with a path.
    WebPath,
    /// A `did:web` with a port, other than on `localhost`.
    WebPort,
    /// A `did:web` host that is not a valid URL host.
    WebHost,
}

impl fmt::Display for DidProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DidProblem::TooLong => "longer than 2048 characters",
            DidProblem::MissingPrefix => "must start with `did:`",
            DidProblem::MissingMethodSeparator => "must be `did:<method>:<identifier>`",
            DidProblem::BadMethod => "the method must be lowercase ASCII letters",
            DidProblem::EmptyIdentifier => "the identifier must not be empty",
            DidProblem::DisallowedCharacter => {
                "the identifier may only contain letters, digits and `._:%-`"
            }
            DidProblem::BadEnd => "the identifier must not end in `:` or `%`",
            DidProblem::BadEscape => "bad percent-escape in DID (use two uppercase hex digits)",
            DidProblem::NotPlcOrWeb => "only did:plc and did:web DIDs are allowed",
            DidProblem::PlcIdentifier => {
                "did:plc needs exactly 24 base32 characters ([a-z2-7]) after `did:plc:`"
            }
            DidProblem::WebEmptyHost => "did:web host is empty",
            DidProblem::WebPath => "atproto does not allow path components in did:web",
            DidProblem::WebPort => {
                "atproto does not allow port numbers in did:web, except for localhost"
            }
            DidProblem::WebHost => "did:web host is not a valid URL host",
        })
    }
}

/// The byte range of the method of `did`, after the checks every DID grammar shares: at most
/// 2048 bytes, `did:`, then a method ended by `:`. The method's characters are not checked.
pub(super) fn did_method(did: &str) -> Result<Range<usize>, DidProblem> {
    const PREFIX: usize = "did:".len();
    if did.len() > DID_MAX_LEN {
        return Err(DidProblem::TooLong);
    }
    if !did.starts_with("did:") {
        return Err(DidProblem::MissingPrefix);
    }
    match memchr::memchr(b':', &did.as_bytes()[PREFIX..]) {
        Some(len) => Ok(PREFIX..PREFIX + len),
        None => Err(DidProblem::MissingMethodSeparator),
    }
}

impl Did {
    /// True when `value` is a valid DID. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        Did::problem(value).is_none()
    }

    /// The first DID rule `value` breaks and the byte range it concerns, or `None` when `value`
    /// is a valid DID. Never allocates.
    pub fn problem(value: &str) -> Option<(DidProblem, Range<usize>)> {
        let full = 0..value.len();
        let method = match did_method(value) {
            Ok(method) => method,
            Err(problem) => return Some((problem, full)),
        };
        let bytes = value.as_bytes();
        if method.is_empty() || !bytes[method.clone()].iter().all(u8::is_ascii_lowercase) {
            return Some((DidProblem::BadMethod, method));
        }
        let id = method.end + 1;
        if id == bytes.len() {
            return Some((DidProblem::EmptyIdentifier, id..id));
        }
        if let Some((at, ch)) = value[id..].char_indices().find(|&(_, c)| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '%' | '-'))
        }) {
            return Some((
                DidProblem::DisallowedCharacter,
                id + at..id + at + ch.len_utf8(),
            ));
        }
        let last = bytes.len() - 1;
        matches!(bytes[last], b':' | b'%').then_some((DidProblem::BadEnd, last..last + 1))
    }

    /// Checks a DID, naming the first problem found (see [`Did::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(SyntaxKind::Did, SyntaxReason::Did, Did::problem(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::test_support::assert_problems;

    #[test]
    fn problems_name_the_rule_and_the_place() {
        let long = format!("did:plc:{}", "a".repeat(2041));
        let cases: [(&str, DidProblem, Range<usize>); 8] = [
            ("dad:plc:x", DidProblem::MissingPrefix, 0..9),
            ("did:plc", DidProblem::MissingMethodSeparator, 0..7),
            ("did:Plc:x", DidProblem::BadMethod, 4..7),
            ("did::x", DidProblem::BadMethod, 4..4),
            ("did:plc:", DidProblem::EmptyIdentifier, 8..8),
            ("did:plc:a/b", DidProblem::DisallowedCharacter, 9..10),
            ("did:plc:ab:", DidProblem::BadEnd, 10..11),
            (&long, DidProblem::TooLong, 0..2049),
        ];
        assert_problems(&cases, Did::problem, Did::check, SyntaxReason::Did);
        assert!(Did::is_valid(&long[..2048]));
        assert!(Did::is_valid("did:web:example.com%3A8080"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Every atproto DID (the DID part of a valid service reference) is a valid DID.
        #[test]
        fn atproto_dids_are_dids(
            method in "(web|plc|w3b|Web|)",
            msid in "([a-zA-Z0-9._:-]|%3A|%2e|%|localhost){0,8}",
        ) {
            let did = format!("did:{method}:{msid}");
            let reference = format!("{did}#svc");
            if super::super::DidServiceRef::is_valid(&reference) {
                proptest::prop_assert!(Did::is_valid(&did), "{}", did);
            }
        }
    }
}
