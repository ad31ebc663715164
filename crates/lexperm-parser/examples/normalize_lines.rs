//! Normalizes every line of a file with `normalize_into` (a profiling driver:
//! `valgrind --tool=callgrind target/release/examples/normalize_lines FILE`).
//!
//! With `--check`, instead compares every line's result with `Scope::parse` + `Display` (the
//! definition `normalize_into` must meet) and prints each disagreement.

use lexperm_parser::scope::{normalize_into, Scope};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let mut rest = args.iter().filter(|a| *a != "--check");
    let Some(path) = rest.next() else {
        eprintln!("usage: normalize_lines [--check] FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = rest.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut out = String::with_capacity(256);
    if check {
        let mut lines = 0usize;
        let mut disagreements = 0usize;
        for line in text.lines() {
            lines += 1;
            out.clear();
            let fast = normalize_into(line, &mut out).ok().map(|()| out.as_str());
            let slow = Scope::parse(line).ok().map(|s| s.to_string());
            if fast != slow.as_deref() {
                disagreements += 1;
                println!("{line:?}: normalize_into {fast:?}, parse {slow:?}");
            }
        }
        println!("{lines} lines, {disagreements} disagreements");
        std::process::exit(i32::from(disagreements > 0));
    }
    let mut valid = 0usize;
    let mut bytes = 0usize;
    for _ in 0..rounds {
        for line in text.lines() {
            out.clear();
            if normalize_into(line, &mut out).is_ok() {
                valid += 1;
                bytes += out.len();
            }
        }
    }
    println!("{valid} valid, {bytes} bytes of canonical forms");
}
