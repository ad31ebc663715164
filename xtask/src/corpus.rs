//! `cargo xtask corpus`: the real-world lexicon corpus the tests and benchmarks read.
//!
//! The pinned npm packages of `xtask/corpus/` (`package.json`, `package-lock.json`) are installed
//! with `npm ci` into `target/corpus/node_modules`; `xtask/corpus/extract.mjs` prints their lexicon
//! documents, and each is written pretty-printed to `target/corpus/<set>/<nsid path>.json`
//! (`app.bsky.feed.post` → `app/bsky/feed/post.json`). `target/corpus/sets.json` records which
//! package (and version) each set's documents came from. A stamp file holding a hash of the inputs
//! makes a second run with unchanged inputs do nothing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use lexperm_parser::syntax::Nsid;
use serde_json::Value;

use crate::reference::tool_version;

/// The corpus sets `extract.mjs` produces, each a folder of `target/corpus`.
pub const SETS: &[&str] = &["atproto", "hypercerts"];

/// Files of `xtask/corpus/` that decide what `npm ci` installs.
const PACKAGE_FILES: &[&str] = &["package.json", "package-lock.json", ".npmrc"];
/// The extraction script, also part of the extraction stamp.
const SCRIPT: &str = "extract.mjs";
/// Holds the hash of [`PACKAGE_FILES`] once `npm ci` succeeded.
const INSTALL_STAMP: &str = ".install-stamp";
/// Holds the hash of [`PACKAGE_FILES`] and [`SCRIPT`] once every set is written.
const STAMP: &str = ".stamp";

/// `xtask/corpus`: the committed package files and the extraction script.
fn source_dir(root: &Path) -> PathBuf {
    root.join("xtask").join("corpus")
}

/// `target/corpus`: installed packages, stamps and the extracted sets.
pub fn output_dir(root: &Path) -> PathBuf {
    root.join("target").join("corpus")
}

/// Where the tasks that read the corpus look by default: `$LEXPERM_CORPUS`, else `target/corpus`.
pub fn default_dir() -> PathBuf {
    match std::env::var_os("LEXPERM_CORPUS") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => output_dir(&crate::workspace_root()),
    }
}

/// Runs the task; `--force` reinstalls and re-extracts even when the stamps match.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let mut force = false;
    for arg in args {
        match arg.as_str() {
            "--force" => force = true,
            other => return Err(format!("corpus: unknown option `{other}`")),
        }
    }
    let src = source_dir(root);
    let out = output_dir(root);
    let install_key = hash_files(&src, PACKAGE_FILES)?;
    let key = hash_files(&src, &[PACKAGE_FILES, &[SCRIPT]].concat())?;
    let complete = SETS.iter().all(|set| out.join(set).is_dir());
    if !force && complete && read_stamp(&out.join(STAMP)).as_deref() == Some(key.as_str()) {
        eprintln!("corpus: {} is up to date", out.display());
        return Ok(());
    }

    let node = tool_version("node")?;
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let _ = fs::remove_file(out.join(STAMP));
    if force || read_stamp(&out.join(INSTALL_STAMP)).as_deref() != Some(install_key.as_str()) {
        install(&src, &out)?;
        write(&out.join(INSTALL_STAMP), &install_key)?;
    }

    eprintln!("corpus: extracting lexicon documents (node {node})");
    let output = Command::new("node")
        .arg(src.join(SCRIPT))
        .arg(out.join("node_modules"))
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "node {SCRIPT} failed with {}:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|e| format!("{SCRIPT} output is not UTF-8: {e}"))?;
    let sets = collect(&text)?;

    let mut summary = serde_json::Map::new();
    for (set, docs) in &sets {
        let dir = out.join(set);
        let tmp = out.join(format!("{set}.tmp"));
        remove_dir(&tmp)?;
        let mut packages: BTreeMap<&str, u64> = BTreeMap::new();
        for (path, (package, doc)) in docs {
            let file = tmp.join(path);
            if let Some(parent) = file.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let mut json = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
            json.push('\n');
            write(&file, &json)?;
            *packages.entry(package.as_str()).or_default() += 1;
        }
        remove_dir(&dir)?;
        fs::rename(&tmp, &dir).map_err(|e| format!("cannot move {}: {e}", tmp.display()))?;
        eprintln!("corpus: {} ({} documents)", dir.display(), docs.len());
        summary.insert(
            set.clone(),
            serde_json::json!({ "documents": docs.len(), "packages": packages }),
        );
    }
    let mut json =
        serde_json::to_string_pretty(&Value::Object(summary)).map_err(|e| e.to_string())?;
    json.push('\n');
    write(&out.join("sets.json"), &json)?;
    write(&out.join(STAMP), &key)
}

/// One set's documents by relative file path: (source package, document).
type SetDocs = BTreeMap<PathBuf, (String, Value)>;

/// Reads the JSON lines of `extract.mjs` into sets, checking each document's NSID and that no set
/// holds one twice.
fn collect(text: &str) -> Result<BTreeMap<String, SetDocs>, String> {
    let mut sets: BTreeMap<String, SetDocs> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let mut entry: Value =
            serde_json::from_str(line).map_err(|e| format!("{SCRIPT} line {}: {e}", i + 1))?;
        let set = entry["set"].as_str().unwrap_or_default().to_string();
        if !SETS.contains(&set.as_str()) {
            return Err(format!("{SCRIPT} line {}: unknown set {set:?}", i + 1));
        }
        let package = entry["package"].as_str().unwrap_or_default().to_string();
        let doc = entry["doc"].take();
        let id = doc["id"].as_str().unwrap_or_default();
        let nsid = Nsid::parse(id)
            .map_err(|e| format!("{SCRIPT} line {} ({package}): id {id:?}: {e}", i + 1))?;
        let mut path: PathBuf = nsid.as_str().split('.').collect();
        path.set_extension("json");
        let docs = sets.entry(set.clone()).or_default();
        if docs.insert(path, (package, doc)).is_some() {
            return Err(format!(
                "{SCRIPT}: {} appears twice in set {set}",
                nsid.as_str()
            ));
        }
    }
    for set in SETS {
        if !sets.contains_key(*set) {
            return Err(format!("{SCRIPT} produced no documents for set {set}"));
        }
    }
    Ok(sets)
}

/// Copies the package files to `out` and runs `npm ci` there (no install scripts: only the
/// packages' files are needed).
fn install(src: &Path, out: &Path) -> Result<(), String> {
    tool_version("npm")?;
    for file in PACKAGE_FILES {
        fs::copy(src.join(file), out.join(file))
            .map_err(|e| format!("cannot copy {file} to {}: {e}", out.display()))?;
    }
    eprintln!("corpus: npm ci in {}", out.display());
    crate::reference::npm_ci(out, &["--ignore-scripts"])
}

/// A hex SHA-256 over the names and contents of `files` in `dir`.
fn hash_files(dir: &Path, files: &[&str]) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for file in files {
        let bytes =
            fs::read(dir.join(file)).map_err(|e| format!("{}/{file}: {e}", dir.display()))?;
        hasher.update(file.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn read_stamp(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok().map(|s| s.trim().to_string())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn remove_dir(path: &Path) -> Result<(), String> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}
