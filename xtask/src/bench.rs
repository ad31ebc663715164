//! `cargo xtask bench-vs-reference`: lexperm and the TypeScript reference side by side on the same
//! inputs, in one run.
//!
//! Scope normalization is timed on two lists, the generator's hostile-heavy mix and the realistic
//! list of [`realistic`] (what clients send and servers store), each four ways: the reference
//! inside node (startup excluded) and as a whole process (`normalize-cli.mjs`), lexperm in-process
//! through the library and as a whole process (`lexperm scope normalize --format json`). When the CLI has `lexperm lint`, whole-process lint of
//! the public corpus is compared with `@atproto/lexicon` loading the same files, and lexperm's peak
//! memory is measured with GNU time.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::bench_support::{
    self, ms, peak_rss_kib, thread_cpu, time_process, walkdir_json_count, Timing,
};
use crate::generate;
use crate::lexperm::{self, Profile};
use crate::realistic;
use crate::reference;
use crate::scope_lib;

/// Environment variable marking the release re-execution of the task.
const INNER: &str = "LEXPERM_XTASK_BENCH_RELEASE";

/// The corpus folders of the lint comparison, relative to the corpus root: every set of
/// `cargo xtask corpus`.
pub const LINT_FOLDERS: &[&str] = crate::corpus::SETS;

/// Command-line options of the task.
pub struct Options {
    /// Generator seed.
    pub seed: u64,
    /// Number of scope strings.
    pub count: usize,
    /// Timed in-process rounds (best reported).
    pub rounds: usize,
    /// Whole-process runs (best reported).
    pub runs: usize,
    /// Lexicon corpus root for the lint comparison.
    pub corpus: PathBuf,
    /// Exit 1 when a target is missed.
    pub enforce: bool,
    /// The permissioned-data reference folder for the `space:` list (copied to
    /// `target/pd-reference`); without it an earlier copy there is used when present.
    pub pd_reference: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0x1E8_9E22,
            count: 100_000,
            rounds: 7,
            runs: 3,
            corpus: crate::corpus::default_dir(),
            enforce: false,
            pd_reference: None,
        }
    }
}

/// Runs the benchmark. In a debug build of the xtask it re-runs itself with `--release`, so the
/// in-process figure is an optimized build.
pub fn run(root: &Path, args: &[String], opts: &Options) -> Result<bool, String> {
    if let Some(verdict) = bench_support::rerun_in_release(
        root,
        args,
        INNER,
        "re-running bench-vs-reference from a release build of xtask",
    ) {
        return verdict;
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
    let pd = match &opts.pd_reference {
        Some(source) => Some(crate::pd_reference::install(root, source)?),
        None => Some(crate::pd_reference::install_dir(root))
            .filter(|d| d.join("node_modules").is_dir() && d.join("dist").is_dir()),
    };
    let mut ok = scope_bench(root, &bin, opts, pd.as_deref())?;
    ok &= lint_bench(root, &bin, opts)?;
    ok &= crate::bench_sets::run(root, &opts.corpus)?;
    Ok(ok || !opts.enforce)
}

/// The best round: the minimum wall time and the minimum CPU time over the rounds (min-of-N is
/// the figure least disturbed by other load on a shared machine).
fn best(xs: Vec<Timing>) -> Timing {
    Timing {
        wall: xs.iter().map(|t| t.wall).min().unwrap_or_default(),
        cpu: xs.iter().map(|t| t.cpu).min().unwrap_or_default(),
    }
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

/// Median round of the reference's in-process normalization, from one `bench_normalize` answer.
fn reference_rounds(answer: &Value) -> Result<(Timing, usize), String> {
    let list = |k: &str| -> Result<Vec<u64>, String> {
        Ok(answer[k]
            .as_array()
            .ok_or_else(|| format!("bad bench answer: {answer}"))?
            .iter()
            .filter_map(Value::as_u64)
            .collect())
    };
    let walls = list("round_ns")?;
    let cpus = list("round_cpu_us")?;
    if walls.is_empty() || walls.len() != cpus.len() {
        return Err(format!("bad bench answer: {answer}"));
    }
    let rounds = walls
        .iter()
        .zip(&cpus)
        .map(|(w, c)| Timing {
            wall: Duration::from_nanos(*w),
            cpu: Duration::from_micros(*c),
        })
        .collect();
    Ok((best(rounds), answer["valid"].as_u64().unwrap_or(0) as usize))
}

/// Which lexperm API the in-process loop goes through.
#[derive(Clone, Copy)]
enum LexpermPath {
    /// `normalize_into` with one reused buffer.
    Fast,
    /// `Scope::parse` + `to_string()`.
    ParseDisplay,
}

/// Best round of lexperm's in-process normalization (one warm-up round).
///
/// The inputs are first copied into one buffer, in list order: the reference gets its strings
/// from `JSON.parse`, which lays them out one after the other, while the generators shuffle a
/// `Vec<String>` (the pointers, not the text), so walking it reads memory in random order, and
/// on the realistic list those cache misses cost lexperm twice the normalizing itself.
///
/// With `scattered`, the generator's strings are used where they are (shown for comparison).
fn lexperm_rounds(
    inputs: &[String],
    rounds: usize,
    path: LexpermPath,
    scattered: bool,
) -> (Timing, usize) {
    let mut text = String::with_capacity(inputs.iter().map(String::len).sum());
    let mut ranges = Vec::with_capacity(inputs.len());
    for input in inputs {
        let start = text.len();
        text.push_str(input);
        ranges.push(start..text.len());
    }
    let inputs: Vec<&str> = if scattered {
        inputs.iter().map(String::as_str).collect()
    } else {
        ranges.into_iter().map(|r| &text[r]).collect()
    };
    let inputs = inputs.as_slice();
    let mut timings = Vec::new();
    let mut valid = 0;
    for round in 0..=rounds {
        let cpu = thread_cpu();
        let start = Instant::now();
        valid = match path {
            LexpermPath::Fast => scope_lib::normalize_into_count_valid(inputs),
            LexpermPath::ParseDisplay => scope_lib::normalize_count_valid(inputs),
        };
        let wall = start.elapsed();
        let cpu = thread_cpu().saturating_sub(cpu);
        if round > 0 {
            timings.push(Timing { wall, cpu });
        }
    }
    (best(timings), valid)
}

/// The ratios lexperm/reference of one scope list (wall, CPU).
struct ListRatios {
    in_wall: f64,
    in_cpu: f64,
    whole_wall: f64,
    whole_cpu: f64,
}

/// The reference build a list is timed against.
#[derive(Clone, Copy)]
struct RefSide<'a> {
    /// The folder of a build of `@atproto/oauth-scopes` (`None`: the pinned package).
    package: Option<&'a Path>,
}

impl RefSide<'_> {
    /// The folder argument of the harness scripts.
    fn args(&self) -> Vec<&Path> {
        self.package.into_iter().collect()
    }
}

fn scope_bench(root: &Path, bin: &Path, opts: &Options, pd: Option<&Path>) -> Result<bool, String> {
    let released = RefSide { package: None };
    let corpus = generate::scope_corpus(opts.seed, opts.count);
    let generated: Vec<String> = corpus.into_iter().map(|c| c.input).collect();
    let realistic = realistic::scope_list(&opts.corpus, opts.seed, opts.count)?;
    let hostile = list_bench(
        root,
        bin,
        opts,
        released,
        "generated (hostile-heavy) list",
        "scopes.txt",
        &generated,
    )?;
    let real = list_bench(
        root,
        bin,
        opts,
        released,
        "realistic list (corpus permission sets + typical granular scopes, canonical and not)",
        "scopes-realistic.txt",
        &realistic,
    )?;
    let space = match pd {
        Some(dir) => {
            let list = realistic::space_list(opts.seed, SPACE_LIST_SETS, opts.count)?;
            Some(list_bench(
                root,
                bin,
                opts,
                RefSide { package: Some(dir) },
                &format!(
                    "space list (typical space: grants + space entries of {SPACE_LIST_SETS} generated sets, canonical and not; permissioned-data reference in {})",
                    dir.display()
                ),
                "scopes-space.txt",
                &list,
            )?)
        }
        None => {
            println!(
                "\nspace list: skipped (no permissioned-data reference; pass --pd-reference DIR)"
            );
            None
        }
    };
    println!(
        "
scope normalize summary, ratio lexperm/reference (wall, cpu):"
    );
    let mut met = true;
    for (label, r) in [("generated", &hostile), ("realistic", &real)] {
        let ok = r.in_wall >= 20.0 && r.whole_wall >= 20.0;
        met &= ok;
        println!(
            "  {label:<10} in-process {:>5.1}x {:>5.1}x   whole process {:>5.1}x {:>5.1}x   target >= 20x (wall, both): {}",
            r.in_wall,
            r.in_cpu,
            r.whole_wall,
            r.whole_cpu,
            if ok { "met" } else { "NOT met" }
        );
    }
    if let Some(r) = &space {
        let ok = r.in_wall >= 20.0;
        met &= ok;
        println!(
            "  {:<10} in-process {:>5.1}x {:>5.1}x   whole process {:>5.1}x {:>5.1}x   target >= 20x (wall, in-process): {}",
            "space",
            r.in_wall,
            r.in_cpu,
            r.whole_wall,
            r.whole_cpu,
            if ok { "met" } else { "NOT met" }
        );
    }
    Ok(met)
}

/// Generated sets whose space entries feed the space list.
const SPACE_LIST_SETS: usize = 400;

fn list_bench(
    root: &Path,
    bin: &Path,
    opts: &Options,
    reference: RefSide,
    title: &str,
    file_name: &str,
    inputs: &[String],
) -> Result<ListRatios, String> {
    let n = inputs.len();
    let dir = root.join("target").join("xtask-bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join(file_name);
    let mut text = inputs.join("\n");
    text.push('\n');
    std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
    let (valid_set, invalid_set): (Vec<String>, Vec<String>) =
        inputs.iter().cloned().partition(|s| scope_lib::is_valid(s));

    // In-process, on the whole mix and on its valid and invalid parts.
    let mut sets: Vec<(&str, &[String])> = vec![("all", inputs)];
    if !valid_set.is_empty() && !invalid_set.is_empty() {
        sets.push(("valid only", &valid_set));
        sets.push(("invalid only", &invalid_set));
    }
    let requests: Vec<Value> = sets
        .iter()
        .map(|(_, set)| {
            json!({"op": "bench_normalize", "inputs": set, "rounds": opts.rounds, "warmup": 1})
        })
        .collect();
    let run = reference::run_harness_with(root, "scopes.mjs", &reference.args(), &requests)?;
    let mut rows = Vec::new();
    for ((label, set), answer) in sets.iter().zip(&run.answers) {
        let (reference, ref_valid) = reference_rounds(answer)?;
        let (lexperm, lex_valid) = lexperm_rounds(set, opts.rounds, LexpermPath::Fast, false);
        let (slow, _) = lexperm_rounds(set, opts.rounds, LexpermPath::ParseDisplay, false);
        rows.push((
            *label,
            set.len(),
            reference,
            ref_valid,
            lexperm,
            lex_valid,
            slow,
        ));
    }

    // The first set again, with the strings where the generator left them.
    let (scattered, _) = lexperm_rounds(sets[0].1, opts.rounds, LexpermPath::Fast, true);

    // Whole processes, same stdin file.
    let refdir = reference::reference_dir(root);
    let (ref_whole, ref_bytes) = time_process(
        || {
            let mut c = Command::new("node");
            c.arg("normalize-cli.mjs")
                .args(reference.args())
                .current_dir(&refdir);
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

    let ratio = |r: Duration, l: Duration| r.as_secs_f64() / l.as_secs_f64().max(1e-9);
    let (_, _, ref_all, ref_valid, lex_all, lex_valid, _) = rows[0];
    println!(
        "\nscope normalize, {title}: {n} strings (seed {:#x}; reference: {ref_valid} valid, lexperm: {lex_valid} valid; {})",
        opts.seed,
        file.display()
    );
    println!(
        "  {:<34} {:>10} {:>10} {:>12} {:>12}",
        "", "wall", "cpu", "strings/s", "strings/s"
    );
    println!(
        "  {:<34} {:>10} {:>10} {:>12} {:>12}",
        "", "", "", "(wall)", "(cpu)"
    );
    let line = |label: String, count: usize, t: Timing| {
        println!(
            "  {:<34} {:>10} {:>10} {:>12} {:>12}",
            label,
            ms(t.wall),
            ms(t.cpu),
            fmt_rate(per_sec(count, t.wall)),
            fmt_rate(per_sec(count, t.cpu))
        );
    };
    for (label, count, reference, _, lexperm, _, slow) in &rows {
        line(
            format!("reference in-process, {label} ({count})"),
            *count,
            *reference,
        );
        line(format!("lexperm normalize_into, {label}"), *count, *lexperm);
        line(format!("lexperm parse+Display, {label}"), *count, *slow);
    }
    line(
        "lexperm normalize_into, all, scattered".to_string(),
        n,
        scattered,
    );
    line("reference whole process".to_string(), n, ref_whole);
    line("lexperm whole process".to_string(), n, lex_whole);
    println!(
        "  output: reference {} bytes of JSON lines, lexperm {} bytes",
        ref_bytes.len(),
        lex_bytes.len()
    );
    println!("  ratio lexperm/reference (wall, cpu):");
    for (label, _, reference, _, lexperm, _, slow) in &rows {
        println!(
            "    in-process {label:<14} {:>6.1}x {:>6.1}x   (parse+Display: {:.1}x {:.1}x)",
            ratio(reference.wall, lexperm.wall),
            ratio(reference.cpu, lexperm.cpu),
            ratio(reference.wall, slow.wall),
            ratio(reference.cpu, slow.cpu)
        );
    }
    let whole_wall = ratio(ref_whole.wall, lex_whole.wall);
    let whole_cpu = ratio(ref_whole.cpu, lex_whole.cpu);
    println!("    whole process             {whole_wall:>6.1}x {whole_cpu:>6.1}x");
    println!(
        "    (in-process all with lexperm's inputs scattered as generated: {:.1}x {:.1}x)",
        ratio(rows[0].2.wall, scattered.wall),
        ratio(rows[0].2.cpu, scattered.cpu)
    );
    let in_wall = ratio(ref_all.wall, lex_all.wall);
    let in_cpu = ratio(ref_all.cpu, lex_all.cpu);
    println!(
        "  (in-process: best of {} rounds after 1 warm-up, wall and CPU minimum taken separately, CPU = \
         thread time; whole process: best of {} runs, CPU = user+system of the child at 10 ms \
         resolution)",
        opts.rounds, opts.runs
    );
    if ref_valid != lex_valid {
        println!("  note: the valid counts differ; run `cargo xtask conformance` for details");
    }
    Ok(ListRatios {
        in_wall,
        in_cpu,
        whole_wall,
        whole_cpu,
    })
}

fn lexperm_has_lint(bin: &Path) -> bool {
    Command::new(bin)
        .args(["lint", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn lint_bench(root: &Path, bin: &Path, opts: &Options) -> Result<bool, String> {
    if !lexperm_has_lint(bin) {
        println!("\nlint: skipped (this lexperm has no `lint` command yet)");
        return Ok(true);
    }
    let folders: Vec<PathBuf> = LINT_FOLDERS.iter().map(|f| opts.corpus.join(f)).collect();
    if let Some(missing) = folders.iter().find(|f| !f.is_dir()) {
        return Err(format!(
            "lint corpus folder {} is missing\n  hint: run `cargo xtask corpus`, or pass --corpus <dir>",
            missing.display()
        ));
    }
    let files: usize = folders
        .iter()
        .map(|f| walkdir_json_count(f).map_err(|e| format!("{}: {e}", f.display())))
        .sum::<Result<usize, String>>()?;

    let refdir = reference::reference_dir(root);
    let (ref_whole, ref_out) = time_process(
        || {
            let mut c = Command::new("node");
            c.arg("lint.mjs").args(&folders).current_dir(&refdir);
            c
        },
        None,
        opts.runs,
        &[0],
    )?;
    let ref_summary: Value =
        serde_json::from_slice(&ref_out).map_err(|e| format!("node lint.mjs output: {e}"))?;
    let ref_inside = Duration::from_nanos(ref_summary["ns"].as_u64().unwrap_or(0));
    let (lex_whole, lex_out) = time_process(
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

    let ratio = ref_whole.wall.as_secs_f64() / lex_whole.wall.as_secs_f64().max(1e-9);
    let ratio_cpu = ref_whole.cpu.as_secs_f64() / lex_whole.cpu.as_secs_f64().max(1e-9);
    println!(
        "\nlint: {files} lexicon files in {} folders under {}",
        folders.len(),
        opts.corpus.display()
    );
    println!(
        "  reference (@atproto/lexicon parseLexiconDoc + Lexicons.add): whole process {} wall, {} cpu (inside node {}); accepted {}, rejected {}",
        ms(ref_whole.wall),
        ms(ref_whole.cpu),
        ms(ref_inside),
        ref_summary["accepted"],
        ref_summary["rejected"]
    );
    println!(
        "  lexperm lint --format json: whole process {} wall, {} cpu; {} bytes of JSON",
        ms(lex_whole.wall),
        ms(lex_whole.cpu),
        lex_out.len()
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
        "  ratio lexperm/reference (whole process): wall {ratio:.1}x, cpu {ratio_cpu:.1}x (target >= 15x, wall: {})",
        if ratio >= 15.0 { "met" } else { "NOT met" }
    );
    Ok(ratio >= 15.0 && rss_ok)
}
