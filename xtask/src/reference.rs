//! The TypeScript reference: installing the pinned npm packages and talking to the harness
//! (`xtask/reference/scopes.mjs`) over JSON lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::piped;

/// The folder holding `package.json`, `package-lock.json` and the harness scripts.
pub fn reference_dir(root: &Path) -> PathBuf {
    root.join("xtask").join("reference")
}

pub fn tool_version(tool: &str) -> Result<String, String> {
    let out = Command::new(tool).arg("--version").output().map_err(|e| {
        format!(
            "cannot run `{tool}`: {e}\n  hint: install Node.js 20 or newer (with npm) and put it on PATH"
        )
    })?;
    if !out.status.success() {
        return Err(format!("`{tool} --version` failed with {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Makes sure node and npm exist and the pinned packages are installed (`npm ci` when
/// `node_modules` is missing or older than the lock file). Returns the node version.
pub fn ensure_installed(root: &Path) -> Result<String, String> {
    let node = tool_version("node")?;
    let dir = reference_dir(root);
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (installed.metadata(), lock.metadata()) {
        (Ok(i), Ok(l)) => match (i.modified(), l.modified()) {
            (Ok(i), Ok(l)) => i >= l,
            _ => true,
        },
        (Err(_), Ok(_)) => false,
        (_, Err(e)) => return Err(format!("{}: {e}", lock.display())),
    };
    if !fresh {
        tool_version("npm")?;
        eprintln!(
            "installing the reference packages: npm ci in {}",
            dir.display()
        );
        npm_ci(&dir, &[])?;
    }
    Ok(node)
}

/// `npm ci` (quiet, no audit) with `extra` arguments in `dir`.
pub fn npm_ci(dir: &Path, extra: &[&str]) -> Result<(), String> {
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .args(extra)
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot run npm ci: {e}"))?;
    if !status.success() {
        return Err(format!(
            "npm ci in {} failed with {status}\n  hint: check network access to the npm registry",
            dir.display()
        ));
    }
    Ok(())
}

/// Output of one harness run.
pub struct HarnessRun {
    /// One answer per request, in order.
    pub answers: Vec<Value>,
    /// Wall time of the whole node process, including startup and JSON IO.
    pub wall: Duration,
}

/// Runs `script` (relative to the reference folder) with `requests` as JSON lines on stdin.
pub fn run_harness(root: &Path, script: &str, requests: &[Value]) -> Result<HarnessRun, String> {
    let mut input = Vec::new();
    for r in requests {
        serde_json::to_writer(&mut input, r).map_err(|e| e.to_string())?;
        input.push(b'\n');
    }
    let (out, wall) = run_node(root, script, &[], input)?;
    let text = String::from_utf8(out.stdout).map_err(|e| format!("node output: {e}"))?;
    let answers = text
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| format!("node output line {l:?}: {e}")))
        .collect::<Result<Vec<Value>, String>>()?;
    if answers.len() != requests.len() {
        return Err(format!(
            "node {script} answered {} of {} requests",
            answers.len(),
            requests.len()
        ));
    }
    if let Some(err) = answers
        .iter()
        .find_map(|a| a.get("fatal").and_then(Value::as_str))
    {
        return Err(format!("node {script} reported: {err}"));
    }
    Ok(HarnessRun { answers, wall })
}

/// Runs `node SCRIPT ARGS` in the reference folder with `stdin`; an exit other than 0 is an error
/// carrying its stderr. Returns the output and the wall time of the process.
pub fn run_node(
    root: &Path,
    script: &str,
    args: &[&Path],
    stdin: Vec<u8>,
) -> Result<(Output, Duration), String> {
    run_node_in(&reference_dir(root), script, args, stdin)
}

/// [`run_node`] in the folder `dir`.
pub fn run_node_in(
    dir: &Path,
    script: &str,
    args: &[&Path],
    stdin: Vec<u8>,
) -> Result<(Output, Duration), String> {
    let name = format!("node {script}");
    let (out, wall) = piped::run(
        Command::new("node").arg(script).args(args).current_dir(dir),
        stdin,
        &name,
        &name,
    )?;
    if !out.status.success() {
        return Err(format!(
            "{name} failed with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((out, wall))
}
