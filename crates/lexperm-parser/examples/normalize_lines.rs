//! Normalizes every line of a file with `normalize_into` (a profiling driver:
//! `valgrind --tool=callgrind target/release/examples/normalize_lines FILE`).

use lexperm_parser::scope::normalize_into;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: normalize_lines FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut out = String::with_capacity(256);
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
