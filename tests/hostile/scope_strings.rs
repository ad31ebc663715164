//! Long scope strings: the work grows about linearly with the number of values.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `scope normalize` on one stdin line of 60,000 `accept` values (1.1 MiB), every second one a type
/// under the wildcard before it: each type was compared with every value, twenty seconds of work.
#[test]
fn a_blob_scope_with_many_accept_values_normalizes_quickly() {
    let values: Vec<String> = (0..60_000)
        .map(|i| match i % 2 {
            0 => format!("accept=type{i}/*"),
            _ => format!("accept=type{}/sub", i - 1),
        })
        .collect();
    let line = format!("blob?{}\n", values.join("&"));
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["scope", "normalize"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lexperm runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(line.as_bytes()));
    let output = child.wait_with_output().expect("lexperm finishes");
    writer.join().expect("writer").expect("stdin written");
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.starts_with("blob?accept=type0/*&accept=type10/*&"),
        "{stdout:.80}"
    );
    assert!(
        !stdout.contains("/sub"),
        "types under a wildcard are dropped"
    );
}
