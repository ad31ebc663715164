//! Remote lexicon resolution as a trait: the resolver never does IO; `lexperm-net` implements
//! [`LexiconSource`] (DNS `_lexicon` TXT, DID document, `com.atproto.sync.getRecord`).

use lexperm_parser::syntax::Nsid;

/// A lexicon document's text, fetched from somewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedLexicon {
    /// Where it came from, shown as its path (e.g. `at://did:plc:…/com.atproto.lexicon.schema/<nsid>`).
    pub location: String,
    /// The document as JSON text (the record's value, a lexicon document).
    pub text: String,
}

/// Somewhere missing NSIDs can be fetched from.
pub trait LexiconSource {
    /// Fetches the lexicon document declaring `nsid`.
    fn fetch(&mut self, nsid: &Nsid) -> Result<FetchedLexicon, ResolveError>;
}

/// Why an NSID could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No document declares the NSID (locally or at its authority).
    #[error("no lexicon `{nsid}` found{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    NotFound {
        /// The NSID.
        nsid: String,
        /// What was tried, when known.
        detail: Option<String>,
    },
    /// The source answered with a document declaring another `id`.
    #[error("the document fetched for `{nsid}` declares id {}", found.as_deref().map(|f| format!("`{f}`")).unwrap_or_else(|| "nothing".to_owned()))]
    IdMismatch {
        /// The NSID asked for.
        nsid: String,
        /// The `id` found.
        found: Option<String>,
    },
    /// The source failed (network, DNS, verification).
    #[error("cannot resolve `{nsid}`: {message}")]
    Source {
        /// The NSID.
        nsid: String,
        /// What went wrong.
        message: String,
    },
}

/// A [`LexiconSource`] that knows nothing (every fetch is [`ResolveError::NotFound`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSource;

impl LexiconSource for NoSource {
    fn fetch(&mut self, nsid: &Nsid) -> Result<FetchedLexicon, ResolveError> {
        Err(ResolveError::NotFound {
            nsid: nsid.as_str().to_owned(),
            detail: Some("remote resolution is off".to_owned()),
        })
    }
}
