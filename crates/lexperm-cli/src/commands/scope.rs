//! `lexperm scope …`: normalize scope strings and check requests against granted scopes.
//!
//! Glue only: parsing, canonical forms and matching live in `lexperm_parser::scope`.

use std::io::{BufRead, Write};

use clap::{Args, Subcommand, ValueEnum};
use lexperm_parser::scope::{normalize_scope_string, Scope, ScopeError, ScopeRequest, ScopeSet};
use serde_json::json;

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
    /// `identity:<attr>`. Exit code 0 when every request is allowed, 1 otherwise.
    Check(CheckArgs),
}

/// Arguments of `lexperm scope normalize`.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// Scope strings; read from stdin (one per line) when none are given.
    pub scopes: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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
    /// Requests to check.
    #[arg(required = true, value_name = "REQUEST")]
    pub requests: Vec<String>,
}

/// Runs a `scope` subcommand and returns the process exit code.
pub fn run(cmd: ScopeCommand) -> u8 {
    match cmd {
        ScopeCommand::Normalize(args) => normalize(args),
        ScopeCommand::Check(args) => check(args),
    }
}

/// Outcome of normalizing one input.
struct Normalized {
    canonical: Option<String>,
    /// The first invalid value: its byte offset in the input and the error.
    error: Option<(usize, ScopeError)>,
}

fn normalize_one(input: &str) -> Normalized {
    let mut offset = 0;
    for value in input.split(' ') {
        if let Err(error) = Scope::parse(value) {
            return Normalized {
                canonical: None,
                error: Some((offset, error)),
            };
        }
        offset += value.len() + 1;
    }
    Normalized {
        canonical: Some(normalize_scope_string(input)),
        error: None,
    }
}

fn read_stdin_lines() -> std::io::Result<Vec<String>> {
    let mut lines = Vec::new();
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    let mut buf = String::new();
    loop {
        buf.clear();
        if lock.read_line(&mut buf)? == 0 {
            break;
        }
        let line = buf
            .strip_suffix("\r\n")
            .or_else(|| buf.strip_suffix('\n'))
            .unwrap_or(&buf);
        lines.push(line.to_owned());
    }
    Ok(lines)
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

fn normalize(args: NormalizeArgs) -> u8 {
    let inputs = if args.scopes.is_empty() {
        match read_stdin_lines() {
            Ok(lines) => lines,
            Err(e) => {
                eprintln!("error: cannot read stdin: {e}");
                return crate::EXIT_USAGE;
            }
        }
    } else {
        args.scopes
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_valid = true;
    for input in &inputs {
        let result = normalize_one(input);
        all_valid &= result.error.is_none();
        let written = match args.format {
            Format::Json => {
                let line = json!({
                    "input": input,
                    "valid": result.error.is_none(),
                    "canonical": result.canonical,
                    "error": result.error.as_ref().map(|(_, e)| e.to_string()),
                });
                writeln!(out, "{line}")
            }
            Format::Human => match (&result.canonical, &result.error) {
                (Some(canonical), _) => writeln!(out, "{canonical}"),
                (None, Some((offset, error))) => {
                    eprint!("{}", render_error(input, *offset, error));
                    Ok(())
                }
                (None, None) => Ok(()),
            },
        };
        if written.is_err() {
            return crate::EXIT_USAGE;
        }
    }
    if all_valid {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILURE
    }
}

fn check(args: CheckArgs) -> u8 {
    let mut requests = Vec::with_capacity(args.requests.len());
    for raw in &args.requests {
        match ScopeRequest::parse(raw) {
            Ok(request) => requests.push((raw.as_str(), request)),
            Err(e) => {
                eprintln!("error: {e}");
                return crate::EXIT_USAGE;
            }
        }
    }
    let set = ScopeSet::parse(&args.granted).with_transition(args.transition);
    if args.format == Format::Human {
        for ignored in set.ignored().iter().filter(|v| !v.is_empty()) {
            eprintln!(
                "warning: granted value {ignored:?} is not a valid atproto scope and is ignored"
            );
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_allowed = true;
    for (raw, request) in &requests {
        let matched = set.allows(request);
        all_allowed &= matched.is_some();
        let written = match args.format {
            Format::Json => {
                let line = json!({
                    "request": raw,
                    "allowed": matched.is_some(),
                    "matched": matched.map(|s| s.to_string()),
                });
                writeln!(out, "{line}")
            }
            Format::Human => match matched {
                Some(scope) => writeln!(out, "allowed  {raw}  (granted by {scope})"),
                None => writeln!(
                    out,
                    "denied   {raw}  (missing scope \"{}\")",
                    request.scope_needed()
                ),
            },
        };
        if written.is_err() {
            return crate::EXIT_USAGE;
        }
    }
    if all_allowed {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILURE
    }
}
