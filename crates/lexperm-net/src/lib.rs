//! Network layer of lexperm: everything that talks to a PDS, a PLC directory or DNS.
//!
//! All APIs are blocking. DNS runs on an internal current-thread tokio runtime hidden behind
//! blocking functions; HTTP uses `reqwest::blocking` with rustls.
//!
//! - [`xrpc`]: an XRPC client ([`XrpcClient`]) and an authenticated [`Agent`] that refreshes an
//!   expired access token once and retries.
//! - [`identity`]: handle → DID → DID document → PDS.
//! - [`authority`] and [`dns`]: `_lexicon.<authority>` TXT records (exactly one `did=` entry).
//! - [`session`]: app-password session persistence (mode 0600) under the user's cache dir.
//! - [`oauth`]: atproto OAuth as a loopback native client (PAR, PKCE, DPoP) asking only for
//!   `atproto repo:com.atproto.lexicon.schema`; its sessions are kept the same way. An
//!   [`Agent`] writes with either kind of session ([`xrpc::AuthKind`]).
//! - [`cache`] and [`resolve`]: lexicon resolution with a 24 h stale / 90 d expiry cache;
//!   [`source::NetLexiconSource`] offers it to the resolver as a `LexiconSource`.
//! - repository proofs (`com.atproto.sync.getRecord`) of fetched lexicons are checked with
//!   `lexperm_datamodel::proof`.
//! - [`publish`]: authority checks, publish plans, compare-and-swap apply with read-back.
//! - [`published`]: what an authority publishes (`listRecords`, each record checked against its
//!   CID) and the status of local lexicons against it.
//! - [`unpublish`]: delete plans for published lexicons, compare-and-swap deletes with read-back.
//! - [`dns_audit`]: whether each NSID group's `_lexicon` record names the expected DID.
//!
//! Every server is treated as hostile: each answer is read up to a bound for its kind
//! ([`BodyKind`], `lexperm_parser::limits`), each request has a deadline and every request of a
//! command shares a [`Deadline`], redirects are followed only within one origin and never for
//! requests with credentials or a body, service endpoints must be `https://` (`http://` only on a
//! loopback host, [`check_endpoint`]), and server text reaches errors with control characters
//! escaped.
//!
//! Secrets (passwords, tokens) are wrapped in [`Secret`], whose `Debug` and `Display` redact them.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod account;
pub mod authority;
pub mod cache;
pub mod dns;
pub mod dns_audit;
mod error;
mod http;
pub mod identity;
pub mod oauth;
pub mod publish;
pub mod published;
pub mod resolve;
pub mod session;
pub mod source;
pub mod unpublish;
pub mod xrpc;

#[cfg(any(test, feature = "test-support"))]
pub mod test_server;

pub use error::{BodyKind, DeadlineScope, NetError, RedirectRefusal, Secret, XrpcErrorKind};
pub use http::{check_endpoint, Deadline, RequestCounter};
pub use source::NetLexiconSource;
pub use xrpc::{Agent, AuthKind, XrpcClient};
