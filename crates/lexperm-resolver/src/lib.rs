//! The lexperm resolver: a [`Catalog`] of loaded lexicons, `include:` expansion with provenance,
//! token-scope building like the reference authorization server, scope checks that say which set
//! entry granted a request, permission coverage, and the catalog lint: [`lint`] runs the parser's
//! per-file rules and the cross-file (`L2xx`) and permission-set (`P1xx`) rules of [`rules`];
//! [`rules::registry`] is the one list of every lint rule.
//!
//! No IO happens here: callers read files and pass texts in; remote resolution is the
//! [`LexiconSource`] trait.
#![deny(missing_docs)]

pub mod catalog;
pub mod coverage;
pub mod expand;
mod lint;
pub mod preview;
pub mod rules;
pub mod source;
pub mod token;

pub use catalog::{Catalog, CatalogDoc, Duplicate, Endpoint, Origin, Resolved};
pub use coverage::{Coverage, GroupCoverage, ItemCoverage, SetCoverage};
pub use expand::{
    expand_set, parse_include, DroppedEntry, ExpandError, GrantedScope, SetExpansion,
};
pub use lint::{lint, lint_with_catalog, lint_with_source, RemoteLint, Source};
pub use preview::{Preview, PreviewPermission};
pub use source::{FetchedLexicon, LexiconSource, NoSource, ResolveError};
pub use token::{Provenance, TokenChecker, TokenScope, TokenScopeError, TokenValue};
