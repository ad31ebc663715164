//! Permissioned-data part of `cargo xtask conformance --pd-reference DIR`: lexperm in its default
//! (permissioned-data) mode against the permissioned-data build of `@atproto/oauth-scopes`
//! (`oracle.mjs`), on generated `space:` scope strings, space permission checks and permission
//! sets with `resource: "space"` entries, and on the non-space generators of the 0.5.12 run;
//! then `lexperm … --reference 0.5.12` against the released reference on the space inputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use crate::conformance::{self, RefAnswer};
use crate::generate::{self, AllowsCase, ScopeCase};
use crate::lexperm::{self, Profile};
use crate::set_conformance::{self, Expansion};
use crate::set_generate::{self, SetCorpus};
use crate::space_generate;
use crate::{pd_reference, reference};

/// The CLI switch to the released reference's behaviour.
pub const RELEASED: &[&str] = &["--reference", "0.5.12"];

/// Options of the permissioned-data part.
pub struct Options {
    /// The read-only folder of the permissioned-data reference.
    pub source: PathBuf,
    /// Generator seed.
    pub seed: u64,
    /// Generated `space:` scope strings (with whole strings mixing resources).
    pub space_scopes: usize,
    /// Generated space permission checks.
    pub space_allows: usize,
    /// Generated permission sets with space entries.
    pub space_sets: usize,
    /// Scope strings of the non-space generator.
    pub scopes: usize,
    /// Permission checks of the non-space generator.
    pub allows: usize,
    /// Permission sets of the non-space generator.
    pub sets: usize,
}

impl Options {
    /// Defaults for the space parts, the other counts as given.
    pub fn new(source: PathBuf, seed: u64, scopes: usize, allows: usize, sets: usize) -> Self {
        Options {
            source,
            seed,
            space_scopes: 24_000,
            space_allows: 12_000,
            space_sets: 1_500,
            scopes,
            allows,
            sets,
        }
    }
}

/// Runs every comparison; `Ok(true)` when all agree.
pub fn run(root: &Path, opts: &Options) -> Result<bool, String> {
    let started = Instant::now();
    let dir = pd_reference::install(root, &opts.source)?;
    println!(
        "\n==== permissioned data: lexperm (default mode) vs the permissioned-data reference ({}, copied to {})",
        opts.source.display(),
        dir.display()
    );
    let bin = lexperm::build_cli(root, Profile::Debug)?;
    let seed = opts.seed;

    let space = space_generate::space_scope_corpus(seed, opts.space_scopes);
    let other = generate::scope_corpus(seed, opts.scopes);
    let mut ok = true;
    ok &= scope_part(&dir, &bin, "space: scope strings", seed, &space)?;
    ok &= scope_part(
        &dir,
        &bin,
        "scope strings of the 0.5.12 generator",
        seed,
        &other,
    )?;

    let space_allows = space_generate::space_allows_corpus(seed, opts.space_allows);
    let other_allows = generate::allows_corpus(seed, opts.allows);
    ok &= allows_part(&dir, "space allows checks", &space_allows)?;
    ok &= allows_part(&dir, "allows checks of the 0.5.12 generator", &other_allows)?;

    let space_sets = set_generate::space_set_corpus(seed, opts.space_sets);
    let other_sets = set_generate::set_corpus(seed, opts.sets, 0);
    let sets_root = root.join("target").join("xtask-pd-sets");
    let space_dir = sets_root.join("space");
    for (title, lexdir, corpus) in [
        (
            "permission sets with space entries",
            &space_dir,
            &space_sets,
        ),
        (
            "permission sets of the 0.5.12 generator",
            &sets_root.join("other"),
            &other_sets,
        ),
    ] {
        set_conformance::write_docs(lexdir, corpus)?;
        ok &= sets_part(&dir, &bin, title, lexdir, corpus)?;
    }

    println!(
        "\n==== `lexperm … {}` vs the released reference on the space inputs",
        RELEASED.join(" ")
    );
    reference::ensure_installed(root)?;
    ok &= released_scope_part(root, &bin, &space)?;
    ok &= released_sets_part(root, &bin, &space_dir, &space_sets)?;

    println!(
        "\npermissioned data: {} ({:.1}s)",
        if ok {
            "OK"
        } else {
            "DISAGREEMENTS found (see above)"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(ok)
}

/// The oracle's answers for scope strings, with what each canonical form re-parses to (a second
/// oracle run over the distinct canonical forms).
fn oracle_normalize(dir: &Path, inputs: &[String]) -> Result<Vec<RefAnswer>, String> {
    let first = pd_reference::oracle(dir, "normalize", &[], inputs)?;
    let canonical = |v: &Value| -> Result<Option<String>, String> {
        match v.get("valid").and_then(Value::as_bool) {
            Some(true) => v
                .get("canonical")
                .and_then(Value::as_str)
                .map(|c| Some(c.to_owned()))
                .ok_or_else(|| format!("valid oracle answer without `canonical`: {v}")),
            Some(false) => Ok(None),
            None => Err(format!("oracle answer without `valid`: {v}")),
        }
    };
    let first: Vec<Option<String>> = first.iter().map(canonical).collect::<Result<_, _>>()?;
    let mut forms: Vec<String> = first.iter().flatten().cloned().collect();
    forms.sort();
    forms.dedup();
    let second = pd_reference::oracle(dir, "normalize", &[], &forms)?;
    let mut reparsed = HashMap::new();
    for (form, v) in forms.iter().zip(&second) {
        reparsed.insert(form.clone(), canonical(v)?);
    }
    Ok(first
        .into_iter()
        .map(|c| RefAnswer {
            valid: c.is_some(),
            reparsed: c.as_ref().and_then(|c| reparsed.get(c).cloned().flatten()),
            canonical: c,
            error: None,
        })
        .collect())
}

/// Compares one scope corpus and prints its table; `Ok(true)` when all agree.
fn compare_and_print_scopes(
    title: &str,
    corpus: &[ScopeCase],
    reference: &[RefAnswer],
    side: &conformance::LexpermScopes,
) -> bool {
    let cmp = conformance::compare_scopes(corpus, reference, &side.results, &side.reparsed);
    println!("\n{title}: {} strings", corpus.len());
    conformance::print_scope_table(&cmp.tallies, &cmp.accepted);
    print!("{}", conformance::scope_diff_report(&cmp.diffs));
    cmp.diffs.is_empty()
}

/// Whether a line holds an empty value (a doubled, leading or trailing space). `oracle.mjs`
/// drops empty values of a line; the `lexperm scope normalize` line contract, like the 0.5.12
/// harness, rejects the line. Such lines are compared in the 0.5.12 run only.
fn has_empty_value(line: &str) -> bool {
    line.contains(' ') && line.split(' ').any(str::is_empty)
}

fn scope_part(
    dir: &Path,
    bin: &Path,
    title: &str,
    seed: u64,
    corpus: &[ScopeCase],
) -> Result<bool, String> {
    let (corpus, skipped): (Vec<ScopeCase>, Vec<ScopeCase>) = corpus
        .iter()
        .cloned()
        .partition(|c| !has_empty_value(&c.input));
    let inputs: Vec<String> = corpus.iter().map(|c| c.input.clone()).collect();
    let reference = oracle_normalize(dir, &inputs)?;
    let side = conformance::lexperm_scopes(bin, &[], &corpus)?;
    let title = format!("{title} (seed {seed:#x}; oracle normalize vs `lexperm scope normalize`)");
    let ok = compare_and_print_scopes(&title, &corpus, &reference, &side);
    if !skipped.is_empty() {
        println!(
            "  not compared: {} line(s) with an empty value (oracle.mjs drops it, the line contract rejects the line), e.g. {:?}",
            skipped.len(),
            skipped[0].input
        );
    }
    Ok(ok)
}

/// One oracle `allows` line for a generated check.
fn allows_line(case: &AllowsCase) -> String {
    let mut req = case.request.to_json();
    if let Some(obj) = req.as_object_mut() {
        obj.remove("kind");
    }
    json!({
        "granted": case.granted,
        "transition": case.transition,
        "kind": case.request.kind(),
        "req": req,
    })
    .to_string()
}

fn allows_part(dir: &Path, title: &str, cases: &[AllowsCase]) -> Result<bool, String> {
    let lines: Vec<String> = cases.iter().map(allows_line).collect();
    let answers = pd_reference::oracle(dir, "allows", &[], &lines)?;
    let (tallies, diffs) = conformance::compare_allows(cases, &answers)?;
    println!(
        "\n{title}: {} (oracle allows vs the library's allows_* and scope_needed_for)",
        cases.len()
    );
    conformance::print_allows_table(&tallies);
    print!("{}", conformance::allows_diff_report(&diffs));
    Ok(diffs.is_empty())
}

fn sets_part(
    dir: &Path,
    bin: &Path,
    title: &str,
    lexdir: &Path,
    corpus: &SetCorpus,
) -> Result<bool, String> {
    let includes: Vec<String> = corpus.includes.iter().map(|c| c.input.clone()).collect();
    let answers = pd_reference::oracle(dir, "expand", &[lexdir], &includes)?;
    let reference: Vec<Expansion> = answers
        .iter()
        .map(set_conformance::reference_expansion)
        .collect::<Result<_, _>>()?;
    let lex_lines = set_conformance::lexperm_expand(bin, lexdir, &[], &includes)?;
    let cmp = set_conformance::compare_includes(corpus, &reference, &lex_lines, None)?;
    println!(
        "\n{title}: {} sets, {} include scopes (oracle expand vs `lexperm expand --format json`)",
        corpus.docs.iter().filter(|d| d.is_set).count(),
        includes.len()
    );
    set_conformance::print_include_table(&cmp);
    Ok(cmp.diffs.is_empty())
}

fn released_scope_part(root: &Path, bin: &Path, corpus: &[ScopeCase]) -> Result<bool, String> {
    let requests: Vec<Value> = corpus
        .iter()
        .map(|c| json!({"op": "normalize", "input": c.input}))
        .collect();
    let run = reference::run_harness(root, "scopes.mjs", &requests)?;
    let reference: Vec<RefAnswer> = run
        .answers
        .iter()
        .map(RefAnswer::from_json)
        .collect::<Result<_, _>>()?;
    let side = conformance::lexperm_scopes(bin, RELEASED, corpus)?;
    let title = format!(
        "space: scope strings, released @atproto/oauth-scopes vs `lexperm scope normalize {}`",
        RELEASED.join(" ")
    );
    Ok(compare_and_print_scopes(&title, corpus, &reference, &side))
}

fn released_sets_part(
    root: &Path,
    bin: &Path,
    lexdir: &Path,
    corpus: &SetCorpus,
) -> Result<bool, String> {
    let includes: Vec<String> = corpus.includes.iter().map(|c| c.input.clone()).collect();
    let reference = set_conformance::released_expansions(root, lexdir, &includes)?;
    let lex_lines = set_conformance::lexperm_expand(bin, lexdir, RELEASED, &includes)?;
    let cmp = set_conformance::compare_includes(corpus, &reference, &lex_lines, None)?;
    println!(
        "\npermission sets with space entries, released IncludeScope.toScopes vs `lexperm expand {}`",
        RELEASED.join(" ")
    );
    set_conformance::print_include_table(&cmp);
    Ok(cmp.diffs.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{Request, SpaceOp, SpaceRequest};

    #[test]
    fn empty_values_are_doubled_leading_or_trailing_spaces() {
        assert!(has_empty_value("repo:b.c.d atproto  rpc:a.b.c?aud=*"));
        assert!(has_empty_value(" atproto"));
        assert!(has_empty_value("atproto "));
        assert!(!has_empty_value("atproto space:a.b.c"));
        assert!(!has_empty_value(""));
    }

    #[test]
    fn allows_lines_carry_the_request_without_its_kind() {
        let case = AllowsCase {
            granted: "space:a.b.c?authority=*".into(),
            transition: true,
            request: Request::Space(SpaceRequest {
                space_type: "a.b.c".into(),
                authority: "did:plc:abc".into(),
                skey: "self".into(),
                op: SpaceOp::Write {
                    action: "create".into(),
                    collection: "x.y.z".into(),
                },
            }),
        };
        let v: Value = serde_json::from_str(&allows_line(&case)).unwrap();
        assert_eq!(v["kind"], "space");
        assert_eq!(v["transition"], true);
        assert_eq!(
            v["req"],
            json!({"type": "a.b.c", "authority": "did:plc:abc", "skey": "self", "action": "create", "collection": "x.y.z"})
        );
        let manage = AllowsCase {
            request: Request::Space(SpaceRequest {
                space_type: "a.b.c".into(),
                authority: "did:plc:abc".into(),
                skey: "self".into(),
                op: SpaceOp::Manage("update".into()),
            }),
            ..case
        };
        let v: Value = serde_json::from_str(&allows_line(&manage)).unwrap();
        assert_eq!(v["req"]["manage"], "update");
        assert!(v["req"].get("action").is_none());
    }
}
