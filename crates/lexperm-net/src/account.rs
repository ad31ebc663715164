//! Logging in for publishing: find the account's PDS, reuse a stored session when it belongs to
//! the same account and PDS and still works, otherwise log in with an app password.

use crate::error::{NetError, Secret};
use crate::identity::IdentityResolver;
use crate::session::{Session, SessionStore};
use crate::xrpc::{is_auth_error, Agent};

/// How the session was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionOrigin {
    /// A stored session was reused (possibly after a token refresh).
    Resumed,
    /// A new session was created with the password.
    LoggedIn,
}

fn same_account(session: &Session, identifier: &str) -> bool {
    let id = identifier.trim_start_matches('@');
    session.did == id || session.handle.eq_ignore_ascii_case(id)
}

/// Connect as `identifier` (handle or DID). The PDS is `pds_override` or, when `None`, resolved
/// through `identity` (handle → DID → DID document). A stored session of the same account and
/// PDS is refreshed and reused; `password` is asked for only when there is none or it is dead.
pub fn connect(
    identity: &IdentityResolver,
    store: Option<SessionStore>,
    identifier: &str,
    pds_override: Option<&str>,
    password: impl FnOnce() -> Result<Secret, NetError>,
) -> Result<(Agent, SessionOrigin), NetError> {
    let pds = match pds_override {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => identity.resolve_account(identifier)?.1,
    };
    let client = identity.xrpc_client(&pds)?;
    if let Some(store) = &store {
        if let Some(session) = store.load()? {
            if session.service == pds && same_account(&session, identifier) {
                // Refreshing proves the refresh token is still valid (a revoked session's access
                // token keeps working until it expires) and gives a full access-token lifetime.
                let mut agent = Agent::from_session(client.clone(), session, Some(store.clone()));
                match agent.refresh() {
                    Ok(()) => return Ok((agent, SessionOrigin::Resumed)),
                    Err(e) if is_auth_error(&e) => {} // expired or revoked: log in again
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let password = password()?;
    let agent = Agent::login(client, identifier.trim_start_matches('@'), &password, store)?;
    Ok((agent, SessionOrigin::LoggedIn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::DnsResolver;
    use crate::test_server::TestServer;

    const SESSION: &str =
        r#"{"did":"did:plc:abc","handle":"alice.test","accessJwt":"acc-1","refreshJwt":"ref-1"}"#;

    #[test]
    fn reuses_a_working_session_and_logs_in_otherwise() {
        let server = TestServer::start(|req| match (req.path(), req.header("authorization")) {
            ("/xrpc/com.atproto.server.refreshSession", Some("Bearer ref-1")) => {
                (200, SESSION.into())
            }
            ("/xrpc/com.atproto.server.refreshSession", _) => (
                400,
                r#"{"error":"ExpiredToken","message":"Token has been revoked"}"#.into(),
            ),
            ("/xrpc/com.atproto.server.createSession", _) => (200, SESSION.into()),
            _ => (404, "{}".into()),
        });
        let dir = std::env::temp_dir().join(format!("lexperm-net-account-{}", std::process::id()));
        let store = SessionStore::new(dir.join("session.json"));
        let identity = IdentityResolver::new("http://127.0.0.1:1", DnsResolver::system()).unwrap();
        let no_password = || -> Result<Secret, NetError> { panic!("password must not be asked") };

        // No stored session: the password is used and the session saved.
        let (agent, origin) = connect(
            &identity,
            Some(store.clone()),
            "alice.test",
            Some(&server.url),
            || Ok(Secret::new("pw")),
        )
        .unwrap();
        assert_eq!(
            (origin, agent.did()),
            (SessionOrigin::LoggedIn, "did:plc:abc")
        );
        // Stored and working: reused without a password (by handle or DID).
        let (_, origin) = connect(
            &identity,
            Some(store.clone()),
            "@Alice.test",
            Some(&server.url),
            no_password,
        )
        .unwrap();
        assert_eq!(origin, SessionOrigin::Resumed);
        let (_, origin) = connect(
            &identity,
            Some(store.clone()),
            "did:plc:abc",
            Some(&server.url),
            no_password,
        )
        .unwrap();
        assert_eq!(origin, SessionOrigin::Resumed);
        // Stored but dead (refresh token expired or revoked): log in again.
        let mut dead = store.load().unwrap().unwrap();
        dead.refresh_jwt = Secret::new("revoked");
        store.save(&dead).unwrap();
        let (_, origin) = connect(
            &identity,
            Some(store.clone()),
            "alice.test",
            Some(&server.url),
            || Ok(Secret::new("pw")),
        )
        .unwrap();
        assert_eq!(origin, SessionOrigin::LoggedIn);
        // Another account: not reused.
        let asked = std::cell::Cell::new(false);
        let _ = connect(
            &identity,
            Some(store.clone()),
            "bob.test",
            Some(&server.url),
            || {
                asked.set(true);
                Ok(Secret::new("pw"))
            },
        );
        assert!(asked.get());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
