//! `lexperm scope …`: normalize scope strings and check requests against granted scopes.
//!
//! Glue only: parsing, canonical forms and matching live in `lexperm_parser::scope`.

use std::io::{IsTerminal, Write};

use clap::{Args, Subcommand, ValueEnum};
use lexperm_parser::diagnostics::write_hint;
use lexperm_parser::scope::{
    normalize_into_with, normalize_scope_string_with, Reference, ScopeError, ScopeRequest, ScopeSet,
};
use serde_json::json;

use super::reference_args::ReferenceArgs;
use crate::lines::{self, Line, LineError};
use crate::terminal::CleanWriter;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    /// Readable text.
    #[default]
    Human,
    /// One JSON object per line.
    Json,
}

/// `lexperm scope` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScopeCommand {
    /// Print the canonical form of scope strings (from arguments, or stdin one per line).
    ///
    /// Each input is a scope string; with several space-separated values it is valid only when
    /// every value is, and its canonical form is the reference `normalizeAtprotoOauthScope`
    /// (values canonicalized and sorted). Exit code 0 when all inputs are valid, 1 otherwise.
    Normalize(NormalizeArgs),
    /// Check requests against granted scopes.
    ///
    /// REQUEST is one of `repo:<collection>?action=<create|update|delete>`,
    /// `rpc:<lxm>?aud=<did#svc>`, `blob:<mime>`, `account:<attr>?action=<read|manage>`,
    /// `identity:<attr>`,
    /// `space:<type>?authority=<did>&skey=<skey>&action=<read|read_self|create|update|delete>[&collection=<nsid>]`,
    /// `space:<type>?authority=<did>&skey=<skey>&manage=<create|update|delete>`. Exit code 0 when
    /// every request is allowed, 1 otherwise.
    Check(CheckArgs),
}

/// Arguments of `lexperm scope normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Scope strings; read from stdin (one per line, streamed) when none are given. A stdin
    /// line that is not UTF-8 stops the run there with exit code 2; a line longer than 64 KiB is
    /// reported as invalid and skipped.
    pub scopes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[command(flatten)]
    pub reference: ReferenceArgs,
}

/// Arguments of `lexperm scope check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The granted scopes, space-separated (as in a token's `scope`).
    #[arg(long)]
    pub granted: String,
    /// Apply the transition scopes like the reference PDS (`ScopePermissionsTransition`).
    #[arg(long)]
    pub transition: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Requests to check; read from stdin (one per line) when none are given or REQUEST is `-`.
    #[arg(value_name = "REQUEST")]
    pub requests: Vec<String>,
    #[command(flatten)]
    pub reference: ReferenceArgs,
}

/// Runs a `scope` subcommand and returns the process exit code.
pub fn run(cmd: ScopeCommand) -> u8 {
    match cmd {
        ScopeCommand::Normalize(args) => normalize(args),
        ScopeCommand::Check(args) => check(args),
    }
}

/// Normalizes one input line into `canonical` (cleared first). A line with spaces is a whole
/// scope string: valid when every value is. Returns the first invalid value's byte offset in the
/// line and its error.
fn normalize_one(
    input: &str,
    canonical: &mut String,
    reference: Reference,
) -> Result<(), (usize, ScopeError)> {
    canonical.clear();
    if memchr::memchr(b' ', input.as_bytes()).is_none() {
        return normalize_into_with(input, canonical, reference).map_err(|r| (0, r.error()));
    }
    let mut offset = 0;
    for value in input.split(' ') {
        if let Err(rejection) = normalize_into_with(value, canonical, reference) {
            canonical.clear();
            return Err((offset, rejection.error()));
        }
        offset += value.len() + 1;
    }
    canonical.clear();
    canonical.push_str(&normalize_scope_string_with(input, reference));
    Ok(())
}

/// Appends `value` as a JSON string. Text without `"`, `\\` or control characters (every valid
/// canonical scope, and most inputs) is copied as it is; anything else goes through
/// `serde_json`.
fn push_json_str(out: &mut String, value: &str) {
    if json_plain(value.as_bytes()) {
        out.push('"');
        out.push_str(value);
        out.push('"');
        return;
    }
    // A &str always serializes.
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
}

/// True when `bytes` holds no `"`, `\\` or control character (below 0x20): eight bytes at a time
/// (SWAR: `(w - 0x01…·n) & !w & 0x80…` is non-zero exactly when some byte of `w` is below `n`,
/// for `n <= 0x80`; a byte equal to `c` is a zero byte of `w ^ 0x01…·c`).
fn json_plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if below(w, 0x20) | below(w ^ (ONES * 0x22), 1) | below(w ^ (ONES * 0x5C), 1) != 0 {
            return false;
        }
    }
    chunks
        .remainder()
        .iter()
        .all(|&b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Appends what `error.to_string()` gives (`message`, then ` (hint: …)`), without formatting
/// machinery.
fn push_error_text(out: &mut String, error: &ScopeError) {
    out.push_str(&error.message);
    // Writing to a `String` cannot fail.
    let _ = write_hint(out, error.hint.as_deref());
}

fn render_error(input: &str, offset: usize, error: &ScopeError) -> String {
    let mut out = format!("error: invalid scope {input:?}: {}\n", error.message);
    let start = offset + error.range.start;
    let end = (offset + error.range.end).max(start + 1);
    out.push_str(&format!("  | {input}\n"));
    let pad = input
        .get(..start.min(input.len()))
        .map_or(start, |s| s.chars().count());
    let width = input
        .get(start.min(input.len())..end.min(input.len()))
        .map_or(1, |s| s.chars().count().max(1));
    out.push_str(&format!("  | {}{}\n", " ".repeat(pad), "^".repeat(width)));
    if let Some(hint) = &error.hint {
        out.push_str(&format!("  = help: {hint}\n"));
    }
    out.push_str(&format!("  = code: {}\n", error.kind.name()));
    out
}

/// How every JSON line of `scope normalize` starts (the version of its shape, docs/json.md).
const JSON_HEAD: &str = "{\"version\":1,";

/// Output is collected here and written out in blocks of about this size.
const OUT_BLOCK: usize = 64 * 1024;

/// The output side of `scope normalize`: results are appended to one buffer (canonical forms
/// straight from [`normalize_into_with`], without a copy) that goes to `out` in blocks.
struct Normalizer<W: Write> {
    format: Format,
    reference: Reference,
    out: W,
    /// Write each result at once (someone is typing the input).
    flush_each: bool,
    buf: String,
    all_valid: bool,
    canonical: String,
}

impl<W: Write> Normalizer<W> {
    fn new(format: Format, reference: Reference, out: W) -> Self {
        Normalizer {
            format,
            reference,
            out,
            flush_each: false,
            buf: String::with_capacity(OUT_BLOCK + 4096),
            all_valid: true,
            canonical: String::new(),
        }
    }

    /// Normalizes one input and writes its result.
    fn input(&mut self, input: &str) -> std::io::Result<()> {
        match self.format {
            Format::Json => self.json(input),
            Format::Human => self.human(input)?,
        }
        if self.buf.len() >= OUT_BLOCK || self.flush_each {
            self.flush()?;
        }
        Ok(())
    }

    /// Reports stdin line `number`, longer than `MAX_LINE_LENGTH`, as an invalid input (JSON:
    /// `"input": null`, since the line was never held whole).
    fn too_long(&mut self, number: usize) -> std::io::Result<()> {
        self.all_valid = false;
        let message = lines::too_long_message(number);
        match self.format {
            Format::Json => {
                self.buf.push_str(JSON_HEAD);
                self.buf.push_str(
                    "\"input\":null,\"valid\":false,\"canonical\":null,\"error\":{\"code\":\"line-too-long\",\"message\":",
                );
                push_json_str(&mut self.buf, &message);
                self.buf.push_str("}}\n");
            }
            Format::Human => {
                self.flush()?;
                eprintln!(
                    "error: {message}\n  = help: scope strings are a few hundred bytes; check that this is the input you meant"
                );
            }
        }
        if self.buf.len() >= OUT_BLOCK || self.flush_each {
            self.flush()?;
        }
        Ok(())
    }

    /// `{"version":1,"input":…,"valid":…,"canonical":…,"error":…}` and a newline; `error` is
    /// `null` or `{"code":…,"message":…}`.
    fn json(&mut self, input: &str) {
        let buf = &mut self.buf;
        buf.push_str(JSON_HEAD);
        buf.push_str("\"input\":");
        push_json_str(buf, input);
        let result = if memchr::memchr(b' ', input.as_bytes()).is_none() {
            // The common case: one value, whose canonical form (always plain JSON text: ASCII
            // without quotes, backslashes or controls) is written in place.
            buf.push_str(",\"valid\":true,\"canonical\":\"");
            let mark = buf.len();
            match normalize_into_with(input, buf, self.reference) {
                Ok(()) => {
                    debug_assert!(json_plain(&buf.as_bytes()[mark..]));
                    buf.push_str("\",\"error\":null}\n");
                    Ok(())
                }
                Err(rejection) => {
                    buf.truncate(mark - ",\"valid\":true,\"canonical\":\"".len());
                    Err(rejection.error())
                }
            }
        } else {
            match normalize_one(input, &mut self.canonical, self.reference) {
                Ok(()) => {
                    buf.push_str(",\"valid\":true,\"canonical\":");
                    push_json_str(buf, &self.canonical);
                    buf.push_str(",\"error\":null}\n");
                    Ok(())
                }
                Err((_, error)) => Err(error),
            }
        };
        if let Err(error) = result {
            self.all_valid = false;
            buf.push_str(",\"valid\":false,\"canonical\":null,\"error\":{\"code\":\"");
            buf.push_str(error.kind.name());
            buf.push_str("\",\"message\":");
            self.canonical.clear();
            push_error_text(&mut self.canonical, &error);
            push_json_str(buf, &self.canonical);
            buf.push_str("}}\n");
        }
    }

    /// The canonical form and a newline, or the error on stderr.
    fn human(&mut self, input: &str) -> std::io::Result<()> {
        match normalize_one(input, &mut self.canonical, self.reference) {
            Ok(()) => {
                self.buf.push_str(&self.canonical);
                self.buf.push('\n');
            }
            Err((offset, error)) => {
                self.all_valid = false;
                // Keep stdout and stderr in order for a reader of both.
                self.flush()?;
                eprint!("{}", render_error(input, offset, &error));
            }
        }
        Ok(())
    }

    fn flush_buf(&mut self) -> std::io::Result<()> {
        self.out.write_all(self.buf.as_bytes())?;
        self.buf.clear();
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.flush_buf()?;
        self.out.flush()
    }
}

fn normalize(args: NormalizeArgs) -> u8 {
    let stdout = CleanWriter::new(std::io::stdout().lock());
    let mut normalizer = Normalizer::new(args.format, args.reference.get(), stdout);
    normalizer.flush_each = args.scopes.is_empty() && std::io::stdin().is_terminal();
    if args.scopes.is_empty() {
        // Streamed: memory stays at one read block however long the input is; a line longer
        // than `MAX_LINE_LENGTH` is an invalid input, skipped without being held whole.
        lines::stdin_hint("scopes");
        let read = lines::for_each_line(std::io::stdin().lock(), |line| match line {
            Line::Text(input) => normalizer.input(input),
            Line::TooLong { number } => normalizer.too_long(number),
        });
        match read {
            Ok(()) => {}
            Err(LineError::Stopped(_)) => return crate::EXIT_USAGE,
            Err(LineError::Io(e)) => {
                let _ = normalizer.flush();
                eprintln!("error: cannot read stdin: {e}");
                return crate::EXIT_USAGE;
            }
            Err(LineError::NotUtf8 { line }) => {
                let _ = normalizer.flush();
                eprintln!(
                    "error: stdin line {line} is not UTF-8; the lines before it were normalized"
                );
                return crate::EXIT_USAGE;
            }
        }
    } else {
        for input in &args.scopes {
            if normalizer.input(input).is_err() {
                return crate::EXIT_USAGE;
            }
        }
    }
    if normalizer.flush().is_err() {
        return crate::EXIT_USAGE;
    }
    if normalizer.all_valid {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILURE
    }
}

fn check(args: CheckArgs) -> u8 {
    let reference = args.reference.get();
    let set = ScopeSet::parse_with(&args.granted, reference).with_transition(args.transition);
    if args.format == Format::Human {
        for ignored in set.ignored().iter().filter(|v| !v.is_empty()) {
            eprintln!(
                "warning: granted value {ignored:?} is not a valid atproto scope and is ignored"
            );
        }
    }
    let mut out = CleanWriter::new(std::io::stdout().lock());
    let mut all_allowed = true;
    // Each request is answered on its own: one that cannot be read is an error result, and the
    // others are still checked.
    let mut each = |line: Line<'_>| -> std::io::Result<()> {
        let Line::Text(raw) = line else {
            all_allowed = false;
            if let Line::TooLong { number } = line {
                let message = lines::too_long_message(number);
                return check_result(&mut out, args.format, None, Err(("line-too-long", message)));
            }
            return Ok(());
        };
        match ScopeRequest::parse_with(raw, reference) {
            Ok(request) => {
                let granted_by = set.allows(&request);
                all_allowed &= granted_by.is_some();
                let answer = granted_by.map(|s| s.to_string()).ok_or(request);
                check_result(&mut out, args.format, Some(raw), Ok(answer))
            }
            Err(e) => {
                all_allowed = false;
                check_result(
                    &mut out,
                    args.format,
                    Some(raw),
                    Err(("invalid-request", e.to_string())),
                )
            }
        }
    };
    let from_stdin = args.requests.is_empty() || args.requests.iter().any(|r| r == "-");
    let read = if from_stdin {
        if args.requests.iter().any(|r| r != "-") {
            eprintln!("error: give requests as arguments or `-` for stdin, not both");
            return crate::EXIT_USAGE;
        }
        lines::stdin_hint("requests");
        super::lexicons::for_each_stdin_line(each)
    } else {
        args.requests
            .iter()
            .try_for_each(|raw| each(Line::Text(raw)))
            .map_err(|err| {
                if err.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: cannot write output: {err}");
                }
            })
    };
    if read.is_err() || out.flush().is_err() {
        return crate::EXIT_USAGE;
    }
    if all_allowed {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILURE
    }
}

/// Writes the answer for one request of `scope check`: the granting scope, the request that was
/// denied, or why the request could not be read (a code and a message; on stderr in human form).
fn check_result(
    out: &mut dyn Write,
    format: Format,
    raw: Option<&str>,
    answer: Result<Result<String, ScopeRequest>, (&str, String)>,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let (granted_by, error) = match &answer {
                Ok(Ok(scope)) => (Some(scope.as_str()), None),
                Ok(Err(_)) => (None, None),
                Err((code, message)) => (None, Some(json!({"code": code, "message": message}))),
            };
            let line = json!({
                "version": crate::JSON_VERSION,
                "request": raw,
                "allowed": granted_by.is_some(),
                "granted_by": granted_by,
                "error": error,
            });
            writeln!(out, "{line}")
        }
        Format::Human => match (raw, answer) {
            (Some(raw), Ok(Ok(scope))) => writeln!(out, "allowed  {raw}  (granted by {scope})"),
            (Some(raw), Ok(Err(request))) => writeln!(
                out,
                "denied   {raw}  (missing scope \"{}\")",
                request.scope_needed()
            ),
            (_, Err((code, message))) => {
                out.flush()?;
                eprintln!("error: {message} [{code}]");
                Ok(())
            }
            (None, Ok(_)) => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{json_plain, push_error_text, push_json_str};

    #[test]
    fn json_plain_matches_a_byte_loop() {
        for b in 0..=255u8 {
            for len in 1..20 {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = b;
                    let slow = bytes.iter().all(|&c| c >= 0x20 && c != b'"' && c != b'\\');
                    assert_eq!(json_plain(&bytes), slow, "{b:#x} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn error_text_matches_display() {
        for input in [
            "repo:com.example.*",
            "rpc:a.b.c",
            "bogus",
            "repo?collection=x&collection",
        ] {
            let error = lexperm_parser::scope::Scope::parse(input).unwrap_err();
            let mut text = String::new();
            push_error_text(&mut text, &error);
            assert_eq!(text, error.to_string(), "{input}");
        }
    }

    #[test]
    fn json_strings_match_serde_json() {
        for value in [
            "",
            "repo:app.bsky.feed.post",
            "rpc:a.b.c?aud=did:web:x.com%23s",
            "quote \" and backslash \\",
            "tab\tnul\u{0}del\u{7f}",
            "é 𝔸 \u{2028}",
        ] {
            let mut out = String::new();
            push_json_str(&mut out, value);
            assert_eq!(out, serde_json::to_string(value).unwrap(), "{value:?}");
        }
    }
}
