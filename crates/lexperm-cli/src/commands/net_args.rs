//! Network options shared by `resolve`, `publish` and `logout`.

use clap::Args;
use lexperm_net::dns::DnsResolver;
use lexperm_net::identity::{IdentityResolver, DEFAULT_PLC_URL};

/// Where DNS and DID lookups go.
#[derive(Debug, Clone, Args)]
pub struct NetArgs {
    /// DNS server for TXT lookups, `IP:PORT` (default: the system resolver).
    #[arg(long, value_name = "IP:PORT")]
    pub dns_server: Option<String>,
    /// PLC directory URL for did:plc documents.
    #[arg(long, value_name = "URL", default_value = DEFAULT_PLC_URL)]
    pub plc_url: String,
}

impl NetArgs {
    /// The identity resolver these options describe.
    pub fn identity(&self) -> Result<IdentityResolver, lexperm_net::NetError> {
        let dns = match &self.dns_server {
            Some(s) => DnsResolver::with_name_server(DnsResolver::parse_server(s)?),
            None => DnsResolver::system(),
        };
        IdentityResolver::new(&self.plc_url, dns)
    }
}
