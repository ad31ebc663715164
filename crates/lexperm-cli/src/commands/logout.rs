//! `lexperm logout`: revoke the stored sessions (the OAuth session of `lexperm login` at its
//! authorization server, the app-password session on its PDS; best effort) and delete their
//! files.

use clap::Args;
use lexperm_net::XrpcClient;

use super::auth_args::{revoke_oauth, AuthArgs, AuthChoice};
use crate::{EXIT_FAILURE, EXIT_OK};

/// `lexperm logout` arguments.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Only delete the local session files; do not ask the servers to revoke them.
    #[arg(long)]
    pub local_only: bool,
    /// Which sessions: `--auth oauth` or `--auth app-password` (default: both).
    #[command(flatten)]
    pub auth: AuthArgs,
}

/// Run `lexperm logout`; returns the exit code.
pub fn run(args: LogoutArgs) -> u8 {
    let mut code = EXIT_OK;
    let mut removed = 0;
    if args.auth.auth != Some(AuthChoice::AppPassword) {
        match logout_oauth(&args) {
            Ok(n) => removed += n,
            Err(e) => {
                eprintln!("error: {e}");
                code = EXIT_FAILURE;
            }
        }
    }
    if args.auth.auth != Some(AuthChoice::Oauth) {
        match logout_password(&args) {
            Ok(n) => removed += n,
            Err(e) => {
                eprintln!("error: {e}");
                code = EXIT_FAILURE;
            }
        }
    }
    if removed == 0 && code == EXIT_OK {
        println!("not logged in");
    }
    code
}

fn logout_oauth(args: &LogoutArgs) -> Result<usize, String> {
    let store = args.auth.oauth_store()?;
    let session = store.load().unwrap_or_else(|e| {
        // A damaged file is still removed.
        eprintln!("warning: {e}");
        None
    });
    if let (Some(mut session), false) = (session.clone(), args.local_only) {
        match revoke_oauth(&mut session) {
            Ok(true) => {}
            Ok(false) => eprintln!(
                "warning: {} has no revocation endpoint; the tokens stay valid until they expire",
                session.issuer
            ),
            Err(e) => eprintln!(
                "warning: could not revoke the OAuth session at {}: {e}",
                session.issuer
            ),
        }
    }
    Ok(match store.remove().map_err(|e| e.to_string())? {
        true => {
            match &session {
                Some(s) => println!(
                    "logged out {} (OAuth, {})",
                    s.handle,
                    store.path().display()
                ),
                None => println!("removed {}", store.path().display()),
            }
            1
        }
        false => 0,
    })
}

fn logout_password(args: &LogoutArgs) -> Result<usize, String> {
    let store = args.auth.password_store()?;
    let session = store.load().unwrap_or_else(|e| {
        eprintln!("warning: {e}");
        None
    });
    if let (Some(session), false) = (&session, args.local_only) {
        let revoked =
            XrpcClient::new(&session.service).and_then(|c| c.delete_session(&session.refresh_jwt));
        if let Err(e) = revoked {
            eprintln!(
                "warning: could not revoke the session on {}: {e}",
                session.service
            );
        }
    }
    Ok(match store.remove().map_err(|e| e.to_string())? {
        true => {
            match &session {
                Some(s) => println!("logged out {} ({})", s.handle, store.path().display()),
                None => println!("removed {}", store.path().display()),
            }
            1
        }
        false => 0,
    })
}
