//! Permission-set part of `cargo xtask conformance`: generated permission sets are written into a
//! lexicons folder and their `include:` scopes expanded by the real `lexperm expand` binary and by
//! the reference (`IncludeScope.fromString(s).toScopes(set)`, `xtask/reference/set-expand.mjs`).
//! Whole client scope strings over the same sets are turned into token scopes by
//! `Catalog::token_scope` and by `@atproto/oauth-provider`'s `LexiconManager`
//! (`xtask/reference/token-scope.mjs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use lexperm_parser::diagnostics::FileId;
use lexperm_resolver::{Catalog, ExpandError, TokenScopeError};
use serde_json::{json, Value};

use crate::lexperm::{self, Profile};
use crate::piped;
use crate::reference;
use crate::set_generate::{self, IncludeForm, SetCorpus};

/// Options of the permission-set part.
pub struct Options {
    /// Generator seed.
    pub seed: u64,
    /// Number of generated permission sets.
    pub sets: usize,
    /// Number of client scope strings.
    pub clients: usize,
    /// How many client scopes also go through `lexperm expand --scope` (one process each).
    pub cli_clients: usize,
    /// Where to write the disagreements, if anywhere.
    pub write_regressions: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0x1E8_9E22,
            sets: 2_000,
            clients: 1_000,
            cli_clients: 25,
            write_regressions: None,
        }
    }
}

/// One side's answer for an include scope.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expansion {
    Invalid,
    NotFound(String),
    Granted(Vec<String>),
    Throws(String),
}

impl Expansion {
    fn describe(&self) -> String {
        match self {
            Expansion::Invalid => "invalid include scope".to_string(),
            Expansion::NotFound(r) => format!("not expanded ({r})"),
            Expansion::Granted(g) => format!("granted {g:?}"),
            Expansion::Throws(e) => format!("throws {e}"),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Expansion::Invalid => json!({"valid": false}),
            Expansion::NotFound(r) => json!({"valid": true, "found": false, "reason": r}),
            Expansion::Granted(g) => json!({"valid": true, "found": true, "granted": g}),
            Expansion::Throws(e) => json!({"valid": true, "found": true, "throws": e}),
        }
    }
}

pub(crate) fn reference_expansion(v: &Value) -> Result<Expansion, String> {
    let bad = || format!("malformed set-expand.mjs answer: {v}");
    if !v.get("valid").and_then(Value::as_bool).ok_or_else(bad)? {
        return Ok(Expansion::Invalid);
    }
    if !v.get("found").and_then(Value::as_bool).ok_or_else(bad)? {
        let reason = v.get("reason").and_then(Value::as_str).unwrap_or("?");
        return Ok(Expansion::NotFound(reason.to_string()));
    }
    if let Some(e) = v.get("throws").and_then(Value::as_str) {
        return Ok(Expansion::Throws(e.to_string()));
    }
    // oracle.mjs reports a throw of toScopes as `granted: {"__throw": …}`.
    if let Some(e) = v.pointer("/granted/__throw").and_then(Value::as_str) {
        return Ok(Expansion::Throws(e.to_string()));
    }
    Ok(Expansion::Granted(
        strings(v.get("granted")).ok_or_else(bad)?,
    ))
}

/// lexperm's answer from one `lexperm expand --format json` line. A found document that is not a
/// permission set prints `found: false` too; the reason is not in the line, so both sides' reasons
/// are compared as "not expanded" only.
fn lexperm_expansion(v: &Value) -> Result<Expansion, String> {
    let bad = || format!("malformed `lexperm expand` line: {v}");
    if !v.get("valid").and_then(Value::as_bool).ok_or_else(bad)? {
        return Ok(Expansion::Invalid);
    }
    if !v.get("found").and_then(Value::as_bool).ok_or_else(bad)? {
        return Ok(Expansion::NotFound(
            "not found or not a permission set".into(),
        ));
    }
    Ok(Expansion::Granted(
        strings(v.get("granted")).ok_or_else(bad)?,
    ))
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// Permission spec §8.6: the reference writes a `%` that came from `%25`, and a `+`, raw into a
/// query value, which re-parses differently; lexperm writes `%25` and `%2B`. A scope string that
/// differs only that way is accepted.
fn escape_divergence(reference: &str, lexperm: &str) -> bool {
    reference != lexperm && lexperm.replace("%25", "%").replace("%2B", "+") == reference
}

/// How two answers compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Agree,
    Accepted,
    Differ,
}

fn judge(reference: &Expansion, lexperm: &Expansion) -> Verdict {
    match (reference, lexperm) {
        (Expansion::Granted(r), Expansion::Granted(l)) => judge_lists(r, l),
        (Expansion::NotFound(_), Expansion::NotFound(_)) => Verdict::Agree,
        (Expansion::Invalid, Expansion::Invalid) => Verdict::Agree,
        _ => Verdict::Differ,
    }
}

fn judge_lists(reference: &[String], lexperm: &[String]) -> Verdict {
    if reference == lexperm {
        return Verdict::Agree;
    }
    if reference.len() == lexperm.len()
        && reference
            .iter()
            .zip(lexperm)
            .all(|(r, l)| r == l || escape_divergence(r, l))
    {
        return Verdict::Accepted;
    }
    Verdict::Differ
}

#[derive(Default)]
pub(crate) struct Tally {
    total: usize,
    ref_granted_lists: usize,
    ref_scopes: usize,
    agree: usize,
    accepted: usize,
    differ: usize,
}

/// Why a disagreement happened, when a known cause explains it.
const CAUSE_REPEATED_KEY: &str =
    "repeated key in the set (lexperm's JSON reader keeps the first value, JSON.parse the last)";
const CAUSE_UNKNOWN: &str = "unexplained";

/// Whether the document repeats a key in some object (lint rule L102).
fn has_repeated_key(text: &str) -> bool {
    let (_, diagnostics) = lexperm_parser::json::parse(FileId(0), text);
    diagnostics.iter().any(|d| d.code == "L102")
}

/// The document as `JSON.parse` reads it: of repeated keys the last value wins, at the first
/// key's position (`serde_json` with `preserve_order` does the same).
fn json_parse_view(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => v.to_string(),
        Err(_) => text.to_string(),
    }
}

/// A catalog of the generated documents; with `js_view`, documents with a repeated key are read
/// the way `JSON.parse` reads them, to confirm that cause.
fn load_catalog(dir: &Path, corpus: &SetCorpus, js_view: bool) -> Catalog {
    let texts: Vec<(String, String)> = corpus
        .docs
        .iter()
        .map(|d| {
            let text = if js_view && has_repeated_key(&d.text) {
                json_parse_view(&d.text)
            } else {
                d.text.clone()
            };
            (dir.join(&d.file).display().to_string(), text)
        })
        .collect();
    let (catalog, _) = Catalog::load(
        texts
            .iter()
            .enumerate()
            .map(|(i, (p, t))| (FileId(i as u32), p.as_str(), t.as_str())),
    );
    catalog
}

/// The library's expansion (the same code the binary runs).
fn library_expansion(catalog: &Catalog, include: &str) -> Expansion {
    match catalog.expand_str(include) {
        Ok(e) => Expansion::Granted(e.granted_strings()),
        Err(ExpandError::InvalidScope { .. }) => Expansion::Invalid,
        Err(e) => Expansion::NotFound(e.code().to_string()),
    }
}

pub(crate) struct ExpandDiff {
    cause: &'static str,
    set_text: Option<String>,
    include: String,
    reference: Expansion,
    lexperm: Expansion,
}

struct TokenDiff {
    cause: &'static str,
    scope: String,
    reference: (Option<String>, Option<String>),
    lexperm: (Option<String>, Option<String>),
}

/// Writes the corpus's documents into `dir` (emptied first).
pub(crate) fn write_docs(dir: &Path, corpus: &SetCorpus) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for doc in &corpus.docs {
        let path = dir.join(&doc.file);
        std::fs::write(&path, &doc.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The released reference's expansion (`set-expand.mjs`) of each include scope against the
/// documents in `dir`.
pub(crate) fn released_expansions(
    root: &Path,
    dir: &Path,
    includes: &[String],
) -> Result<Vec<Expansion>, String> {
    let mut stdin = includes.join("\n").into_bytes();
    stdin.push(b'\n');
    let text = run_node(root, "set-expand.mjs", &[dir], stdin)?;
    let answers: Vec<Expansion> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .map_err(|e| format!("set-expand.mjs line {l:?}: {e}"))
                .and_then(|v| reference_expansion(&v))
        })
        .collect::<Result<_, _>>()?;
    if answers.len() != includes.len() {
        return Err(format!(
            "set-expand.mjs answered {} of {} include scopes",
            answers.len(),
            includes.len()
        ));
    }
    Ok(answers)
}

/// Runs a node script from the reference folder with `stdin` and returns its stdout.
fn run_node(root: &Path, script: &str, args: &[&Path], stdin: Vec<u8>) -> Result<String, String> {
    let (out, _) = reference::run_node(root, script, args, stdin)?;
    String::from_utf8(out.stdout).map_err(|e| format!("node {script} output: {e}"))
}

/// `lexperm expand --lexicons DIR --format json` with the include scopes on stdin.
/// `args` go after `--format json` (e.g. the reference switch).
pub(crate) fn lexperm_expand(
    bin: &Path,
    dir: &Path,
    args: &[&str],
    includes: &[String],
) -> Result<Vec<Value>, String> {
    let mut stdin = includes.join("\n").into_bytes();
    stdin.push(b'\n');
    let (out, _) = piped::run(
        Command::new(bin)
            .arg("expand")
            .arg("--lexicons")
            .arg(dir)
            .args(["--format", "json"])
            .args(args),
        stdin,
        &bin.display().to_string(),
        "lexperm",
    )?;
    // 0 = all expanded, 1 = some include invalid or not found.
    if !matches!(out.status.code(), Some(0) | Some(1)) {
        return Err(format!(
            "lexperm expand failed with {}:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8(out.stdout).map_err(|e| format!("lexperm output: {e}"))?;
    let lines: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("lexperm expand line {l:?}: {e}")))
        .collect::<Result<_, _>>()?;
    if lines.len() != includes.len() {
        return Err(format!(
            "lexperm expand answered {} lines for {} include scopes",
            lines.len(),
            includes.len()
        ));
    }
    Ok(lines)
}

/// The reference's error name for a lexperm token-scope error (as `token-scope.mjs` reports it).
fn reference_error_name(e: &TokenScopeError) -> &'static str {
    match e {
        TokenScopeError::MissingAtproto => "missing-atproto",
        TokenScopeError::OpenId => "openid",
        TokenScopeError::Include {
            error: ExpandError::NotFound { .. } | ExpandError::NotAPermissionSet { .. },
            ..
        } => "unresolvable-include",
        _ => "other",
    }
}

fn judge_token(
    reference: &(Option<String>, Option<String>),
    lexperm: &(Option<String>, Option<String>),
) -> Verdict {
    if reference == lexperm {
        return Verdict::Agree;
    }
    match (&reference.0, &lexperm.0) {
        (Some(r), Some(l)) if reference.1 == lexperm.1 => {
            let r: Vec<String> = r.split(' ').map(str::to_owned).collect();
            let l: Vec<String> = l.split(' ').map(str::to_owned).collect();
            judge_lists(&r, &l)
        }
        _ => Verdict::Differ,
    }
}

/// Runs the permission-set comparison; `Ok(true)` when everything agrees.
pub fn run(root: &Path, opts: &Options) -> Result<bool, String> {
    let started = Instant::now();
    reference::ensure_installed(root)?;

    let t = Instant::now();
    let corpus = set_generate::set_corpus(opts.seed, opts.sets, opts.clients);
    let work = root.join("target").join("xtask-sets");
    let dir = work.join("lexicons");
    write_docs(&dir, &corpus)?;
    let gen_time = t.elapsed();

    let bin = lexperm::build_cli(root, Profile::Debug)?;
    let includes: Vec<String> = corpus.includes.iter().map(|c| c.input.clone()).collect();

    // Reference expansion.
    let t = Instant::now();
    let ref_answers = released_expansions(root, &dir, &includes)?;
    let ref_time = t.elapsed();

    // lexperm through the binary.
    let t = Instant::now();
    let lex_lines = lexperm_expand(&bin, &dir, &[], &includes)?;
    let lex_time = t.elapsed();

    // A disagreement is put down to a repeated key only when reading that document like
    // JSON.parse makes lexperm agree.
    let js_catalog = load_catalog(&dir, &corpus, true);
    let includes_cmp = compare_includes(&corpus, &ref_answers, &lex_lines, Some(&js_catalog))?;

    // Token scopes.
    let t = Instant::now();
    let (token_tally, token_diffs, token_errors) =
        compare_tokens(root, &work, &dir, &corpus, &js_catalog)?;
    let cli_mismatch = cli_token_sample(&bin, &dir, &corpus, opts.cli_clients)?;
    let token_time = t.elapsed();

    // Report.
    let sets = corpus.docs.iter().filter(|d| d.is_set).count();
    println!(
        "\npermission sets: {sets} generated sets + {} record lexicons (seed {:#x}) in {}",
        corpus.docs.len() - sets,
        opts.seed,
        dir.display()
    );
    println!("  include scopes: reference IncludeScope.toScopes vs `lexperm expand --format json`");
    print_include_table(&includes_cmp);
    println!(
        "\n  client scopes: {} (@atproto/oauth-provider LexiconManager.buildTokenScope vs Catalog::token_scope), \
         agree {}, accepted {}, DIFF {}; reference token issued {}, refused {} ({})",
        token_tally.total,
        token_tally.agree,
        token_tally.accepted,
        token_tally.differ,
        token_tally.ref_granted_lists,
        token_tally.total - token_tally.ref_granted_lists,
        token_errors
            .iter()
            .map(|(e, n)| format!("{e} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  `lexperm expand --scope` on the first {} client scopes: {}",
        opts.cli_clients.min(corpus.clients.len()),
        if cli_mismatch.is_empty() {
            "same token scope as the library".to_string()
        } else {
            format!("{} differ from the library", cli_mismatch.len())
        }
    );
    for s in &cli_mismatch {
        println!("    {s}");
    }
    print_causes(token_diffs.iter().map(|d| d.cause));
    for d in token_diffs.iter().take(5) {
        println!(
            "  DIFF {:?} [{}]\n    reference {:?} error {:?}\n    lexperm   {:?} error {:?}",
            d.scope, d.cause, d.reference.0, d.reference.1, d.lexperm.0, d.lexperm.1
        );
    }
    println!(
        "  time: generate+write {:.2}s, reference expand {:.2}s, lexperm expand (debug binary) {:.2}s, token scopes {:.2}s, total {:.2}s",
        gen_time.as_secs_f64(),
        ref_time.as_secs_f64(),
        lex_time.as_secs_f64(),
        token_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );

    if let Some(path) = &opts.write_regressions {
        write_regressions(path, opts.seed, &includes_cmp.diffs, &token_diffs)?;
    }
    let ok = includes_cmp.diffs.is_empty() && token_diffs.is_empty() && cli_mismatch.is_empty();
    println!(
        "permission sets: {}",
        if ok {
            "lexperm agrees with the reference"
        } else {
            "DISAGREEMENTS found (see above; --write-set-regressions FILE saves them)"
        }
    );
    Ok(ok)
}

/// The outcome of [`compare_includes`].
pub(crate) struct IncludeComparison {
    /// Per include form.
    pub(crate) tallies: BTreeMap<IncludeForm, Tally>,
    /// Disagreements, unexplained ones first.
    pub(crate) diffs: Vec<ExpandDiff>,
    /// Up to three accepted (§8.6) examples: include, reference, lexperm.
    pub(crate) accepted: Vec<(String, String, String)>,
    /// Entries lexperm dropped, by its reason code.
    pub(crate) drop_codes: BTreeMap<String, usize>,
}

/// Compares the reference's expansions of the corpus's include scopes with `lexperm expand`'s
/// JSON lines. With `js_catalog` (the corpus read the way `JSON.parse` reads it), a disagreement
/// that goes away there is put down to a repeated key.
pub(crate) fn compare_includes(
    corpus: &SetCorpus,
    reference: &[Expansion],
    lex_lines: &[Value],
    js_catalog: Option<&Catalog>,
) -> Result<IncludeComparison, String> {
    let mut drop_codes: BTreeMap<String, usize> = BTreeMap::new();
    let mut lex_answers = Vec::with_capacity(lex_lines.len());
    for (line, case) in lex_lines.iter().zip(&corpus.includes) {
        if line.get("input").and_then(Value::as_str) != Some(case.input.as_str()) {
            return Err(format!("lexperm expand echoed {line} for {:?}", case.input));
        }
        for d in line
            .get("dropped")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let code = d.get("code").and_then(Value::as_str).unwrap_or("?");
            *drop_codes.entry(code.to_string()).or_default() += 1;
        }
        lex_answers.push(lexperm_expansion(line)?);
    }
    let mut tallies: BTreeMap<IncludeForm, Tally> = BTreeMap::new();
    let mut diffs = Vec::new();
    let mut accepted = Vec::new();
    for ((case, r), l) in corpus.includes.iter().zip(reference).zip(&lex_answers) {
        let t = tallies.entry(case.form).or_default();
        t.total += 1;
        if let Expansion::Granted(g) = r {
            t.ref_granted_lists += 1;
            t.ref_scopes += g.len();
        }
        match judge(r, l) {
            Verdict::Agree => t.agree += 1,
            Verdict::Accepted => {
                t.accepted += 1;
                if accepted.len() < 3 {
                    accepted.push((case.input.clone(), r.describe(), l.describe()));
                }
            }
            Verdict::Differ => {
                t.differ += 1;
                let set_text = case.doc.map(|i| corpus.docs[i].text.clone());
                let repeated_key = set_text.as_deref().is_some_and(has_repeated_key)
                    && js_catalog.is_some_and(|c| {
                        judge(r, &library_expansion(c, &case.input)) != Verdict::Differ
                    });
                diffs.push(ExpandDiff {
                    cause: if repeated_key {
                        CAUSE_REPEATED_KEY
                    } else {
                        CAUSE_UNKNOWN
                    },
                    set_text,
                    include: case.input.clone(),
                    reference: r.clone(),
                    lexperm: l.clone(),
                });
            }
        }
    }
    // Unexplained disagreements first in the report.
    diffs.sort_by_key(|d| d.cause != CAUSE_UNKNOWN);
    Ok(IncludeComparison {
        tallies,
        diffs,
        accepted,
        drop_codes,
    })
}

/// Prints the per-form table of an include comparison, the drop reasons, accepted examples and
/// the first disagreements.
pub(crate) fn print_include_table(c: &IncludeComparison) {
    println!(
        "  {:<30} {:>6} {:>10} {:>9} {:>6} {:>9} {:>5}",
        "form", "total", "ref-lists", "ref-scopes", "agree", "accepted", "DIFF"
    );
    let row = |name: &str, t: &Tally| {
        println!(
            "  {:<30} {:>6} {:>10} {:>9} {:>6} {:>9} {:>5}",
            name, t.total, t.ref_granted_lists, t.ref_scopes, t.agree, t.accepted, t.differ
        );
    };
    let mut sum = Tally::default();
    for (form, t) in &c.tallies {
        row(form.label(), t);
        sum.total += t.total;
        sum.ref_granted_lists += t.ref_granted_lists;
        sum.ref_scopes += t.ref_scopes;
        sum.agree += t.agree;
        sum.accepted += t.accepted;
        sum.differ += t.differ;
    }
    row("all", &sum);
    let codes: Vec<String> = c
        .drop_codes
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!(
        "  entries lexperm dropped, by reason: {}",
        if codes.is_empty() {
            "none".to_string()
        } else {
            codes.join(", ")
        }
    );
    for (input, r, l) in &c.accepted {
        println!("  accepted (§8.6 escapes) e.g. {input}\n    reference {r}\n    lexperm   {l}");
    }
    print_causes(c.diffs.iter().map(|d| d.cause));
    for d in c.diffs.iter().take(8) {
        println!("  DIFF {} [{}]", d.include, d.cause);
        if let Some(text) = &d.set_text {
            for line in text.lines() {
                println!("    | {line}");
            }
        }
        println!("    reference {}", d.reference.describe());
        println!("    lexperm   {}", d.lexperm.describe());
    }
    if c.diffs.len() > 8 {
        println!("  … and {} more include DIFFs", c.diffs.len() - 8);
    }
}

/// Tally (`ref_granted_lists` = tokens the reference issues), disagreements, and the
/// reference's refusals by reason.
type TokenComparison = (Tally, Vec<TokenDiff>, BTreeMap<String, usize>);

/// Token scopes of every client scope, both sides; returns the tally (`ref_granted_lists` =
/// tokens the reference issues), the disagreements and the reference's refusals by reason.
fn compare_tokens(
    root: &Path,
    work: &Path,
    dir: &Path,
    corpus: &SetCorpus,
    js_catalog: &Catalog,
) -> Result<TokenComparison, String> {
    let cases = work.join("token-cases.json");
    let body = json!({"lexicons": [dir], "scopes": corpus.clients});
    std::fs::write(&cases, body.to_string()).map_err(|e| format!("{}: {e}", cases.display()))?;
    let modules = reference::reference_dir(root).join("node_modules");
    let text = run_node(root, "token-scope.mjs", &[&modules, &cases], Vec::new())?;
    let answer: Value =
        serde_json::from_str(&text).map_err(|e| format!("token-scope.mjs output: {e}"))?;
    let answers = answer["cases"]
        .as_array()
        .ok_or_else(|| "token-scope.mjs output without `cases`".to_string())?;
    if answers.len() != corpus.clients.len() {
        return Err(format!(
            "token-scope.mjs answered {} of {} client scopes",
            answers.len(),
            corpus.clients.len()
        ));
    }

    let catalog = load_catalog(dir, corpus, false);

    let mut tally = Tally::default();
    let mut diffs = Vec::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for (scope, a) in corpus.clients.iter().zip(answers) {
        if a["scope"].as_str() != Some(scope) {
            return Err(format!("token-scope.mjs answered {a} for {scope:?}"));
        }
        let reference = (
            a["token_scope"].as_str().map(str::to_owned),
            a["error"].as_str().map(str::to_owned),
        );
        let token = catalog.token_scope(scope);
        let lexperm = (
            token.token_scope(),
            token
                .errors
                .first()
                .map(|e| reference_error_name(e).to_string()),
        );
        tally.total += 1;
        match &reference.1 {
            None => tally.ref_granted_lists += 1,
            Some(e) => *errors.entry(e.clone()).or_default() += 1,
        }
        match judge_token(&reference, &lexperm) {
            Verdict::Agree => tally.agree += 1,
            Verdict::Accepted => tally.accepted += 1,
            Verdict::Differ => {
                tally.differ += 1;
                let js_token = js_catalog.token_scope(scope);
                let js = (
                    js_token.token_scope(),
                    js_token
                        .errors
                        .first()
                        .map(|e| reference_error_name(e).to_string()),
                );
                let repeated = judge_token(&reference, &js) != Verdict::Differ;
                diffs.push(TokenDiff {
                    cause: if repeated {
                        CAUSE_REPEATED_KEY
                    } else {
                        CAUSE_UNKNOWN
                    },
                    scope: scope.clone(),
                    reference,
                    lexperm,
                });
            }
        }
    }
    diffs.sort_by_key(|d| d.cause != CAUSE_UNKNOWN);
    Ok((tally, diffs, errors))
}

fn print_causes<'a>(causes: impl Iterator<Item = &'a str>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in causes {
        *counts.entry(c).or_default() += 1;
    }
    for (cause, n) in counts {
        println!("  {n} DIFF(s): {cause}");
    }
}

/// Runs the first `n` client scopes through `lexperm expand --scope … --format json` and checks
/// that the binary prints the library's token scope.
fn cli_token_sample(
    bin: &Path,
    dir: &Path,
    corpus: &SetCorpus,
    n: usize,
) -> Result<Vec<String>, String> {
    let catalog = load_catalog(dir, corpus, false);
    let mut mismatches = Vec::new();
    for scope in corpus.clients.iter().take(n) {
        let out = Command::new(bin)
            .arg("expand")
            .arg("--lexicons")
            .arg(dir)
            .arg("--scope")
            .arg(scope)
            .args(["--format", "json"])
            .stderr(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
        let line: Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("lexperm expand --scope {scope:?}: {e}"))?;
        let printed = line["token_scope"].as_str().map(str::to_owned);
        let library = catalog.token_scope(scope).token_scope();
        if printed != library {
            mismatches.push(format!(
                "{scope:?}: binary {printed:?}, library {library:?}"
            ));
        }
    }
    Ok(mismatches)
}

fn write_regressions(
    path: &Path,
    seed: u64,
    expand: &[ExpandDiff],
    tokens: &[TokenDiff],
) -> Result<(), String> {
    let cases: Vec<Value> = expand
        .iter()
        .map(|d| {
            json!({
                "set": d.set_text.as_deref().map(|t| serde_json::from_str::<Value>(t).unwrap_or(Value::String(t.to_string()))),
                "set_text": d.set_text,
                "include": d.include,
                "cause": d.cause,
                "reference": d.reference.to_json(),
                "lexperm": d.lexperm.to_json(),
            })
        })
        .collect();
    let token_cases: Vec<Value> = tokens
        .iter()
        .map(|d| {
            json!({
                "scope": d.scope,
                "cause": d.cause,
                "reference": {"token_scope": d.reference.0, "error": d.reference.1},
                "lexperm": {"token_scope": d.lexperm.0, "error": d.lexperm.1},
            })
        })
        .collect();
    let body = json!({
        "generatedBy": format!(
            "cargo xtask conformance --only sets --seed {seed:#x} --write-set-regressions (reference: @atproto/oauth-scopes 0.5.12 IncludeScope.toScopes, @atproto/oauth-provider 0.22.9 LexiconManager)"
        ),
        "note": "`set` is the document as JSON.parse reads it (the last of repeated keys wins); `set_text` is the file as written",
        "expansions": cases,
        "token_scopes": token_cases,
    });
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut text = serde_json::to_string_pretty(&body).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "wrote {} set regression(s) to {}",
        expand.len() + tokens.len(),
        path.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(xs: &[&str]) -> Expansion {
        Expansion::Granted(xs.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn lists_must_match_in_order() {
        assert_eq!(
            judge(&granted(&["repo:a.b.c"]), &granted(&["repo:a.b.c"])),
            Verdict::Agree
        );
        assert_eq!(
            judge(
                &granted(&["repo:a.b.c", "repo:a.b.d"]),
                &granted(&["repo:a.b.d", "repo:a.b.c"])
            ),
            Verdict::Differ
        );
        assert_eq!(
            judge(
                &granted(&["repo:a.b.c"]),
                &granted(&["repo:a.b.c", "repo:a.b.c"])
            ),
            Verdict::Differ
        );
        assert_eq!(judge(&Expansion::Invalid, &granted(&[])), Verdict::Differ);
        assert_eq!(
            judge(
                &Expansion::NotFound("not-a-permission-set".into()),
                &Expansion::NotFound("x".into())
            ),
            Verdict::Agree
        );
        assert_eq!(
            judge(&Expansion::Throws("TypeError".into()), &granted(&[])),
            Verdict::Differ
        );
    }

    #[test]
    fn only_the_escape_divergence_is_accepted() {
        assert_eq!(
            judge(
                &granted(&["rpc:a.b.c?aud=did:web:localhost%3A2583%23dev"]),
                &granted(&["rpc:a.b.c?aud=did:web:localhost%253A2583%23dev"])
            ),
            Verdict::Accepted
        );
        assert_eq!(
            judge(
                &granted(&["rpc:a.b.c?aud=did:web:localhost%3A2583%23dev"]),
                &granted(&["rpc:a.b.d?aud=did:web:localhost%253A2583%23dev"])
            ),
            Verdict::Differ
        );
    }

    #[test]
    fn token_errors_must_match() {
        let ok = (Some("atproto repo:a.b.c".to_string()), None);
        assert_eq!(judge_token(&ok, &ok.clone()), Verdict::Agree);
        let refused = (None, Some("unresolvable-include".to_string()));
        assert_eq!(judge_token(&ok, &refused), Verdict::Differ);
        let other = (None, Some("missing-atproto".to_string()));
        assert_eq!(judge_token(&refused, &other), Verdict::Differ);
    }
}
