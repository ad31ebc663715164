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

/// Longest line accepted on standard input, in bytes, line end not counted (64 KiB). Commands that
/// read scopes one per line (`scope normalize`, `expand`) report a longer line as an error for that
/// line and go on with the next one; the line itself is skipped, never held in memory. `publish`
/// reads at most this much of an app password from stdin. Scope strings are a few hundred bytes;
/// the longest expanded token scopes are a few KiB.
pub const MAX_LINE_LENGTH: usize = 64 * 1024;
