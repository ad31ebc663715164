//! `cargo xtask pd-corpus`: lexperm on the permissioned-data corpus.
//!
//! 1. lints the bulletin sample's lexicons: no error;
//! 2. expands every permission set there as the permissioned-data reference does (`oracle.mjs
//!    expand`, from `target/pd-reference`, copied from `--reference` and installed when missing);
//! 3. generates Rust from those lexicons and compiles it with `rustc --crate-type lib`;
//! 4. lints the atproto permissioned-data lexicons: no error;
//! 5. classifies every `@atproto/lex-document` vector: valid documents have no error of the loader
//!    and per-file rules, invalid ones at least one (catalog rules, about what an authorization
//!    server grants, are printed as notes).

use std::path::{Path, PathBuf};
use std::process::Command;

use lexperm_lint::Source;
use lexperm_parser::diagnostics::{FileId, Severity};
use serde_json::Value;

/// What the task reads.
pub struct Options {
    /// The bulletin sample's lexicon folder.
    pub bulletin: PathBuf,
    /// The atproto permissioned-data lexicon folder.
    pub lexicons: PathBuf,
    /// `lexicon-valid.json` / `lexicon-invalid.json` files (validity from the file name).
    pub vectors: Vec<PathBuf>,
    /// The reference folder to copy into `target/pd-reference` when that is missing.
    pub reference: Option<PathBuf>,
}

/// Runs every check; `Ok(false)` when one fails (each failure is printed).
pub fn run(root: &Path, opts: &Options) -> Result<bool, String> {
    let mut ok = true;
    let bulletin = read_folder(&opts.bulletin)?;
    ok &= report("lint bulletin", &lint_errors(&bulletin, true));
    ok &= report(
        "expand bulletin sets like the reference",
        &expand_differences(root, opts, &bulletin)?,
    );
    ok &= report(
        "generate Rust from bulletin and compile it",
        &compile_generated(root, &opts.bulletin)?,
    );
    let atproto = read_folder(&opts.lexicons)?;
    ok &= report(
        "lint atproto permissioned-data",
        &lint_errors(&atproto, true),
    );
    let mut misclassified = Vec::new();
    let mut cases = 0;
    for file in &opts.vectors {
        let (count, wrong) = classify(file)?;
        cases += count;
        misclassified.extend(wrong);
    }
    ok &= report(
        &format!("classify {cases} lex-document vectors"),
        &misclassified,
    );
    Ok(ok)
}

/// Prints `ok` or the problems under the check's name; true when there are none.
fn report(check: &str, problems: &[String]) -> bool {
    if problems.is_empty() {
        println!("ok    {check}");
        return true;
    }
    println!("FAIL  {check}: {} problem(s)", problems.len());
    for problem in problems {
        println!("      {problem}");
    }
    false
}

/// Every `*.json` file under `dir` with its text, sorted by path.
fn read_folder(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries =
            std::fs::read_dir(&current).map_err(|e| format!("{}: {e}", current.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                files.push((path.display().to_string(), text));
            }
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{}: no lexicon files", dir.display()));
    }
    Ok(files)
}

/// The lint errors (all rules, default severities) of `files` linted as one catalog, as
/// `path: CODE/name: message`. Without `paths` the file-path rule is skipped (the names are
/// only labels).
fn lint_errors(files: &[(String, String)], paths: bool) -> Vec<String> {
    let sources: Vec<Source> = files
        .iter()
        .enumerate()
        .map(|(index, (path, text))| Source {
            file: FileId(index as u32),
            path: paths.then_some(path.as_str()),
            text: text.as_str(),
        })
        .collect();
    let (results, _) = lexperm_lint::lint_with_catalog(&sources);
    let mut errors = Vec::new();
    for (file, diagnostics) in results {
        let path = &files[file.0 as usize].0;
        for d in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            errors.push(format!("{path}: {}/{}: {}", d.code, d.name, d.message));
        }
    }
    errors
}

/// `target/pd-reference` with its packages installed: copied from `reference` and installed
/// with `npm ci --omit=dev` when missing.
fn reference_dir(root: &Path, reference: Option<&Path>) -> Result<PathBuf, String> {
    let dir = root.join("target").join("pd-reference");
    if dir
        .join("node_modules")
        .join("@atproto")
        .join("syntax")
        .is_dir()
    {
        return Ok(dir);
    }
    let source = reference.ok_or_else(|| {
        format!(
            "{} is not installed; give --reference DIR (the permissioned-data reference) to copy it",
            dir.display()
        )
    })?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let status = Command::new("cp")
        .arg("-r")
        .arg(source.join("."))
        .arg(&dir)
        .status()
        .map_err(|e| format!("cannot run cp: {e}"))?;
    if !status.success() {
        return Err(format!(
            "copying {} to {} failed",
            source.display(),
            dir.display()
        ));
    }
    println!(
        "installing the reference: npm ci --omit=dev in {}",
        dir.display()
    );
    crate::reference::npm_ci(&dir, &["--omit=dev"])?;
    Ok(dir)
}

/// Differences between lexperm's and the reference's expansion of every permission set in
/// `files`, each as `include:<nsid>` and with an audience.
fn expand_differences(
    root: &Path,
    opts: &Options,
    files: &[(String, String)],
) -> Result<Vec<String>, String> {
    let mut includes = Vec::new();
    for (_, text) in files {
        let Ok(doc) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        if doc["defs"]["main"]["type"] == "permission-set" {
            if let Some(nsid) = doc["id"].as_str() {
                includes.push(format!("include:{nsid}"));
                includes.push(format!("include:{nsid}?aud=did:web:api.example.com%23svc"));
            }
        }
    }
    if includes.is_empty() {
        return Ok(vec!["no permission set found".to_owned()]);
    }
    let reference = reference_dir(root, opts.reference.as_deref())?;
    let bulletin = std::fs::canonicalize(&opts.bulletin)
        .map_err(|e| format!("{}: {e}", opts.bulletin.display()))?;
    let mut stdin = includes.join("\n").into_bytes();
    stdin.push(b'\n');
    let expand = Path::new("expand");
    let (out, _) =
        crate::reference::run_node_in(&reference, "oracle.mjs", &[expand, &bulletin], stdin)?;
    let answers: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("oracle output: {e}"))?;
    if answers.len() != includes.len() {
        return Err(format!(
            "oracle answered {} of {} includes",
            answers.len(),
            includes.len()
        ));
    }
    let sources: Vec<(FileId, &str, &str)> = files
        .iter()
        .enumerate()
        .map(|(i, (path, text))| (FileId(i as u32), path.as_str(), text.as_str()))
        .collect();
    let (catalog, _) = lexperm_resolver::Catalog::load(sources);
    let mut differences = Vec::new();
    for (include, answer) in includes.iter().zip(&answers) {
        let expected: Option<Vec<String>> = answer["granted"].as_array().map(|granted| {
            granted
                .iter()
                .map(|s| s.as_str().unwrap_or("<not a string>").to_owned())
                .collect()
        });
        let actual = catalog
            .expand_str(include)
            .map(|expansion| expansion.granted_strings())
            .ok();
        if actual != expected {
            differences.push(format!(
                "{include}: lexperm {actual:?}, reference {expected:?}"
            ));
        } else {
            println!(
                "      {include}: {} scope(s), same",
                actual.map_or(0, |a| a.len())
            );
        }
    }
    Ok(differences)
}

/// Problems generating Rust from `dir` and compiling it as a `#![no_std]` library.
fn compile_generated(root: &Path, dir: &Path) -> Result<Vec<String>, String> {
    let code = match lexperm_codegen::Builder::new()
        .lexicons(dir)
        .emit_rerun_if_changed(false)
        .generate_string()
    {
        Ok(code) => code,
        Err(err) => return Ok(vec![format!("generation failed: {err}")]),
    };
    let work = root.join("target").join("xtask-pd-corpus");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    std::fs::write(work.join("scopes.rs"), &code).map_err(|e| e.to_string())?;
    std::fs::write(
        work.join("gen.rs"),
        "#![no_std]\n#![deny(warnings)]\n//! Generated constants.\n/// The scopes.\npub mod scopes { include!(\"scopes.rs\"); }\n",
    )
    .map_err(|e| e.to_string())?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let out = Command::new(rustc)
        .args(["--edition", "2021", "--crate-type", "lib", "gen.rs"])
        .current_dir(&work)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    if !out.status.success() {
        return Ok(vec![format!(
            "rustc failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )]);
    }
    let spaces = code.matches("//! The space type `").count();
    let sets = code.matches("//! The permission set `").count();
    println!(
        "      {} lines, {spaces} space type(s), {sets} permission set(s); compiled",
        code.lines().count()
    );
    Ok(Vec::new())
}

/// Lints each case of a `lexicon-{valid,invalid}.json` vector file on its own; returns the number
/// of cases and the misclassified ones.
fn classify(file: &Path) -> Result<(usize, Vec<String>), String> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let valid = if name.contains("invalid") {
        false
    } else if name.contains("valid") {
        true
    } else {
        return Err(format!(
            "{}: the name must say `valid` or `invalid`",
            file.display()
        ));
    };
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let cases: Vec<Value> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut wrong = Vec::new();
    for case in &cases {
        let case_name = case["name"].as_str().unwrap_or("<unnamed>");
        let doc = serde_json::to_string_pretty(&case["lexicon"]).map_err(|e| e.to_string())?;
        // Validity of the document itself: the loader and the per-file rules (what
        // `@atproto/lex-document` checks); the catalog rules judge what an authorization server
        // grants and are shown as notes.
        let loaded = lexperm_lint::lint_file(FileId(0), &doc);
        let errors: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}/{}: {}", d.code, d.name, d.message))
            .collect();
        if errors.is_empty() == valid {
            println!(
                "      {name}: `{case_name}`: {}",
                errors.first().map_or("no error", String::as_str)
            );
        } else {
            wrong.push(match valid {
                true => format!(
                    "{name}: `{case_name}`: valid, lexperm: {}",
                    errors.join("; ")
                ),
                false => format!("{name}: `{case_name}`: invalid, lexperm finds no error"),
            });
        }
        let catalog_errors: Vec<String> = lint_errors(&[(case_name.to_owned(), doc)], false)
            .into_iter()
            .filter(|e| !errors.iter().any(|f| e.ends_with(f.as_str())))
            .collect();
        for note in catalog_errors {
            println!("        note (catalog rule): {note}");
        }
    }
    Ok((cases.len(), wrong))
}
