//! Development tasks: `cargo xtask <task>`. Never a dependency of the shipped crates.

use std::process::ExitCode;

mod gen_corpus;
mod testenv;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprintln!("usage: cargo xtask <task>\n\ntasks:\n{}", TASKS);
        return ExitCode::from(2);
    };
    match task.as_str() {
        "help" | "--help" | "-h" => {
            println!("tasks:\n{TASKS}");
            ExitCode::SUCCESS
        }
        "testenv" => match testenv::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        "gen-corpus" => match gen_corpus::run(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        other => {
            eprintln!("unknown task `{other}`\n\ntasks:\n{TASKS}");
            ExitCode::from(2)
        }
    }
}

const TASKS: &str = "  help        this list
  gen-corpus  N [--out DIR] [--seed S]: write N synthetic lexicons
  testenv     install|up [--authority DOMAIN]…|down|status: local PDS + PLC + DNS for network tests";
