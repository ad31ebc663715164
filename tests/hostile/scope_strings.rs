//! Long scope strings: the work grows about linearly with the number of values.

use std::time::{Duration, Instant};

#[path = "../../crates/lexperm-cli/tests/common/mod.rs"]
mod common;

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
    let run = common::lexperm_in_root(&["scope", "normalize"], Some(&line));
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .starts_with("blob?accept=type0/*&accept=type10/*&"),
        "{:.80}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("/sub"),
        "types under a wildcard are dropped"
    );
}
