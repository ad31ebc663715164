//! `lexperm resolve NSID…`: DNS `_lexicon` TXT → DID → DID document → PDS → record, through the
//! resolution cache (stale after 24 h, expired after 90 days).

use clap::{Args, ValueEnum};
use lexperm_net::cache::ResolutionSource;
use serde_json::json;

use super::net_args::NetArgs;
use super::remote::{resolver, source_name};
use crate::config;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Output format of `resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ResolveFormat {
    /// One line per NSID; the lexicon document follows with `--show`.
    Human,
    /// One JSON object per line: nsid, did, pds, uri, cid, source, lexicon (or error).
    Json,
}

/// `lexperm resolve` arguments.
#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// NSIDs to resolve, e.g. `com.example.calendar.auth`.
    #[arg(required = true, value_name = "NSID")]
    pub nsids: Vec<String>,
    #[command(flatten)]
    pub net: NetArgs,
    /// Use only the cache (stale entries are accepted, expired ones are not).
    #[arg(long, conflicts_with = "no_cache")]
    pub offline: bool,
    /// Neither read nor write the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print each lexicon document (human format).
    #[arg(long)]
    pub show: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ResolveFormat::Human)]
    pub format: ResolveFormat,
}

/// Run `lexperm resolve`; returns the exit code.
pub fn run(args: ResolveArgs) -> u8 {
    let resolver = match config::network_deadline()
        .and_then(|d| resolver(&args.net, d, args.no_cache, args.offline))
    {
        Ok(resolver) => resolver,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut failed = false;
    for nsid in &args.nsids {
        let result = resolver.resolve(nsid);
        for warning in resolver.take_warnings() {
            eprintln!("warning: {warning}");
        }
        match result {
            Ok(resolved) => {
                let l = &resolved.lexicon;
                if let ResolutionSource::CacheStale {
                    refresh_error: Some(e),
                } = &resolved.source
                {
                    eprintln!("warning: {nsid}: refresh failed, using the cached copy: {e}");
                }
                match args.format {
                    ResolveFormat::Json => println!(
                        "{}",
                        json!({
                            "version": crate::JSON_VERSION,
                            "nsid": l.nsid, "did": l.did, "pds": l.pds, "uri": l.uri, "cid": l.cid,
                            "source": source_name(&resolved.source), "lexicon": l.record,
                        })
                    ),
                    ResolveFormat::Human => {
                        println!(
                            "{}  {}  {}  ({})",
                            l.nsid,
                            l.uri,
                            l.cid,
                            source_name(&resolved.source)
                        );
                        if args.show {
                            println!(
                                "{}",
                                serde_json::to_string_pretty(&l.record).unwrap_or_default()
                            );
                        }
                    }
                }
            }
            Err(e) => {
                failed = true;
                match args.format {
                    ResolveFormat::Json => {
                        println!(
                            "{}",
                            json!({
                                "version": crate::JSON_VERSION,
                                "nsid": nsid,
                                "error": {"code": "resolve-failed", "message": e.to_string()},
                            })
                        )
                    }
                    ResolveFormat::Human => eprintln!("error: {nsid}: {e}"),
                }
            }
        }
    }
    if failed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}
