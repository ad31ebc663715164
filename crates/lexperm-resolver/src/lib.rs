//! Catalogs of lexicons: everything that needs more than one file.
//!
//! [`lint`] runs the parser's per-file rules and the catalog rules of [`rules`] (cross-file `L2xx`,
//! permission-set `P1xx`) over a set of loaded files. [`rules::registry`] is the one list of every
//! lint rule lexperm knows.
#![deny(missing_docs)]

mod lint;
pub mod rules;

pub use lint::{lint, Source};
