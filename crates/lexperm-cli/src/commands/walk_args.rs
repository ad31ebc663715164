//! `--follow-outside-links` and `--no-respect-gitignore`, shared by every command that walks
//! lexicon folders, and the walk settings of `lexperm.toml` (`exclude`, `extend-exclude`,
//! `respect-gitignore`).

use clap::Args;

use crate::config::Settings;
use crate::load::{Excludes, WalkOptions};

/// How the walk of lexicon folders treats symbolic links and ignore files.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct WalkArgs {
    /// Follow symbolic links that lead outside the folders given. By default such a link is
    /// reported (L133) and nothing is read from its target; links that stay inside are followed.
    #[arg(long)]
    pub follow_outside_links: bool,
    /// Walk what `.gitignore` files ignore too (also `respect-gitignore = false` in
    /// lexperm.toml).
    #[arg(long)]
    pub no_respect_gitignore: bool,
}

impl WalkArgs {
    /// The loader's options under `settings` (its `exclude`, `extend-exclude` and
    /// `respect-gitignore`; exclude paths are relative to the config file's folder). Errors for a
    /// glob that does not compile.
    pub fn options(self, settings: &Settings) -> Result<WalkOptions, String> {
        let base = settings
            .path
            .as_deref()
            .and_then(std::path::Path::parent)
            .filter(|dir| !dir.as_os_str().is_empty())
            .map_or_else(
                || std::path::PathBuf::from("."),
                std::path::Path::to_path_buf,
            );
        let excludes = Excludes::new(&settings.config.excludes(), &base).map_err(|err| {
            match &settings.path {
                Some(path) => format!("{}: {err}", path.display()),
                None => err,
            }
        })?;
        Ok(WalkOptions {
            follow_outside_links: self.follow_outside_links,
            excludes,
            respect_gitignore: !self.no_respect_gitignore
                && settings.config.respect_gitignore.unwrap_or(true),
            ..WalkOptions::default()
        })
    }

    /// [`WalkArgs::options`], its error printed (the caller exits with the usage code).
    pub fn options_or_report(self, settings: &Settings) -> Option<WalkOptions> {
        self.options(settings)
            .map_err(|message| eprintln!("error: {message}"))
            .ok()
    }
}
