//! `cargo xtask codegen-fresh`: shows that the build script of `lexperm-example` (which calls
//! `lexperm_codegen::Builder`) runs again only when a lexicon changes.
//!
//! Steps, each a `cargo build -p lexperm-example -vv` in the workspace's target folder:
//! 1. a first build (whatever state the target folder is in);
//! 2. a second build: `lexperm-example` must be `Fresh` and its build script must not run;
//! 3. after touching one lexicon file (same content, new modification time): the build script must
//!    run, and Cargo must name the lexicon folder (whose tree holds the file) as the reason;
//! 4. a last build: `Fresh` again.
//!
//! Prints the `cargo:rerun-if-changed` set the build script reported.

use std::path::Path;
use std::process::Command;

const TOUCHED: &str = "lexicons/org/lexperm/example/calendar/event.json";

/// One `cargo build -p lexperm-example -vv`; returns its stderr (where Cargo reports) followed by its
/// stdout (where the build script's `cargo:` lines are echoed).
fn build(root: &Path) -> Result<String, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["build", "-p", "lexperm-example", "-vv"])
        .current_dir(root)
        .output()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    if !output.status.success() {
        return Err(format!("cargo build failed:\n{log}"));
    }
    Ok(log)
}

fn ran_build_script(log: &str) -> bool {
    log.lines().any(|line| {
        line.contains("Running")
            && line.contains("lexperm-example-")
            && line.contains("build-script-build")
    })
}

fn is_fresh(log: &str) -> bool {
    log.lines()
        .any(|line| line.trim_start().starts_with("Fresh lexperm-example "))
}

pub fn run(root: &Path) -> Result<bool, String> {
    build(root)?;
    let second = build(root)?;
    let second_ok = is_fresh(&second) && !ran_build_script(&second);
    println!(
        "second build: lexperm-example {}, build script {}",
        if is_fresh(&second) {
            "Fresh"
        } else {
            "rebuilt"
        },
        if ran_build_script(&second) {
            "ran"
        } else {
            "did not run"
        }
    );

    let touched = root.join(TOUCHED);
    let text = std::fs::read(&touched).map_err(|err| format!("{TOUCHED}: {err}"))?;
    std::fs::write(&touched, text).map_err(|err| format!("{TOUCHED}: {err}"))?;
    let third = build(root)?;
    let reason = third
        .lines()
        .find(|line| line.contains("Dirty lexperm-example") || line.contains("has changed"))
        .unwrap_or("(no reason printed)")
        .trim()
        .to_owned();
    // Cargo names the first listed path whose tree changed: the lexicon folder or the file.
    let third_ok = ran_build_script(&third) && reason.contains("lexicons");
    println!(
        "after touching {TOUCHED}: build script {}; {reason}",
        if ran_build_script(&third) {
            "ran"
        } else {
            "did not run"
        }
    );

    let fourth = build(root)?;
    let fourth_ok = is_fresh(&fourth) && !ran_build_script(&fourth);
    println!(
        "last build: lexperm-example {}, build script {}",
        if is_fresh(&fourth) {
            "Fresh"
        } else {
            "rebuilt"
        },
        if ran_build_script(&fourth) {
            "ran"
        } else {
            "did not run"
        }
    );

    let reported: Vec<&str> = third
        .lines()
        .filter_map(|line| line.split("cargo:rerun-if-changed=").nth(1))
        .collect();
    println!("rerun-if-changed set ({} paths):", reported.len());
    for path in &reported {
        println!("  {path}");
    }
    Ok(second_ok && third_ok && fourth_ok && !reported.is_empty())
}
