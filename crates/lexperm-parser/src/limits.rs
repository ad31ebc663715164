//! Every bound lexperm enforces on input, in one place.
//!
//! Each constant here is listed in `docs/limits.md` with what the user sees when it is hit; a test
//! keeps the two in step. Code that enforces a bound names the constant from this module instead of
//! repeating the number.

/// Deepest nesting of JSON arrays and objects accepted in a lexicon file.
pub const MAX_JSON_DEPTH: usize = 128;

/// Largest lexicon file accepted, in bytes (16 MiB).
pub const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// Most JSON values (of any kind, at any depth) accepted in one file (262,144; the largest real
/// lexicon has a few thousand). A 16 MiB file of `[0,0,0,…]` would otherwise become eight million
/// tree nodes.
pub const MAX_JSON_VALUES: usize = 1 << 18;

/// Most work spent comparing two versions of one permission set by meaning in `lexperm breaking`,
/// counted in scope values examined (16,777,216; a real set needs a few thousand). A single
/// request of one version that the other does not grant verbatim is checked against every scope of
/// the other version, which costs the number of values those scopes hold; without a bound a set
/// with tens of thousands of collections in each version would take minutes. Past it, requests
/// are compared verbatim only.
pub const MAX_GRANT_COMPARISON_WORK: usize = 1 << 24;
