//! `cargo xtask fuzz`: seed corpora made from the repository's own inputs, then each cargo-fuzz
//! target of `fuzz/` run for a fixed time, with executions and crashes reported per target.
//!
//! Everything lives under `target/fuzz/`: `build/` (the instrumented build), `seeds/<target>/`
//! (written again on every run), `corpus/<target>/` (what libFuzzer found, kept between runs),
//! `artifacts/<target>/` (crashing, timing-out and out-of-memory inputs) and `logs/<target>.log`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lexperm_datamodel::test_support::proof_example;
use lexperm_datamodel::varint;
use lexperm_net::cache::CachedLexicon;
use sha2::{Digest, Sha256};

/// The targets of `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: [&str; 4] = ["scope_parse", "load_lexicon", "car_proof", "cache_entry"];

/// Separates the parts of a `car_proof` input in mode 2 (the same bytes as the target's
/// `SEPARATOR`).
const CAR_PROOF_SEPARATOR: &[u8] = b"\xff\xff\xff\xff";

/// Most seeds written per target; larger sets are thinned evenly.
const MAX_SEEDS: usize = 1500;

/// Largest file used as a seed, in bytes.
const MAX_SEED_SIZE: u64 = 64 * 1024;

/// Seconds one input may run before libFuzzer reports it as a timeout.
const INPUT_TIMEOUT_SECS: u64 = 10;

/// What `cargo xtask fuzz` was asked to do.
#[derive(Debug)]
pub struct Options {
    /// How long each target runs.
    pub seconds: u64,
    /// Only write the seed corpora.
    pub seeds_only: bool,
    /// The targets to run (all when empty).
    pub targets: Vec<String>,
}

/// One target's run.
struct Outcome {
    target: &'static str,
    runs: Option<u64>,
    crash: Option<String>,
}

/// Writes the seeds, builds the targets and runs each for `options.seconds`. `Ok(false)` when a
/// target crashed.
pub fn run(root: &Path, options: &Options) -> Result<bool, String> {
    let targets = selected(&options.targets)?;
    let dir = root.join("target/fuzz");
    for &target in &targets {
        let seeds = seeds(root, target)?;
        let count = write_seeds(&dir.join("seeds").join(target), &seeds)?;
        println!("{target}: {count} seeds");
    }
    if options.seeds_only {
        return Ok(true);
    }
    build(root, &dir.join("build"))?;
    let mut outcomes = Vec::new();
    for &target in &targets {
        outcomes.push(run_target(&dir, target, options.seconds)?);
    }
    println!("\n{:<14} {:>14} {:>8}", "target", "executions", "crashes");
    for outcome in &outcomes {
        let runs = outcome
            .runs
            .map_or_else(|| "?".to_owned(), |runs| runs.to_string());
        let crashes = usize::from(outcome.crash.is_some());
        println!("{:<14} {runs:>14} {crashes:>8}", outcome.target);
    }
    let mut clean = true;
    for outcome in &outcomes {
        if let Some(crash) = &outcome.crash {
            println!("{}: {crash}", outcome.target);
            clean = false;
        }
    }
    Ok(clean)
}

/// The known targets among `names`, or all of them.
fn selected(names: &[String]) -> Result<Vec<&'static str>, String> {
    if names.is_empty() {
        return Ok(TARGETS.to_vec());
    }
    names
        .iter()
        .map(|name| {
            TARGETS.iter().find(|t| *t == name).copied().ok_or_else(|| {
                format!(
                    "unknown fuzz target `{name}` (known: {})",
                    TARGETS.join(", ")
                )
            })
        })
        .collect()
}

/// `cargo +nightly fuzz build` of every target into `target_dir`.
fn build(root: &Path, target_dir: &Path) -> Result<(), String> {
    let status = Command::new("cargo")
        .args([
            "+nightly",
            "fuzz",
            "build",
            "--fuzz-dir",
            "fuzz",
            "--target-dir",
        ])
        .arg(target_dir)
        .current_dir(root)
        .env_remove("RUSTUP_TOOLCHAIN")
        .status()
        .map_err(|e| format!("cannot run `cargo +nightly fuzz`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "`cargo +nightly fuzz build` failed ({status}); cargo-fuzz needs `cargo install --locked \
             cargo-fuzz` and the nightly toolchain"
        ))
    }
}

/// The built binary of `target` under `target_dir/<triple>/release/`.
fn binary(target_dir: &Path, target: &str) -> Result<PathBuf, String> {
    let entries = fs::read_dir(target_dir)
        .map_err(|e| format!("cannot read {}: {e}", target_dir.display()))?;
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("release").join(target))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("no build of `{target}` under {}", target_dir.display()))
}

/// Runs `target` for `seconds` over its corpus and seeds; the log goes to `logs/<target>.log`.
fn run_target(dir: &Path, target: &'static str, seconds: u64) -> Result<Outcome, String> {
    let corpus = dir.join("corpus").join(target);
    let artifacts = dir.join("artifacts").join(target);
    let logs = dir.join("logs");
    for path in [&corpus, &artifacts, &logs] {
        fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    }
    let log_path = logs.join(format!("{target}.log"));
    let log = fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    println!(
        "\n==> {target} for {seconds} s (log: {})",
        log_path.display()
    );
    let mut artifact_prefix = artifacts.into_os_string();
    artifact_prefix.push("/");
    let status = Command::new(binary(&dir.join("build"), target)?)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .arg("-print_final_stats=1")
        .arg({
            let mut flag = std::ffi::OsString::from("-artifact_prefix=");
            flag.push(&artifact_prefix);
            flag
        })
        .arg(&corpus)
        .arg(dir.join("seeds").join(target))
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot run the `{target}` fuzzer: {e}"))?;
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let runs = executions(&text);
    let crash = (!status.success()).then(|| {
        let artifact = text
            .lines()
            .find_map(|line| {
                line.split_once("Test unit written to ")
                    .map(|(_, p)| p.trim())
            })
            .unwrap_or("no input saved");
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        eprintln!("{}", tail.join("\n"));
        format!("{status}; input: {artifact}")
    });
    Ok(Outcome {
        target,
        runs,
        crash,
    })
}

/// The number of executions a libFuzzer log reports (`stat::number_of_executed_units`, or the
/// last `#N` status line).
fn executions(log: &str) -> Option<u64> {
    let stat = log.lines().find_map(|line| {
        line.strip_prefix("stat::number_of_executed_units:")
            .and_then(|n| n.trim().parse().ok())
    });
    stat.or_else(|| {
        log.lines().rev().find_map(|line| {
            let rest = line.strip_prefix('#')?;
            rest.split_whitespace().next()?.parse().ok()
        })
    })
}

/// Replaces the files of `dir` with `seeds`, each named by its hash; returns how many.
fn write_seeds(dir: &Path, seeds: &BTreeSet<Vec<u8>>) -> Result<usize, String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let step = seeds.len().div_ceil(MAX_SEEDS).max(1);
    let mut count = 0;
    for seed in seeds.iter().step_by(step) {
        let digest = Sha256::digest(seed);
        let name: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let path = dir.join(name);
        fs::write(&path, seed).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        count += 1;
    }
    Ok(count)
}

/// The seed inputs of `target`, from the repository's lexicons, fixtures and test builders.
fn seeds(root: &Path, target: &str) -> Result<BTreeSet<Vec<u8>>, String> {
    let mut seeds = BTreeSet::new();
    match target {
        "scope_parse" => {
            // Every column of the scope fixture tables: inputs, canonical forms, error names.
            for path in scope_tables(&root.join("fixtures/scope"))? {
                let text = read(&path)?;
                for line in text.lines().filter(|line| !line.starts_with('#')) {
                    seeds.extend(line.split('\t').map(|field| field.as_bytes().to_vec()));
                }
            }
        }
        "load_lexicon" => {
            // Bytes as they are: a fixture that is not UTF-8 is a seed too.
            for path in lexicon_files(root)? {
                seeds.insert(
                    fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                );
            }
        }
        "cache_entry" => {
            for path in lexicon_files(root)? {
                // Only a UTF-8 lexicon can be a record; the others are `load_lexicon` seeds.
                let Ok(text) = fs::read_to_string(&path) else {
                    continue;
                };
                if let Some(entry) = cache_entry(&text) {
                    seeds.insert(entry);
                }
            }
        }
        "car_proof" => seeds.extend(car_proof_seeds()),
        other => return Err(format!("no seeds for `{other}`")),
    }
    seeds.remove(&Vec::new());
    Ok(seeds)
}

/// The lexicon files of `lexicons/` and `fixtures/` up to [`MAX_SEED_SIZE`], sorted.
fn lexicon_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    for dir in [root.join("lexicons"), root.join("fixtures")] {
        crate::realistic::json_files(&dir, &mut found)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    }
    found.retain(|path| fs::metadata(path).is_ok_and(|m| m.len() <= MAX_SEED_SIZE));
    found.sort();
    Ok(found)
}

/// The `*.txt` scope tables in `dir`, sorted.
fn scope_tables(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    found.sort();
    Ok(found)
}

/// A cache entry holding the lexicon `text` with its real CID, as `ResolutionCache::put`
/// writes it; `None` when `text` is not a lexicon record.
fn cache_entry(text: &str) -> Option<Vec<u8>> {
    let record: serde_json::Value = serde_json::from_str(text).ok()?;
    let nsid = record.get("id")?.as_str()?.to_owned();
    let cid = lexperm_codegen::records::schema_record(&record)
        .ok()?
        .cid()
        .to_string();
    let entry = CachedLexicon {
        did: "did:plc:abc".to_owned(),
        pds: "http://127.0.0.1:2583".to_owned(),
        uri: format!("at://did:plc:abc/com.atproto.lexicon.schema/{nsid}"),
        nsid,
        cid,
        record,
        fetched_at: 1_800_000_000,
    };
    serde_json::to_vec_pretty(&entry).ok()
}

/// Seeds for each mode of the `car_proof` target (its first byte), from one valid proof.
fn car_proof_seeds() -> Vec<Vec<u8>> {
    let example = proof_example();
    let with_mode = |mode: u8, parts: &[&[u8]]| {
        let mut seed = vec![mode];
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                seed.extend_from_slice(CAR_PROOF_SEPARATOR);
            }
            seed.extend_from_slice(part);
        }
        seed
    };
    let path = format!("{}/{}", example.collection, example.rkey);
    let nodes: Vec<&[u8]> = example
        .mst_nodes
        .iter()
        .map(|(_, bytes)| bytes.as_slice())
        .collect();
    let mut seeds = vec![with_mode(0, &[&example.car])];
    // Mode 1: the CAR header and every block, for the decoder.
    let mut at = 0;
    let header_len = varint::decode(&example.car, &mut at).expect("a CAR starts with a varint");
    seeds.push(with_mode(1, &[&example.car[at..at + header_len as usize]]));
    seeds.extend(nodes.iter().map(|node| with_mode(1, &[node])));
    let mut mst = vec![path.as_bytes()];
    mst.extend(nodes.iter().copied());
    seeds.push(with_mode(2, &mst));
    // Mode 3: `type`, a zero byte, `publicKeyMultibase`.
    let point = example.key.verifying_key().to_encoded_point(false);
    let legacy = format!("z{}", bs58::encode(point.as_bytes()).into_string());
    for (kind, multibase) in [
        ("Multikey", example.key_multibase.clone()),
        ("EcdsaSecp256k1VerificationKey2019", legacy),
        ("Multikey", example.record_cid.to_string()),
    ] {
        seeds.push(with_mode(3, &[format!("{kind}\0{multibase}").as_bytes()]));
    }
    seeds
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executions_come_from_the_final_stats_or_the_last_status_line() {
        let done = "#4096\tpulse  cov: 10\n#9000\tNEW cov: 12\nDone 9001 runs in 1 second(s)\n\
                    stat::number_of_executed_units: 9001\n";
        assert_eq!(executions(done), Some(9001));
        assert_eq!(
            executions("#12\tINITED cov: 3\n#40\tNEW cov: 4\n==1== ERROR"),
            Some(40)
        );
        assert_eq!(executions("nothing"), None);
    }

    #[test]
    fn every_target_has_seeds() {
        let root = crate::workspace_root();
        for target in TARGETS {
            assert!(!seeds(&root, target).unwrap().is_empty(), "{target}");
        }
        assert!(selected(&["nope".to_owned()]).is_err());
    }
}
