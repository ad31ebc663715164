//! `lexperm diff NSID|GROUP.*…`: each local lexicon against its published record (resolved as
//! `lexperm resolve` does: DNS `_lexicon` TXT → DID → PDS → record, proof checked, through the
//! resolution cache): the structural differences of the documents as JSON paths, and the
//! findings of the breaking-change rules with the published version as the base.

use std::io::Write;

use clap::Args;
use lexperm_net::publish::{json_changes, JsonChange};
use lexperm_net::resolve::{LexiconResolver, ResolvedLexicon};
use lexperm_net::NetError;
use lexperm_parser::diagnostics::{Diagnostic, FileId};
use lexperm_parser::suggest;
use lexperm_parser::syntax::Nsid;
use lexperm_parser::wording::count;
use serde_json::{json, Value};

use super::lexicons::{Format, LexiconDirs};
use super::net_args::NetArgs;
use super::reference_args::ReferenceArgs;
use super::remote::source_name;
use super::status::{local_lexicons, Local};
use crate::config::{self, RuleControl, RuleFlags};
use crate::engine;
use crate::render;
use crate::sources::{SourceFile, Sources};
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// `lexperm diff` arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Local NSIDs to compare with their published records, or `GROUP.*` for every local lexicon
    /// of an NSID group (e.g. `com.example.calendar.*`).
    #[arg(required = true, value_name = "NSID|GROUP.*")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub lexicons: LexiconDirs,
    #[command(flatten)]
    pub net: NetArgs,
    /// Use only the resolution cache (stale entries are accepted, expired ones are not).
    #[arg(long, conflicts_with = "no_cache")]
    pub offline: bool,
    /// Neither read nor write the resolution cache.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub reference: ReferenceArgs,
    /// Output format: the changes and findings per NSID with a summary, or one JSON object per
    /// NSID.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// One NSID compared: the local file, the published record and what differs.
struct Compared<'a> {
    local: &'a Local,
    published: ResolvedLexicon,
    changes: Vec<JsonChange>,
    /// The file id of the local version in the comparison's sources.
    local_file: FileId,
    /// The file id of the published version in the comparison's sources.
    base_file: FileId,
}

/// Run `lexperm diff`; returns the exit code.
pub fn run(args: DiffArgs) -> u8 {
    let resolver = match resolver(&args) {
        Ok(resolver) => resolver,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let loaded = args.lexicons.load();
    let (locals, broken) = local_lexicons(&loaded);
    let mut errors = broken + loaded.failed;
    // Each selected lexicon, and whether only a `GROUP.*` named it.
    let mut selected: Vec<&Local> = Vec::new();
    let mut named: Vec<bool> = Vec::new();
    for target in &args.targets {
        match select(&locals, target) {
            Ok(found) => {
                for local in found {
                    let by_name = !target.ends_with(".*");
                    match selected.iter().position(|s| s.file == local.file) {
                        Some(index) => named[index] |= by_name,
                        None => {
                            selected.push(local);
                            named.push(by_name);
                        }
                    }
                }
            }
            Err(message) => {
                errors += 1;
                print_error(args.format, target, "not-local", &message);
            }
        }
    }

    // The comparison's files: the selected local ones, then the published ones as the base.
    let mut sources = Sources::new();
    let local_files: Vec<FileId> = selected
        .iter()
        .map(|local| {
            let text = loaded
                .sources
                .get(local.file)
                .map_or_else(String::new, |file| file.text.clone());
            sources.add(SourceFile::new(local.path.clone(), text))
        })
        .collect();
    let mut compared: Vec<Compared<'_>> = Vec::new();
    for ((local, local_file), by_name) in selected.iter().zip(local_files).zip(&named) {
        let nsid = local.lexicon.nsid.as_str();
        let result = resolver.resolve(nsid);
        for warning in resolver.take_warnings() {
            eprintln!("warning: {warning}");
        }
        match result {
            Ok(published) => {
                let source = crate::base::published_source(nsid, &published)
                    .unwrap_or_else(|_| SourceFile::new(published.lexicon.uri.clone(), ""));
                let base_file = sources.add_base(source);
                let changes = json_changes(
                    &document(&published.lexicon.record),
                    &document(&local.lexicon.record),
                );
                compared.push(Compared {
                    local,
                    published,
                    changes,
                    local_file,
                    base_file,
                });
            }
            Err(NetError::NotPublished { .. }) if !by_name => {
                eprintln!("note: {nsid} is not published yet; there is nothing to compare it with");
            }
            Err(error) => {
                let (code, message) = match &error {
                    NetError::NotPublished { .. } => (
                        "not-published",
                        format!(
                            "{error}; there is nothing to compare it with (`lexperm status` lists \
                             what is published)"
                        ),
                    ),
                    _ => ("resolve-failed", error.to_string()),
                };
                errors += 1;
                print_error(args.format, nsid, code, &message);
            }
        }
    }

    crate::verbose(format_args!(
        "{} requests",
        resolver.identity().requests().count()
    ));
    // The breaking-change rules over every pair at once, base = published, after = local: only
    // the local files that have a published version take part.
    let side = |base: bool| -> Vec<(FileId, String, &str)> {
        compared
            .iter()
            .map(|c| if base { c.base_file } else { c.local_file })
            .filter_map(|id| {
                sources
                    .get(id)
                    .map(|f| (id, f.path.clone(), f.text.as_str()))
            })
            .collect()
    };
    let (after_files, before_files) = (side(false), side(true));
    let mut findings = engine::breaking(&before_files, &after_files, args.reference.get());
    let control = rule_control(&args.lexicons);
    for (_, diagnostics) in &mut findings {
        control.apply(diagnostics);
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
    }

    let mut differing = 0;
    let mut stdout = std::io::stdout().lock();
    for (index, item) in compared.iter().enumerate() {
        let own: Vec<(FileId, Vec<Diagnostic>)> = findings
            .iter()
            .filter(|(file, _)| *file == item.local_file || *file == item.base_file)
            .cloned()
            .collect();
        let findings_count: usize = own.iter().map(|(_, d)| d.len()).sum();
        let differs =
            item.published.lexicon.cid != item.local.lexicon.cid || !item.changes.is_empty();
        if differs || findings_count > 0 {
            differing += 1;
        }
        match args.format {
            Format::Json => {
                let line = json!({
                    "version": crate::JSON_VERSION,
                    "nsid": item.local.lexicon.nsid,
                    "file": item.local.path,
                    "uri": item.published.lexicon.uri,
                    "local_cid": item.local.lexicon.cid,
                    "remote_cid": item.published.lexicon.cid,
                    "source": source_name(&item.published.source),
                    "changes": item.changes,
                    "breaking": render::comparison_json(&sources, &own),
                });
                println!("{line}");
            }
            Format::Human => {
                if index > 0 {
                    println!();
                }
                print_human(item, differs);
                let diagnostics: Vec<Diagnostic> = own.into_iter().flat_map(|(_, d)| d).collect();
                if !diagnostics.is_empty() {
                    println!(
                        "{}:",
                        count(
                            diagnostics.len(),
                            "breaking-change finding",
                            "breaking-change findings"
                        )
                    );
                    // The renderer cleans what it writes itself (and keeps its colours).
                    let human = super::lint::human_options();
                    let _ = render::render_reports(&sources, &diagnostics, human, &mut stdout)
                        .and_then(|()| stdout.flush());
                }
            }
        }
    }
    if args.format == Format::Human && !compared.is_empty() {
        let same = compared.len() - differing;
        println!(
            "{} the published version, {}",
            count(differing, "lexicon differs from", "lexicons differ from"),
            count(same, "is the same", "are the same")
        );
    }
    if errors > 0 {
        EXIT_USAGE
    } else if differing > 0 {
        EXIT_FAILURE
    } else {
        EXIT_OK
    }
}

/// The lexicon document of a record: the record without `$type`.
fn document(record: &Value) -> Value {
    let mut doc = record.clone();
    if let Some(map) = doc.as_object_mut() {
        map.remove("$type");
    }
    doc
}

/// The resolver of the options: network settings, cache policy.
fn resolver(args: &DiffArgs) -> Result<LexiconResolver, String> {
    let deadline = config::network_deadline()?;
    super::remote::resolver(&args.net, deadline, args.no_cache, args.offline)
}

/// The rule levels of the configuration found from the lexicon folders (as `breaking` applies
/// them); the defaults when it cannot be read (the folders' walk has warned already).
fn rule_control(dirs: &LexiconDirs) -> RuleControl {
    let rules = engine::registry();
    let paths = if dirs.dirs.is_empty() {
        vec![std::path::PathBuf::from(super::lexicons::DEFAULT_LEXICONS)]
    } else {
        dirs.dirs.clone()
    };
    config::load(None, &paths, &rules)
        .and_then(|settings| RuleControl::new(&rules, &settings.config, &RuleFlags::default()))
        .unwrap_or_default()
}

/// The local lexicons `target` names: one NSID, or every one of a group with `GROUP.*`.
fn select<'a>(locals: &'a [Local], target: &str) -> Result<Vec<&'a Local>, String> {
    if let Some(group) = target.strip_suffix(".*") {
        let mut found: Vec<&Local> = locals
            .iter()
            .filter(|l| {
                Nsid::parse(&l.lexicon.nsid)
                    .is_ok_and(|nsid| nsid.group_prefix().strip_suffix('.') == Some(group))
            })
            .collect();
        found.sort_by(|a, b| a.lexicon.nsid.cmp(&b.lexicon.nsid));
        if found.is_empty() {
            return Err(format!(
                "no local lexicon is in the group {group} (give the folder with --lexicons DIR)"
            ));
        }
        return Ok(found);
    }
    Nsid::parse(target).map_err(|e| format!("not an NSID: {}", e.message))?;
    match locals.iter().find(|l| l.lexicon.nsid == target) {
        Some(local) => Ok(vec![local]),
        None => {
            let names: Vec<&str> = locals.iter().map(|l| l.lexicon.nsid.as_str()).collect();
            let hint = suggest::did_you_mean(&suggest::closest(target, names, 3))
                .map(|hint| format!("; {hint}"))
                .unwrap_or_default();
            Err(format!(
                "no local lexicon declares this NSID (give the folder with --lexicons DIR){hint}"
            ))
        }
    }
}

/// An NSID that could not be compared: a JSON line (`version`, `nsid`, `error` with `code` and
/// `message`), or an `error:` line on stderr.
fn print_error(format: Format, nsid: &str, code: &str, message: &str) {
    match format {
        Format::Json => println!(
            "{}",
            json!({
                "version": crate::JSON_VERSION,
                "nsid": nsid,
                "error": {"code": code, "message": message},
            })
        ),
        Format::Human if message.starts_with(nsid) => eprintln!("error: {message}"),
        Format::Human => eprintln!("error: {nsid}: {message}"),
    }
}

fn print_human(item: &Compared<'_>, differs: bool) {
    let (local, published) = (&item.local.lexicon, &item.published.lexicon);
    if !differs {
        println!(
            "{}: same as published ({}, {})",
            local.nsid,
            published.cid,
            source_name(&item.published.source)
        );
        return;
    }
    println!("{}: {} ({})", local.nsid, item.local.path, local.cid);
    println!(
        "  published {} ({}, {})",
        published.uri,
        published.cid,
        source_name(&item.published.source)
    );
    for change in &item.changes {
        println!("  {change}");
    }
}
