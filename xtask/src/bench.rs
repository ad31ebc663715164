//! `cargo xtask bench-vs-reference`: lexperm and the TypeScript reference side by side on the same
//! inputs, in one run.
//!
//! Scope normalization is timed four ways: the reference inside node (startup excluded) and as a whole
//! process (`normalize-cli.mjs`), lexperm in-process through the library and as a whole process
//! (`lexperm scope normalize --format json`). When the CLI has `lexperm lint`, whole-process lint of
//! the public corpus is compared with `@atproto/lexicon` loading the same files, and lexperm's peak
//! memory is measured with GNU time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::generate;
use crate::lexperm::{self, Profile};
use crate::reference;
use crate::scope_lib;

/// Environment variable marking the release re-execution of the task.
const INNER: &str = "LEXPERM_XTASK_BENCH_RELEASE";

/// The corpus folders of the lint comparison, relative to the corpus root.
pub const LINT_FOLDERS: &[&str] = &[
    "atproto-lexicons",
    "hypercerts-org-hypercerts-lexicon",
    "lexicon-community-lexicon",
    "mary-ext-tangled.sh-mirror",
    "mary-ext-atcute",
];

/// Command-line options of the task.
pub struct Options {
    /// Generator seed.
    pub seed: u64,
    /// Number of scope strings.
    pub count: usize,
    /// Timed in-process rounds (median reported).
    pub rounds: usize,
    /// Whole-process runs (best reported).
    pub runs: usize,
    /// Lexicon corpus root for the lint comparison.
    pub corpus: PathBuf,
    /// Exit 1 when a target is missed.
    pub enforce: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0x1E8_9E22,
            count: 100_000,
            rounds: 5,
            runs: 3,
            corpus: PathBuf::from("/work/shared/corpus"),
            enforce: false,
        }
    }
}

/// Runs the benchmark. In a debug build of the xtask it re-runs itself with `--release`, so the
/// in-process figure is an optimized build.
pub fn run(root: &Path, args: &[String], opts: &Options) -> Result<bool, String> {
    if cfg!(debug_assertions) && std::env::var_os(INNER).is_none() {
        eprintln!("re-running bench-vs-reference from a release build of xtask");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let status = Command::new(cargo)
            .current_dir(root)
            .args(["run", "--release", "--quiet", "-p", "xtask", "--"])
            .arg("bench-vs-reference")
            .args(args)
            .env(INNER, "1")
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        return match status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(format!("release bench-vs-reference failed with {status}")),
        };
    }

    let node = reference::ensure_installed(root)?;
    let versions = reference::run_harness(root, "scopes.mjs", &[json!({"op": "version"})])?;
    let versions = versions.answers[0].clone();
    let bin = lexperm::build_cli(root, Profile::Release)?;
    println!(
        "reference: @atproto/oauth-scopes {}, @atproto/lexicon {}, node {node}; lexperm: {}",
        versions["oauth-scopes"].as_str().unwrap_or("?"),
        versions["lexicon"].as_str().unwrap_or("?"),
        bin.display()
    );
    let mut ok = scope_bench(root, &bin, opts)?;
    ok &= lint_bench(root, &bin, opts)?;
    Ok(ok || !opts.enforce)
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn fmt_rate(r: f64) -> String {
    if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.1} k/s", r / 1e3)
    }
}

/// Spawns `cmd` with `stdin_file` as stdin, discards stdout, and returns the wall time of the best
/// of `runs` runs plus the last run's stdout size.
fn time_process(
    mut make: impl FnMut() -> Command,
    stdin_file: Option<&Path>,
    runs: usize,
    ok_codes: &[i32],
) -> Result<(Duration, usize), String> {
    let mut best = Duration::MAX;
    let mut size = 0;
    for _ in 0..runs.max(1) {
        let mut cmd = make();
        if let Some(f) = stdin_file {
            let file = std::fs::File::open(f).map_err(|e| format!("{}: {e}", f.display()))?;
            cmd.stdin(Stdio::from(file));
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {cmd:?}: {e}"))?;
        let wall = start.elapsed();
        if !out.status.code().is_some_and(|c| ok_codes.contains(&c)) {
            return Err(format!(
                "{cmd:?} failed with {}:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        size = out.stdout.len();
        best = best.min(wall);
    }
    Ok((best, size))
}

fn scope_bench(root: &Path, bin: &Path, opts: &Options) -> Result<bool, String> {
    let corpus = generate::scope_corpus(opts.seed, opts.count);
    let inputs: Vec<String> = corpus.into_iter().map(|c| c.input).collect();
    let n = inputs.len();
    let dir = root.join("target").join("xtask-bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("scopes.txt");
    let mut text = inputs.join("\n");
    text.push('\n');
    std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;

    // Reference in-process.
    let req =
        json!({"op": "bench_normalize", "inputs": inputs, "rounds": opts.rounds, "warmup": 1});
    let run = reference::run_harness(root, "scopes.mjs", &[req])?;
    let answer = &run.answers[0];
    let ref_rounds: Vec<Duration> = answer["round_ns"]
        .as_array()
        .ok_or_else(|| format!("bad bench answer: {answer}"))?
        .iter()
        .filter_map(Value::as_u64)
        .map(Duration::from_nanos)
        .collect();
    if ref_rounds.is_empty() {
        return Err(format!("bad bench answer: {answer}"));
    }
    let ref_valid = answer["valid"].as_u64().unwrap_or(0) as usize;
    let ref_in = median(ref_rounds);

    // lexperm in-process.
    let mut lex_rounds = Vec::new();
    let mut lex_valid = 0;
    for round in 0..=opts.rounds {
        let start = Instant::now();
        let valid = scope_lib::normalize_count_valid(&inputs);
        let took = start.elapsed();
        lex_valid = valid;
        if round > 0 {
            lex_rounds.push(took);
        }
    }
    let lex_in = median(lex_rounds);

    // Whole processes, same stdin file.
    let refdir = reference::reference_dir(root);
    let (ref_whole, ref_bytes) = time_process(
        || {
            let mut c = Command::new("node");
            c.arg("normalize-cli.mjs").current_dir(&refdir);
            c
        },
        Some(&file),
        opts.runs,
        &[0],
    )?;
    let (lex_whole, lex_bytes) = time_process(
        || {
            let mut c = Command::new(bin);
            c.args(["scope", "normalize", "--format", "json"]);
            c
        },
        Some(&file),
        opts.runs,
        &[0, 1],
    )?;

    let in_ratio = ref_in.as_secs_f64() / lex_in.as_secs_f64().max(1e-9);
    let whole_ratio = ref_whole.as_secs_f64() / lex_whole.as_secs_f64().max(1e-9);
    println!(
        "\nscope normalize: {n} strings (seed {:#x}; reference: {ref_valid} valid, lexperm: {lex_valid} valid)",
        opts.seed
    );
    println!(
        "  {:<28} {:>12} {:>14} {:>14}",
        "", "time", "throughput", "output bytes"
    );
    println!(
        "  {:<28} {:>10.1}ms {:>14} {:>14}",
        "reference in-process",
        ref_in.as_secs_f64() * 1e3,
        fmt_rate(per_sec(n, ref_in)),
        "-"
    );
    println!(
        "  {:<28} {:>10.1}ms {:>14} {:>14}",
        "lexperm in-process (lib)",
        lex_in.as_secs_f64() * 1e3,
        fmt_rate(per_sec(n, lex_in)),
        "-"
    );
    println!(
        "  {:<28} {:>10.1}ms {:>14} {:>14}",
        "reference whole process",
        ref_whole.as_secs_f64() * 1e3,
        fmt_rate(per_sec(n, ref_whole)),
        ref_bytes
    );
    println!(
        "  {:<28} {:>10.1}ms {:>14} {:>14}",
        "lexperm whole process",
        lex_whole.as_secs_f64() * 1e3,
        fmt_rate(per_sec(n, lex_whole)),
        lex_bytes
    );
    println!(
        "  ratio lexperm/reference: in-process {in_ratio:.1}x, whole process {whole_ratio:.1}x (target >= 20x: {})",
        if in_ratio >= 20.0 && whole_ratio >= 20.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "  (in-process: median of {} rounds after 1 warm-up; whole process: best of {} runs)",
        opts.rounds, opts.runs
    );
    if ref_valid != lex_valid {
        println!("  note: the valid counts differ; run `cargo xtask conformance` for details");
    }
    Ok(in_ratio >= 20.0 && whole_ratio >= 20.0)
}

fn lexperm_has_lint(bin: &Path) -> bool {
    Command::new(bin)
        .args(["lint", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Peak RSS in KiB of one run of `cmd`, measured by GNU time (`/usr/bin/time -v`).
fn peak_rss_kib(program: &Path, args: &[PathBuf]) -> Result<Option<u64>, String> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        return Ok(None);
    }
    let out = Command::new(time)
        .arg("-v")
        .arg(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run /usr/bin/time: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok()))
}

fn lint_bench(root: &Path, bin: &Path, opts: &Options) -> Result<bool, String> {
    if !lexperm_has_lint(bin) {
        println!("\nlint: skipped (this lexperm has no `lint` command yet)");
        return Ok(true);
    }
    let folders: Vec<PathBuf> = LINT_FOLDERS.iter().map(|f| opts.corpus.join(f)).collect();
    if let Some(missing) = folders.iter().find(|f| !f.is_dir()) {
        return Err(format!(
            "lint corpus folder {} is missing\n  hint: pass --corpus <dir>",
            missing.display()
        ));
    }
    let files: usize = folders
        .iter()
        .map(|f| walkdir_json_count(f).map_err(|e| format!("{}: {e}", f.display())))
        .sum::<Result<usize, String>>()?;

    let refdir = reference::reference_dir(root);
    let mut ref_inside = Duration::MAX;
    let mut ref_summary = Value::Null;
    let (ref_whole, _) = time_process(
        || {
            let mut c = Command::new("node");
            c.arg("lint.mjs").args(&folders).current_dir(&refdir);
            c
        },
        None,
        opts.runs,
        &[0],
    )?;
    for _ in 0..opts.runs.max(1) {
        let out = Command::new("node")
            .arg("lint.mjs")
            .args(&folders)
            .current_dir(&refdir)
            .output()
            .map_err(|e| format!("cannot run node lint.mjs: {e}"))?;
        let summary: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("node lint.mjs output: {e}"))?;
        let ns = summary["ns"].as_u64().unwrap_or(u64::MAX);
        ref_inside = ref_inside.min(Duration::from_nanos(ns));
        ref_summary = summary;
    }
    let (lex_whole, lex_bytes) = time_process(
        || {
            let mut c = Command::new(bin);
            c.arg("lint").args(&folders).args(["--format", "json"]);
            c
        },
        None,
        opts.runs,
        &[0, 1],
    )?;
    let mut rss_args = vec![PathBuf::from("lint")];
    rss_args.extend(folders.iter().cloned());
    rss_args.push("--format".into());
    rss_args.push("json".into());
    let rss = peak_rss_kib(bin, &rss_args)?;

    let ratio = ref_whole.as_secs_f64() / lex_whole.as_secs_f64().max(1e-9);
    println!(
        "\nlint: {files} lexicon files in {} folders under {}",
        folders.len(),
        opts.corpus.display()
    );
    println!(
        "  reference (@atproto/lexicon parseLexiconDoc + Lexicons.add): whole process {:.1}ms (inside node {:.1}ms), accepted {}, rejected {}",
        ref_whole.as_secs_f64() * 1e3,
        ref_inside.as_secs_f64() * 1e3,
        ref_summary["accepted"],
        ref_summary["rejected"]
    );
    println!(
        "  lexperm lint --format json: whole process {:.1}ms, {} bytes of JSON",
        lex_whole.as_secs_f64() * 1e3,
        lex_bytes
    );
    let rss_ok = match rss {
        Some(kib) => {
            println!(
                "  lexperm peak RSS: {:.1} MiB (target < 20 MiB: {})",
                kib as f64 / 1024.0,
                if kib < 20 * 1024 { "met" } else { "NOT met" }
            );
            kib < 20 * 1024
        }
        None => {
            println!("  lexperm peak RSS: not measured (install GNU time: apt-get install time)");
            true
        }
    };
    println!(
        "  ratio lexperm/reference (whole process): {ratio:.1}x (target >= 15x: {})",
        if ratio >= 15.0 { "met" } else { "NOT met" }
    );
    Ok(ratio >= 15.0 && rss_ok)
}

fn walkdir_json_count(dir: &Path) -> std::io::Result<usize> {
    let mut n = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            n += walkdir_json_count(&path)?;
        } else if ty.is_file() && path.extension().is_some_and(|e| e == "json") {
            n += 1;
        }
    }
    Ok(n)
}
