//! Hostile output: findings on megabyte lines, text that would drive the terminal, inputs that make
//! line/column and name lookups quadratic, and lint-clean text that would break generated code.

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use lexperm_parser::limits::{MAX_JSON_VALUES, MAX_SNIPPET_LINE_CHARS, MAX_SNIPPET_SPAN_LINES};
use serde_json::{json, Value};

/// Runs `lexperm` in `dir` without colour.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env("LEXPERM_CACHE_DIR", dir.join("cache"))
        .output()
        .expect("lexperm runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// Writes `doc` (compact: one line) at `lexicons/<nsid path>.json` under `dir`.
fn write_lexicon(dir: &Path, doc: &Value) {
    let nsid = doc["id"].as_str().expect("id");
    let path = dir
        .join("lexicons")
        .join(format!("{}.json", nsid.replace('.', "/")));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, doc.to_string()).unwrap();
}

/// A record (one line, written compact) with `description` and a string property whose format
/// is the unknown `format` (an error), after the description.
fn record_with_unknown_format(nsid: &str, description: &str, format: &str) -> Value {
    json!({
        "lexicon": 1,
        "id": nsid,
        "defs": {"main": {
            "type": "record",
            "key": "tid",
            "description": description,
            "record": {"type": "object", "properties": {
                "a": {"type": "string", "format": format}
            }}
        }}
    })
}

/// A folder whose `lexicons/` holds a record whose only line has `pad` characters of description
/// before its error (`bogus-late`), and a small record with an error (`bogus-small`) whose
/// findings must still be shown.
fn long_and_small_lexicons(pad: usize) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let long = record_with_unknown_format("com.example.wide", &"x".repeat(pad), "bogus-late");
    write_lexicon(temp.path(), &long);
    let small = record_with_unknown_format("com.example.zsmall", "A small record.", "bogus-small");
    write_lexicon(temp.path(), &small);
    temp
}

/// The longest line of `output`, in characters.
fn longest_line(output: &str) -> usize {
    output
        .lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0)
}

/// A line of a snippet: the window, the gutter and the cut marks, no more.
const SNIPPET_LINE_BOUND: usize = MAX_SNIPPET_LINE_CHARS + 16;

#[test]
fn lint_draws_findings_past_column_65536_and_keeps_the_other_files() {
    // The finding sits past column 65,536 (a width miette cannot format).
    let temp = long_and_small_lexicons(200_000);
    let output = run_in(temp.path(), &["lint", "lexicons"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(stdout.contains("`bogus-late`"), "{stdout}");
    assert!(stdout.contains("`bogus-small`"), "{stdout}");
    assert!(
        stdout.contains("lexicons/com/example/wide.json:1:"),
        "{stdout}"
    );
    assert!(stdout.contains("2 errors"), "{stdout}");
    assert!(
        longest_line(&stdout) <= SNIPPET_LINE_BOUND,
        "a line of {} characters",
        longest_line(&stdout)
    );
    // The header still gives the real column.
    let column = 200_000 + 40;
    let header = stdout
        .lines()
        .find(|line| line.contains("wide.json:1:") && line.contains("╭─["))
        .expect("a snippet header for the long line");
    let shown: u32 = header
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches(']')
        .parse()
        .unwrap();
    assert!(shown as usize > column, "{header}");
}

#[test]
fn gen_records_publish_and_expand_draw_findings_on_long_lines() {
    let temp = long_and_small_lexicons(100_000);

    let output = run_in(
        temp.path(),
        &["gen", "records", "--lexicons", "lexicons", "--out", "out"],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`bogus-late`") && stderr.contains("`bogus-small`"),
        "{stderr}"
    );
    assert!(longest_line(&stderr) <= SNIPPET_LINE_BOUND);

    // The lint gate runs before any network access.
    let output = run_in(
        temp.path(),
        &[
            "publish",
            "--dry-run",
            "--handle",
            "alice.test",
            "--lexicons",
            "lexicons",
        ],
    );
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("`bogus-late`") && stderr.contains("`bogus-small`"),
        "{stderr}"
    );

    // A permission set on one line whose dropped entry sits past column 65,536.
    let sets = tempfile::tempdir().unwrap();
    write_lexicon(
        sets.path(),
        &json!({
            "lexicon": 1,
            "id": "com.example.authWide",
            "defs": {"main": {
                "type": "permission-set",
                "title": "t".repeat(100_000),
                "detail": "Wide.",
                "permissions": [
                    {"type": "permission", "resource": "repo", "collection": ["com.example.a"], "action": ["bogus"]}
                ]
            }}
        }),
    );
    let output = run_in(
        sets.path(),
        &[
            "expand",
            "include:com.example.authWide",
            "--lexicons",
            "lexicons",
        ],
    );
    let stdout = text(&output.stdout);
    assert!(
        output.status.code() != Some(101),
        "{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("dropped 1 of 1 entry:"), "{stdout}");
    assert!(stdout.contains("authWide.json:1:"), "{stdout}");
    assert!(longest_line(&stdout) <= SNIPPET_LINE_BOUND);
}

#[test]
fn spans_over_many_lines_are_drawn_over_a_bounded_number_of_lines() {
    let temp = tempfile::tempdir().unwrap();
    // `input` on a query (an error on the whole `input` object), pretty-printed over thousands
    // of lines.
    let properties: serde_json::Map<String, Value> = (0..2_000)
        .map(|i| (format!("p{i}"), json!({"type": "integer"})))
        .collect();
    let doc = json!({
        "lexicon": 1,
        "id": "com.example.getThing",
        "defs": {"main": {
            "type": "query",
            "description": "Gets it.",
            "input": {"encoding": "application/json", "schema": {"type": "object", "properties": properties}},
            "output": {"encoding": "application/json"}
        }}
    });
    let path = temp.path().join("lexicons/com/example/getThing.json");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let output = run_in(temp.path(), &["lint", "lexicons"]);
    let stdout = text(&output.stdout);
    // The source lines of the `input-on-query` report (numbered in the gutter).
    let source_lines = stdout
        .lines()
        .skip_while(|line| !line.contains("input-on-query"))
        .take_while(|line| !line.contains("help:"))
        .filter(|line| {
            let first = line.trim_start().split(' ').next().unwrap_or("");
            first.parse::<u32>().is_ok()
        })
        .count();
    assert!(source_lines > 0, "{stdout}");
    // The span's lines plus one line of context on each side.
    assert!(
        source_lines <= MAX_SNIPPET_SPAN_LINES + 2,
        "{source_lines} source lines shown"
    );
}

/// Text that would act on a terminal: OSC window title, clear screen, carriage return, C1 CSI,
/// DEL, and a right-to-left override.
const HOSTILE: &str = "t\u{1b}]0;pwned\u{7}\u{1b}[2J\r\u{9b}31m\u{7f}\u{202e}x";

/// True when `output` holds none of [`HOSTILE`]'s characters raw.
fn is_clean(output: &str) -> bool {
    !output.chars().any(|c| {
        matches!(
            c,
            '\u{1b}' | '\u{7}' | '\r' | '\u{9b}' | '\u{7f}' | '\u{202e}'
        )
    })
}

#[test]
fn lexicon_text_is_shown_escaped_in_every_format() {
    let temp = tempfile::tempdir().unwrap();
    let doc = record_with_unknown_format("com.example.thing", HOSTILE, HOSTILE);
    // C1, DEL and the override stand raw in the file (JSON escapes only C0), and a file name
    // holds an escape sequence.
    write_lexicon(temp.path(), &doc);
    let dir = temp.path().join("lexicons/com/example");
    std::fs::write(dir.join("evil\u{1b}[2J.json"), "{").unwrap();

    for format in ["human", "json", "sarif", "github"] {
        let output = run_in(temp.path(), &["lint", "lexicons", "--format", format]);
        let stdout = text(&output.stdout);
        assert!(is_clean(&stdout), "{format}: {stdout:?}");
        assert!(stdout.contains("\\u001b]0;pwned"), "{format}: {stdout}");
        if format != "sarif" {
            // SARIF percent-encodes the name in its URI.
            assert!(stdout.contains("evil\\u001b[2J.json"), "{format}: {stdout}");
        }
    }
    // JSON stays valid and says exactly what the file says.
    let output = run_in(temp.path(), &["lint", "lexicons", "--format", "json"]);
    let messages: Vec<String> = text(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter_map(|value| value["message"].as_str().map(str::to_owned))
        .collect();
    assert!(messages.iter().any(|m| m.contains(HOSTILE)), "{messages:?}");
    // Warnings on stderr (commands that load lexicons) are cleaned too.
    let output = run_in(
        temp.path(),
        &[
            "expand",
            "include:com.example.none",
            "--lexicons",
            "lexicons",
        ],
    );
    let stderr = text(&output.stderr);
    assert!(stderr.contains("evil\\u001b[2J.json"), "{stderr}");
    assert!(is_clean(&stderr), "{stderr:?}");
}

#[test]
fn xrpc_error_messages_are_shown_escaped() {
    let temp = tempfile::tempdir().unwrap();
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.thing", "description": "A thing.",
                "defs": {"main": {"type": "token", "description": "The thing."}}}),
    );
    // Answers every request with an XRPC error whose message would drive the terminal.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let body = json!({"error": "AuthenticationRequired", "message": HOSTILE}).to_string();
        for stream in listener.incoming().take(1) {
            let mut stream = stream.unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let pds = format!("http://{address}");
    let output = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["publish", "--dry-run", "--handle", "alice.test", "--pds"])
        .arg(&pds)
        .args(["--lexicons", "lexicons", "--session-file", "session.json"])
        .current_dir(temp.path())
        .env("LEXPERM_APP_PASSWORD", "app-password")
        .env("LEXPERM_CACHE_DIR", temp.path().join("cache"))
        .output()
        .unwrap();
    // Should lexperm not have connected, this connection ends the server's wait.
    let _ = std::net::TcpStream::connect(address);
    server.join().unwrap();
    let stderr = text(&output.stderr);
    assert!(stderr.contains("\\u001b]0;pwned"), "{stderr}");
    assert!(is_clean(&stderr), "{stderr:?}");
}

/// A DNS server on 127.0.0.1 that answers every TXT query with one record of `txt`.
fn serve_txt(txt: &'static [u8]) -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let address = socket.local_addr().unwrap();
    let thread = std::thread::spawn(move || {
        let mut buffer = [0u8; 512];
        // A resolver may retry or ask twice; answer a few queries, then stop.
        for _ in 0..4 {
            let Ok((length, peer)) = socket.recv_from(&mut buffer) else {
                return;
            };
            let query = &buffer[..length];
            // The question: labels from offset 12 to a zero byte, then type and class.
            let mut at = 12;
            while at < query.len() && query[at] != 0 {
                at += 1 + query[at] as usize;
            }
            let question_end = (at + 5).min(query.len());
            let is_txt = query.get(at + 1..at + 3) == Some(&[0, 16]);
            let mut reply = query[..2].to_vec();
            reply.extend_from_slice(&[0x81, 0x80, 0, 1, 0, u8::from(is_txt), 0, 0, 0, 0]);
            reply.extend_from_slice(&query[12..question_end]);
            if is_txt {
                reply.extend_from_slice(&[0xc0, 0x0c, 0, 16, 0, 1, 0, 0, 0, 60]);
                reply.extend_from_slice(&((txt.len() + 1) as u16).to_be_bytes());
                reply.push(txt.len() as u8);
                reply.extend_from_slice(txt);
            }
            let _ = socket.send_to(&reply, peer);
        }
    });
    (address, thread)
}

#[test]
fn txt_records_are_shown_escaped() {
    let temp = tempfile::tempdir().unwrap();
    let (address, _server) = serve_txt(b"did=did:plc:\x1b]0;pwned\x07\x1b[2J\xe2\x80\xae");
    let output = run_in(
        temp.path(),
        &[
            "resolve",
            "com.example.thing",
            "--no-cache",
            "--dns-server",
            &address.to_string(),
        ],
    );
    let stderr = text(&output.stderr);
    let stdout = text(&output.stdout);
    assert!(
        stderr.contains("\\u001b]0;pwned") || stdout.contains("\\u001b]0;pwned"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(is_clean(&stderr) && is_clean(&stdout), "{stderr:?}");
}

/// Generous: the linear code takes a few seconds in a debug build on a loaded machine; the
/// quadratic one took minutes.
const LINEAR_SECONDS: u64 = 60;

/// Runs `lexperm lint lexicons --format FORMAT` in `dir` and returns its standard output; fails
/// when it takes more than [`LINEAR_SECONDS`] (and stops it then).
fn timed_lint(dir: &Path, format: &str) -> String {
    let output_path = dir.join(format!("lint.{format}.out"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["lint", "lexicons", "--format", format])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .stdout(std::fs::File::create(&output_path).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lexperm runs");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(LINEAR_SECONDS) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`lint --format {format}` still running after {LINEAR_SECONDS} s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(output_path).unwrap()
}

#[test]
fn findings_at_the_end_of_a_long_line_cost_linear_time() {
    let temp = tempfile::tempdir().unwrap();
    // 100,000 findings (undefined `required` names) at the end of one line of about 14 MB: each
    // column counted from the line start would read the whole line again.
    let count = 100_000;
    let required: Vec<String> = (0..count).map(|i| format!("u{i}")).collect();
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.wide", "defs": {"main": {
            "type": "object", "description": "é".repeat(7_000_000),
            "required": required, "properties": {}}}}),
    );
    let stdout = timed_lint(temp.path(), "json");
    assert_eq!(stdout.lines().count(), count);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    // Columns count characters, not bytes: the two-byte `é`s count once each.
    let column = last["column"].as_u64().unwrap();
    assert!((7_000_000..8_000_000).contains(&column), "{last}");
}

#[test]
fn thousands_of_snippets_on_one_long_line_cost_linear_time() {
    let temp = tempfile::tempdir().unwrap();
    // 5,000 findings spread over one line of about 15 MB (the file limit is 16 MiB), each drawn
    // with a snippet.
    let properties: serde_json::Map<String, Value> = (0..5_000)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"type": "string", "format": "bogus", "description": "x".repeat(2_990)}),
            )
        })
        .collect();
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.wide", "defs": {"main": {
            "type": "record", "key": "tid", "description": "Wide.",
            "record": {"type": "object", "properties": properties}}}}),
    );
    let stdout = timed_lint(temp.path(), "human");
    assert!(
        stdout.contains("5000 errors"),
        "{}",
        &stdout[stdout.len().saturating_sub(500)..]
    );
    assert!(longest_line(&stdout) <= SNIPPET_LINE_BOUND);
}

#[test]
fn long_required_and_nullable_lists_cost_linear_time() {
    let temp = tempfile::tempdir().unwrap();
    // Properties, `required` and `nullable` of 60,000 names: just under the value limit.
    let count = 60_000;
    assert!(count * 4 < MAX_JSON_VALUES);
    let names: Vec<String> = (0..count).map(|i| format!("p{i}")).collect();
    let properties: serde_json::Map<String, Value> = names
        .iter()
        .map(|name| (name.clone(), json!({"type": "integer"})))
        .collect();
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.big", "defs": {"main": {
            "type": "object", "required": names, "nullable": names, "properties": properties}}}),
    );
    let stdout = timed_lint(temp.path(), "json");
    // Every name is defined, required and nullable: no finding (and no `too many values`).
    assert_eq!(stdout, "");
}

#[test]
fn large_unions_of_local_refs_cost_linear_time() {
    let temp = tempfile::tempdir().unwrap();
    // 60,000 object defs and a union naming each of them (just under the value limit).
    let count = 60_000;
    assert!(count * 4 < MAX_JSON_VALUES);
    let mut defs: serde_json::Map<String, Value> = (0..count)
        .map(|i| (format!("o{i}"), json!({"type": "object", "properties": {}})))
        .collect();
    let refs: Vec<String> = (0..count).map(|i| format!("#o{i}")).collect();
    defs.insert(
        "main".into(),
        json!({"type": "object", "description": "U.", "properties": {"u": {"type": "union", "refs": refs}}}),
    );
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.union", "defs": defs}),
    );
    let stdout = timed_lint(temp.path(), "json");
    // Every ref resolves: no finding at all (and no `too many values`).
    assert_eq!(stdout, "");
}

/// Descriptions, titles and details holding every kind of character that breaks generated code:
/// a bare carriage return, a right-to-left override and an isolate (rustc rejects them in
/// comments), NUL, ESC, DEL, a C1 control, the line separators that end a JavaScript line, and
/// `*/`, which would close a TypeScript comment.
const BREAKS_CODE: &str =
    "a\rb \u{202e}c\u{2066}d\u{2069} \0 \u{1b}[1m \u{7f}\u{85} e\u{2028}f\u{2029}g */ h";

#[test]
fn control_and_bidi_characters_in_texts_generate_code_that_compiles() {
    let temp = tempfile::tempdir().unwrap();
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.post", "description": BREAKS_CODE,
                "defs": {"main": {"type": "record", "key": "tid", "description": BREAKS_CODE,
                    "record": {"type": "object", "properties": {}}}}}),
    );
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.getPost",
                "defs": {"main": {"type": "query", "description": BREAKS_CODE,
                    "output": {"encoding": "application/json"}}}}),
    );
    write_lexicon(
        temp.path(),
        &json!({"lexicon": 1, "id": "com.example.authPosts",
        "defs": {"main": {"type": "permission-set", "title": BREAKS_CODE,
            "detail": BREAKS_CODE, "permissions": [
                {"type": "permission", "resource": "repo", "collection": ["com.example.post"]}
            ]}}}),
    );

    // Lint-clean (no error), but the new rule warns about each text.
    let output = run_in(temp.path(), &["lint", "lexicons", "--format", "json"]);
    let lint = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{lint}");
    assert_eq!(lint.matches("\"S129\"").count(), 5, "{lint}");

    let output = run_in(
        temp.path(),
        &[
            "gen",
            "rust",
            "--lexicons",
            "lexicons",
            "--out",
            "scopes.rs",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let code = std::fs::read_to_string(temp.path().join("scopes.rs")).unwrap();
    assert!(code.contains("\\u{202e}"), "{code}");
    std::fs::write(
        temp.path().join("gen.rs"),
        "#![no_std]\n#![deny(warnings)]\n//! Generated constants.\n/// The scopes.\npub mod scopes {\n    include!(\"scopes.rs\");\n}\n",
    )
    .unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let compiled = Command::new(rustc)
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "lib",
            "--crate-name",
            "gen",
            "gen.rs",
        ])
        .current_dir(temp.path())
        .output()
        .expect("rustc runs");
    assert!(
        compiled.status.success(),
        "{}\n{code}",
        text(&compiled.stderr)
    );

    let output = run_in(
        temp.path(),
        &["gen", "ts", "--lexicons", "lexicons", "--out", "scopes.ts"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let code = std::fs::read_to_string(temp.path().join("scopes.ts")).unwrap();
    let hidden: Vec<char> = code
        .chars()
        .filter(|&c| lexperm_parser::text::is_hidden_format(c) && c != '\n')
        .collect();
    assert!(hidden.is_empty(), "{hidden:?} in\n{code}");
    assert!(!code.contains("*/ h"), "{code}");
}

#[test]
fn scope_inputs_are_shown_escaped() {
    // `scope normalize` names the invalid input it read, with a caret line under it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_lexperm"))
        .args(["scope", "normalize"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("lexperm runs");
    let input = format!("repo:com.example.post{HOSTILE}\nrpc:x\u{202e}y\n");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = text(&output.stderr);
    assert!(stderr.contains("\\u001b]0;pwned"), "{stderr}");
    assert!(stderr.contains("\\u202e"), "{stderr}");
    assert!(
        is_clean(&stderr) && is_clean(&text(&output.stdout)),
        "{stderr:?}"
    );
}
