//! `lint --changed-since REF`: the files that differ from a git revision, asked of git. Which
//! findings those files account for is decided by `lexperm_lint::changed`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lexperm_lint::changed::Changes;

use crate::sources::{display_path, io_message, Sources};

/// The files of a repository that differ from a revision: changed, added, removed, and
/// untracked files git does not ignore.
#[derive(Debug)]
pub struct ChangedFiles {
    /// The revision as given.
    pub reference: String,
    /// The repository's top directory, as git names it.
    root: PathBuf,
    /// Paths relative to `root`, `/`-separated, as git prints them.
    paths: HashSet<String>,
}

/// Asks git which files of the repository holding `near` (the first path linted: a
/// directory, or a file whose directory is used; the current directory when it does not
/// exist) differ between `reference` and the working tree. Errors say what is missing: git
/// itself, a repository, or the revision.
pub fn changed_files(reference: &str, near: &Path) -> Result<ChangedFiles, String> {
    if reference.is_empty() || reference.starts_with('-') {
        return Err(format!(
            "--changed-since: `{reference}` is not a git revision"
        ));
    }
    let dir = match std::fs::metadata(near) {
        Ok(metadata) if metadata.is_dir() => near.to_path_buf(),
        Ok(_) => match near.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        },
        Err(_) => PathBuf::from("."),
    };
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map_err(|failure| match failure {
        GitFailure::Failed(_) => format!(
            "--changed-since needs a git repository; {} is not in one",
            std::path::absolute(&dir).unwrap_or(dir).display()
        ),
        other => other.message(),
    })?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let revision = format!("{reference}^{{commit}}");
    let commit = git(&root, &["rev-parse", "--verify", "--quiet", &revision]).map_err(
        |failure| match failure {
            GitFailure::Failed(_) => format!(
                "--changed-since: `{reference}` is not a commit of {} (a remote branch may need `git fetch`)",
                root.display()
            ),
            other => other.message(),
        },
    )?;
    let commit = String::from_utf8_lossy(&commit).trim().to_owned();
    // `--no-renames`: a renamed file is its old path (removed) and its new one (added).
    let changed = git(
        &root,
        &["diff", "--name-only", "--no-renames", "-z", &commit, "--"],
    )
    .map_err(|failure| failure.message())?;
    let untracked = git(&root, &["ls-files", "-z", "--others", "--exclude-standard"])
        .map_err(|failure| failure.message())?;
    let paths = changed
        .split(|b| *b == 0)
        .chain(untracked.split(|b| *b == 0))
        .filter(|path| !path.is_empty())
        .map(|path| String::from_utf8_lossy(path).into_owned())
        .collect();
    Ok(ChangedFiles {
        reference: reference.to_owned(),
        root,
        paths,
    })
}

impl ChangedFiles {
    /// The sources among the changed files (their paths resolved from the current directory,
    /// symbolic links followed) and the changed `.json` paths that no longer exist.
    pub fn changes(&self, sources: &Sources) -> Changes {
        let cwd = std::env::current_dir().unwrap_or_default();
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let files = sources
            .iter()
            .filter(|(_, file)| {
                let path = cwd.join(&file.path);
                let path = std::fs::canonicalize(&path).unwrap_or(path);
                path.strip_prefix(&root)
                    .is_ok_and(|relative| self.paths.contains(&display_path(relative)))
            })
            .map(|(id, _)| id)
            .collect();
        let mut removed: Vec<String> = self
            .paths
            .iter()
            .filter(|path| path.ends_with(".json") && !exists(&self.root.join(path)))
            .cloned()
            .collect();
        removed.sort_unstable();
        Changes { files, removed }
    }
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Why a git command gave no answer.
enum GitFailure {
    /// git could not be started.
    NotRun(std::io::Error),
    /// git ran and failed, with its first line of error output.
    Failed(String),
}

impl GitFailure {
    fn message(self) -> String {
        match self {
            GitFailure::NotRun(err) if err.kind() == std::io::ErrorKind::NotFound => {
                "--changed-since needs git, and `git` was not found on PATH".to_owned()
            }
            GitFailure::NotRun(err) => format!("cannot run git: {}", io_message(&err)),
            GitFailure::Failed(error) => format!("git failed: {error}"),
        }
    }
}

/// Runs `git -C dir args…` and returns its standard output.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, GitFailure> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(GitFailure::NotRun)?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = stderr.lines().next().unwrap_or("").trim();
    Err(GitFailure::Failed(if first.is_empty() {
        format!("`git {}` exited with {}", args.join(" "), output.status)
    } else {
        first.to_owned()
    }))
}
