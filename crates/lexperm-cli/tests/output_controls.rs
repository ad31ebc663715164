//! Output controls: `--quiet`, `--statistics`, `--color` with `NO_COLOR` and `CLICOLOR_FORCE`,
//! and the note `expand` and `scope normalize` print when they read a terminal.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{check, lexperm_in_root, stderr, stdout, write, POST};

/// A def with an unknown type: one error (L105).
const BROKEN: &str = r#"{
  "lexicon": 1,
  "id": "com.example.broken",
  "defs": { "thing": { "type": "float", "description": "Not a Lexicon type." } }
}
"#;

/// A query without a description: one warning (S101).
fn undescribed_query(nsid: &str) -> String {
    format!(
        r#"{{
  "lexicon": 1,
  "id": "{nsid}",
  "defs": {{ "main": {{ "type": "query", "output": {{ "encoding": "application/json" }} }} }}
}}
"#
    )
}

/// A folder with one error (L105) and two warnings (S101) in three files.
fn findings_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "lexicons/com/example/broken.json", BROKEN);
    for name in ["getOne", "getTwo"] {
        write(
            dir.path(),
            &format!("lexicons/com/example/{name}.json"),
            &undescribed_query(&format!("com.example.{name}")),
        );
    }
    dir
}

#[test]
fn quiet_prints_only_the_findings() {
    let dir = findings_dir();
    let (all, _) = check(dir.path(), &["lint"], 1);
    assert!(all.ends_with("1 error, 2 warnings in 3 files\n"), "{all}");
    for flag in ["--quiet", "-q"] {
        let (out, _) = check(dir.path(), &["lint", flag], 1);
        assert_eq!(
            out,
            all.strip_suffix("1 error, 2 warnings in 3 files\n")
                .unwrap()
        );
    }
    // Nothing at all for a clean run.
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "lexicons/com/example/post.json", POST);
    let (out, err) = check(clean.path(), &["lint", "-q"], 0);
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
}

#[test]
fn statistics_counts_findings_per_rule() {
    let dir = findings_dir();
    let (out, _) = check(dir.path(), &["lint", "--statistics"], 1);
    insta::assert_snapshot!("statistics_human", out);
    let (out, _) = check(dir.path(), &["lint", "--statistics", "--quiet"], 1);
    assert_eq!(
        out,
        "2  S101  missing-primary-description\n1  L105  unknown-schema-type\n"
    );
    let (out, _) = check(dir.path(), &["lint", "--statistics", "--format", "json"], 1);
    insta::assert_snapshot!("statistics_json", out);
    // Rule settings apply first: a rule turned off is not counted, and the exit code follows.
    let (out, _) = check(dir.path(), &["lint", "--statistics", "--ignore", "L105"], 0);
    assert_eq!(
        out,
        "2  S101  missing-primary-description\n0 errors, 2 warnings in 3 files (2 with findings)\n"
    );
    // Formats without a statistics form are refused before anything is read.
    let (out, err) = check(
        dir.path(),
        &["lint", "--statistics", "--format", "sarif"],
        2,
    );
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: --statistics works with --format human or json, not sarif\n"
    );
}

#[test]
fn breaking_has_quiet_and_statistics() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "base/com/example/post.json", POST);
    let without_text = POST
        .replace(r#""required": ["text"],"#, "")
        .replace(r#""text": { "type": "string", "maxLength": 300 }"#, "");
    write(dir.path(), "lexicons/com/example/post.json", &without_text);
    let (out, _) = check(
        dir.path(),
        &["breaking", "--base", "base", "--statistics"],
        1,
    );
    assert_eq!(
        out,
        "1  B107  required-property-removed\n1 error, 0 warnings in 1 file\n"
    );
    let (out, _) = check(dir.path(), &["breaking", "--base", "base", "-q"], 1);
    assert!(out.contains("B107"), "{out}");
    assert!(!out.contains("1 error, 0 warnings"), "{out}");
}

/// Runs `lexperm args…` in `dir` with `env` set (and `NO_COLOR`, `CLICOLOR_FORCE` unset unless
/// given).
fn with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lexperm"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

/// True when the output holds an ANSI colour sequence.
fn coloured(output: &Output) -> bool {
    stdout(output).contains("\u{1b}[")
}

#[test]
fn color_follows_the_flag_then_the_environment() {
    let dir = findings_dir();
    let lint = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["lint"];
        all.extend_from_slice(args);
        coloured(&with_env(dir.path(), &all, env))
    };
    // Not a terminal: no colour, unless asked for.
    assert!(!lint(&[], &[]));
    assert!(lint(&["--color", "always"], &[]));
    assert!(!lint(&["--color", "never"], &[]));
    assert!(!lint(&["--color", "auto"], &[]));
    // CLICOLOR_FORCE (non-empty, not 0) forces colour; NO_COLOR (non-empty) wins over it.
    assert!(lint(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!lint(&[], &[("CLICOLOR_FORCE", "0")]));
    assert!(!lint(&[], &[("CLICOLOR_FORCE", "")]));
    assert!(!lint(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(lint(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]));
    // The flag wins over the environment.
    assert!(lint(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!lint(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]));
    // A global flag: also before the command.
    assert!(coloured(&with_env(
        dir.path(),
        &["--color", "always", "lint"],
        &[("NO_COLOR", "1")]
    )));
    // Machine formats are never coloured.
    assert!(!lint(&["--color", "always", "--format", "json"], &[]));
    let output = with_env(dir.path(), &["lint", "--color", "sometimes"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("possible values: auto, always, never"));
}

#[test]
fn no_stdin_note_when_stdin_is_not_a_terminal() {
    let run = lexperm_in_root(&["scope", "normalize"], Some("atproto\n"));
    assert_eq!((run.code, run.stdout.as_str()), (0, "atproto\n"));
    assert_eq!(run.stderr, "");
    let run = lexperm_in_root(&["expand"], Some(""));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("standard input"), "{}", run.stderr);
}

/// With stdin a terminal (a pseudo-terminal here), `scope normalize` and `expand` say they are
/// reading it, then read it as usual.
#[cfg(target_os = "linux")]
#[test]
fn stdin_note_on_a_terminal() {
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::FromRawFd;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    for (args, what, input, expected) in [
        (
            &["scope", "normalize"][..],
            "scopes",
            "atproto\n",
            "atproto\n",
        ),
        (&["expand"][..], "include scopes", "", ""),
    ] {
        let (mut master, mut slave) = (0, 0);
        // SAFETY: openpty writes two new descriptors, owned by the files made from them below.
        let opened = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        if opened != 0 {
            eprintln!(
                "skipped: no pseudo-terminal: {}",
                std::io::Error::last_os_error()
            );
            return;
        }
        // SAFETY: both descriptors were just opened and nothing else owns them.
        let (mut master, slave) = unsafe { (File::from_raw_fd(master), File::from_raw_fd(slave)) };
        let mut child = Command::new(env!("CARGO_BIN_EXE_lexperm"))
            .args(args)
            .current_dir(common::workspace_root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::from(slave))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The line, then end of input (Ctrl-D at the start of a line).
        master.write_all(input.as_bytes()).unwrap();
        master.write_all(b"\x04").unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("lexperm {args:?} did not end at the end of terminal input");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), expected);
        assert_eq!(
            stderr(&output),
            format!("reading {what} from standard input (one per line; Ctrl-D to end)…\n")
        );
    }
}
