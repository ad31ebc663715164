//! Hostile local input: symbolic links that leave the folder being read, FIFOs and devices, files
//! over `MAX_FILE_SIZE`, files that are not UTF-8, and stdin lines over `MAX_LINE_LENGTH`. Every
//! input is made in a temporary folder at test time (a large file is sparse); runs that would
//! grow memory without bound get an address-space limit, and runs that could block a deadline.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lexperm_parser::limits::{MAX_FILE_SIZE, MAX_LINE_LENGTH};

/// What a secret outside the linted folder holds; it must never reach any output.
const SECRET: &str = "ghp_s3cr3t-t0ken-never-printed";

/// Longest a run may take before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(60);

/// Address space a run may use (1.5 GiB): far more than any run here needs, far less than
/// reading a 1.5 GB file or `/dev/zero` whole would take.
const ADDRESS_SPACE_KIB: u64 = 1536 * 1024;

/// The exit code and output of one run.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Standard output and standard error together.
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `lexperm` in `dir` with `args` (and `stdin` piped in) under the address-space limit and
/// the deadline; a run past the deadline is killed and fails the test.
fn lexperm(dir: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn lexperm");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.unwrap_or_default();
    // Written and read from threads: lexperm streams, so it writes while it still reads, and a
    // full pipe would otherwise block both sides.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lexperm {args:?} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Reads `pipe` to its end on a thread.
fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// A temporary folder holding a copy of the repository's example `lexicons/` (which lint clean),
/// and an `outside/` folder next to it with a secret and a lexicon.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lexicons");
    copy_tree(&examples, &dir.path().join("lexicons"));
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        outside.join("config.json"),
        format!(r#"{{"auths": {{"registry.example.com": {{"auth": "{SECRET}"}}}}}}"#),
    )
    .unwrap();
    std::fs::write(
        outside.join("note.json"),
        format!(
            r#"{{"lexicon": 1, "id": "org.lexperm.example.calendar.note", "description": "{SECRET}", "defs": {{"main": {{"type": "token", "description": "A note."}}}}}}"#
        ),
    )
    .unwrap();
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `lexicons/org/lexperm/example/calendar/` in `dir`.
fn calendar(dir: &Path) -> PathBuf {
    dir.join("lexicons/org/lexperm/example/calendar")
}

/// Makes a FIFO at `path`.
fn fifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success());
}

const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];

#[test]
fn links_out_of_the_folder_are_reported_with_their_target_and_never_read() {
    let dir = workspace();
    let secret = dir.path().join("outside/config.json");
    symlink(&secret, calendar(dir.path()).join("x.json")).unwrap();
    symlink(
        "../../../../../outside",
        calendar(dir.path()).join("vendor"),
    )
    .unwrap();
    symlink("/dev/zero", calendar(dir.path()).join("zero.json")).unwrap();
    for format in FORMATS {
        let run = lexperm(dir.path(), &["lint", "lexicons", "--format", format], None);
        assert_eq!(run.code, 2, "{format}: {}", run.all());
        assert!(!run.all().contains(SECRET), "{format} printed the secret");
        assert!(run.stdout.contains("L133"), "{format}: {}", run.stdout);
        for link in ["calendar/x.json", "calendar/vendor", "calendar/zero.json"] {
            assert!(
                run.stdout.contains(link),
                "{format}: no {link}: {}",
                run.stdout
            );
        }
    }
    let json = lexperm(dir.path(), &["lint", "lexicons", "--format", "json"], None);
    let outside: Vec<&str> = json
        .stdout
        .lines()
        .filter(|line| line.contains("\"L133\""))
        .collect();
    assert_eq!(outside.len(), 3, "{}", json.stdout);
    // The finding names the link's target.
    let target = format!("symbolic link to \\\"{}\\\"", secret.display());
    assert!(
        outside
            .iter()
            .any(|line| line.contains("calendar/x.json") && line.contains(&target)),
        "{target}: {}",
        json.stdout
    );
    // Every other command that reads lexicons walks the same way.
    let expand = lexperm(
        dir.path(),
        &[
            "expand",
            "include:org.lexperm.example.calendar.authViewCalendar",
        ],
        None,
    );
    assert_eq!(expand.code, 2, "{}", expand.all());
    assert!(!expand.all().contains(SECRET));
    assert!(
        expand.stderr.contains("x.json: symbolic link to"),
        "{}",
        expand.stderr
    );
}

#[test]
fn links_that_stay_inside_are_followed_once_and_loops_end() {
    let dir = workspace();
    let folder = calendar(dir.path());
    let before = lexperm(dir.path(), &["lint", "lexicons", "--format", "json"], None);
    // A second name for a lexicon, and a link back up to the top (a loop).
    symlink("event.json", folder.join("alias.json")).unwrap();
    symlink("../../..", folder.join("loop")).unwrap();
    let run = lexperm(dir.path(), &["lint", "lexicons", "--format", "json"], None);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        run.stdout, before.stdout,
        "no duplicate NSID, no new finding"
    );
}

#[test]
fn follow_outside_links_reads_a_target_only_when_asked() {
    let dir = workspace();
    symlink(
        dir.path().join("outside/note.json"),
        calendar(dir.path()).join("note.json"),
    )
    .unwrap();
    let refused = lexperm(dir.path(), &["lint", "lexicons", "--format", "json"], None);
    assert_eq!(refused.code, 2, "{}", refused.all());
    assert!(!refused.all().contains(SECRET));
    let followed = lexperm(
        dir.path(),
        &[
            "lint",
            "lexicons",
            "--format",
            "json",
            "--follow-outside-links",
        ],
        None,
    );
    assert_eq!(followed.code, 0, "{}", followed.all());
}

#[test]
fn fifos_and_devices_are_refused_without_being_opened() {
    let dir = workspace();
    fifo(&calendar(dir.path()).join("pipe.json"));
    fifo(&dir.path().join("named.json"));
    symlink("/dev/zero", dir.path().join("zero.json")).unwrap();
    // Walked, and named on the command line (a named link is followed, to a device here).
    let run = lexperm(
        dir.path(),
        &[
            "lint",
            "lexicons",
            "named.json",
            "zero.json",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.all());
    for (path, kind) in [
        ("lexicons/org/lexperm/example/calendar/pipe.json", "a FIFO"),
        ("named.json", "a FIFO"),
        ("zero.json", "a character device"),
    ] {
        assert!(
            run.stdout.lines().any(|line| line.contains("\"L132\"")
                && line.contains(&format!("\"file\":\"{path}\""))
                && line.contains(kind)),
            "{path}: {}",
            run.stdout
        );
    }
    // The same through `--lexicons` of the catalog commands, and a device behind a followed link.
    let coverage = run_in(dir.path(), &["coverage", "--lexicons", "named.json"]);
    assert_eq!(coverage.code, 2, "{}", coverage.all());
    assert!(coverage.stderr.contains("a FIFO"), "{}", coverage.stderr);
    symlink("/dev/zero", calendar(dir.path()).join("zero.json")).unwrap();
    let followed = run_in(
        dir.path(),
        &[
            "lint",
            "lexicons",
            "--follow-outside-links",
            "--format",
            "json",
        ],
    );
    assert_eq!(followed.code, 2, "{}", followed.all());
    assert!(
        followed.stdout.contains("a character device"),
        "{}",
        followed.stdout
    );
}

/// [`lexperm`] without stdin.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    lexperm(dir, args, None)
}

#[test]
fn a_file_over_the_size_limit_is_reported_without_being_read() {
    let dir = workspace();
    // 1.5 GB, sparse: a few bytes on disk.
    let big = std::fs::File::create(calendar(dir.path()).join("big.json")).unwrap();
    big.set_len(1536 * 1024 * 1024).unwrap();
    assert!(1536 * 1024 * 1024 > MAX_FILE_SIZE as u64);
    for format in FORMATS {
        let run = run_in(dir.path(), &["lint", "lexicons", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.all());
        assert!(
            run.stdout.contains("file is too large"),
            "{format}: {}",
            run.stdout
        );
    }
    let coverage = run_in(dir.path(), &["coverage"]);
    assert_eq!(coverage.code, 0, "{}", coverage.all());
    assert!(
        coverage.stderr.contains("file is too large"),
        "{}",
        coverage.stderr
    );
}

#[test]
fn one_bad_file_is_a_finding_and_every_command_goes_on() {
    let dir = workspace();
    let folder = calendar(dir.path());
    std::fs::write(
        folder.join("latin1.json"),
        b"{\"description\": \"caf\xe9\"}",
    )
    .unwrap();
    symlink("deleted.json", folder.join("dangling.json")).unwrap();
    let bad = ["calendar/latin1.json", "calendar/dangling.json"];
    // lint: every format carries both, as L132 with the path.
    for format in FORMATS {
        let run = run_in(dir.path(), &["lint", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", run.all());
        assert!(run.stdout.contains("L132"), "{format}: {}", run.stdout);
        for path in bad {
            assert!(
                run.stdout.contains(path),
                "{format}: {path}: {}",
                run.stdout
            );
        }
    }
    let include = "include:org.lexperm.example.calendar.authViewCalendar";
    let commands: [(&[&str], &str); 6] = [
        (&["expand", include], "granted"),
        (
            &[
                "check",
                "--scope",
                include,
                "repo:org.lexperm.example.calendar.event?action=create",
            ],
            "repo:org.lexperm.example.calendar.event",
        ),
        (&["coverage"], "org.lexperm.example.calendar"),
        (&["preview", include], "calendar"),
        (&["gen", "records", "--out", "records"], "wrote"),
        (&["gen", "rust", "--out", "scopes.rs"], "no code generated"),
    ];
    for (args, expected) in commands {
        let run = run_in(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.all().contains(expected), "{args:?}: {}", run.all());
        for path in bad {
            assert!(
                run.stderr.contains(path),
                "{args:?}: {path}: {}",
                run.stderr
            );
        }
        assert!(run.stderr.contains("L132"), "{args:?}: {}", run.stderr);
    }
    // The records of the good files were still written.
    assert!(dir.path().join("records/cids.json").is_file());
}

#[test]
fn a_long_stdin_line_is_an_error_for_that_line_and_the_next_lines_follow() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of one line, far over the limit; with the address-space limit a reader that holds
    // the line (and copies it into its error message) cannot finish.
    let long = MAX_LINE_LENGTH * 1024;
    let mut input = b"repo:com.example.first\n".to_vec();
    input.extend(std::iter::repeat_n(b'a', long));
    input.extend(b"\nrepo:com.example.second\n");
    let run = lexperm(dir.path(), &["scope", "normalize"], Some(input.clone()));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "repo:com.example.first\nrepo:com.example.second\n"
    );
    assert!(
        run.stderr.contains(&format!(
            "stdin line 2 is longer than {MAX_LINE_LENGTH} bytes"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.len() < 1000, "the line is not echoed");
    let json = run_json(dir.path(), input.clone());
    let lines: Vec<&str> = json.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", json.stdout);
    assert!(
        lines[1].starts_with("{\"version\":1,\"input\":null,\"valid\":false,"),
        "{}",
        lines[1]
    );
    // `expand` reads stdin the same way.
    let workspace = workspace();
    let mut input = vec![b'x'; MAX_LINE_LENGTH + 1];
    input.extend(b"\ninclude:org.lexperm.example.calendar.authViewCalendar\n");
    let expand = lexperm(workspace.path(), &["expand"], Some(input));
    assert_eq!(expand.code, 1, "{}", expand.all());
    assert!(
        expand.stderr.contains("stdin line 1 is longer than"),
        "{}",
        expand.stderr
    );
    assert!(expand.stdout.contains("granted"), "{}", expand.stdout);
}

/// `scope normalize --format json` with `input` on stdin.
fn run_json(dir: &Path, input: Vec<u8>) -> Run {
    lexperm(
        dir,
        &["scope", "normalize", "--format", "json"],
        Some(input),
    )
}

#[test]
fn a_config_file_linked_from_outside_the_folder_is_not_read() {
    let dir = workspace();
    let elsewhere = tempfile::tempdir().unwrap();
    let config = elsewhere.path().join("credentials.toml");
    std::fs::write(&config, format!("[{SECRET}]\n")).unwrap();
    symlink(&config, dir.path().join("lexperm.toml")).unwrap();
    let run = run_in(dir.path(), &["lint"]);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(!run.all().contains(SECRET), "{}", run.all());
    assert!(run.stderr.contains("outside its folder"), "{}", run.stderr);
}
