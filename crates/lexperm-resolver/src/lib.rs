//! The lexperm resolver: a [`Catalog`] of loaded lexicons, `include:` expansion with provenance,
//! token-scope building like the reference authorization server, two versions of a catalog
//! matched for comparison ([`CatalogDiff`]), scope checks that say which set
//! entry granted a request, permission coverage and consent previews. The lint rules that run over
//! a catalog live in the `lexperm-lint` crate.
//!
//! No IO happens here: callers read files and pass texts in; remote resolution is the
//! [`LexiconSource`] trait.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod catalog;
pub mod coverage;
pub mod diff;
pub mod expand;
pub mod grants;
pub mod preview;
pub mod source;
pub mod token;

pub use catalog::{Catalog, CatalogDoc, Duplicate, Endpoint, Origin, Resolved, SpaceDeclError};
pub use coverage::{Coverage, GroupCoverage, ItemCoverage, SetCoverage};
pub use diff::CatalogDiff;
pub use expand::{
    expand_set, expand_set_with, parse_include, parse_include_with, DroppedEntry, ExpandError,
    GrantedScope, SetExpansion,
};
pub use grants::{BareGrant, GrantChange, GrantEffect, SpaceChange, SAMPLE_AUD};
pub use preview::{Preview, PreviewPermission, SpacePreview};
pub use source::{FetchedLexicon, LexiconSource, NoSource, ResolveError};
pub use token::{
    IncludeOutcome, MissingAudience, Provenance, TokenChecker, TokenScope, TokenScopeError,
    TokenValue,
};
