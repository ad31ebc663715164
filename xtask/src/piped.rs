//! Running a child process with bytes on its standard input.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Spawns `command` with piped standard streams, writes `stdin` from a thread (a large input
/// cannot deadlock against a full stdout pipe), and waits for it. Returns the output and the wall
/// time from spawn to exit. Errors name the process as `name`, a failed write as `writing to
/// {writing_to}`.
pub fn run(
    command: &mut Command,
    stdin: Vec<u8>,
    name: &str,
    writing_to: &str,
) -> Result<(Output, Duration), String> {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {name}: {e}"))?;
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || pipe.write_all(&stdin));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{name}: {e}"))?;
    let wall = start.elapsed();
    writer
        .join()
        .map_err(|_| "stdin writer thread panicked".to_string())?
        .map_err(|e| {
            // A process that stops reading usually says why on stderr.
            format!(
                "writing to {writing_to}: {e} ({name} exited with {}: {})",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })?;
    Ok((out, wall))
}
