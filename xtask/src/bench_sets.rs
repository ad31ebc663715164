//! Permission-set part of `cargo xtask bench-vs-reference`: `include:` expansion of every corpus
//! permission set (with and without `?aud=`) and the token scope of a client asking for the ten
//! Bluesky sets, timed in-process on both sides in the same run.
//!
//! Method: each side warms up (at least 200 iterations and 300 ms), sizes a round to about
//! [`ROUND_MS`], and runs [`ROUNDS`] rounds; the reference in one node process
//! (`xtask/reference/set-bench.mjs`, startup and loading excluded), lexperm through the library in
//! this (release) process. The two sides alternate [`PASSES`] times, and the minimum
//! per-iteration time over all rounds is reported (wall and CPU separately): on a shared, loaded
//! machine the minimum is the run least disturbed by other work.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::Catalog;
use serde_json::Value;

use crate::bench_support::{self, thread_cpu};
use crate::reference;

/// Rounds per pass and side.
pub const ROUNDS: usize = 7;
/// Target length of one round.
pub const ROUND_MS: u64 = 100;
/// How often the two sides alternate.
pub const PASSES: usize = 3;

/// Corpus folders holding the permission sets, relative to the corpus root.
pub const SET_FOLDERS: &[&str] = crate::corpus::SETS;

/// The audience of the `?aud=` variant of every include.
pub const BENCH_AUD: &str = "did:web:api.example.com%23svc";

const BSKY_SETS: &[&str] = &[
    "app.bsky.authCreatePosts",
    "app.bsky.authDeleteContent",
    "app.bsky.authFullApp",
    "app.bsky.authManageFeedDeclarations",
    "app.bsky.authManageLabelerService",
    "app.bsky.authManageModeration",
    "app.bsky.authManageNotifications",
    "app.bsky.authManageProfile",
    "app.bsky.authViewAll",
];

/// Environment variable marking the release re-execution of `bench-vs-reference --only sets`.
const INNER: &str = "LEXPERM_XTASK_BENCH_SETS_RELEASE";

/// The client scope of the token-scope benchmark: `atproto` and the ten Bluesky sets.
pub fn bluesky_client() -> String {
    let mut values = vec!["atproto".to_owned()];
    values.extend(
        BSKY_SETS
            .iter()
            .map(|s| format!("include:{s}?aud=did:web:api.bsky.app%23bsky_appview")),
    );
    values.push(
        "include:chat.bsky.authFullChatClient?aud=did:web:api.bsky.chat%23bsky_chat".to_owned(),
    );
    values.join(" ")
}

/// `bench-vs-reference --only sets`: re-runs itself from a release build, then [`run`].
pub fn run_task(root: &Path, args: &[String], corpus: &Path) -> Result<bool, String> {
    if let Some(verdict) = bench_support::rerun_in_release(
        root,
        args,
        INNER,
        "re-running bench-vs-reference --only sets from a release build of xtask",
    ) {
        return verdict;
    }
    let node = reference::ensure_installed(root)?;
    println!("reference: node {node}; lexperm: lexperm-resolver library (release)");
    run(root, corpus)
}

/// Per-iteration times of one side: every round's wall and CPU time.
#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Samples {
    fn min_wall(&self) -> Duration {
        self.wall.iter().copied().min().unwrap_or(Duration::ZERO)
    }
    fn min_cpu(&self) -> Duration {
        self.cpu.iter().copied().min().unwrap_or(Duration::ZERO)
    }
    fn median_wall(&self) -> Duration {
        let mut xs = self.wall.clone();
        xs.sort();
        xs.get(xs.len() / 2).copied().unwrap_or(Duration::ZERO)
    }
    fn add_reference(&mut self, timing: &Value) -> Result<(), String> {
        let list = |k: &str| -> Result<Vec<f64>, String> {
            timing[k]
                .as_array()
                .ok_or_else(|| format!("set-bench.mjs answer without `{k}`: {timing}"))?
                .iter()
                .map(|v| v.as_f64().ok_or_else(|| format!("bad `{k}` value {v}")))
                .collect()
        };
        let ns = |x: f64| Duration::from_nanos(x.round() as u64);
        self.wall
            .extend(list("round_ns_per_iter")?.into_iter().map(ns));
        self.cpu
            .extend(list("round_cpu_ns_per_iter")?.into_iter().map(ns));
        Ok(())
    }
}

/// Times `op` like `set-bench.mjs` does: warm-up that sizes a round, then [`ROUNDS`] rounds.
fn time_rounds(samples: &mut Samples, mut op: impl FnMut() -> usize) {
    let start = Instant::now();
    let mut iters: u32 = 0;
    while iters < 200 || start.elapsed() < Duration::from_millis(300) {
        std::hint::black_box(op());
        iters += 1;
    }
    let per_iter = start.elapsed() / iters;
    let k = (Duration::from_millis(ROUND_MS).as_nanos() / per_iter.as_nanos().max(1)).max(1) as u32;
    for _ in 0..ROUNDS {
        let cpu = thread_cpu();
        let t = Instant::now();
        for _ in 0..k {
            std::hint::black_box(op());
        }
        samples.wall.push(t.elapsed() / k);
        samples.cpu.push(thread_cpu().saturating_sub(cpu) / k);
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

fn format_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}

fn rate(n: usize, d: Duration) -> String {
    let r = n as f64 / d.as_secs_f64().max(1e-12);
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.1} k/s", r / 1e3)
    }
}

/// Runs the permission-set benchmark (call it from a release build). Returns `Ok(true)`; the
/// outputs of both sides are checked to be equal first.
pub fn run(root: &Path, corpus: &Path) -> Result<bool, String> {
    let folders: Vec<PathBuf> = SET_FOLDERS.iter().map(|f| corpus.join(f)).collect();
    if let Some(missing) = folders.iter().find(|f| !f.is_dir()) {
        return Err(format!(
            "corpus folder {} is missing\n  hint: run `cargo xtask corpus`, or pass --corpus <dir>",
            missing.display()
        ));
    }
    let mut files = Vec::new();
    for f in &folders {
        walk(f, &mut files)?;
    }
    files.sort();
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|t| (p.display().to_string(), t))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect::<Result<_, _>>()?;
    let (catalog, _) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (p, t))| (FileId(i as u32), p.as_str(), t.as_str())),
    );
    let mut nsids: Vec<String> = catalog
        .permission_sets()
        .map(|(d, _)| d.nsid_str().to_owned())
        .collect();
    nsids.sort();
    nsids.dedup();
    let includes: Vec<String> = nsids
        .iter()
        .flat_map(|n| {
            [
                format!("include:{n}"),
                format!("include:{n}?aud={BENCH_AUD}"),
            ]
        })
        .collect();
    let client = bluesky_client();

    let expand = || -> usize {
        includes
            .iter()
            .map(|i| {
                catalog
                    .expand_str(i)
                    .map_or(0, |e| e.granted_strings().len())
            })
            .sum()
    };
    let token = || -> Option<String> { catalog.token_scope(&client).token_scope() };
    let lex_granted = expand();
    let lex_token = token().ok_or_else(|| {
        format!(
            "lexperm issues no token for the Bluesky client: {:?}",
            catalog.token_scope(&client).errors
        )
    })?;

    let mut args: Vec<String> = vec![
        "set-bench.mjs".into(),
        ROUNDS.to_string(),
        ROUND_MS.to_string(),
        BENCH_AUD.into(),
        client.clone(),
    ];
    args.extend(folders.iter().map(|f| f.display().to_string()));
    let mut ref_expand = Samples::default();
    let mut ref_token = Samples::default();
    let mut lex_expand = Samples::default();
    let mut lex_token_samples = Samples::default();
    let mut checked = false;
    for _ in 0..PASSES {
        let out = Command::new("node")
            .args(&args)
            .current_dir(reference::reference_dir(root))
            .output()
            .map_err(|e| format!("cannot run node set-bench.mjs: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "node set-bench.mjs failed with {}:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let answer: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("set-bench.mjs output: {e}"))?;
        if !checked {
            let ref_sets: Vec<&str> = answer["sets"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if ref_sets != nsids {
                return Err(format!(
                    "the two sides found different permission sets:\n  reference {ref_sets:?}\n  lexperm   {nsids:?}"
                ));
            }
            if answer["granted"].as_u64() != Some(lex_granted as u64) {
                return Err(format!(
                    "expansion differs: the reference grants {} scopes, lexperm {lex_granted}",
                    answer["granted"]
                ));
            }
            if answer["token_scope"].as_str() != Some(lex_token.as_str()) {
                return Err(format!(
                    "token scope differs:\n  reference {}\n  lexperm   {lex_token}",
                    answer["token_scope"]
                ));
            }
            checked = true;
        }
        ref_expand.add_reference(&answer["expand"])?;
        ref_token.add_reference(&answer["token"])?;
        time_rounds(&mut lex_expand, expand);
        time_rounds(&mut lex_token_samples, || token().map_or(0, |s| s.len()));
    }

    println!(
        "\npermission sets: {} sets in {} ({}), {} include scopes (each set plain and with ?aud={BENCH_AUD}), {} scopes granted per pass",
        nsids.len(),
        SET_FOLDERS.join(", "),
        corpus.display(),
        includes.len(),
        lex_granted
    );
    println!(
        "  token scope: `atproto` + 10 Bluesky includes -> {} values; both sides give the same token scope",
        lex_token.split(' ').count()
    );
    println!(
        "  {:<40} {:>11} {:>11} {:>11} {:>13}",
        "in-process, per iteration", "min wall", "min cpu", "median wall", "rate (min wall)"
    );
    let rows = [
        (
            "expand all sets x2: reference",
            &ref_expand,
            includes.len(),
            "includes",
        ),
        (
            "expand all sets x2: lexperm",
            &lex_expand,
            includes.len(),
            "includes",
        ),
        ("token scope, 10 sets: reference", &ref_token, 1, "tokens"),
        (
            "token scope, 10 sets: lexperm",
            &lex_token_samples,
            1,
            "tokens",
        ),
    ];
    for (label, s, n, unit) in rows {
        println!(
            "  {:<40} {:>11} {:>11} {:>11} {:>9} {unit}",
            label,
            format_time(s.min_wall()),
            format_time(s.min_cpu()),
            format_time(s.median_wall()),
            rate(n, s.min_wall()),
        );
    }
    let ratio = |r: Duration, l: Duration| r.as_secs_f64() / l.as_secs_f64().max(1e-12);
    println!(
        "  ratio lexperm/reference (min wall, min cpu): expand {:.1}x {:.1}x, token scope {:.1}x {:.1}x",
        ratio(ref_expand.min_wall(), lex_expand.min_wall()),
        ratio(ref_expand.min_cpu(), lex_expand.min_cpu()),
        ratio(ref_token.min_wall(), lex_token_samples.min_wall()),
        ratio(ref_token.min_cpu(), lex_token_samples.min_cpu()),
    );
    println!(
        "  (method: min of {} rounds per side, {PASSES} alternating passes x {ROUNDS} rounds of ~{ROUND_MS} ms after a warm-up; node startup and loading excluded)",
        PASSES * ROUNDS
    );
    Ok(true)
}
