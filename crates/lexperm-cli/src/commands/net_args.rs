//! Network options shared by `resolve`, `publish`, `login`, `logout` and the `--resolve` commands.

use std::time::Duration;

use clap::Args;
use lexperm_net::dns::DnsResolver;
use lexperm_net::identity::{IdentityResolver, DEFAULT_PLC_URL};
use lexperm_net::Deadline;
use lexperm_parser::limits::DEFAULT_NETWORK_DEADLINE;

/// Where DNS and DID lookups go, and how long the command may wait for the network.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// DNS server for TXT lookups, `IP:PORT` (default: the system resolver).
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<String>,
    /// PLC directory URL for did:plc documents (https://; http:// only on a loopback host).
    #[arg(long, value_name = "URL", default_value = DEFAULT_PLC_URL)]
    pub plc_url: String,
    /// Time all network requests of this command may take together, in seconds (default 300,
    /// or `deadline` under `[network]` in lexperm.toml). Once it has passed, the requests still
    /// to come fail with a "deadline" error; what was resolved before is kept.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub network_deadline: Option<u64>,
}

impl NetArgs {
    /// The identity resolver these options describe, under the command's network deadline
    /// (`--network-deadline`, else the config file's `[network] deadline`, else
    /// [`DEFAULT_NETWORK_DEADLINE`]). `config_deadline` is the `[network] deadline` of the
    /// configuration the command read (see [`crate::config::network_deadline`] for commands that
    /// read no other setting).
    pub fn identity(&self, config_deadline: Option<u64>) -> Result<IdentityResolver, String> {
        self.identity_with_wait(config_deadline, Duration::ZERO)
    }

    /// [`NetArgs::identity`] with `wait` added to the deadline: the time the command spends
    /// waiting for a person (a browser sign-in), which is no network time.
    pub fn identity_with_wait(
        &self,
        config_deadline: Option<u64>,
        wait: Duration,
    ) -> Result<IdentityResolver, String> {
        let budget = Duration::from_secs(
            self.network_deadline
                .or(config_deadline)
                .unwrap_or(DEFAULT_NETWORK_DEADLINE.as_secs()),
        ) + wait;
        let dns = match &self.dns_server {
            Some(s) => DnsResolver::with_name_server(
                DnsResolver::parse_server(s).map_err(|e| e.to_string())?,
            ),
            None => DnsResolver::system(),
        };
        let identity = IdentityResolver::new(&self.plc_url, dns).map_err(|e| e.to_string())?;
        Ok(identity.with_deadline(Deadline::after(budget)))
    }
}
