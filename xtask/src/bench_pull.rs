//! `cargo xtask bench-pull`: whole-process `lexperm pull` of a permission set with 50
//! dependencies from the test environment (`cargo xtask testenv up`), with one request at a time
//! and with the default bound, and how many requests each made.
//!
//! The set and its records are generated under the testenv's bench authority
//! ([`crate::testenv::BENCH_AUTHORITY`], NSID group `org.lexperm.example.bench`) and published
//! with `lexperm publish` (unchanged records are kept, so reruns write nothing). Each timed pull
//! goes into a new empty project with `--no-cache`, so every run resolves the whole closure
//! through DNS, the PLC directory and the PDS. A release build is timed.
//!
//! The reference in the same run: when the testenv has `@atproto/lex` (`TEST_LEX`), `lex install`
//! of the same set into an empty project, pointed at the testenv by [`LEX_PRELOAD`] (its DNS
//! server for TXT lookups, its PLC directory for `https://plc.directory`), which also counts its
//! requests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bench_support::ms;
use crate::lexperm::{self, Profile};

/// The NSID group of the bench authority.
const GROUP: &str = "org.lexperm.example.bench";

/// A `--require` script for Node that points `@atproto/lex` at the test environment and counts
/// its DNS lookups and HTTP requests (printed on stderr as `N requests made`).
const LEX_PRELOAD: &str = r#"'use strict';
const dns = require('node:dns');
const server = process.env.BENCH_DNS;
dns.setServers([server]);
dns.promises.setServers([server]);
let requests = 0;
const resolveTxt = dns.promises.resolveTxt;
dns.promises.resolveTxt = (...args) => { requests++; return resolveTxt(...args); };
require('node:module').syncBuiltinESMExports();
const plc = process.env.BENCH_PLC;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  requests++;
  const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
  if (url.startsWith('https://plc.directory/')) {
    const moved = plc + url.slice('https://plc.directory'.length);
    input = typeof input === 'string' || input instanceof URL ? moved : new Request(moved, input);
  }
  return realFetch(input, init);
};
process.on('exit', () => process.stderr.write(`${requests} requests made
`));
"#;

/// Options of `bench-pull`.
pub struct Options {
    /// Timed runs per configuration (best wall time kept).
    runs: usize,
    /// Records the set grants (its dependencies).
    count: usize,
}

/// Parses `bench-pull` arguments.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options { runs: 5, count: 50 };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("bench-pull: {name} takes a positive number"))
        };
        match arg.as_str() {
            "--runs" => opts.runs = number("--runs")?,
            "--count" => opts.count = number("--count")?,
            other => return Err(format!("bench-pull: unknown option `{other}`")),
        }
    }
    Ok(opts)
}

/// The testenv's `env` file as `(name, value)` pairs.
fn testenv_vars(root: &Path) -> Result<Vec<(String, String)>, String> {
    let run = std::env::var_os("TESTENV_RUN")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/testenv"));
    let path = run.join("env");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "bench-pull needs the test environment: {} ({e}); run `cargo xtask testenv up`",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim_matches('"').to_owned()))
        .collect())
}

fn var<'a>(vars: &'a [(String, String)], name: &str) -> Result<&'a str, String> {
    vars.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| {
            format!("the testenv env file has no {name}; run `cargo xtask testenv up` again")
        })
}

/// Writes the set and the `count` records it grants under `dir`; returns the set's NSID.
fn write_authority(dir: &Path, count: usize) -> Result<String, String> {
    let folder = dir.join(GROUP.replace('.', "/"));
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
    let mut collections = Vec::new();
    for i in 0..count {
        let nsid = format!("{GROUP}.item{i:02}");
        let doc = json!({
            "lexicon": 1,
            "id": nsid,
            "defs": {"main": {
                "type": "record",
                "description": format!("Bench record {i}."),
                "key": "tid",
                "record": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string", "maxLength": 300, "maxGraphemes": 100},
                    "createdAt": {"type": "string", "format": "datetime"}
                }}
            }}
        });
        write_json(&folder.join(format!("item{i:02}.json")), &doc)?;
        collections.push(Value::from(nsid));
    }
    let set = format!("{GROUP}.authBench");
    let doc = json!({
        "lexicon": 1,
        "id": set,
        "defs": {"main": {
            "type": "permission-set",
            "title": "Bench records",
            "detail": "Create and change the bench records.",
            "permissions": [{"type": "permission", "resource": "repo", "collection": collections}]
        }}
    });
    write_json(&folder.join("authBench.json"), &doc)?;
    Ok(set)
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(mut command: Command) -> Result<(Output, Duration), String> {
    let start = Instant::now();
    let out = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    Ok((out, start.elapsed()))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The number in "N requests made" (or "1 request made") on stderr.
fn requests(out: &Output) -> Result<usize, String> {
    let text = stderr(out);
    text.lines()
        .find_map(|line| {
            let (n, rest) = line.split_once(' ')?;
            rest.starts_with("request").then(|| n.parse().ok())?
        })
        .ok_or_else(|| format!("no request count in the output of pull:\n{text}"))
}

/// One pull configuration's result.
struct Measured {
    label: String,
    best: Duration,
    requests: usize,
}

/// Runs the benchmark.
pub fn run_bench(root: &Path, opts: &Options) -> Result<bool, String> {
    let vars = testenv_vars(root)?;
    let dns = var(&vars, "TEST_DNS_SERVER")?.to_owned();
    let plc = var(&vars, "TEST_PLC_URL")?.to_owned();
    let handle = var(&vars, "TEST_HANDLE")?.to_owned();
    let password = var(&vars, "TEST_APP_PASSWORD")?.to_owned();
    let bin = lexperm::build_cli(root, Profile::Release)?;
    let work = root.join("target/xtask-bench/pull");
    let authority = work.join("authority/lexicons");
    let set = write_authority(&authority, opts.count)?;
    let net = ["--dns-server", dns.as_str(), "--plc-url", plc.as_str()];
    let lexperm = |dir: &Path, args: &[&str]| {
        let mut command = Command::new(&bin);
        command
            .args(args)
            .args(net)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("LEXPERM_CACHE_DIR", dir.join(".cache"));
        command
    };

    let authority_arg = authority.to_string_lossy().into_owned();
    let mut publish = lexperm(
        &work,
        &["publish", "--handle", &handle, "--lexicons", &authority_arg],
    );
    publish.env("LEXPERM_APP_PASSWORD", &password);
    let (out, _) = run(publish)?;
    if !out.status.success() {
        return Err(format!(
            "publishing the bench authority failed (is `{}` in the testenv DNS? run `cargo xtask testenv up` again):\n{}",
            crate::testenv::BENCH_AUTHORITY,
            stderr(&out)
        ));
    }

    let expected_files = opts.count + 1;
    let mut results = Vec::new();
    let mut last_project = None;
    for jobs in ["1", "8"] {
        let mut best = Duration::MAX;
        let mut made = 0;
        for run_index in 0..opts.runs {
            let project = work.join(format!("project-jobs{jobs}-{run_index}"));
            let _ = std::fs::remove_dir_all(&project);
            std::fs::create_dir_all(&project).map_err(|e| format!("{}: {e}", project.display()))?;
            let (out, wall) = run(lexperm(
                &project,
                &["pull", &set, "--no-cache", "--jobs", jobs],
            ))?;
            if !out.status.success() {
                return Err(format!("pull failed:\n{}", stderr(&out)));
            }
            let lock: Value = serde_json::from_str(
                &std::fs::read_to_string(project.join("lexicons.json"))
                    .map_err(|e| format!("no lexicons.json after pull: {e}"))?,
            )
            .map_err(|e| format!("lexicons.json: {e}"))?;
            let pinned = lock["resolutions"].as_object().map_or(0, |m| m.len());
            if pinned != expected_files {
                return Err(format!(
                    "pull pinned {pinned} lexicons, expected {expected_files}"
                ));
            }
            made = requests(&out)?;
            best = best.min(wall);
            if let Some(old) = last_project.replace(project) {
                let _ = std::fs::remove_dir_all(old);
            }
        }
        results.push(Measured {
            label: format!("pull --no-cache --jobs {jobs}"),
            best,
            requests: made,
        });
    }
    if let (Ok(node), Ok(lex)) = (var(&vars, "TEST_NODE"), var(&vars, "TEST_LEX")) {
        let preload = work.join("lex-testenv.cjs");
        std::fs::write(&preload, LEX_PRELOAD).map_err(|e| format!("{}: {e}", preload.display()))?;
        let mut best = Duration::MAX;
        let mut made = 0;
        for run_index in 0..opts.runs {
            let project = work.join(format!("lex-{run_index}"));
            let _ = std::fs::remove_dir_all(&project);
            std::fs::create_dir_all(&project).map_err(|e| format!("{}: {e}", project.display()))?;
            let mut command = Command::new(node);
            command
                .arg("--require")
                .arg(&preload)
                .args([lex, "install", &set])
                .current_dir(&project)
                .env("BENCH_DNS", &dns)
                .env("BENCH_PLC", &plc);
            let (out, wall) = run(command)?;
            if !out.status.success() {
                return Err(format!("lex install failed:\n{}", stderr(&out)));
            }
            let lock: Value = serde_json::from_str(
                &std::fs::read_to_string(project.join("lexicons.json"))
                    .map_err(|e| format!("no lexicons.json after lex install: {e}"))?,
            )
            .map_err(|e| format!("lexicons.json: {e}"))?;
            let pinned = lock["resolutions"].as_object().map_or(0, |m| m.len());
            if pinned != expected_files {
                return Err(format!(
                    "lex install pinned {pinned} lexicons, expected {expected_files}"
                ));
            }
            made = requests(&out)?;
            best = best.min(wall);
            let _ = std::fs::remove_dir_all(&project);
        }
        results.push(Measured {
            label: "reference: lex install".to_owned(),
            best,
            requests: made,
        });
    } else {
        println!("note: the testenv has no @atproto/lex; the reference is not timed");
    }
    let project = last_project.ok_or("no run")?;
    let mut again = Measured {
        label: "pull again (pins kept)".to_owned(),
        best: Duration::MAX,
        requests: 0,
    };
    let mut verify = Measured {
        label: "pull --ci (offline verify)".to_owned(),
        best: Duration::MAX,
        requests: 0,
    };
    for _ in 0..opts.runs {
        let (out, wall) = run(lexperm(&project, &["pull", &set]))?;
        if !out.status.success() {
            return Err(format!("pull again failed:\n{}", stderr(&out)));
        }
        again.requests = requests(&out)?;
        again.best = again.best.min(wall);
        let mut ci = Command::new(&bin);
        ci.args(["pull", "--ci"]).current_dir(&project);
        let (out, wall) = run(ci)?;
        if !out.status.success() {
            return Err(format!("pull --ci failed:\n{}", stderr(&out)));
        }
        verify.best = verify.best.min(wall);
    }
    results.push(again);
    results.push(verify);
    let _ = std::fs::remove_dir_all(&project);

    println!(
        "bench-pull: {set} and the {} records it grants ({expected_files} lexicons), release build, best of {} runs",
        opts.count, opts.runs
    );
    println!("{:<32} {:>10} {:>9}", "command", "wall", "requests");
    for r in &results {
        println!("{:<32} {:>10} {:>9}", r.label, ms(r.best), r.requests);
    }
    let serial = results[0].best.as_secs_f64();
    let bounded = results[1].best.as_secs_f64();
    if bounded > 0.0 {
        println!("concurrency: --jobs 8 is {:.2}× --jobs 1", serial / bounded);
        if let Some(reference) = results.iter().find(|r| r.label.starts_with("reference")) {
            println!(
                "reference: lexperm pull (--jobs 8) is {:.1}× faster than lex install",
                reference.best.as_secs_f64() / bounded
            );
        }
    }
    Ok(true)
}
