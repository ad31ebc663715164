//! Shared by the benchmark tasks: the release re-execution, thread CPU time and whole-process
//! timing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Wall and CPU time of one measurement.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Wall-clock time.
    pub wall: Duration,
    /// CPU time.
    pub cpu: Duration,
}

/// `d` in milliseconds, one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1}ms", d.as_secs_f64() * 1e3)
}

/// User + system CPU time of all waited-for children (Linux `/proc/self/stat` cutime + cstime, in
/// clock ticks of 10 ms); zero where unavailable.
fn children_cpu() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // `rest` starts at field 3 (state), so field n is at index n - 3.
    Duration::from_millis((ticks(13) + ticks(14)) * 10)
}

/// Spawns the command `runs` times and returns the best wall time (with that run's CPU time) and
/// that run's stdout. Stdout goes to a file under `target/xtask-bench` (what `tool > file`
/// does), not to a pipe: reading a pipe into a growing buffer cost this harness more than
/// lexperm's whole run, and that cost belongs to neither tool.
pub fn time_process(
    mut make: impl FnMut() -> Command,
    stdin_file: Option<&Path>,
    runs: usize,
    ok_codes: &[i32],
) -> Result<(Timing, Vec<u8>), String> {
    let mut best = Timing {
        wall: Duration::MAX,
        cpu: Duration::ZERO,
    };
    let mut stdout = Vec::new();
    for _ in 0..runs.max(1) {
        let mut cmd = make();
        if let Some(f) = stdin_file {
            let file = std::fs::File::open(f).map_err(|e| format!("{}: {e}", f.display()))?;
            cmd.stdin(Stdio::from(file));
        }
        let out_path = bench_output_path();
        if let Some(dir) = out_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let out_file =
            std::fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        cmd.stdout(Stdio::from(out_file)).stderr(Stdio::piped());
        let cpu_before = children_cpu();
        let start = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
        let wall = start.elapsed();
        let cpu = children_cpu().saturating_sub(cpu_before);
        if !out.status.code().is_some_and(|c| ok_codes.contains(&c)) {
            return Err(format!(
                "{cmd:?} failed with {}:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if wall < best.wall {
            best = Timing { wall, cpu };
            stdout =
                std::fs::read(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        }
    }
    Ok((best, stdout))
}

/// Where [`time_process`] sends a run's stdout.
fn bench_output_path() -> PathBuf {
    crate::workspace_root()
        .join("target")
        .join("xtask-bench")
        .join("whole-process.out")
}

/// Peak RSS in KiB of one run of `cmd`, measured by GNU time (`/usr/bin/time -v`).
pub fn peak_rss_kib(program: &Path, args: &[PathBuf]) -> Result<Option<u64>, String> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return Ok(None);
    }
    let out = Command::new(time)
        .arg("-v")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok()))
}

/// Number of `*.json` files under `dir`, recursively.
pub fn walkdir_json_count(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            n += walkdir_json_count(&path)?;
        } else if ty.is_file() && path.extension().is_some_and(|e| e == "json") {
            n += 1;
        }
    }
    Ok(n)
}
