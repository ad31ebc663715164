//! `lexperm breaking` over permission sets too large to compare by meaning in reasonable time:
//! the comparison is bounded by `MAX_GRANT_COMPARISON_WORK` and says so.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lexperm_parser::limits::MAX_GRANT_COMPARISON_WORK;

/// A permission set `com.example.authHuge` granting `create` on `count` collections named
/// `com.example.<prefix><n>`.
fn huge_set(count: usize, prefix: &str) -> String {
    let collections: Vec<String> = (0..count)
        .map(|i| format!("\"com.example.{prefix}{i}\""))
        .collect();
    format!(
        r#"{{"lexicon": 1, "id": "com.example.authHuge", "defs": {{"main": {{"type": "permission-set",
  "permissions": [{{"type": "permission", "resource": "repo", "collection": [{}], "action": ["create"]}}]}}}}}}"#,
        collections.join(", ")
    )
}

fn write(dir: &Path, text: &str) {
    let path = dir.join("com/example/authHuge.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_set_of_tens_of_thousands_of_collections_is_compared_within_the_bound() {
    // Every collection of one version is missing from the other, so each request is checked
    // against every value of the other version: 4 × 20,000 checks × 20,000 values without the
    // bound (tens of seconds).
    let count = 20_000;
    assert!(4 * count * count > MAX_GRANT_COMPARISON_WORK);
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("base"), &huge_set(count, "c"));
    write(&dir.path().join("work"), &huge_set(count, "d"));
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["breaking", "work", "--base", "base", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .expect("lexperm runs");
    let elapsed = started.elapsed();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let finding: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(finding["code"], "B201");
    let help = finding["help"].as_str().unwrap();
    assert!(
        help.contains(&format!(
            "more than {MAX_GRANT_COMPARISON_WORK} scope values examined"
        )),
        "{help}"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}
