//! `lexperm login`: atproto OAuth as a loopback native client, asking only for
//! `atproto repo:com.atproto.lexicon.schema`. Glue only: the flow lives in `lexperm_net::oauth`.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use clap::Args;
use lexperm_net::oauth::begin_login;
use lexperm_net::NetError;

use super::auth_args::{oauth_session_store, revoke_oauth};
use super::net_args::NetArgs;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// `lexperm login` arguments.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The account: a handle or a DID.
    #[arg(long, value_name = "HANDLE|DID")]
    pub handle: String,
    /// PDS URL (default: resolved from the handle/DID).
    #[arg(long, value_name = "URL")]
    pub pds: Option<String>,
    #[command(flatten)]
    pub net: NetArgs,
    /// OAuth session file (default: `<cache dir>/oauth-session.json`).
    #[arg(long, value_name = "PATH")]
    pub oauth_session_file: Option<PathBuf>,
    /// Print the sign-in URL instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Seconds to wait for the browser to come back after signing in.
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
}

/// Run `lexperm login`; returns the exit code.
pub fn run(args: LoginArgs) -> u8 {
    match login(&args) {
        Ok(()) => EXIT_OK,
        Err((code, message)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn login(args: &LoginArgs) -> Result<(), (u8, String)> {
    let usage = |e: String| (EXIT_USAGE, e);
    let failure = |e: String| (EXIT_FAILURE, e);
    let store = oauth_session_store(args.oauth_session_file.as_deref())
        .map_err(|e| usage(e.to_string()))?;
    let wait = Duration::from_secs(args.timeout);
    let config_deadline = crate::config::network_deadline().map_err(usage)?;
    let identity = args
        .net
        .identity_with_wait(config_deadline, wait)
        .map_err(usage)?;
    // A refusal of the OAuth flow is a failure (1); not reaching the servers is a network
    // error (2), as for the other network commands.
    let net = |e: NetError, what: String| match e {
        NetError::OAuth { .. } => (EXIT_FAILURE, format!("{what}: {e}")),
        other => (EXIT_USAGE, format!("{what}: {other}")),
    };
    let pending = begin_login(&identity, &args.handle, args.pds.as_deref())
        .map_err(|e| net(e, format!("cannot start the login of {}", args.handle)))?;
    let opened = !args.no_browser && open_browser(pending.authorize_url());
    if opened {
        eprintln!("a browser was opened to sign in; if not, open this URL:");
    } else {
        eprintln!("open this URL in a browser to sign in:");
    }
    eprintln!("{}", pending.authorize_url());
    eprintln!(
        "waiting up to {} s for the redirect to {}",
        args.timeout,
        pending.redirect_uri()
    );
    let params = pending.wait(wait).map_err(|e| failure(e.to_string()))?;
    let session = pending
        .finish(params)
        .map_err(|e| net(e, format!("login of {} refused", args.handle)))?;
    // A session this replaces is revoked (best effort), so no grant is left behind unused.
    if let Ok(Some(mut old)) = store.load() {
        if let Err(e) = revoke_oauth(&mut old) {
            eprintln!("warning: could not revoke the session this login replaces: {e}");
        }
    }
    store.save(&session).map_err(|e| failure(e.to_string()))?;
    println!(
        "logged in as {} ({}) on {} with OAuth; granted: {}",
        session.handle, session.did, session.service, session.scope
    );
    println!("session saved to {}", store.path().display());
    Ok(())
}

/// Opens `url` with `$BROWSER`, else the desktop's opener when there is a display; false when
/// none could be started.
fn open_browser(url: &str) -> bool {
    let command = match std::env::var_os("BROWSER").filter(|b| !b.is_empty()) {
        Some(browser) => Some(browser.to_string_lossy().into_owned()),
        None if cfg!(target_os = "macos") => Some("open".into()),
        None if std::env::var_os("DISPLAY").is_some()
            || std::env::var_os("WAYLAND_DISPLAY").is_some() =>
        {
            Some("xdg-open".into())
        }
        None => None,
    };
    command.is_some_and(|program| {
        Command::new(program)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .is_ok()
    })
}
