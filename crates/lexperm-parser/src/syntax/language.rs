//! BCP 47 language tags: [`LanguageTag`].

use super::{SyntaxError, SyntaxKind, SyntaxReason};
use std::fmt;
use std::ops::Range;

/// The language grammar: a well-formed BCP 47 tag as `@atproto/syntax` `isValidLanguage`
/// accepts it (primary language subtag in lower case, the rest case-insensitive). A namespace:
/// there are no `LanguageTag` values.
#[derive(Debug, Clone, Copy)]
pub enum LanguageTag {}

/// Which language tag rule a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LanguageProblem {
    /// Not a well-formed BCP 47 tag.
    NotWellFormed,
    /// A variant or an extension singleton appears twice (only checked by
    /// [`LanguageTag::problem_strict`]).
    Repeated,
}

impl fmt::Display for LanguageProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LanguageProblem::NotWellFormed => "not a well-formed BCP 47 language tag",
            LanguageProblem::Repeated => "a variant or extension singleton is repeated",
        })
    }
}

impl LanguageTag {
    /// True when `value` is a well-formed language tag.
    pub fn is_valid(value: &str) -> bool {
        language_tag(value).is_some()
    }

    /// Like [`LanguageTag::is_valid`], and also rejects repeated variants or extension
    /// singletons (`@atproto/syntax` `parseLanguageString`).
    pub fn is_valid_strict(value: &str) -> bool {
        language_tag(value).is_some_and(|unique| unique)
    }

    /// The language rule `value` breaks (the whole value is concerned), or `None` when it is
    /// well-formed.
    pub fn problem(value: &str) -> Option<(LanguageProblem, Range<usize>)> {
        language_tag(value)
            .is_none()
            .then_some((LanguageProblem::NotWellFormed, 0..value.len()))
    }

    /// Like [`LanguageTag::problem`], and also reports repeated variants or singletons.
    pub fn problem_strict(value: &str) -> Option<(LanguageProblem, Range<usize>)> {
        match language_tag(value) {
            None => Some((LanguageProblem::NotWellFormed, 0..value.len())),
            Some(false) => Some((LanguageProblem::Repeated, 0..value.len())),
            Some(true) => None,
        }
    }

    /// Checks a language tag (see [`LanguageTag::problem`]).
    pub fn check(value: &str) -> Result<(), SyntaxError> {
        super::checked(
            SyntaxKind::Language,
            SyntaxReason::Language,
            LanguageTag::problem(value),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_the_rule() {
        assert_eq!(
            LanguageTag::problem("EN"),
            Some((LanguageProblem::NotWellFormed, 0..2))
        );
        assert_eq!(LanguageTag::problem("de-DE-1996-1996"), None);
        assert_eq!(
            LanguageTag::problem_strict("de-DE-1996-1996"),
            Some((LanguageProblem::Repeated, 0..15))
        );
        let err = LanguageTag::check("en--US").unwrap_err();
        assert_eq!(
            err.reason,
            SyntaxReason::Language(LanguageProblem::NotWellFormed)
        );
    }
}
