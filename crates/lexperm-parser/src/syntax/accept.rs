//! MIME accept patterns: [`AcceptPattern`].

use super::{SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Accept pattern
// ---------------------------------------------------------------------------------------------

/// Which accept pattern rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcceptProblem {
    /// A space.
    Space,
    /// No `/`.
    MissingSlash,
    /// Nothing before or after the `/`.
    EmptySide,
    /// More than one `/`.
    SecondSlash,
    /// A `*` other than `type/*` or `*/*`.
    PartialWildcard,
}

/// A MIME accept pattern as used by `blob` scopes: `*/*`, `type/*` or `type/subtype`
/// (`@atproto/oauth-scopes` `isAccept`). The text is kept as written (no case folding).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AcceptPattern(String);

fn string_slash_string(value: &str) -> bool {
    let Some(slash) = value.find('/') else {
        return false;
    };
    slash != 0
        && slash != value.len() - 1
        && !value[slash + 1..].contains('/')
        && !value.contains(' ')
}

impl AcceptPattern {
    /// True when `value` is a valid accept pattern. Never allocates.
    pub fn is_valid(value: &str) -> bool {
        if value == "*/*" {
            return true;
        }
        string_slash_string(value) && (!value.contains('*') || value.ends_with("/*"))
    }

    /// True when `value` is a concrete MIME type (`type/subtype` without `*`), the only form a
    /// blob request may take (`isMime`).
    pub fn is_concrete_mime(value: &str) -> bool {
        string_slash_string(value) && !value.contains('*')
    }

    /// Parses an accept pattern, explaining the problem.
    pub fn parse(value: &str) -> Result<AcceptPattern, SyntaxError> {
        if AcceptPattern::is_valid(value) {
            return Ok(AcceptPattern(value.to_owned()));
        }
        let full = 0..value.len();
        let hint = "write `type/subtype`, `type/*` or `*/*`, e.g. `image/png`";
        let (problem, range, message) = if let Some(space) = value.find(' ') {
            (
                AcceptProblem::Space,
                space..space + 1,
                "spaces are not allowed",
            )
        } else if !value.contains('/') {
            (
                AcceptProblem::MissingSlash,
                full,
                "an accept pattern needs a `/`",
            )
        } else if value.starts_with('/') || value.ends_with('/') {
            (
                AcceptProblem::EmptySide,
                full,
                "both sides of `/` must be non-empty",
            )
        } else if value.matches('/').count() > 1 {
            (
                AcceptProblem::SecondSlash,
                full,
                "an accept pattern has exactly one `/`",
            )
        } else {
            let star = value.find('*').unwrap_or(0);
            (
                AcceptProblem::PartialWildcard,
                star..star + 1,
                "partial wildcards are not allowed (only `type/*` or `*/*`)",
            )
        };
        let reason = SyntaxReason::AcceptPattern(problem);
        let err = SyntaxError::new(SyntaxKind::AcceptPattern, reason, range, message);
        Err(err.hint(hint))
    }

    /// The pattern text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the concrete `mime` is accepted (`matchesAccept`): `*/*` accepts everything,
    /// `type/*` accepts `type/…`, otherwise exact, case-sensitive equality. Non-concrete `mime`
    /// values never match.
    pub fn matches(&self, mime: &str) -> bool {
        AcceptPattern::is_concrete_mime(mime) && self.matches_unchecked(mime)
    }

    pub(crate) fn matches_unchecked(&self, mime: &str) -> bool {
        let accept = self.0.as_str();
        if accept == "*/*" {
            return true;
        }
        if let Some(base) = accept.strip_suffix('*') {
            if accept.ends_with("/*") {
                return mime.starts_with(base);
            }
        }
        accept == mime
    }
}

impl fmt::Display for AcceptPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for AcceptPattern {
    type Err = SyntaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AcceptPattern::parse(s)
    }
}
