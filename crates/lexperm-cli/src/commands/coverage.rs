//! `lexperm coverage`: records and endpoints no permission set grants, per NSID group, and sets
//! that grant nothing without `?aud=`.
//!
//! Glue only: the report is computed by `lexperm_resolver`.

use std::io::{self, Write};

use clap::Args;
use lexperm_parser::scope::RepoAction;
use lexperm_resolver::{Coverage, GroupCoverage, ItemCoverage};
use serde_json::json;

use super::lexicons::{Format, LexiconDirs};
use super::reference_args::ReferenceArgs;
use crate::render::plural;

/// Arguments of `lexperm coverage`.
#[derive(Debug, Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    lexicons: LexiconDirs,
    /// Output format (`json`: one object).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    #[command(flatten)]
    reference: ReferenceArgs,
}

/// Runs `coverage`; the exit code is 0 (a report, not a check), or 2 for IO errors, including a
/// lexicon path that could not be loaded (the report then covers the others).
pub fn run(args: CoverageArgs) -> u8 {
    let mut loaded = args.lexicons.load();
    loaded.catalog.set_reference(args.reference.get());
    let coverage = loaded.catalog.coverage();
    let mut out = crate::terminal::stdout();
    let written = match args.format {
        Format::Json => writeln!(out, "{}", to_json(&coverage)),
        Format::Human => human(&coverage, &mut out),
    };
    let code = match written.and_then(|()| out.flush()) {
        Ok(()) => crate::EXIT_OK,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => crate::EXIT_OK,
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            crate::EXIT_USAGE
        }
    };
    loaded.exit_code(code)
}

fn actions(actions: &[RepoAction]) -> Vec<&'static str> {
    actions.iter().map(|a| a.as_str()).collect()
}

fn item_json(item: &ItemCoverage) -> serde_json::Value {
    let mut value = json!({
        "nsid": item.nsid,
        "kind": item.kind,
        "granted_by": item.granted_by,
    });
    if item.kind == "record" {
        value["actions"] = json!(actions(&item.actions));
    }
    value
}

/// One group; `spaces` only when the group declares space types.
fn group_json(g: &GroupCoverage) -> serde_json::Value {
    let mut value = json!({
        "group": g.group,
        "authority": g.authority,
        "records": g.records.iter().map(item_json).collect::<Vec<_>>(),
        "endpoints": g.endpoints.iter().map(item_json).collect::<Vec<_>>(),
    });
    if !g.spaces.is_empty() {
        value["spaces"] = g
            .spaces
            .iter()
            .map(|s| {
                json!({
                    "nsid": s.nsid,
                    "name": s.name,
                    "granted_by": s.granted_by,
                    "collections": s.collections.iter().map(|c| json!({
                        "nsid": c.nsid,
                        "granted_by": c.granted_by,
                        "actions": actions(&c.actions),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    value
}

fn to_json(coverage: &Coverage) -> serde_json::Value {
    let mut value = json!({
        "version": crate::JSON_VERSION,
        "uncovered": coverage.uncovered(),
        "groups": coverage.groups.iter().map(group_json).collect::<Vec<_>>(),
        "sets": coverage.sets.iter().map(|s| json!({
            "nsid": s.nsid,
            "granted_without_aud": s.granted_without_aud,
            "granted_with_aud": s.granted_with_aud,
            "dropped_with_aud": s.dropped_with_aud,
            "needs_aud": s.needs_aud(),
            "undefined": s.undefined,
        })).collect::<Vec<_>>(),
    });
    if coverage.groups.iter().any(|g| !g.spaces.is_empty()) {
        value["unwritable_space_collections"] = json!(coverage.unwritable());
    }
    value
}

fn human(coverage: &Coverage, out: &mut dyn Write) -> io::Result<()> {
    for group in &coverage.groups {
        let records = group.records.len();
        let endpoints = group.endpoints.len();
        let uncovered_records: Vec<&ItemCoverage> = group.uncovered_records().collect();
        let uncovered_endpoints: Vec<&ItemCoverage> = group.uncovered_endpoints().collect();
        writeln!(
            out,
            "{}*  ({}): {}/{records} records, {}/{endpoints} endpoints granted by a set",
            group.group,
            group.authority,
            records - uncovered_records.len(),
            endpoints - uncovered_endpoints.len(),
        )?;
        for item in uncovered_records.iter().chain(&uncovered_endpoints) {
            writeln!(out, "  not granted: {} ({})", item.nsid, item.kind)?;
        }
        for item in group
            .records
            .iter()
            .filter(|r| !r.granted_by.is_empty() && r.actions.len() < RepoAction::ALL.len())
        {
            writeln!(
                out,
                "  partly granted: {} (only {})",
                item.nsid,
                actions(&item.actions).join(", ")
            )?;
        }
        for space in &group.spaces {
            let name = space
                .name
                .as_deref()
                .map(|n| format!(" \"{n}\""))
                .unwrap_or_default();
            let writable = space.collections.len() - space.unwritable().count();
            writeln!(
                out,
                "  space type {}{name}: granted by {}, {writable}/{} declared collections writable",
                space.nsid,
                plural(space.granted_by.len(), "set"),
                space.collections.len(),
            )?;
            for item in space.unwritable() {
                writeln!(out, "    no set lets anyone write: {}", item.nsid)?;
            }
        }
    }
    if !coverage.sets.is_empty() {
        writeln!(out)?;
        writeln!(out, "permission sets:")?;
    }
    for set in &coverage.sets {
        let note = if set.needs_aud() {
            "  (grants nothing without ?aud=: every entry uses inheritAud)"
        } else if set.granted_with_aud == 0 {
            "  (grants nothing)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {}: {} with ?aud=, {} without{note}",
            set.nsid,
            plural(set.granted_with_aud, "scope"),
            set.granted_without_aud
        )?;
        for nsid in &set.undefined {
            writeln!(out, "    grants {nsid}, which no loaded lexicon defines")?;
        }
    }
    writeln!(
        out,
        "{} not granted by any permission set",
        lexperm_parser::wording::count(
            coverage.uncovered(),
            "record or endpoint",
            "records and endpoints"
        )
    )?;
    if coverage.groups.iter().any(|g| !g.spaces.is_empty()) {
        writeln!(
            out,
            "{} declared space collections no permission set lets anyone write",
            coverage.unwritable()
        )?;
    }
    Ok(())
}
