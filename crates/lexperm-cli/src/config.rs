//! Finding and reading `lexperm.toml`: `--config FILE`, else the nearest `lexperm.toml` from the
//! first path given upward (its folder, then each parent up to the file-system root), else the one
//! in the current folder. Parsing and rule settings live in [`lexperm_lint::config`], which the
//! `build.rs` builder shares.

use std::path::{Path, PathBuf};

pub use lexperm_lint::config::{lookup, Config, RuleControl, RuleFlags, CONFIG_FILE_NAME};
use lexperm_parser::diagnostics::RuleMeta;

use crate::load;

/// The configuration of one run and the file it came from.
#[derive(Debug, Default)]
pub struct Settings {
    /// The file read, when there is one.
    pub path: Option<PathBuf>,
    /// What it holds (empty without a file).
    pub config: Config,
}

/// Finds and reads the configuration for a run over `paths` (see the module documentation);
/// every `[rules]` key must name a rule of `rules`. With `-v`, names the file used on stderr.
pub fn load(
    explicit: Option<&Path>,
    paths: &[PathBuf],
    rules: &[&'static RuleMeta],
) -> Result<Settings, String> {
    let Some(path) = locate(explicit, paths)? else {
        crate::verbose(format_args!(
            "no {CONFIG_FILE_NAME} found; using the defaults"
        ));
        return Ok(Settings::default());
    };
    crate::verbose(format_args!("using config {}", path.display()));
    let text = read(&path)?;
    let config =
        lexperm_lint::config::parse(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    for (key, _) in &config.rules {
        lookup(rules, key).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    Ok(Settings {
        path: Some(path),
        config,
    })
}

/// The config file of a run over `paths`: `explicit` (must exist), else the nearest
/// `lexperm.toml` from the first path's folder upward, else `./lexperm.toml`, else `None`. A file
/// found (not named) that is a symbolic link leading out of its folder is refused.
pub fn locate(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    if let Some(path) = explicit {
        return Ok(Some(path.to_path_buf()));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let start = paths.first().map(|first| {
        let absolute = crate::sources::fold_dots(&cwd.join(first));
        if absolute.is_dir() {
            absolute
        } else {
            absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
        }
    });
    let found = start
        .iter()
        .flat_map(|start| lexperm_lint::config::candidates(start))
        .chain([cwd.join(CONFIG_FILE_NAME)])
        .find(|candidate| candidate.is_file());
    let Some(found) = found else {
        return Ok(None);
    };
    // Shown relative to the current folder when it is under it.
    let shown = found
        .strip_prefix(&cwd)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| found.clone());
    refuse_outside_link(&shown)?;
    Ok(Some(shown))
}

/// Reads a config file with the loader's bounds.
fn read(path: &Path) -> Result<String, String> {
    load::read_text(path).map_err(|problem| {
        format!(
            "cannot read config file {}: {}",
            path.display(),
            problem.message()
        )
    })
}

/// Refuses a config file that was found (not named) when it is a symbolic link that leads out of
/// its folder: the folder may come from a pull request, and the file's parse errors quote its
/// keys. A file named with `--config` is read as named.
fn refuse_outside_link(path: &Path) -> Result<(), String> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let folder = path
        .parent()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .and_then(|dir| std::fs::canonicalize(dir).ok());
    let target = std::fs::canonicalize(path).ok();
    match (folder, target) {
        (Some(folder), Some(target)) if target.starts_with(&folder) => Ok(()),
        _ => Err(format!(
            "{} is a symbolic link to {:?}, outside its folder; it was not read\n  help: name it with --config FILE to use it",
            path.display(),
            std::fs::read_link(path).unwrap_or_default()
        )),
    }
}

/// The `[network] deadline` (seconds) of `lexperm.toml` in the current directory, when present:
/// for the commands that read no other setting (`resolve`, `pull`, `--resolve` of `expand` and
/// `check`). Commands that load [`Settings`] take it from there.
pub fn network_deadline() -> Result<Option<u64>, String> {
    let Some(path) = locate(None, &[])? else {
        return Ok(None);
    };
    lexperm_lint::config::parse_network(&read(&path)?)
        .map_err(|err| format!("{}: {err}", path.display()))
}
