//! `--select`, `--ignore`, `--warn`, `--deny` and `--config`: the rule settings of every command
//! that lints (`lint`, `breaking`, `gen rust|ts|records`, `publish`), applied after the config
//! file's `[rules]`.

use std::path::PathBuf;

use clap::Args;

use crate::config::{self, RuleControl, RuleFlags, Settings};
use crate::engine;

/// Rule settings from the command line.
#[derive(Debug, Default, Args)]
pub struct RuleArgs {
    /// Report only these rules (codes, names or aliases; comma-separated, repeatable). Paths
    /// that cannot be loaded (L132, L133) are still reported.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Turn these rules off (codes, names or aliases; comma-separated, repeatable).
    #[arg(long, alias = "allow", value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report these rules as warnings (comma-separated, repeatable).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// Report these rules as errors; `warnings` makes warnings fail the run (comma-separated,
    /// repeatable).
    #[arg(long, value_name = "RULES|warnings", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Configuration file (default: the nearest `lexperm.toml` from the first path upward, else
    /// `./lexperm.toml`; see docs/config.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl RuleArgs {
    /// The flags, for [`RuleControl::new`].
    pub fn flags(&self) -> RuleFlags {
        RuleFlags {
            select: self.select.clone(),
            warn: self.warn.clone(),
            deny: self.deny.clone(),
            ignore: self.ignore.clone(),
        }
    }

    /// The configuration of a run over `paths` and its rule settings (config, then flags).
    pub fn settings(&self, paths: &[PathBuf]) -> Result<(Settings, RuleControl), String> {
        let rules = engine::registry();
        let settings = config::load(self.config.as_deref(), paths, &rules)?;
        let control = RuleControl::new(&rules, &settings.config, &self.flags())?;
        Ok((settings, control))
    }
}
