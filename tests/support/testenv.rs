//! Reads the env file `cargo xtask testenv up` writes (`export TEST_…=` lines), for every test
//! that needs the network test environment. Included with `#[path]`.
#![allow(dead_code)]

/// The variables of the test environment's env file (`TESTENV_ENV`, else
/// `target/testenv/env`); `None`, after a note, when it is missing and `LEXPERM_REQUIRE_TESTENV`
/// is not set.
pub fn testenv_vars() -> Option<Vec<(String, String)>> {
    let path = std::env::var_os("TESTENV_ENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            // The crate dir at run time (cargo sets it for tests), else at compile time.
            std::env::var_os("CARGO_MANIFEST_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
                .join("../../target/testenv/env")
        });
    let Ok(text) = std::fs::read_to_string(&path) else {
        assert!(
            std::env::var_os("LEXPERM_REQUIRE_TESTENV").is_none(),
            "LEXPERM_REQUIRE_TESTENV is set but {} is missing",
            path.display()
        );
        eprintln!(
            "note: {} not found; skipping (run `cargo xtask testenv up`)",
            path.display()
        );
        return None;
    };
    Some(
        text.lines()
            .filter_map(|l| l.strip_prefix("export "))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect(),
    )
}

/// The value of `k` among the test environment's variables.
pub fn testenv_get(vars: &[(String, String)], k: &str) -> String {
    vars.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{k} missing from the testenv env file"))
}
