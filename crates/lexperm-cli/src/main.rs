//! The `lexperm` binary: argument parsing, IO, output formats and exit codes. No rule or scope logic
//! lives here.
// The only unsafe code is the allocator option set before `main` (below).
#![deny(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// First: its `print!`, `println!`, `eprint!` and `eprintln!` shadow the standard ones in every
// module below.
#[macro_use]
mod terminal;
mod commands;

/// Lint allocates many small, short-lived values per file on several threads; mimalloc's
/// thread-local free lists roughly halve the time glibc's allocator spent on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs before `main` and before the first allocation: commit arena memory as it is used rather
/// than up front, which halves the peak RSS of a lint run. Option 4 is `mi_option_arena_eager_commit`
/// in mimalloc v2's `mi_option_e`.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
#[used]
#[link_section = ".init_array"]
static CONFIGURE_ALLOCATOR: extern "C" fn() = {
    extern "C" fn configure() {
        // SAFETY: sets a process-wide allocator option before anything has been allocated.
        unsafe { libmimalloc_sys::mi_option_set(4, 0) }
    }
    configure
};
mod base;
mod config;
mod engine;
mod lines;
mod load;
mod render;
mod sources;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code when the input was processed and something failed (invalid scope, lint error, denied).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for usage and IO errors, including a lexicon path that could not be loaded (L132,
/// L133): the command still processes the other files, but its answer is incomplete.
pub const EXIT_USAGE: u8 = 2;
/// The `version` member of every JSON object the CLI prints (docs/json.md); raised when a member
/// is removed or changes meaning, not when one is added.
pub const JSON_VERSION: u32 = 1;

/// Lint, expand, check and generate AT Protocol lexicons and OAuth permission sets.
#[derive(Debug, Parser)]
#[command(name = "lexperm", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour the output [default: auto].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    color: Option<terminal::ColorChoice>,
    /// Say on stderr which configuration file is used and what the walk of folders skipped.
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// Whether `-v`/`--verbose` was given.
static VERBOSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints `lexperm: MESSAGE` on stderr when `-v`/`--verbose` was given.
pub fn verbose(message: std::fmt::Arguments<'_>) {
    if VERBOSE.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!("lexperm: {message}");
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with OAuth scope strings: normalize and check.
    #[command(subcommand)]
    Scope(commands::scope::ScopeCommand),
    /// Lint lexicon files and directories (default `lexicons/`).
    Lint(commands::lint::LintArgs),
    /// Write a new lexicon file of one kind, at the path its NSID gives under `--lexicons`
    /// (default `lexicons/`).
    New(commands::new::NewArgs),
    /// Set up a lexicon repository: `lexicons/`, `lexperm.toml` and a CI workflow. Files that
    /// exist are kept.
    Init(commands::init::InitArgs),
    /// Report changes that break existing data or clients, against a base version (a git ref, a
    /// directory, or the published records). Exit code 0 when none fails the run, 1 otherwise, 2
    /// for usage and IO errors.
    Breaking(commands::breaking::BreakingArgs),
    /// Show a lint rule's documentation, or list every rule.
    Explain(commands::explain::ExplainArgs),
    /// Print the JSON Schema (draft 2020-12) of lexicon documents, for editor completion.
    Schema,
    /// Expand `include:` scopes against permission sets, or (`--scope`) build a token scope.
    ///
    /// Exit code 0 when every input is a valid include scope naming a permission set (or, with
    /// `--scope`, when a token would be issued), 1 otherwise, 2 for usage and IO errors.
    Expand(commands::expand::ExpandArgs),
    /// Check requests against the token scope of a client scope, showing the set entry that
    /// allowed each. Exit code 0 when every request is allowed, 1 otherwise.
    Check(commands::check::CheckArgs),
    /// Report records and endpoints no permission set grants, and sets that need `?aud=`.
    Coverage(commands::coverage::CoverageArgs),
    /// Show what a consent screen displays for an `include:` scope (text, JSON or HTML).
    Preview(commands::preview::PreviewArgs),
    /// Generate artefacts from lexicons: publishable records and CIDs, Rust scope constants.
    #[command(subcommand)]
    Gen(commands::gen::GenCommand),
    /// Resolve NSIDs to published lexicons: DNS `_lexicon` TXT → DID → PDS → record.
    Resolve(commands::resolve::ResolveArgs),
    /// Publish lexicons as com.atproto.lexicon.schema records (plan, CAS writes, read-back).
    Publish(commands::publish::PublishArgs),
    /// Delete published lexicon records (`NSID` or `GROUP.*`): a plan with the CID of each,
    /// confirmed (or `--yes`), then compare-and-swap deletes read back. A record changed since
    /// the plan is refused. Exit code 0 when everything asked for was deleted, 1 when something
    /// was not published, changed, failed or not confirmed, 2 for usage and network errors.
    Unpublish(commands::unpublish::UnpublishArgs),
    /// Check that every NSID group of the local lexicons has a `_lexicon.<authority>` TXT record
    /// naming the expected DID, and print the records to create. Exit code 0 when all do (or
    /// are carved out), 1 on a wrong, missing or invalid record, 2 for usage and lookup errors.
    CheckDns(commands::check_dns::CheckDnsArgs),
    /// Fetch published lexicons and their dependencies into the lexicon folder, pinned in
    /// `lexicons.json`. `--ci` checks the pins offline. Exit code 0 on success, 1 when a pinned
    /// file differs from its pin or a local file would be replaced (`--force` replaces it), 2
    /// when a lexicon cannot be resolved (nothing is written then).
    Pull(commands::pull::PullArgs),
    /// Work with the `lexicons.json` lockfile (the format of `@atproto/lex install`): `verify`
    /// checks offline that the pinned lexicons are the local files.
    #[command(subcommand)]
    Lockfile(commands::lockfile::LockfileCommand),
    /// Compare every local lexicon with what its authority publishes: published, differs,
    /// unpublished, remote-only (published but not local), unavailable. Exit code 0 when every
    /// one is published as it is, 1 otherwise, 2 for usage and IO errors.
    Status(commands::status::StatusArgs),
    /// Show how local lexicons differ from their published records: changed JSON paths and the
    /// breaking-change findings (base = published). Exit code 0 when none differs, 1 when one
    /// does, 2 when one is not local, not published or cannot be resolved.
    Diff(commands::diff::DiffArgs),
    /// Sign in with atproto OAuth for publishing, asking only for
    /// `atproto repo:com.atproto.lexicon.schema` (a browser sign-in; the session is stored).
    /// Exit code 0 when logged in, 1 when the sign-in was refused or failed a check, 2 for usage
    /// and network errors.
    Login(commands::login::LoginArgs),
    /// Forget the stored publishing sessions (and revoke them: OAuth at its authorization
    /// server, the app-password session on its PDS).
    Logout(commands::logout::LogoutArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    terminal::set_color_choice(cli.color);
    VERBOSE.store(cli.verbose, std::sync::atomic::Ordering::Relaxed);
    let code = match cli.command {
        Command::Scope(cmd) => commands::scope::run(cmd),
        Command::Resolve(args) => commands::resolve::run(args),
        Command::Publish(args) => commands::publish::run(args),
        Command::Unpublish(args) => commands::unpublish::run(args),
        Command::CheckDns(args) => commands::check_dns::run(args),
        Command::Login(args) => commands::login::run(args),
        Command::Logout(args) => commands::logout::run(args),
        Command::Lint(args) => commands::lint::run(args),
        Command::New(args) => commands::new::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Breaking(args) => commands::breaking::run(args),
        Command::Explain(args) => commands::explain::run(args, &engine::registry()),
        Command::Schema => commands::schema::run(),
        Command::Expand(args) => commands::expand::run(args),
        Command::Check(args) => commands::check::run(args),
        Command::Coverage(args) => commands::coverage::run(args),
        Command::Preview(args) => commands::preview::run(args),
        Command::Gen(cmd) => commands::gen::run(cmd),
        Command::Lockfile(cmd) => commands::lockfile::run(cmd),
        Command::Pull(args) => commands::pull::run(args),
        Command::Status(args) => commands::status::run(args),
        Command::Diff(args) => commands::diff::run(args),
    };
    ExitCode::from(code)
}
