//! `lexperm check-dns`: for every NSID group of the local lexicons, whether
//! `_lexicon.<authority>` exists and names the expected DID, and the exact TXT records to create.
//!
//! The expected DID is `--expect-did`, else `[authority] did` in lexperm.toml, else the account
//! of the saved session. Groups listed in `[authority] unpublished` are skipped.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use lexperm_net::dns_audit::{audit, group_authority, groups, DnsCheck, DnsStatus};
use lexperm_net::identity::validate_did;
use lexperm_resolver::Catalog;

use super::auth_args::{oauth_session_store, session_store, Failure};
use super::net_args::NetArgs;
use super::walk_args::WalkArgs;
use crate::config;
use crate::engine;
use crate::load;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Output format of `check-dns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckDnsFormat {
    /// One line per NSID group, then the TXT records to create.
    Human,
    /// One JSON object per NSID group.
    Json,
}

/// `lexperm check-dns` arguments.
#[derive(Debug, Args)]
pub struct CheckDnsArgs {
    /// Folder of lexicon JSON files (searched recursively), or one lexicon file.
    #[arg(long, value_name = "DIR|FILE", default_value = "lexicons")]
    pub lexicons: PathBuf,
    /// The DID every `_lexicon` record must name (default: `[authority] did` in lexperm.toml,
    /// else the account of the saved session).
    #[arg(long, value_name = "DID")]
    pub expect_did: Option<String>,
    /// Configuration file (default: the nearest `lexperm.toml` from `--lexicons` upward, else
    /// `./lexperm.toml`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// App-password session file whose account is the expected DID when no other is given
    /// (default: the OAuth session of `lexperm login`, else `<cache dir>/session.json`).
    #[arg(long, value_name = "PATH")]
    pub session_file: Option<PathBuf>,
    /// OAuth session file whose account is the expected DID when no other is given (default:
    /// `<cache dir>/oauth-session.json`).
    #[arg(long, value_name = "PATH", conflicts_with = "session_file")]
    pub oauth_session_file: Option<PathBuf>,
    #[command(flatten)]
    pub net: NetArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckDnsFormat::Human)]
    pub format: CheckDnsFormat,
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// Run `lexperm check-dns`; returns the exit code.
pub fn run(args: CheckDnsArgs) -> u8 {
    match check_dns(&args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn usage(message: impl ToString) -> Failure {
    (EXIT_USAGE, message.to_string())
}

fn check_dns(args: &CheckDnsArgs) -> Result<u8, Failure> {
    if !args.lexicons.exists() {
        return Err(usage(format!(
            "{} does not exist (--lexicons DIR or --lexicons FILE)",
            args.lexicons.display()
        )));
    }
    let roots = [args.lexicons.clone()];
    let settings =
        config::load(args.config.as_deref(), &roots, &engine::registry()).map_err(usage)?;
    let files = load::load(&roots, &args.walk.options(&settings).map_err(usage)?);
    super::lexicons::print_not_loaded(&files);
    let not_loaded = files.failed();
    let (catalog, _) = Catalog::load(
        files
            .sources
            .iter()
            .map(|(id, file)| (id, file.path.as_str(), file.text.as_str())),
    );
    let local = groups(
        catalog
            .indexed()
            .filter(|doc| doc.nsid.is_some())
            .map(|doc| doc.nsid_str()),
    );
    if local.is_empty() {
        return Err(usage(format!(
            "no lexicons with a valid NSID under {}",
            args.lexicons.display()
        )));
    }
    let expected = expected_did(args, &settings)?;
    let authority = &settings.config.authority;
    let mut carved = Vec::new();
    for group in &authority.unpublished {
        let found = group_authority(group).map_err(usage)?;
        if !local.iter().any(|g| g.authority == found) {
            let names: Vec<&str> = local.iter().map(|g| g.group.as_str()).collect();
            let close = lexperm_parser::suggest::closest(group, names, 3);
            let hint = lexperm_parser::suggest::did_you_mean(&close)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            eprintln!(
                "warning: `[authority] unpublished` lists `{group}`, which is not an NSID group of the local lexicons{hint}"
            );
        }
        carved.push(found);
    }
    let identity = args
        .net
        .identity(settings.config.network_deadline)
        .map_err(usage)?;
    let checks = audit(
        identity.dns(),
        &local,
        expected.as_ref().map(|(did, _)| did.as_str()),
        &carved,
    );
    match args.format {
        CheckDnsFormat::Json => {
            for check in &checks {
                let line = crate::render::versioned(check);
                println!("{}", serde_json::Value::Object(line));
            }
        }
        CheckDnsFormat::Human => print_human(&checks, expected.as_ref()),
    }
    if expected.is_none() {
        return Err(usage(
            "no expected DID: nothing was judged\n  help: give --expect-did DID, set `did` under `[authority]` in lexperm.toml, or log in once (`lexperm publish --dry-run --handle HANDLE`) so the saved session names the account",
        ));
    }
    let failed = checks
        .iter()
        .filter(|c| c.status == DnsStatus::LookupFailed);
    for check in failed.clone() {
        eprintln!(
            "error: {}: {}",
            check.name,
            check.message.as_deref().unwrap_or("lookup failed")
        );
    }
    Ok(if not_loaded > 0 || failed.count() > 0 {
        EXIT_USAGE
    } else if checks.iter().any(|c| c.status.is_mismatch()) {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

/// The expected DID and where it came from: `--expect-did`, the config file, or the saved
/// session; `None` when none of them gives one.
fn expected_did(
    args: &CheckDnsArgs,
    settings: &config::Settings,
) -> Result<Option<(String, String)>, Failure> {
    if let Some(did) = &args.expect_did {
        validate_did(did).map_err(|e| usage(format!("--expect-did `{did}`: {e}")))?;
        return Ok(Some((did.clone(), "--expect-did".into())));
    }
    if let Some(did) = &settings.config.authority.did {
        let file = settings.path.as_ref().map_or_else(
            || config::CONFIG_FILE_NAME.into(),
            |p| p.display().to_string(),
        );
        return Ok(Some((did.clone(), format!("`[authority] did` in {file}"))));
    }
    // The OAuth session of `lexperm login` first, unless an app-password session file is named.
    if args.session_file.is_none() {
        let store = oauth_session_store(args.oauth_session_file.as_deref()).map_err(usage)?;
        if let Some(session) = store.load().map_err(usage)? {
            let from = format!(
                "the OAuth session of {} ({})",
                session.handle,
                store.path().display()
            );
            return Ok(Some((session.did, from)));
        }
        if args.oauth_session_file.is_some() {
            return Ok(None);
        }
    }
    let store = session_store(args.session_file.as_deref()).map_err(usage)?;
    let session = store.load().map_err(usage)?;
    Ok(session.map(|s| {
        let from = format!(
            "the saved session of {} ({})",
            s.handle,
            store.path().display()
        );
        (s.did, from)
    }))
}

fn print_human(checks: &[DnsCheck], expected: Option<&(String, String)>) {
    match expected {
        Some((did, from)) => println!("expected DID {did} (from {from})"),
        None => println!("no expected DID: showing what each record names"),
    }
    for check in checks {
        let detail = match check.status {
            DnsStatus::Ok | DnsStatus::Unchecked => {
                format!("names {}", check.did.as_deref().unwrap_or("-"))
            }
            _ => check.message.clone().unwrap_or_default(),
        };
        println!(
            "  {:<13} {}.*  {}: {detail}",
            check.status.as_str(),
            check.group,
            check.name
        );
    }
    let fixes: Vec<&DnsCheck> = checks.iter().filter(|c| c.fix.is_some()).collect();
    if !fixes.is_empty() {
        println!("TXT records to create (and remove any other `did=` record at the same name):");
        for check in fixes {
            if let Some(fix) = &check.fix {
                println!("  {fix}");
            }
        }
    }
    let count = |s: DnsStatus| checks.iter().filter(|c| c.status == s).count();
    let mut parts = vec![lexperm_parser::wording::count(
        checks.len(),
        "NSID group",
        "NSID groups",
    )];
    for status in [
        DnsStatus::Ok,
        DnsStatus::Wrong,
        DnsStatus::Missing,
        DnsStatus::Invalid,
        DnsStatus::CarvedOut,
        DnsStatus::Unchecked,
        DnsStatus::LookupFailed,
    ] {
        if count(status) > 0 {
            parts.push(format!("{} {}", count(status), status.as_str()));
        }
    }
    println!("{}", parts.join(", "));
}
