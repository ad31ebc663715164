//! `--follow-outside-links`, shared by every command that walks lexicon folders.

use clap::Args;

use crate::load::WalkOptions;

/// How the walk of lexicon folders treats symbolic links.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct WalkArgs {
    /// Follow symbolic links that lead outside the folders given. By default such a link is
    /// reported (L133) and nothing is read from its target; links that stay inside are followed.
    #[arg(long)]
    pub follow_outside_links: bool,
}

impl WalkArgs {
    /// The loader's options.
    pub fn options(self) -> WalkOptions {
        WalkOptions {
            follow_outside_links: self.follow_outside_links,
            ..WalkOptions::default()
        }
    }
}
