//! The permissioned-data build of `@atproto/oauth-scopes` (`space:` scopes): a read-only folder
//! given on the command line is copied to `target/pd-reference`, its runtime packages installed
//! there, and its `oracle.mjs` run in the modes `normalize`, `expand LEXDIR` and `allows`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::reference;

/// Where the writable copy lives.
pub fn install_dir(root: &Path) -> PathBuf {
    root.join("target").join("pd-reference")
}

/// Copies `source` to `target/pd-reference` (files whose content differs, `node_modules`
/// excluded) and runs `npm ci --omit=dev` there when the installed packages are missing or older
/// than the lock file. Returns the copy's folder.
pub fn install(root: &Path, source: &Path) -> Result<PathBuf, String> {
    reference::tool_version("node")?;
    if !source.join("oracle.mjs").is_file() {
        return Err(format!(
            "{}: no oracle.mjs (expected the permissioned-data build of @atproto/oauth-scopes)",
            source.display()
        ));
    }
    let dir = install_dir(root);
    sync_tree(source, &dir)?;
    reference::npm_ci_if_needed(&dir, &["--omit=dev"])?;
    Ok(dir)
}

/// Copies every file under `from` to the same place under `to` unless an identical file is already
/// there (so an unchanged lock file keeps its time stamp and `npm ci` is not repeated).
pub fn sync_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let name = entry.file_name();
        if name == "node_modules" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", src.display()))?;
        if kind.is_dir() {
            sync_tree(&src, &dst)?;
            continue;
        }
        let bytes = std::fs::read(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        if std::fs::read(&dst).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::write(&dst, &bytes).map_err(|e| format!("{}: {e}", dst.display()))?;
        }
    }
    Ok(())
}

/// Runs `node oracle.mjs MODE ARGS` in `dir` with one input per line and returns one JSON value
/// per input, in order.
pub fn oracle(
    dir: &Path,
    mode: &str,
    args: &[&Path],
    lines: &[String],
) -> Result<Vec<Value>, String> {
    let mut stdin = Vec::new();
    for line in lines {
        if line.contains(['\n', '\r']) {
            return Err(format!("oracle input {line:?} contains a line break"));
        }
        stdin.extend_from_slice(line.as_bytes());
        stdin.push(b'\n');
    }
    let mode_arg = PathBuf::from(mode);
    let mut all_args: Vec<&Path> = vec![&mode_arg];
    all_args.extend_from_slice(args);
    let (out, _) = reference::run_node_in(dir, "oracle.mjs", &all_args, stdin)?;
    reference::json_lines(out.stdout, lines.len(), &format!("oracle.mjs {mode}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_copies_changed_files_only_and_skips_node_modules() {
        let base = std::env::temp_dir().join(format!("xtask-pd-sync-{}", std::process::id()));
        let (from, to) = (base.join("from"), base.join("to"));
        std::fs::create_dir_all(from.join("dist")).unwrap();
        std::fs::create_dir_all(from.join("node_modules")).unwrap();
        std::fs::write(from.join("package-lock.json"), "{}").unwrap();
        std::fs::write(from.join("dist").join("index.js"), "export {}").unwrap();
        std::fs::write(from.join("node_modules").join("x.js"), "").unwrap();
        sync_tree(&from, &to).unwrap();
        assert_eq!(
            std::fs::read_to_string(to.join("dist").join("index.js")).unwrap(),
            "export {}"
        );
        assert!(!to.join("node_modules").exists());
        let stamp = std::fs::metadata(to.join("package-lock.json"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(from.join("dist").join("index.js"), "export const a = 1").unwrap();
        sync_tree(&from, &to).unwrap();
        let after = std::fs::metadata(to.join("package-lock.json"))
            .unwrap()
            .modified()
            .unwrap();
        assert_eq!(stamp, after, "an identical file is not rewritten");
        assert_eq!(
            std::fs::read_to_string(to.join("dist").join("index.js")).unwrap(),
            "export const a = 1"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }
}
