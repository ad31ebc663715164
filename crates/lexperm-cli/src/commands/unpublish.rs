//! `lexperm unpublish NSID|GROUP.*… --handle H`: delete published `com.atproto.lexicon.schema`
//! records.
//!
//! Steps: log in as `publish` does → check `_lexicon.<authority>` of every target (a record the
//! account's DNS does not point at is still deleted, with a warning) → list the records → plan
//! (delete with the CID seen / not published) → stop there with `--dry-run` → confirm on the
//! terminal or stdin (`--yes` skips it) → delete with `swapRecord` = the planned CID and read
//! back.

use clap::{Args, ValueEnum};
use lexperm_net::publish::check_authorities;
use lexperm_net::unpublish::{
    apply_plan, dry_run, plan_unpublish, UnpublishAction, UnpublishPlan, UnpublishResult,
    UnpublishStatus, UnpublishTarget,
};
use lexperm_net::xrpc::LEXICON_COLLECTION;

use super::auth_args::{read_line, AccountArgs, Failure};
use super::net_args::NetArgs;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Output format of `unpublish`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UnpublishFormat {
    /// The plan, then each deletion and a summary.
    Human,
    /// One JSON object per record: nsid, action, cid, status, reason, warning.
    Json,
}

/// `lexperm unpublish` arguments.
#[derive(Debug, Args)]
pub struct UnpublishArgs {
    /// NSIDs whose records to delete, or `GROUP.*` for every record of an NSID group (e.g.
    /// `com.example.calendar.*`: the names directly in it).
    #[arg(value_name = "NSID|GROUP.*", required = true)]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub net: NetArgs,
    /// Show the plan; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete without asking (for CI). Otherwise the plan is confirmed with `y` on the terminal
    /// or on stdin.
    #[arg(long)]
    pub yes: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = UnpublishFormat::Human)]
    pub format: UnpublishFormat,
}

/// Run `lexperm unpublish`; returns the exit code.
pub fn run(args: UnpublishArgs) -> u8 {
    match unpublish(&args) {
        Ok(code) => code,
        Err((code, message)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn unpublish(args: &UnpublishArgs) -> Result<u8, Failure> {
    let targets = args
        .targets
        .iter()
        .map(|t| UnpublishTarget::parse(t))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| (EXIT_USAGE, e.to_string()))?;
    let deadline = crate::config::network_deadline().map_err(|e| (EXIT_USAGE, e))?;
    let identity = args.net.identity(deadline).map_err(|e| (EXIT_USAGE, e))?;
    let mut agent = args.account.login(&identity)?;
    let did = agent.did().to_string();
    let mut authorities: Vec<String> = targets.iter().map(UnpublishTarget::authority).collect();
    authorities.sort();
    authorities.dedup();
    let checks = check_authorities(identity.dns(), &did, authorities.iter().map(String::as_str));
    let remote = agent
        .client()
        .list_records(&did, LEXICON_COLLECTION)
        .map_err(|e| {
            (
                EXIT_FAILURE,
                format!("cannot list the published lexicons of {did}: {e}"),
            )
        })?;
    let plan = plan_unpublish(&did, &targets, &remote, &checks);
    let human = args.format == UnpublishFormat::Human;
    if human {
        print_plan(&plan);
    }
    let deletes = plan.deletes().count();
    let results = if args.dry_run || deletes == 0 {
        dry_run(&plan)
    } else if args.yes || confirm(deletes)? {
        apply_plan(&mut agent, &plan, |r| {
            if human {
                print_result(r);
            }
        })
    } else {
        eprintln!("error: not confirmed; nothing was deleted (--yes deletes without asking)");
        dry_run(&plan)
    };
    match args.format {
        UnpublishFormat::Json => {
            for r in &results {
                let line = crate::render::versioned(r);
                println!("{}", serde_json::Value::Object(line));
            }
        }
        UnpublishFormat::Human => print_summary(&results, args.dry_run),
    }
    for r in results.iter().filter(|r| r.status.is_failure()) {
        eprintln!(
            "error: {}: {}",
            r.nsid,
            r.reason.as_deref().unwrap_or("failed")
        );
    }
    for r in results
        .iter()
        .filter(|r| r.action == UnpublishAction::NotPublished)
    {
        eprintln!("error: {}: not published by {did}", r.nsid);
    }
    let confirmed = !results
        .iter()
        .any(|r| r.status == UnpublishStatus::Planned && !args.dry_run);
    let bad = results
        .iter()
        .any(|r| r.status.is_failure() || r.action == UnpublishAction::NotPublished);
    Ok(if bad || !confirmed {
        EXIT_FAILURE
    } else {
        EXIT_OK
    })
}

/// Asks `delete N records? [y/N]` on stderr and reads the answer from the terminal or stdin;
/// anything but `y`/`yes` (or end of input) is no.
fn confirm(deletes: usize) -> Result<bool, Failure> {
    let question = format!(
        "delete {}? [y/N] ",
        lexperm_parser::wording::count(deletes, "record", "records")
    );
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        // The question still goes to stderr, so a script reading it knows when to answer.
        eprintln!("{}", question.trim_end());
    }
    let answer = read_line(&question, false)
        .map_err(|e| (EXIT_USAGE, format!("cannot read the confirmation: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn print_plan(plan: &UnpublishPlan) {
    println!("plan for {}:", plan.did);
    for e in &plan.entries {
        match e.action {
            UnpublishAction::Delete => println!(
                "  delete         {}  {}",
                e.nsid,
                e.cid.as_deref().unwrap_or("-")
            ),
            UnpublishAction::NotPublished => println!("  not-published  {}", e.nsid),
        }
        if let Some(warning) = &e.warning {
            println!("      warning: {warning}");
        }
    }
}

fn print_result(r: &UnpublishResult) {
    match r.status {
        UnpublishStatus::Deleted => println!(
            "deleted {} (was {})",
            r.nsid,
            r.cid.as_deref().unwrap_or("-")
        ),
        UnpublishStatus::Gone => println!("gone    {} (deleted elsewhere since the plan)", r.nsid),
        UnpublishStatus::Changed => println!("changed {}: not deleted", r.nsid),
        UnpublishStatus::Failed => println!("failed  {}", r.nsid),
        UnpublishStatus::Planned | UnpublishStatus::Skipped => {}
    }
}

fn print_summary(results: &[UnpublishResult], dry_run: bool) {
    let count = |s: UnpublishStatus| results.iter().filter(|r| r.status == s).count();
    let missing = results
        .iter()
        .filter(|r| r.action == UnpublishAction::NotPublished)
        .count();
    if dry_run || count(UnpublishStatus::Planned) > 0 {
        println!(
            "{}{} to delete, {missing} not published",
            if dry_run { "dry run: " } else { "" },
            count(UnpublishStatus::Planned)
        );
    } else {
        println!(
            "{} deleted, {} gone already, {} changed since the plan, {} failed, {missing} not published",
            count(UnpublishStatus::Deleted),
            count(UnpublishStatus::Gone),
            count(UnpublishStatus::Changed),
            count(UnpublishStatus::Failed),
        );
    }
}
