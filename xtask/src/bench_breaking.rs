//! `cargo xtask bench-breaking`: whole-process `lexperm breaking` of the atproto corpus against
//! a copy with real-looking edits, next to `lexperm lint` of the same (edited) files.
//!
//! The corpus set `atproto` (`cargo xtask corpus`) is the base; a copy in a temporary folder gets
//! [`EDITS`]. Both commands run from a release build with `--format json`, stdout to a file, best
//! of `--runs` wall times each. Targets: `breaking` under [`TARGET_MS`] and at most
//! [`TARGET_RATIO`] times `lint`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::bench_support::{ms, peak_rss_kib, time_process, walkdir_json_count};
use crate::lexperm::{self, Profile};

/// The corpus set compared.
const SET: &str = "atproto";

/// Whole-process wall time `breaking` must stay under, in milliseconds.
const TARGET_MS: f64 = 50.0;

/// How many times `lint`'s wall time `breaking` may take at most.
const TARGET_RATIO: f64 = 2.0;

/// One edit of the copy.
struct Edit {
    /// The file, under the set; its NSID is its path.
    path: &'static str,
    /// What the edit does.
    what: &'static str,
    /// The rule code `breaking` must report for the file's NSID; `None` for a safe edit and for
    /// one no rule checks yet (the output lists what was reported).
    expect: Option<&'static str>,
    /// The change; `None` when the file does not have the expected shape.
    apply: fn(&mut Value) -> Option<()>,
}

/// The edits: what a real pull request to the Bluesky lexicons does.
const EDITS: &[Edit] = &[
    Edit {
        path: "app/bsky/feed/like.json",
        what: "added optional field (safe)",
        expect: None,
        apply: |doc| add_mood(doc, false),
    },
    Edit {
        path: "app/bsky/feed/post.json",
        what: "added required field",
        expect: Some("B106"),
        apply: |doc| add_mood(doc, true),
    },
    Edit {
        path: "app/bsky/feed/defs.json",
        what: "removed def",
        expect: Some("B103"),
        apply: |doc| {
            doc.get_mut("defs")?
                .as_object_mut()?
                .remove("threadgateView")
                .map(drop)
        },
    },
    Edit {
        path: "app/bsky/actor/profile.json",
        what: "changed record key",
        expect: Some("B105"),
        apply: |doc| {
            *doc.pointer_mut("/defs/main/key")? = json!("tid");
            Some(())
        },
    },
    Edit {
        path: "app/bsky/authCreatePosts.json",
        what: "permission set widened by one collection",
        expect: Some("B201"),
        apply: widen_create_posts,
    },
];

/// Adds an optional (or required) string property `mood` to the record `main`.
fn add_mood(doc: &mut Value, required: bool) -> Option<()> {
    let record = doc.pointer_mut("/defs/main/record")?;
    record
        .get_mut("properties")?
        .as_object_mut()?
        .insert("mood".into(), json!({"type": "string", "maxLength": 64}));
    if required {
        record
            .get_mut("required")?
            .as_array_mut()?
            .push("mood".into());
    }
    Some(())
}

/// Adds `app.bsky.feed.like` to the collections of the set's `repo` permission.
fn widen_create_posts(doc: &mut Value) -> Option<()> {
    let permissions = doc.pointer_mut("/defs/main/permissions")?.as_array_mut()?;
    let repo = permissions
        .iter_mut()
        .find(|p| p.get("resource").and_then(Value::as_str) == Some("repo"))?;
    repo.get_mut("collection")?
        .as_array_mut()?
        .push("app.bsky.feed.like".into());
    Some(())
}

/// Command-line options of the task.
pub struct Options {
    /// Whole-process runs of each command (best reported).
    pub runs: usize,
    /// Corpus root (holding `atproto/`).
    pub corpus: PathBuf,
    /// Exit 1 when a target is missed.
    pub enforce: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            runs: 15,
            corpus: crate::corpus::default_dir(),
            enforce: false,
        }
    }
}

/// Parses the task's options.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options::default();
    let mut flags = crate::Flags::new(args);
    while let Some(flag) = flags.next_flag() {
        match flag {
            "--runs" => opts.runs = (flags.number(flag)? as usize).max(1),
            "--corpus" => opts.corpus = PathBuf::from(flags.value(flag)?),
            "--enforce" => opts.enforce = true,
            other => return Err(format!("bench-breaking: unknown option `{other}`")),
        }
    }
    Ok(opts)
}

/// Runs the benchmark; `Ok(false)` when `--enforce` is given and a target is missed.
pub fn run(root: &Path, opts: &Options) -> Result<bool, String> {
    let base = opts.corpus.join(SET);
    if !base.is_dir() {
        return Err(format!(
            "{} is missing\n  hint: run `cargo xtask corpus`, or pass --corpus <dir>",
            base.display()
        ));
    }
    let bin = lexperm::build_cli(root, Profile::Release)?;
    let scratch =
        std::env::temp_dir().join(format!("lexperm-bench-breaking-{}", std::process::id()));
    let result = edit_copy(&base, &scratch).and_then(|work| measure(&bin, &base, &work, opts));
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Copies `base` to `scratch/work` and applies [`EDITS`]; returns the copy.
fn edit_copy(base: &Path, scratch: &Path) -> Result<PathBuf, String> {
    let work = scratch.join("work");
    crate::pd_reference::sync_tree(base, &work)?;
    for edit in EDITS {
        let path = work.join(edit.path);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut doc: Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        (edit.apply)(&mut doc).ok_or_else(|| {
            format!(
                "{}: cannot apply `{}`: the corpus file changed shape",
                path.display(),
                edit.what
            )
        })?;
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(work)
}

/// Times both commands, checks what `breaking` found and prints the figures.
fn measure(bin: &Path, base: &Path, work: &Path, opts: &Options) -> Result<bool, String> {
    let breaking_args: Vec<PathBuf> = vec![
        "breaking".into(),
        work.into(),
        "--base".into(),
        base.into(),
        "--format".into(),
        "json".into(),
    ];
    let lint_args: Vec<PathBuf> =
        vec!["lint".into(), work.into(), "--format".into(), "json".into()];
    let command = |args: &[PathBuf]| {
        let mut c = Command::new(bin);
        c.args(args);
        c
    };
    let (breaking, breaking_out) =
        time_process(|| command(&breaking_args), None, opts.runs, &[0, 1])?;
    let (lint, lint_out) = time_process(|| command(&lint_args), None, opts.runs, &[0, 1])?;
    let breaking_rss = peak_rss_kib(bin, &breaking_args)?;
    let lint_rss = peak_rss_kib(bin, &lint_args)?;

    let findings = findings(&breaking_out)?;
    let files = walkdir_json_count(base).map_err(|e| format!("{}: {e}", base.display()))?;
    println!(
        "breaking: {} ({files} files) against a copy with {} edits; lexperm {}",
        base.display(),
        EDITS.len(),
        bin.display()
    );
    for edit in EDITS {
        let nsid = edit.path.trim_end_matches(".json").replace('/', ".");
        let codes: Vec<&str> = findings
            .iter()
            .filter(|(n, _)| *n == nsid)
            .map(|(_, code)| code.as_str())
            .collect();
        if let Some(code) = edit.expect {
            if !codes.contains(&code) {
                return Err(format!(
                    "`lexperm breaking` does not report {code} for {nsid} ({}): {codes:?}",
                    edit.what
                ));
            }
        }
        let reported = if codes.is_empty() {
            "nothing reported".to_owned()
        } else {
            codes.join(", ")
        };
        println!("  {:<42} {nsid}: {reported}", edit.what);
    }
    let lint_lines = lint_out.iter().filter(|b| **b == b'\n').count();
    let rss = |kib: Option<u64>| {
        kib.map_or("not measured (GNU time missing)".to_owned(), |kib| {
            format!("{:.1} MiB", kib as f64 / 1024.0)
        })
    };
    println!(
        "  lexperm breaking --format json: {} wall, {} cpu, peak RSS {}; {} findings",
        ms(breaking.wall),
        ms(breaking.cpu),
        rss(breaking_rss),
        findings.len()
    );
    println!(
        "  lexperm lint --format json:     {} wall, {} cpu, peak RSS {}; {lint_lines} findings",
        ms(lint.wall),
        ms(lint.cpu),
        rss(lint_rss)
    );
    let wall_ms = breaking.wall.as_secs_f64() * 1e3;
    let ratio = breaking.wall.as_secs_f64() / lint.wall.as_secs_f64().max(1e-9);
    let fast = wall_ms < TARGET_MS;
    let close = ratio <= TARGET_RATIO;
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!(
        "  breaking < {TARGET_MS} ms: {}; breaking/lint {ratio:.2}x (target <= {TARGET_RATIO}x): {}",
        verdict(fast),
        verdict(close)
    );
    println!(
        "  (whole process, best wall time of {} runs each, CPU = user+system of that run at 10 ms resolution)",
        opts.runs
    );
    Ok((fast && close) || !opts.enforce)
}

/// `(nsid, code)` of each JSON line of `breaking`'s output.
fn findings(stdout: &[u8]) -> Result<Vec<(String, String)>, String> {
    let text = std::str::from_utf8(stdout).map_err(|e| format!("breaking output: {e}"))?;
    text.lines()
        .map(|line| {
            let finding: Value =
                serde_json::from_str(line).map_err(|e| format!("breaking output {line:?}: {e}"))?;
            let field = |key: &str| finding[key].as_str().unwrap_or_default().to_owned();
            Ok((field("nsid"), field("code")))
        })
        .collect()
}
