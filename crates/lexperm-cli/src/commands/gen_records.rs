//! `lexperm gen records`: one publishable `com.atproto.lexicon.schema` record per lexicon, plus CIDs.
//!
//! Output, in `--out`:
//! - `<nsid>.json`: the record exactly as it would be written with `putRecord` (pretty JSON, stable
//!   field order; see `lexperm_codegen::records` for which fields it holds);
//! - `cids.json`: one object mapping each NSID to its record's CID, sorted by NSID, to compare with
//!   the CIDs that `com.atproto.repo.listRecords` reports for the live records.
//!
//! A lexicon that cannot be parsed or turned into a record is reported on stderr and gets no file;
//! two files with the same `id` are both reported and neither is written. The other records are
//! still written, and the exit code is 1. A path that cannot be loaded at all (L132, L133) gets no
//! record either, the others are still written, and the exit code is 2, as for `lexperm lint`.
//! Existing files in `--out` that this run does not write are left alone. When `--out` lies inside
//! `--lexicons`, it is not searched for lexicons.
//!
//! Gate: a record is produced only for a lexicon that lints without errors (the per-file rules of
//! `lexperm lint`, with the same rule settings: `lexperm.toml` found from `--lexicons` upward or
//! `--config`, then `--select`, `--warn`, `--deny`, `--ignore`).
//! The errors of blocked files are printed in the human format on stderr; warnings do not block and
//! are not printed (run `lexperm lint` for them).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;
use lexperm_codegen::records::{schema_record, SchemaRecord};
use lexperm_parser::diagnostics::FileId;

use super::rule_args::RuleArgs;
use super::walk_args::WalkArgs;
use crate::engine;
use crate::load;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Name of the file that maps NSIDs to CIDs.
pub const CIDS_FILE: &str = "cids.json";

/// Arguments of `lexperm gen records`.
#[derive(Debug, Args)]
pub struct GenRecordsArgs {
    /// Lexicon folder (searched recursively for `*.json` files) or file.
    #[arg(long, value_name = "DIR|FILE", default_value = "lexicons")]
    pub lexicons: PathBuf,
    /// Folder to write `<nsid>.json` records and `cids.json` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// A record built from one file.
struct Built {
    source: PathBuf,
    record: SchemaRecord,
}

/// Runs `lexperm gen records` and returns the process exit code.
pub fn run(args: &GenRecordsArgs) -> u8 {
    if !args.lexicons.exists() {
        eprintln!(
            "error: lexicon folder or file {} does not exist\n  help: pass --lexicons DIR or --lexicons FILE",
            args.lexicons.display()
        );
        return EXIT_USAGE;
    }
    if args.out.exists() && !args.out.is_dir() {
        eprintln!(
            "error: --out {} is a file, not a folder\n  help: pass a folder to write the records into (it is created if missing)",
            args.out.display()
        );
        return EXIT_USAGE;
    }
    let rules = engine::registry();
    let settings = args
        .rules
        .settings(std::slice::from_ref(&args.lexicons))
        .and_then(|(settings, control)| Ok((args.walk.options(&settings)?, control)));
    let (mut options, control) = match settings {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };

    // The output folder is left out when it lies inside the lexicons: a second run must not read
    // the records of the first as lexicons.
    options.exclude.extend(std::fs::canonicalize(&args.out));
    let mut files = load::load(std::slice::from_ref(&args.lexicons), &options);
    if let Some(code) = super::lockfile::gate(
        std::slice::from_ref(&args.lexicons),
        &mut files.sources,
        &control,
    ) {
        return code;
    }
    let not_loaded = files.failed_under(&control);
    let mut failed = 0usize;
    let blocked = crate::commands::lint::gate(&files, &control, &rules);
    let sources = &files.sources;
    let blocked_ids: std::collections::BTreeSet<FileId> =
        blocked.iter().map(|(id, _)| *id).collect();
    failed += blocked.len();
    let mut by_nsid: BTreeMap<String, Vec<Built>> = BTreeMap::new();
    for (id, file) in sources.iter() {
        if blocked_ids.contains(&id) {
            continue;
        }
        match build(&file.text) {
            Ok(record) => by_nsid
                .entry(record.nsid().to_owned())
                .or_default()
                .push(Built {
                    source: PathBuf::from(&file.path),
                    record,
                }),
            Err(message) => {
                eprintln!("error: {}: {message}", file.path);
                failed += 1;
            }
        }
    }
    // A duplicate NSID is reported on one of the files; the other copy gets no record either.
    let duplicated: std::collections::BTreeSet<&str> = blocked
        .iter()
        .flat_map(|(_, diagnostics)| diagnostics)
        .filter(|d| d.name == "duplicate-nsid")
        .filter_map(|d| d.nsid.as_deref())
        .collect();
    let mut records = Vec::new();
    for (nsid, mut built) in by_nsid {
        if duplicated.contains(nsid.as_str()) {
            eprintln!(
                "error: {nsid} is defined by more than one file\n  help: keep one file per NSID; no record was written for it"
            );
            failed += built.len();
            continue;
        }
        if built.len() > 1 {
            let paths: Vec<String> = built
                .iter()
                .map(|b| b.source.display().to_string())
                .collect();
            eprintln!(
                "error: {nsid} is defined by {} files: {}\n  help: keep one file per NSID; no record was written for it",
                built.len(),
                paths.join(", ")
            );
            failed += built.len();
            continue;
        }
        records.extend(built.pop().map(|b| b.record));
    }

    if let Err(message) = write_records(&args.out, &records) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    println!(
        "wrote {} and {CIDS_FILE} to {}",
        lexperm_parser::wording::count(records.len(), "record", "records"),
        args.out.display()
    );
    if failed > 0 {
        eprintln!(
            "{} produced no record",
            lexperm_parser::wording::count(failed, "lexicon file", "lexicon files")
        );
    }
    if not_loaded > 0 {
        EXIT_USAGE
    } else if failed > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

fn build(text: &str) -> Result<SchemaRecord, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    schema_record(&doc).map_err(|err| err.to_string())
}

fn write_records(out: &Path, records: &[SchemaRecord]) -> Result<(), String> {
    std::fs::create_dir_all(out)
        .map_err(|err| format!("cannot create {}: {err}", out.display()))?;
    let mut cids = serde_json::Map::new();
    for record in records {
        let path = out.join(format!("{}.json", record.nsid()));
        write_json(&path, record.value())?;
        cids.insert(
            record.nsid().to_owned(),
            serde_json::Value::from(record.cid().to_string()),
        );
    }
    write_json(&out.join(CIDS_FILE), &serde_json::Value::Object(cids))
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), String> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|err| format!("cannot serialize {}: {err}", path.display()))?;
    text.push('\n');
    std::fs::write(path, text).map_err(|err| format!("cannot write {}: {err}", path.display()))
}
