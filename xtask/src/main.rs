//! Development tasks: `cargo xtask <task>`. Never a dependency of the shipped crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod bench_breaking;
mod bench_pull;
mod bench_sets;
mod bench_support;
mod codegen_fresh;
mod conformance;
mod corpus;
mod fuzz;
mod gen_corpus;
mod generate;
mod lexperm;
mod pd_conformance;
mod pd_corpus;
mod pd_reference;
mod piped;
mod prng;
mod realistic;
mod reference;
mod scope_lib;
mod set_conformance;
mod set_generate;
mod space_generate;
mod testenv;

#[cfg(test)]
#[path = "../../tests/support/corpus.rs"]
mod test_corpus;

const TASKS: &str = "\
  conformance          compare lexperm with @atproto/oauth-scopes on generated scope strings
                       and permission checks
                         --seed N            generator seed (default 0x1e89e22)
                         --scopes N          number of scope strings (default 60000)
                         --allows N          number of allows checks (default 10000)
                         --sets N            number of whole scope strings (default 3000)
                         --write-regressions FILE   save disagreeing inputs
                         --set-docs N        generated permission sets (default 2000), each
                                             expanded as include:<nsid> and include:<nsid>?aud=
                         --clients N         client scope strings for token scopes (default 1000)
                         --write-set-regressions FILE   save disagreeing sets and client scopes
                         --only scopes|sets|pd  run one part only (pd: the
                                             --pd-reference part)
                         --pd-reference DIR  also compare lexperm's default (permissioned-data)
                                             mode with that build of @atproto/oauth-scopes
                                             (its oracle.mjs; DIR is copied to
                                             target/pd-reference): space: scopes, space checks,
                                             sets with space entries, the generators above; and
                                             `--reference 0.5.12` with the released reference
                                             on the space inputs
                         --space-scopes N    space: scope strings (default 24000)
                         --space-allows N    space checks (default 12000)
                         --space-sets N      sets with space entries (default 1500)
  bench-vs-reference   time scope normalization (and lint, when `lexperm lint` exists) against
                       the reference; runs from a release build
                         --seed N  --count N (default 100000)  --rounds N (default 7)
                         --runs N (whole-process runs, default 3)  --corpus DIR
                         --enforce           exit 1 when a target (20x / 15x / 20 MiB) is missed
                         --only sets         only the permission-set part (include: expansion of
                                             the corpus sets, Bluesky token scope)
                         --pd-reference DIR  also time a space: list against that permissioned-data
                                             build (copied to target/pd-reference; without the
                                             flag an earlier copy there is used)
  bench-breaking       time whole-process `lexperm breaking` of the atproto corpus against a copy
                       with real-looking edits, next to `lexperm lint` of the same files
                       (release build; targets: breaking < 50 ms and <= 2x lint)
                         --runs N (best of N, default 15)  --corpus DIR
                         --enforce           exit 1 when a target is missed
  bench-pull           time whole-process `lexperm pull` of a permission set with 50
                       dependencies from the test environment (`testenv up` first), with
                       --jobs 1 and 8, and count the requests; then a second pull (pins kept)
                       and `pull --ci` (release build)
                         --runs N (best of N, default 5)  --count N (records, default 50)
  corpus               install the pinned npm packages of xtask/corpus/ and extract their
                       lexicon documents into target/corpus/<set>/ (the real-world corpus of
                       the tests and benchmarks); does nothing when up to date
                         --force             reinstall and extract again
  gen-corpus           N [--out DIR] [--seed S]: write N synthetic lexicons
  gen-scopes           print the generated scope strings, one per line
                         --seed N  --count N  --category (prefix each line with its category)
                         --realistic [--corpus DIR]  the realistic list of bench-vs-reference
  testenv              install|up [--authority DOMAIN]…|down|status: a local PDS, PLC directory and
                       DNS server on 127.0.0.1 for the network tests
  codegen-fresh        build lexperm-example four times (again, after touching a lexicon, again):
                       exit 1 unless its build script reruns only for the touched lexicon
  pd-corpus            lexperm on the permissioned-data corpus: lint the bulletin sample (no
                       error), expand its sets as the reference does, generate Rust from it and
                       compile it, lint the atproto permissioned-data lexicons (no error),
                       classify the @atproto/lex-document vectors
                         --bulletin DIR      the bulletin sample's lexicons
                         --lexicons DIR      the atproto permissioned-data lexicons
                         --vectors FILE…     lexicon-valid.json / lexicon-invalid.json
                         --reference DIR     copied to target/pd-reference (then npm ci) when
                                             that is not installed yet
  fuzz                 [--seconds N] [TARGET…]: write seed corpora from lexicons/ and fixtures/,
                       build the cargo-fuzz targets of fuzz/ (`cargo +nightly fuzz`) and run
                       each for N seconds (default 60); reports executions and crashes per
                       target, exit 1 on any crash (inputs under target/fuzz/artifacts/)
                         --seeds-only        only write target/fuzz/seeds/<target>/
                       targets: scope_parse, load_lexicon, car_proof, cache_entry (default: all)
  help                 this list";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprintln!("usage: cargo xtask <task>\n\ntasks:\n{TASKS}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "help" | "--help" | "-h" => {
            println!("tasks:\n{TASKS}");
            Ok(true)
        }
        "conformance" => conformance_task(rest),
        "bench-vs-reference" => bench_task(rest),
        "bench-breaking" => bench_breaking::parse(rest)
            .and_then(|opts| bench_breaking::run(&workspace_root(), &opts)),
        "bench-pull" => {
            bench_pull::parse(rest).and_then(|opts| bench_pull::run_bench(&workspace_root(), &opts))
        }
        "corpus" => corpus::run(&workspace_root(), rest).map(|()| true),
        "gen-corpus" => gen_corpus::run(rest).map(|()| true),
        "gen-scopes" => gen_scopes(rest),
        "testenv" => testenv::run(rest).map(|()| true).map_err(|e| e.to_string()),
        "codegen-fresh" => codegen_fresh::run(&workspace_root()),
        "pd-corpus" => pd_corpus_task(rest),
        "fuzz" => fuzz_task(rest),
        other => Err(format!("unknown task `{other}`\n\ntasks:\n{TASKS}")),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (the parent of `xtask/`).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Minimal `--flag value` parser: returns the flags in order, rejecting unknown ones.
struct Flags<'a> {
    args: &'a [String],
    pos: usize,
}

impl<'a> Flags<'a> {
    fn new(args: &'a [String]) -> Self {
        Flags { args, pos: 0 }
    }

    fn next_flag(&mut self) -> Option<&'a str> {
        let flag = self.args.get(self.pos)?;
        self.pos += 1;
        Some(flag.as_str())
    }

    fn value(&mut self, flag: &str) -> Result<&'a str, String> {
        let v = self
            .args
            .get(self.pos)
            .ok_or_else(|| format!("{flag} needs a value"))?;
        self.pos += 1;
        Ok(v.as_str())
    }

    fn number(&mut self, flag: &str) -> Result<u64, String> {
        let v = self.value(flag)?;
        let parsed = match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => v.replace('_', "").parse(),
        };
        parsed.map_err(|_| format!("{flag}: `{v}` is not a number"))
    }
}

fn fuzz_task(args: &[String]) -> Result<bool, String> {
    let mut options = fuzz::Options {
        seconds: 60,
        seeds_only: false,
        targets: Vec::new(),
    };
    let mut flags = Flags::new(args);
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--seconds" => options.seconds = flags.number(flag)?,
            "--seeds-only" => options.seeds_only = true,
            other if other.starts_with("--") => {
                return Err(format!("fuzz: unknown option `{other}`"))
            }
            target => options.targets.push(target.to_owned()),
        }
    }
    fuzz::run(&workspace_root(), &options)
}

fn pd_corpus_task(args: &[String]) -> Result<bool, String> {
    let (mut bulletin, mut lexicons, mut vectors, mut reference) = (None, None, Vec::new(), None);
    let mut flags = Flags::new(args);
    let mut in_vectors = false;
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--bulletin" => bulletin = Some(PathBuf::from(flags.value(flag)?)),
            "--lexicons" => lexicons = Some(PathBuf::from(flags.value(flag)?)),
            "--reference" => reference = Some(PathBuf::from(flags.value(flag)?)),
            "--vectors" => {
                vectors.push(PathBuf::from(flags.value(flag)?));
                in_vectors = true;
                continue;
            }
            value if in_vectors && !value.starts_with("--") => {
                vectors.push(PathBuf::from(value));
                continue;
            }
            other => return Err(format!("pd-corpus: unknown argument `{other}`")),
        }
        in_vectors = false;
    }
    let opts = pd_corpus::Options {
        bulletin: bulletin.ok_or("pd-corpus needs --bulletin DIR")?,
        lexicons: lexicons.ok_or("pd-corpus needs --lexicons DIR")?,
        vectors,
        reference,
    };
    if opts.vectors.is_empty() {
        return Err("pd-corpus needs --vectors FILE…".to_owned());
    }
    pd_corpus::run(&workspace_root(), &opts)
}

fn conformance_task(args: &[String]) -> Result<bool, String> {
    let mut opts = conformance::Options::default();
    let mut set_opts = set_conformance::Options::default();
    let mut only = None;
    let mut pd_source: Option<PathBuf> = None;
    let mut space_counts: [Option<usize>; 3] = [None; 3];
    let mut flags = Flags::new(args);
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--seed" => {
                opts.seed = flags.number(flag)?;
                set_opts.seed = opts.seed;
            }
            "--set-docs" => set_opts.sets = flags.number(flag)? as usize,
            "--clients" => set_opts.clients = flags.number(flag)? as usize,
            "--write-set-regressions" => {
                set_opts.write_regressions = Some(PathBuf::from(flags.value(flag)?));
            }
            "--only" => match flags.value(flag)? {
                v @ ("scopes" | "sets" | "pd") => only = Some(v),
                v => {
                    return Err(format!(
                        "conformance: --only takes scopes, sets or pd, not `{v}`"
                    ))
                }
            },
            "--pd-reference" => pd_source = Some(PathBuf::from(flags.value(flag)?)),
            "--space-scopes" => space_counts[0] = Some(flags.number(flag)? as usize),
            "--space-allows" => space_counts[1] = Some(flags.number(flag)? as usize),
            "--space-sets" => space_counts[2] = Some(flags.number(flag)? as usize),
            "--scopes" => opts.scopes = flags.number(flag)? as usize,
            "--allows" => opts.allows = flags.number(flag)? as usize,
            "--sets" => opts.sets = flags.number(flag)? as usize,
            "--write-regressions" => {
                opts.write_regressions = Some(PathBuf::from(flags.value(flag)?));
            }
            other => return Err(format!("conformance: unknown option `{other}`")),
        }
    }
    let root = workspace_root();
    if only == Some("pd") && pd_source.is_none() {
        return Err("conformance: --only pd needs --pd-reference DIR".to_string());
    }
    let runs = |part: &str| only.is_none() || only == Some(part);
    let scopes_ok = !runs("scopes") || conformance::run(&root, &opts)?;
    let sets_ok = !runs("sets") || set_conformance::run(&root, &set_opts)?;
    let pd_ok = match pd_source.filter(|_| runs("pd")) {
        Some(source) => {
            let mut pd = pd_conformance::Options::new(
                source,
                opts.seed,
                opts.scopes,
                opts.allows,
                set_opts.sets,
            );
            pd.space_scopes = space_counts[0].unwrap_or(pd.space_scopes);
            pd.space_allows = space_counts[1].unwrap_or(pd.space_allows);
            pd.space_sets = space_counts[2].unwrap_or(pd.space_sets);
            pd_conformance::run(&root, &pd)?
        }
        None => true,
    };
    Ok(scopes_ok && sets_ok && pd_ok)
}

fn bench_task(args: &[String]) -> Result<bool, String> {
    let mut opts = bench::Options::default();
    let mut only_sets = false;
    let mut flags = Flags::new(args);
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--only" => match flags.value(flag)? {
                "sets" => only_sets = true,
                v => return Err(format!("bench-vs-reference: --only takes sets, not `{v}`")),
            },
            "--seed" => opts.seed = flags.number(flag)?,
            "--count" => opts.count = flags.number(flag)? as usize,
            "--rounds" => opts.rounds = (flags.number(flag)? as usize).max(1),
            "--runs" => opts.runs = (flags.number(flag)? as usize).max(1),
            "--corpus" => opts.corpus = PathBuf::from(flags.value(flag)?),
            "--enforce" => opts.enforce = true,
            "--pd-reference" => opts.pd_reference = Some(PathBuf::from(flags.value(flag)?)),
            other => return Err(format!("bench-vs-reference: unknown option `{other}`")),
        }
    }
    if only_sets {
        return bench_sets::run_task(&workspace_root(), args, &opts.corpus);
    }
    bench::run(&workspace_root(), args, &opts)
}

fn gen_scopes(args: &[String]) -> Result<bool, String> {
    let mut seed = 0x1E8_9E22;
    let mut count = 24_000;
    let mut with_category = false;
    let mut realistic_corpus: Option<PathBuf> = None;
    let mut flags = Flags::new(args);
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--seed" => seed = flags.number(flag)?,
            "--count" => count = flags.number(flag)? as usize,
            "--category" => with_category = true,
            "--realistic" => {
                realistic_corpus.get_or_insert_with(|| bench::Options::default().corpus);
            }
            "--corpus" => realistic_corpus = Some(PathBuf::from(flags.value(flag)?)),
            other => return Err(format!("gen-scopes: unknown option `{other}`")),
        }
    }
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(corpus) = realistic_corpus {
        for line in realistic::scope_list(&corpus, seed, count)? {
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        return Ok(true);
    }
    for case in generate::scope_corpus(seed, count) {
        let written = if with_category {
            writeln!(out, "{}\t{}", case.category, case.input)
        } else {
            writeln!(out, "{}", case.input)
        };
        if written.is_err() {
            break; // closed pipe (e.g. `| head`)
        }
    }
    Ok(true)
}
