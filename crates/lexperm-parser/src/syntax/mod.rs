//! atproto syntax values used by scope strings: [`Nsid`], [`DidServiceRef`] and [`AcceptPattern`].
//!
//! Every validator is hand-written and mirrors the reference exactly (`@atproto/syntax`
//! `isValidNsid`, `@atproto/did` `isAtprotoDidRefAbsolute`, `@atproto/oauth-scopes` `isAccept`).
//! `is_valid` functions never allocate; `parse` functions return a [`SyntaxError`] that says what
//! is wrong, where (a byte range inside the checked text) and how to fix it.

use std::fmt;
use std::ops::Range;

/// Which kind of value a [`SyntaxError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxKind {
    /// A namespaced identifier (`com.example.fooBar`).
    Nsid,
    /// An atproto DID with a service fragment (`did:web:api.example.com#svc`).
    DidServiceRef,
    /// A MIME accept pattern (`image/*`).
    AcceptPattern,
}

impl SyntaxKind {
    /// Human name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            SyntaxKind::Nsid => "NSID",
            SyntaxKind::DidServiceRef => "DID service reference",
            SyntaxKind::AcceptPattern => "accept pattern",
        }
    }
}

/// Why a syntax value was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The kind of value that was checked.
    pub kind: SyntaxKind,
    /// Byte range of the offending part, relative to the checked text.
    pub range: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl SyntaxError {
    pub(crate) fn new(kind: SyntaxKind, range: Range<usize>, message: impl Into<String>) -> Self {
        SyntaxError {
            kind,
            range,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.kind.as_str(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for SyntaxError {}

mod accept;
mod did_ref;
mod nsid;

pub use accept::AcceptPattern;
pub use did_ref::DidServiceRef;
pub(crate) use did_ref::{did_ref_parts_plain_valid, host_plain_valid_classes};
pub use nsid::Nsid;
