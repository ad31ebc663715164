//! `lexperm publish`: publish the lexicons of a folder as `com.atproto.lexicon.schema` records.
//!
//! Steps: lint (any error refuses the whole run, as `gen records` does) → build records + CIDs →
//! sign in ([`AccountArgs`]: the OAuth session of `lexperm login`, else a stored session or an app
//! password from `LEXPERM_APP_PASSWORD` / stdin / prompt; never from argv) → check
//! `_lexicon.<authority>` for every NSID group → list the remote records → plan → apply with
//! compare-and-swap and read-back (unless `--dry-run`).

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use lexperm_net::authority::nsid_authority;
use lexperm_net::publish::{
    apply_plan, check_authorities, dry_run, plan_publish, LocalLexicon, PlanAction, PublishPlan,
    PublishResult, PublishStatus,
};
use lexperm_net::xrpc::LEXICON_COLLECTION;

use super::auth_args::{AccountArgs, Failure};
use super::net_args::NetArgs;
use super::walk_args::WalkArgs;
use crate::config::{self, RuleControl, RuleFlags};
use crate::engine;
use crate::load;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Output format of `publish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PublishFormat {
    /// The plan with diffs, then a summary.
    Human,
    /// One JSON object per lexicon: nsid, action, reason, local_cid, remote_cid, status.
    Json,
}

/// `lexperm publish` arguments.
#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Folder of lexicon JSON files (searched recursively), or one lexicon file.
    #[arg(long, value_name = "DIR|FILE", default_value = "lexicons")]
    pub lexicons: PathBuf,
    #[command(flatten)]
    pub net: NetArgs,
    /// Plan only; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Configuration file for the lint gate and the walk (default: the nearest `lexperm.toml`
    /// from `--lexicons` upward, else `./lexperm.toml`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PublishFormat::Human)]
    pub format: PublishFormat,
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// Run `lexperm publish`; returns the exit code.
pub fn run(args: PublishArgs) -> u8 {
    match publish(&args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn usage(e: impl ToString) -> Failure {
    (EXIT_USAGE, e.to_string())
}

fn failure(e: impl ToString) -> Failure {
    (EXIT_FAILURE, e.to_string())
}

fn publish(args: &PublishArgs) -> Result<u8, Failure> {
    let (locals, network_deadline) =
        load_lexicons(&args.lexicons, args.config.as_deref(), args.walk)?;
    let identity = args.net.identity(network_deadline).map_err(usage)?;
    let mut agent = args.account.login(&identity)?;
    let did = agent.did().to_string();
    let authorities: BTreeSet<String> = locals
        .iter()
        .filter_map(|l| nsid_authority(&l.nsid).ok())
        .collect();
    let checks = check_authorities(identity.dns(), &did, authorities.iter().map(String::as_str));
    let remote = agent
        .client()
        .list_records(&did, LEXICON_COLLECTION)
        .map_err(|e| failure(format!("cannot list the published lexicons of {did}: {e}")))?;
    let plan = plan_publish(&did, &locals, &remote, &checks);
    if args.format == PublishFormat::Human {
        print_plan(&plan);
    }
    let results = if args.dry_run {
        dry_run(&plan)
    } else {
        // For the read-back proof of each write: the repository's signing key.
        let doc = identity
            .resolve_did(&did)
            .map_err(|e| failure(format!("cannot resolve {did}: {e}")))?;
        let writes = plan
            .entries
            .iter()
            .filter(|e| matches!(e.action, PlanAction::Create | PlanAction::Update))
            .count();
        let bar =
            (args.format == PublishFormat::Human && std::io::stderr().is_terminal() && writes > 0)
                .then(|| indicatif::ProgressBar::new(plan.entries.len() as u64));
        let results = apply_plan(&mut agent, &plan, &doc, |_| {
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        });
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        results
    };
    match args.format {
        PublishFormat::Json => {
            for r in &results {
                let line = crate::render::versioned(r);
                println!("{}", serde_json::Value::Object(line));
            }
        }
        PublishFormat::Human => print_summary(&results, args.dry_run),
    }
    let bad = results
        .iter()
        .any(|r| r.status == PublishStatus::Failed || r.action == PlanAction::Refused);
    Ok(if bad { EXIT_FAILURE } else { EXIT_OK })
}

fn load_lexicons(
    root: &Path,
    config_file: Option<&Path>,
    walk: WalkArgs,
) -> Result<(Vec<LocalLexicon>, Option<u64>), Failure> {
    if !root.exists() {
        return Err(usage(format!(
            "{} does not exist (--lexicons DIR or --lexicons FILE)",
            root.display()
        )));
    }
    let rules = engine::registry();
    let roots = [root.to_path_buf()];
    let settings = config::load(config_file, &roots, &rules).map_err(usage)?;
    let control =
        RuleControl::new(&rules, &settings.config, &RuleFlags::default()).map_err(usage)?;
    // The same loader as `lexperm lint`, so publish sees exactly the files lint judged.
    let files = load::load(&roots, &walk.options(&settings).map_err(usage)?);
    let not_loaded = files.failed_under(&control);
    // The lint gate: any error (the full `lexperm lint` pipeline with `lexperm.toml` settings)
    // refuses the whole run.
    let blocked = crate::commands::lint::gate(&files, &control, &rules);
    let sources = &files.sources;
    let mut errors = blocked.len();
    let mut locals = Vec::new();
    for (id, file) in sources.iter() {
        if blocked.iter().any(|(blocked_id, _)| *blocked_id == id) {
            continue;
        }
        match LocalLexicon::from_text(&file.text) {
            Ok(l) => locals.push(l),
            Err(message) => {
                errors += 1;
                eprintln!("error: {}: {message}", file.path);
            }
        }
    }
    if not_loaded > 0 {
        return Err(usage(format!(
            "{} could not be loaded; nothing was published",
            crate::render::plural(not_loaded, "lexicon path")
        )));
    }
    if errors > 0 {
        return Err(failure(format!(
            "{} broken or {} lint errors; nothing was published",
            lexperm_parser::wording::count(errors, "lexicon file is", "lexicon files are"),
            if errors == 1 { "has" } else { "have" }
        )));
    }
    if locals.is_empty() {
        return Err(usage(format!(
            "no lexicon files (*.json) under {}",
            root.display()
        )));
    }
    Ok((locals, settings.config.network_deadline))
}

fn print_plan(plan: &PublishPlan) {
    println!("plan for {}:", plan.did);
    for e in &plan.entries {
        let cid = |c: &Option<String>| c.clone().unwrap_or_else(|| "-".into());
        match e.action {
            PlanAction::Create => println!("  create      {}  {}", e.nsid, cid(&e.local_cid)),
            PlanAction::Unchanged => println!("  unchanged   {}  {}", e.nsid, cid(&e.local_cid)),
            PlanAction::Update => {
                println!(
                    "  update      {}  {} → {}",
                    e.nsid,
                    cid(&e.remote_cid),
                    cid(&e.local_cid)
                );
                for line in &e.diff {
                    println!("      {line}");
                }
            }
            PlanAction::Refused => {
                println!("  refused     {}", e.nsid);
                if let Some(reason) = &e.reason {
                    println!("      {reason}");
                }
            }
            PlanAction::RemoteOnly => println!(
                "  remote-only {}  {} (left as is)",
                e.nsid,
                cid(&e.remote_cid)
            ),
        }
    }
}

fn print_summary(results: &[PublishResult], dry_run: bool) {
    for r in results.iter().filter(|r| r.status == PublishStatus::Failed) {
        eprintln!(
            "error: {}: {}",
            r.nsid,
            r.reason.as_deref().unwrap_or("failed")
        );
    }
    let count = |a: PlanAction| results.iter().filter(|r| r.action == a).count();
    let failed = results
        .iter()
        .filter(|r| r.status == PublishStatus::Failed)
        .count();
    println!(
        "{}{} create, {} update, {} unchanged, {} refused, {} remote-only, {} failed",
        if dry_run { "dry run: " } else { "" },
        count(PlanAction::Create),
        count(PlanAction::Update),
        count(PlanAction::Unchanged),
        count(PlanAction::Refused),
        count(PlanAction::RemoteOnly),
        failed
    );
}
