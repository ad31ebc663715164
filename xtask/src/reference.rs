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
    npm_ci_if_needed(&reference_dir(root), &[])?;
    Ok(node)
}

/// Runs `npm ci EXTRA…` in `dir` when `node_modules` is missing or older than `package-lock.json`.
pub fn npm_ci_if_needed(dir: &Path, extra: &[&str]) -> Result<(), String> {
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
    if fresh {
        return Ok(());
    }
    tool_version("npm")?;
    eprintln!(
        "installing the reference packages: npm ci in {}",
        dir.display()
    );
    npm_ci(dir, extra)
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
    run_harness_with(root, script, &[], requests)
}

/// [`run_harness`] with arguments after the script name.
pub fn run_harness_with(
    root: &Path,
    script: &str,
    args: &[&Path],
    requests: &[Value],
) -> Result<HarnessRun, String> {
    let mut input = Vec::new();
    for r in requests {
        serde_json::to_writer(&mut input, r).map_err(|e| e.to_string())?;
        input.push(b'\n');
    }
    let (out, wall) = run_node(root, script, args, input)?;
    let answers = json_lines(out.stdout, requests.len(), &format!("node {script}"))?;
    if let Some(err) = answers
        .iter()
        .find_map(|a| a.get("fatal").and_then(Value::as_str))
    {
        return Err(format!("node {script} reported: {err}"));
    }
    Ok(HarnessRun { answers, wall })
}

/// One JSON value per line of `stdout`, which must hold `expected` lines; errors name `name`.
pub fn json_lines(stdout: Vec<u8>, expected: usize, name: &str) -> Result<Vec<Value>, String> {
    let text = String::from_utf8(stdout).map_err(|e| format!("{name} output: {e}"))?;
    let answers = text
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{name} output line {l:?}: {e}")))
        .collect::<Result<Vec<Value>, String>>()?;
    if answers.len() != expected {
        return Err(format!(
            "{name} answered {} of {expected} inputs",
            answers.len()
        ));
    }
    Ok(answers)
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
