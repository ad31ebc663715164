//! How a writing command (`publish`, `unpublish`) signs in: the OAuth session of `lexperm login`
//! when there is one for the account, else an app password (`--auth oauth|app-password` to
//! choose): a stored session of the same account and PDS is reused, else the app password is
//! read from `LEXPERM_APP_PASSWORD`, one line of stdin (when it is not a terminal) or a prompt
//! without echo; never from the command line. One place, so every writing command chooses alike.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::{Args, ValueEnum};
use lexperm_net::account::{connect, SessionOrigin};
use lexperm_net::identity::IdentityResolver;
use lexperm_net::oauth::{OAuthSession, OAuthSessionStore};
use lexperm_net::session::SessionStore;
use lexperm_net::{Agent, AuthKind, NetError, Secret};
use lexperm_parser::limits::MAX_LINE_LENGTH;

use crate::EXIT_FAILURE;

/// Environment variable holding the app password.
pub const PASSWORD_ENV: &str = "LEXPERM_APP_PASSWORD";

/// An exit code and the message to print with it.
pub type Failure = (u8, String);

/// The account a writing command acts for (`--handle`, `--pds`, `--expect-did`) and how it signs
/// in ([`AuthArgs`]).
#[derive(Debug, Clone, Args)]
pub struct AccountArgs {
    /// The publishing account: a handle or a DID.
    #[arg(long, value_name = "HANDLE|DID")]
    pub handle: String,
    /// PDS URL (default: resolved from the handle/DID).
    #[arg(long, value_name = "URL")]
    pub pds: Option<String>,
    /// Refuse to write unless the signed-in account has this DID.
    #[arg(long, value_name = "DID")]
    pub expect_did: Option<String>,
    #[command(flatten)]
    pub auth: AuthArgs,
}

impl AccountArgs {
    /// Signs in as `--handle` ([`AuthArgs::connect`]), says how on stderr when that is news,
    /// and checks `--expect-did`.
    pub fn login(&self, identity: &IdentityResolver) -> Result<Agent, Failure> {
        let (agent, how) = self
            .auth
            .connect(identity, &self.handle, self.pds.as_deref())
            .map_err(|e| (EXIT_FAILURE, e))?;
        if let Some(line) = describe(&agent, how) {
            eprintln!("{line}");
        }
        if let Some(expected) = &self.expect_did {
            if expected != agent.did() {
                return Err((
                    EXIT_FAILURE,
                    format!(
                        "--expect-did {expected}, but {} is {}",
                        self.handle,
                        agent.did()
                    ),
                ));
            }
        }
        Ok(agent)
    }
}

/// The app-password session file: `path` (`--session-file`), else the default location.
pub fn session_store(path: Option<&Path>) -> Result<SessionStore, NetError> {
    match path {
        Some(path) => Ok(SessionStore::new(path)),
        None => SessionStore::default_location(),
    }
}

/// The OAuth session file: `path` (`--oauth-session-file`), else the default location.
pub fn oauth_session_store(path: Option<&Path>) -> Result<OAuthSessionStore, NetError> {
    match path {
        Some(path) => Ok(OAuthSessionStore::new(path)),
        None => OAuthSessionStore::default_location(),
    }
}

/// Revokes a stored OAuth session at its authorization server; `Ok(false)` when the server has
/// no revocation endpoint.
pub fn revoke_oauth(session: &mut OAuthSession) -> Result<bool, NetError> {
    let client = lexperm_net::XrpcClient::new(&session.service)?;
    lexperm_net::oauth::revoke(&client, session)
}

/// Which kind of session writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthChoice {
    /// The OAuth session of `lexperm login` (only `com.atproto.lexicon.schema` records).
    Oauth,
    /// An app password (`LEXPERM_APP_PASSWORD`, stdin or a prompt) and its stored session.
    AppPassword,
}

/// Sign-in options shared by the commands that write.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// Sign in with the OAuth session of `lexperm login` or with an app password (default: the
    /// OAuth session when one is stored for the account, else an app password).
    #[arg(long, value_enum, value_name = "KIND")]
    pub auth: Option<AuthChoice>,
    /// App-password session file (default: `<cache dir>/session.json`).
    #[arg(long, value_name = "PATH")]
    pub session_file: Option<PathBuf>,
    /// OAuth session file (default: `<cache dir>/oauth-session.json`).
    #[arg(long, value_name = "PATH")]
    pub oauth_session_file: Option<PathBuf>,
}

/// How the agent was obtained, for the line the command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connected {
    /// The stored OAuth session.
    OAuth,
    /// A stored app-password session (refreshed).
    Resumed,
    /// A new app-password session.
    LoggedIn,
}

impl AuthArgs {
    /// The app-password session store.
    pub fn password_store(&self) -> Result<SessionStore, String> {
        session_store(self.session_file.as_deref()).map_err(|e| e.to_string())
    }

    /// The OAuth session store.
    pub fn oauth_store(&self) -> Result<OAuthSessionStore, String> {
        oauth_session_store(self.oauth_session_file.as_deref()).map_err(|e| e.to_string())
    }

    /// An agent for `account` (handle or DID): the OAuth session when allowed and stored for
    /// the account (and the PDS given, if any), else the app-password login.
    pub fn connect(
        &self,
        identity: &IdentityResolver,
        account: &str,
        pds_override: Option<&str>,
    ) -> Result<(Agent, Connected), String> {
        if self.auth != Some(AuthChoice::AppPassword) {
            let store = self.oauth_store()?;
            let session = store.load().map_err(|e| {
                format!("{e}; `lexperm logout --auth oauth` removes it, `--auth app-password` passes over it")
            })?;
            match session.filter(|s| oauth_session_fits(s, account, pds_override)) {
                Some(session) => {
                    let client = identity
                        .xrpc_client(&session.service)
                        .map_err(|e| e.to_string())?;
                    let agent = Agent::from_oauth(client, session, Some(store));
                    return Ok((agent, Connected::OAuth));
                }
                None if self.auth == Some(AuthChoice::Oauth) => {
                    return Err(format!(
                        "no OAuth session for {account} in {}; run `lexperm login --handle {account}` first",
                        store.path().display()
                    ));
                }
                None => {}
            }
        }
        let store = self.password_store()?;
        let (agent, origin) = connect(identity, Some(store), account, pds_override, read_password)
            .map_err(|e| format!("cannot log in as {account}: {e}"))?;
        Ok((
            agent,
            match origin {
                SessionOrigin::Resumed => Connected::Resumed,
                SessionOrigin::LoggedIn => Connected::LoggedIn,
            },
        ))
    }
}

/// The line a writing command prints on stderr about how it signed in (`None`: nothing new).
pub fn describe(agent: &Agent, how: Connected) -> Option<String> {
    let who = format!(
        "{} ({}) on {}",
        agent.handle(),
        agent.did(),
        agent.client().base_url()
    );
    match (how, agent.kind()) {
        (Connected::OAuth, AuthKind::OAuth) => Some(format!(
            "writing as {who} with the OAuth session (scope: {})",
            agent.oauth_session().map_or("", |s| s.scope.as_str())
        )),
        (Connected::LoggedIn, _) => Some(format!("logged in as {who} with an app password")),
        _ => None,
    }
}

/// Whether a stored OAuth session is for `account` (DID or handle) on `pds_override` (if any).
fn oauth_session_fits(session: &OAuthSession, account: &str, pds_override: Option<&str>) -> bool {
    let id = account.trim_start_matches('@');
    let same_account = session.did == id || session.handle.eq_ignore_ascii_case(id);
    let same_pds = pds_override.is_none_or(|p| p.trim_end_matches('/') == session.service);
    same_account && same_pds
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
pub fn read_password() -> Result<Secret, NetError> {
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
            "empty; set {PASSWORD_ENV}, pipe it on stdin, or sign in with `lexperm login`"
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
