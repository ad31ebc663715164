//! `--quiet` and `--statistics`, shared by `lint` and `breaking`.

use clap::Args;

use crate::render::{self, Format, HumanOptions};

/// How much of a run's report is written.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct OutputArgs {
    /// Write only the findings: no summary line in the human format, no notes on standard
    /// error (errors and warnings about the run itself are still written).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Instead of the findings, write how many each rule reported (count, code, name; most
    /// frequent first). Human and JSON formats.
    #[arg(long)]
    pub statistics: bool,
}

impl OutputArgs {
    /// Checks that the flags go with `format`.
    pub fn check(&self, format: Format) -> Result<(), String> {
        if self.statistics && !render::has_statistics(format) {
            return Err(format!(
                "--statistics works with --format human or json, not {}",
                clap::ValueEnum::to_possible_value(&format)
                    .map_or_else(String::new, |value| value.get_name().to_owned())
            ));
        }
        Ok(())
    }

    /// `human` with the summary line left out when quiet.
    pub fn human(&self, human: HumanOptions) -> HumanOptions {
        HumanOptions {
            summary: !self.quiet,
            ..human
        }
    }
}
