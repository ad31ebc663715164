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

/// Characters of one source line shown in a snippet of the human output (240, about two and a half
/// terminal widths). A longer line, such as a minified lexicon's only line, is shown as a window of
/// this many characters around the finding, with `…` where it was cut.
pub const MAX_SNIPPET_LINE_CHARS: usize = 240;

/// Lines of one span shown in a snippet of the human output, and the most lines shown between two
/// spans of one finding. A span over more lines (a large object) is drawn over its first this many
/// lines; spans further apart than this get a snippet each.
pub const MAX_SNIPPET_SPAN_LINES: usize = 24;
