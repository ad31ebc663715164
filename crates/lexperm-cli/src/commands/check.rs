//! `lexperm check`: build the token scope for a client scope (expanding `include:` against the
//! lexicon directories) and check requests against it, showing which set entry allowed each.
//!
//! Glue only: token scopes and matching live in `lexperm_resolver`.

use std::io::{self, Write};

use clap::Args;
use lexperm_parser::scope::ScopeRequest;
use serde_json::json;

use super::expand::{warn_dropped, UserDidArgs, SELF_NOTE};
use super::lexicons::{Format, LexiconDirs, Loaded};
use super::reference_args::ReferenceArgs;
use super::remote::{origin_json, Remote, RemoteArgs};

/// Arguments of `lexperm check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    lexicons: LexiconDirs,
    /// The client's requested scope string (space-separated, may contain `include:` scopes).
    #[arg(long, value_name = "SCOPE")]
    scope: String,
    /// Apply the transition scopes like the reference PDS (`ScopePermissionsTransition`).
    #[arg(long)]
    transition: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Requests: `repo:<collection>?action=<create|update|delete>`, `rpc:<lxm>?aud=<did#svc>`,
    /// `blob:<mime>`, `account:<attr>?action=<read|manage>`, `identity:<attr>`,
    /// `space:<type>?authority=<did>&skey=<skey>&action=<…>[&collection=<nsid>]` or `…&manage=<…>`.
    #[arg(required = true, value_name = "REQUEST")]
    requests: Vec<String>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    reference: ReferenceArgs,
    #[command(flatten)]
    user: UserDidArgs,
}

/// Runs `check` and returns the exit code: 0 when every request is allowed (and a token would be
/// issued), 1 otherwise (a request that cannot be read counts as not allowed), 2 for usage and IO
/// errors (including a lexicon path that could not be
/// loaded: the requests are still checked against the others).
pub fn run(args: CheckArgs) -> u8 {
    let Ok(user_did) = args.user.get() else {
        return crate::EXIT_USAGE;
    };
    // A request that cannot be read is an error result of its own; the others are checked.
    let requests: Vec<_> = args
        .requests
        .iter()
        .map(|raw| {
            let request = ScopeRequest::parse_with(raw, args.reference.get());
            (raw.as_str(), request.map_err(|e| e.to_string()))
        })
        .collect();
    let Ok((mut loaded, remote)) = args.remote.load(&args.lexicons) else {
        return crate::EXIT_USAGE;
    };
    let code = check_loaded(&args, &mut loaded, remote, &requests, user_did);
    loaded.exit_code(code)
}

/// Checks `requests` against the token scope built from `loaded` (and `remote`).
fn check_loaded(
    args: &CheckArgs,
    loaded: &mut Loaded,
    mut remote: Option<Remote>,
    requests: &[(&str, Result<ScopeRequest, String>)],
    user_did: Option<&str>,
) -> u8 {
    loaded.catalog.set_reference(args.reference.get());
    if let Some(remote) = remote.as_mut() {
        remote.fetch_includes(loaded, &args.scope);
        for value in args.scope.split(' ') {
            if let Ok(lexperm_parser::scope::Scope::Include(include)) =
                lexperm_parser::scope::Scope::parse(value)
            {
                let nsid = include.nsid.as_str();
                if let Some(error) = remote.error(nsid) {
                    eprintln!("error: {error}");
                } else if let Some((uri, cid, fetched)) = remote.provenance(nsid) {
                    eprintln!("note: {nsid} fetched: {uri}, cid {cid}, from the {fetched}");
                }
            }
        }
    }
    let token = loaded.catalog.token_scope_for_user(&args.scope, user_did);
    let unresolved = token.unresolved_self().count();
    if unresolved > 0 {
        let grants = lexperm_parser::wording::count(
            unresolved,
            "`space:` grant keeps",
            "`space:` grants keep",
        );
        eprintln!("note: {grants} `authority=self`: {SELF_NOTE}");
    }
    for error in &token.errors {
        eprintln!(
            "error: {error} [{}]; no token would be issued, requests are checked against the rest",
            error.code()
        );
    }
    for outcome in &token.includes {
        warn_dropped(outcome);
    }
    let checker = token.checker(args.transition);
    let mut out = crate::terminal::stdout();
    let mut all_allowed = token.errors.is_empty();
    let mut written = Ok(());
    for (raw, request) in requests {
        let request = match request {
            Ok(request) => request,
            Err(message) => {
                all_allowed = false;
                written = invalid_request(&mut out, args.format, raw, message);
                if written.is_err() {
                    break;
                }
                continue;
            }
        };
        let hit = checker.check(request);
        all_allowed &= hit.is_some();
        let missing_aud = match hit {
            Some(_) => None,
            None => loaded.catalog.missing_audience(&token, request),
        };
        written = match args.format {
            Format::Json => {
                let line = json!({
                    "version": crate::JSON_VERSION,
                    "request": raw,
                    "allowed": hit.is_some(),
                    "granted_by": hit.map(|v| v.value.as_str()),
                    "include": hit.and_then(|v| v.provenance.as_ref()).map(|p| p.include.as_str()),
                    "set": hit.and_then(|v| v.provenance.as_ref()).map(|p| p.set.as_str()),
                    "entry": hit.and_then(|v| v.provenance.as_ref()).map(|p| p.entry_index),
                    "source": origin_json(loaded, hit.and_then(|v| v.provenance.as_ref()).map(|p| p.set.as_str())),
                    "missing_aud": missing_aud.as_ref().map(|m| json!({
                        "include": m.include,
                        "with_aud": m.with_aud,
                        "entry": m.entry_index,
                    })),
                    "error": null,
                });
                writeln!(out, "{line}")
            }
            Format::Human => match hit {
                Some(value) => match &value.provenance {
                    Some(p) => writeln!(
                        out,
                        "allowed  {raw}  ({} → entry #{} → {})",
                        p.include,
                        p.entry_index,
                        abbreviate(&value.value)
                    ),
                    None => writeln!(out, "allowed  {raw}  (requested {})", value.value),
                },
                None => match &missing_aud {
                    Some(m) => writeln!(
                        out,
                        "denied   {raw}  (`{}` has no `aud`, so its entry #{} was dropped; request `{}`)",
                        m.include, m.entry_index, m.with_aud
                    ),
                    None => writeln!(
                        out,
                        "denied   {raw}  (missing scope \"{}\")",
                        request.scope_needed()
                    ),
                },
            },
        };
        if written.is_err() {
            break;
        }
    }
    match written.and_then(|()| out.flush()) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            return crate::EXIT_USAGE;
        }
    }
    if all_allowed {
        crate::EXIT_OK
    } else {
        crate::EXIT_FAILURE
    }
}

/// The result for a request that cannot be read: a JSON line with `error`, or the message on
/// stderr.
fn invalid_request(
    out: &mut crate::terminal::Stdout,
    format: Format,
    raw: &str,
    message: &str,
) -> io::Result<()> {
    match format {
        Format::Json => {
            let line = json!({
                "version": crate::JSON_VERSION,
                "request": raw,
                "allowed": false,
                "granted_by": null,
                "include": null,
                "set": null,
                "entry": null,
                "source": null,
                "missing_aud": null,
                "error": {"code": "invalid-request", "message": message},
            });
            writeln!(out, "{line}")
        }
        Format::Human => {
            out.flush()?;
            eprintln!("error: {message} [invalid-request]");
            Ok(())
        }
    }
}

/// A long granted scope shortened for one line of human output (JSON keeps it whole).
fn abbreviate(value: &str) -> String {
    const MAX: usize = 100;
    if value.len() <= MAX {
        return value.to_owned();
    }
    let mut cut = 72;
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} characters)", &value[..cut], value.len())
}
