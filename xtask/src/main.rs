//! Development tasks: `cargo xtask <task>`. Never a dependency of the shipped crates.

use std::process::ExitCode;

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
        other => {
            eprintln!("unknown task `{other}`\n\ntasks:\n{TASKS}");
            ExitCode::from(2)
        }
    }
}

const TASKS: &str = "  help      this list
  testenv   install|up [--authority DOMAIN]…|down|status: local PDS + PLC + DNS for network tests";
