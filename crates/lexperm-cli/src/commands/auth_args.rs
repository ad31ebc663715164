//! The account options of the commands that write to a repository (`publish`, `unpublish`), and
//! how they log in: a stored session of the same account and PDS is reused, else the app password
//! is read from `LEXPERM_APP_PASSWORD`, one line of stdin (when it is not a terminal) or a prompt
//! without echo; never from the command line.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Args;
use lexperm_net::account::{connect, SessionOrigin};
use lexperm_net::identity::IdentityResolver;
use lexperm_net::session::SessionStore;
use lexperm_net::{Agent, NetError, Secret};
use lexperm_parser::limits::MAX_LINE_LENGTH;

use crate::{EXIT_FAILURE, EXIT_USAGE};

/// Environment variable holding the app password.
pub const PASSWORD_ENV: &str = "LEXPERM_APP_PASSWORD";

/// `--handle`, `--pds`, `--expect-did` and `--session-file`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    /// The publishing account: a handle or a DID.
    #[arg(long, value_name = "HANDLE|DID")]
    pub handle: String,
    /// PDS URL (default: resolved from the handle/DID).
    #[arg(long, value_name = "URL")]
    pub pds: Option<String>,
    /// Refuse to write unless the logged-in account has this DID.
    #[arg(long, value_name = "DID")]
    pub expect_did: Option<String>,
    /// Session file (default: `<cache dir>/session.json`).
    #[arg(long, value_name = "PATH")]
    pub session_file: Option<PathBuf>,
}

/// An exit code and the message to print with it.
pub type Failure = (u8, String);

impl AuthArgs {
    /// Logs in as `--handle` (see the module documentation), says so on stderr when a new
    /// session was made, and checks `--expect-did`.
    pub fn login(&self, identity: &IdentityResolver) -> Result<Agent, Failure> {
        let store =
            session_store(self.session_file.as_deref()).map_err(|e| (EXIT_USAGE, e.to_string()))?;
        let (agent, origin) = connect(
            identity,
            Some(store),
            &self.handle,
            self.pds.as_deref(),
            read_password,
        )
        .map_err(|e| {
            (
                EXIT_FAILURE,
                format!("cannot log in as {}: {e}", self.handle),
            )
        })?;
        let did = &agent.session().did;
        if origin == SessionOrigin::LoggedIn {
            eprintln!(
                "logged in as {} ({did}) on {}",
                agent.session().handle,
                agent.client().base_url()
            );
        }
        if let Some(expected) = &self.expect_did {
            if expected != did {
                return Err((
                    EXIT_FAILURE,
                    format!("--expect-did {expected}, but {} is {did}", self.handle),
                ));
            }
        }
        Ok(agent)
    }
}

/// The session file: `path` (`--session-file`), else the default location.
pub fn session_store(path: Option<&Path>) -> Result<SessionStore, NetError> {
    match path {
        Some(path) => Ok(SessionStore::new(path)),
        None => SessionStore::default_location(),
    }
}

/// Reads one answer line from stdin: the terminal when it is one (echoed, or not when `secret`),
/// else the pipe. At most [`MAX_LINE_LENGTH`] bytes; the line end is dropped.
pub fn read_line(prompt: &str, secret: bool) -> std::io::Result<String> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    // One line, and no more of it than a stdin line may hold.
    let limit = MAX_LINE_LENGTH as u64 + 2;
    if stdin.is_terminal() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let echo_off = secret && stty("-echo");
        let read = stdin.lock().take(limit).read_line(&mut line);
        if echo_off {
            stty("echo");
        }
        if secret {
            eprintln!();
        }
        read?;
    } else {
        stdin.lock().take(limit).read_line(&mut line)?;
    }
    if line.trim_end_matches(['\r', '\n']).len() > MAX_LINE_LENGTH {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("longer than {MAX_LINE_LENGTH} bytes"),
        ));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The app password: `LEXPERM_APP_PASSWORD`, else one line of stdin when it is not a terminal,
/// else a prompt on the terminal without echo.
fn read_password() -> Result<Secret, NetError> {
    if let Some(p) = std::env::var_os(PASSWORD_ENV).filter(|p| !p.is_empty()) {
        return Ok(Secret::new(p.to_string_lossy().into_owned()));
    }
    let invalid = |detail: String| NetError::InvalidInput {
        what: "app password",
        value: String::new(),
        detail,
    };
    let password = read_line("app password: ", true).map_err(|e| invalid(e.to_string()))?;
    if password.is_empty() {
        return Err(invalid(format!(
            "empty; set {PASSWORD_ENV} or pipe it on stdin"
        )));
    }
    Ok(Secret::new(password))
}

fn stty(mode: &str) -> bool {
    Command::new("stty")
        .arg(mode)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
