//! Long scope strings: the work grows about linearly with the number of values.

use std::time::{Duration, Instant};

/// One scope string of 60,000 `accept` values (1.1 MiB), every second one a type under the
/// wildcard before it: each type was compared with every value, twenty seconds of work. The CLI
/// never reads such a line from stdin (`MAX_LINE_LENGTH`), so the library is driven directly, as
/// an authorization server embedding it would be.
#[test]
fn a_blob_scope_with_many_accept_values_normalizes_quickly() {
    let values: Vec<String> = (0..60_000)
        .map(|i| match i % 2 {
            0 => format!("accept=type{i}/*"),
            _ => format!("accept=type{}/sub", i - 1),
        })
        .collect();
    let line = format!("blob?{}", values.join("&"));
    assert!(line.len() > lexperm_parser::limits::MAX_LINE_LENGTH);
    let start = Instant::now();
    let scope = lexperm_parser::scope::Scope::parse(&line).expect("valid");
    let stdout = scope.to_string();
    let mut fast = String::new();
    lexperm_parser::scope::normalize_into(&line, &mut fast).expect("valid");
    let elapsed = start.elapsed();
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(fast, stdout);
    assert!(
        stdout.starts_with("blob?accept=type0/*&accept=type10/*&"),
        "{stdout:.80}"
    );
    assert!(
        !stdout.contains("/sub"),
        "types under a wildcard are dropped"
    );
}
