//! Pure parsing for lexperm: atproto syntax values, OAuth scope strings, span-preserving JSON and the
//! typed Lexicon model.
//!
//! Nothing in this crate does IO. Every loader returns a value plus [`diagnostics::Diagnostic`]s and
//! never fails outright.
#![deny(missing_docs)]

mod bytemap;
pub mod diagnostics;
pub mod formats;
pub mod json;
pub mod lexicon;
pub mod limits;
pub mod scope;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod wording;
