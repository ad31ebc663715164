//! Shared by the benchmark tasks: the release re-execution and thread CPU time.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// In a debug build of the xtask, prints `note` and re-runs `bench-vs-reference ARGS` from a
/// release build, with the environment variable `marker` set, returning its verdict. `None` in a
/// release build or inside the re-execution: measure here.
pub fn rerun_in_release(
    root: &Path,
    args: &[String],
    marker: &str,
    note: &str,
) -> Option<Result<bool, String>> {
    if !cfg!(debug_assertions) || std::env::var_os(marker).is_some() {
        return None;
    }
    eprintln!("{note}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--release", "--quiet", "-p", "xtask", "--"])
        .arg("bench-vs-reference")
        .args(args)
        .env(marker, "1")
        .status();
    Some(match status {
        Err(e) => Err(format!("cannot run cargo: {e}")),
        Ok(status) => match status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(format!("release bench-vs-reference failed with {status}")),
        },
    })
}

/// CPU time of the calling thread (Linux `/proc/thread-self/schedstat`, nanoseconds); zero where
/// unavailable.
pub fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}
