//! `lexperm logout`: revoke the stored session on its PDS (best effort) and delete the file.

use clap::Args;
use lexperm_net::session::SessionStore;
use lexperm_net::XrpcClient;

use crate::{EXIT_FAILURE, EXIT_OK};

/// `lexperm logout` arguments.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Only delete the local session file; do not ask the PDS to revoke it.
    #[arg(long)]
    pub local_only: bool,
}

/// Run `lexperm logout`; returns the exit code.
pub fn run(args: LogoutArgs) -> u8 {
    let store = match SessionStore::default_location() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILURE;
        }
    };
    let session = match store.load() {
        Ok(s) => s,
        Err(e) => {
            // A damaged file is still removed.
            eprintln!("warning: {e}");
            None
        }
    };
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
    match store.remove() {
        Ok(true) => {
            match &session {
                Some(s) => println!("logged out {} ({})", s.handle, store.path().display()),
                None => println!("removed {}", store.path().display()),
            }
            EXIT_OK
        }
        Ok(false) => {
            println!("not logged in");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_FAILURE
        }
    }
}
