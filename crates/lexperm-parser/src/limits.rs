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

/// Most problems looked for behind the first one of a dropped permission-set entry (each round
/// copies the entry once); what is granted never depends on it.
pub const MAX_FURTHER_PROBLEMS: usize = 16;

// Network (`lexperm-net`): what a PDS, a PLC directory, a did:web host or a DNS server may send.

/// Largest DID document accepted, in bytes (128 KiB), from the PLC directory (did:plc) or a
/// did:web host. Real documents are under 2 KiB.
pub const MAX_DID_DOCUMENT_BYTES: usize = 128 * 1024;

/// Largest `https://<handle>/.well-known/atproto-did` answer, in bytes (4 KiB): one DID (at most
/// 2 KiB by the atproto DID rules) and some whitespace.
pub const MAX_HANDLE_DID_BYTES: usize = 4 * 1024;

/// Largest JSON answer of one XRPC call, in bytes (1 MiB): a record with its URI and CID
/// (`getRecord`), a session, a write result or an error. The largest published lexicon of the
/// atproto corpus is 43 KiB.
pub const MAX_XRPC_JSON_BYTES: usize = 1024 * 1024;

/// Largest page of `com.atproto.repo.listRecords`, in bytes (16 MiB): up to 100 records.
pub const MAX_RECORD_LIST_BYTES: usize = 16 * 1024 * 1024;

/// Largest repository proof (the CAR file of `com.atproto.sync.getRecord`), in bytes (2 MiB):
/// a signed commit, the MST nodes on the path to the record, and the record.
pub const MAX_RECORD_PROOF_BYTES: usize = 2 * 1024 * 1024;

/// Most TXT data accepted for one DNS name, in bytes (4 KiB, all records and strings together,
/// each string with its length byte). A `_lexicon` or `_atproto` record is about 40 bytes; the
/// longest DID atproto allows (2 KiB) fits.
pub const MAX_TXT_ANSWER_BYTES: usize = 4 * 1024;

/// Largest resolution cache entry read, in bytes (4 MiB): a record of up to
/// [`MAX_XRPC_JSON_BYTES`] and its provenance, pretty-printed. A larger file is discarded.
pub const MAX_CACHE_ENTRY_BYTES: usize = 4 * 1024 * 1024;

/// Longest one HTTP request may take from connecting to the last body byte, redirects included
/// (20 s).
pub const NETWORK_REQUEST_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

/// Default time all network requests of one command may take together (300 s), counted from the
/// start of the command; `--network-deadline SECONDS` or `[network] deadline` in `lexperm.toml`
/// change it.
pub const DEFAULT_NETWORK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(300);

/// Most redirects followed by one request (3). Only redirects to the same origin (scheme, host
/// and port) are followed, and never for a request that carries credentials or a body.
pub const MAX_REDIRECTS: usize = 3;

/// How far in the future a cache entry's `fetched_at` may lie before the entry counts as stale
/// (5 minutes of clock skew).
pub const CACHE_CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Longest text taken from a server into an error message (200 characters): an XRPC `message`,
/// the start of an HTTP error body, a TXT value, a redirect target. Control characters are
/// escaped.
pub const MAX_SERVER_TEXT_CHARS: usize = 200;
/// Characters of one source line shown in a snippet of the human and Markdown output (240, about two and a half
/// terminal widths). A longer line, such as a minified lexicon's only line, is shown as a window of
/// this many characters around the finding, with `…` where it was cut.
pub const MAX_SNIPPET_LINE_CHARS: usize = 240;

/// Lines of one span shown in a snippet of the human output, and the most lines shown between two
/// spans of one finding. A span over more lines (a large object) is drawn over its first this many
/// lines; spans further apart than this get a snippet each.
pub const MAX_SNIPPET_SPAN_LINES: usize = 24;

/// Longest line accepted on standard input, in bytes, line end not counted (64 KiB). Commands that
/// read scopes one per line (`scope normalize`, `expand`) report a longer line as an error for that
/// line and go on with the next one; the line itself is skipped, never held in memory. `publish`
/// reads at most this much of an app password from stdin. Scope strings are a few hundred bytes;
/// the longest expanded token scopes are a few KiB.
pub const MAX_LINE_LENGTH: usize = 64 * 1024;

// Output: how much of a source a report shows.

/// Lines shown before and after the lines of a span in a Markdown snippet (2).
pub const MARKDOWN_CONTEXT_LINES: usize = 2;

/// Most lines of one Markdown snippet (12), context included. A span over more lines is shown
/// from its start; what follows is cut.
pub const MAX_MARKDOWN_SNIPPET_LINES: usize = 12;

/// Most snippets shown for one finding in the Markdown format (4): the primary location and the
/// first labels that do not fit in it. The other labels are counted, not shown.
pub const MAX_MARKDOWN_SNIPPETS: usize = 4;

/// Most bytes of one Markdown report (60,000, under the 65,536 characters GitHub accepts in a
/// pull-request comment). The summary always comes first; findings are added while they fit,
/// and the rest are counted in a closing line.
pub const MAX_MARKDOWN_BYTES: usize = 60_000;

/// Most work spent comparing two versions of one permission set by meaning in `lexperm breaking`,
/// counted in scope values examined (16,777,216; a real set needs a few thousand). A single
/// request of one version that the other does not grant verbatim is checked against every scope of
/// the other version, which costs the number of values those scopes hold; without a bound a set
/// with tens of thousands of collections in each version would take minutes. Past it, requests
/// are compared verbatim only.
pub const MAX_GRANT_COMPARISON_WORK: usize = 1 << 24;
