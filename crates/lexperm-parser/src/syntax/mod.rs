//! The one owner of each atproto string grammar: [`Nsid`] and [`NsidAuthority`], [`Did`],
//! [`DidServiceRef`], [`Handle`], [`AtIdentifier`], [`RecordKey`], [`Tid`], [`AtUri`],
//! [`LanguageTag`] and [`AcceptPattern`]. Every other module and crate calls these.
//!
//! Every validator is hand-written and mirrors the reference exactly (`@atproto/syntax`,
//! `@atproto/did` `isAtprotoDidRefAbsolute`, `@atproto/oauth-scopes` `isAccept`). `is_valid`
//! functions never allocate; `check` and `parse` functions return a [`SyntaxError`] that says which
//! rule is broken ([`SyntaxReason`]), where (a byte range inside the checked text) and how to fix
//! it.

use std::fmt;
use std::ops::Range;

/// Which kind of value a [`SyntaxError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxKind {
    /// A namespaced identifier (`com.example.fooBar`).
    Nsid,
    /// A DID (`did:plc:…`, `did:web:…`, any method).
    Did,
    /// An atproto DID with a service fragment (`did:web:api.example.com#svc`).
    DidServiceRef,
    /// A handle (`alice.example.com`).
    Handle,
    /// A handle or a DID.
    AtIdentifier,
    /// A record key (`self`, `3jzfcijpj2z2a`).
    RecordKey,
    /// A timestamp identifier (`3jzfcijpj2z2a`).
    Tid,
    /// An `at://` URI.
    AtUri,
    /// A BCP 47 language tag (`en-US`).
    Language,
    /// A MIME accept pattern (`image/*`).
    AcceptPattern,
}

impl SyntaxKind {
    /// Human name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SyntaxKind::Nsid => "NSID",
            SyntaxKind::Did => "DID",
            SyntaxKind::DidServiceRef => "DID service reference",
            SyntaxKind::Handle => "handle",
            SyntaxKind::AtIdentifier => "at-identifier",
            SyntaxKind::RecordKey => "record key",
            SyntaxKind::Tid => "TID",
            SyntaxKind::AtUri => "AT URI",
            SyntaxKind::Language => "language tag",
            SyntaxKind::AcceptPattern => "accept pattern",
        }
    }
}

/// Which rule of which grammar a value breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxReason {
    /// An NSID rule.
    Nsid(NsidProblem),
    /// A DID rule (plain DIDs and the DID part of a service reference).
    Did(DidProblem),
    /// A rule of the `#service` fragment of a DID service reference.
    DidServiceRef(DidRefProblem),
    /// A handle rule.
    Handle(HandleProblem),
    /// A record key rule.
    RecordKey(RecordKeyProblem),
    /// A TID rule.
    Tid(TidProblem),
    /// An `at://` URI rule.
    AtUri(AtUriProblem),
    /// A language tag rule.
    Language(LanguageProblem),
    /// An accept pattern rule.
    AcceptPattern(AcceptProblem),
}

/// Why a syntax value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The kind of value that was checked.
    pub kind: SyntaxKind,
    /// The rule that is broken.
    pub reason: SyntaxReason,
    /// Byte range of the offending part, relative to the checked text.
    pub range: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl SyntaxError {
    pub(crate) fn new(
        kind: SyntaxKind,
        reason: SyntaxReason,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        SyntaxError {
            kind,
            reason,
            range,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error as part of a larger value of kind `kind`, starting at byte `offset` of it.
    pub(crate) fn within(mut self, kind: SyntaxKind, offset: usize) -> Self {
        self.kind = kind;
        self.range = self.range.start + offset..self.range.end + offset;
        self
    }
}

/// `Ok` when `found` is `None`, else the error of `kind` for the problem, worded by its `Display`.
pub(crate) fn checked<P: Copy + fmt::Display>(
    kind: SyntaxKind,
    reason: fn(P) -> SyntaxReason,
    found: Option<(P, Range<usize>)>,
) -> Result<(), SyntaxError> {
    match found {
        None => Ok(()),
        Some((problem, range)) => Err(SyntaxError::new(
            kind,
            reason(problem),
            range,
            problem.to_string(),
        )),
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.kind.as_str(), self.message)?;
        crate::diagnostics::write_hint(f, self.hint.as_deref())
    }
}

impl std::error::Error for SyntaxError {}

#[cfg(test)]
pub(crate) mod test_support {
    use super::{SyntaxError, SyntaxReason};
    use std::ops::Range;

    /// A grammar's `problem` function.
    type Finder<P> = fn(&str) -> Option<(P, Range<usize>)>;

    /// Asserts that `problem` finds each case's rule and range, and that `check` reports them
    /// as `reason(rule)`.
    pub(crate) fn assert_problems<P: Copy + PartialEq + std::fmt::Debug>(
        cases: &[(&str, P, Range<usize>)],
        problem: Finder<P>,
        check: fn(&str) -> Result<(), SyntaxError>,
        reason: fn(P) -> SyntaxReason,
    ) {
        for (value, rule, range) in cases {
            assert_eq!(problem(value), Some((*rule, range.clone())), "{value:?}");
            let err = check(value).unwrap_err();
            assert_eq!(
                (err.reason, err.range),
                (reason(*rule), range.clone()),
                "{value:?}"
            );
        }
    }
}

mod accept;
mod at_uri;
mod did;
mod did_ref;
mod handle;
mod language;
mod nsid;
mod record_key;

pub use accept::{AcceptPattern, AcceptProblem};
pub use at_uri::{AtUri, AtUriProblem};
pub use did::{Did, DidProblem};
pub(crate) use did_ref::{did_ref_parts_plain_valid, host_plain_valid_classes};
pub use did_ref::{DidRefProblem, DidServiceRef};
pub use handle::{AtIdentifier, Handle, HandleProblem};
pub use language::{LanguageProblem, LanguageTag};
pub use nsid::{lexicon_record_name, Nsid, NsidAuthority, NsidProblem};
pub use record_key::{RecordKey, RecordKeyProblem, Tid, TidProblem};

#[cfg(test)]
mod tests {
    use super::*;

    /// The distinctions the scope grammar reports as its own error kinds come from the reason set
    /// where the problem is found.
    #[test]
    fn reasons_callers_tell_apart_are_set_where_found() {
        let nsid = |v: &str| Nsid::parse(v).unwrap_err().reason;
        let accept = |v: &str| AcceptPattern::parse(v).unwrap_err().reason;
        let did_ref = |v: &str| DidServiceRef::parse(v).unwrap_err().reason;
        let partial_nsid = SyntaxReason::Nsid(NsidProblem::PartialWildcard);
        assert_eq!(nsid("com.example.*"), partial_nsid);
        assert_eq!(nsid("com.*.post"), partial_nsid);
        assert_ne!(nsid("*"), partial_nsid);
        assert_ne!(nsid("com.example"), partial_nsid);
        let partial_accept = SyntaxReason::AcceptPattern(AcceptProblem::PartialWildcard);
        assert_eq!(accept("image/pn*"), partial_accept);
        assert_eq!(accept("*/png"), partial_accept);
        assert_ne!(accept("image"), partial_accept);
        assert_ne!(accept("image/png png"), partial_accept);
        assert_eq!(
            did_ref("did:web:api.example.com"),
            SyntaxReason::DidServiceRef(DidRefProblem::NoFragment)
        );
        assert_eq!(
            did_ref("did:web:api.example.com#"),
            SyntaxReason::DidServiceRef(DidRefProblem::EmptyFragment)
        );
        assert_eq!(
            did_ref("did:web:api.example.com#a#b"),
            SyntaxReason::DidServiceRef(DidRefProblem::SecondHash)
        );
        assert!(!matches!(
            did_ref("did:foo:bar#svc"),
            SyntaxReason::DidServiceRef(DidRefProblem::NoFragment | DidRefProblem::EmptyFragment)
        ));
    }
}
