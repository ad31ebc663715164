//! `lexperm breaking [PATH…] --base REF|DIR|published`: read the changed version (the working
//! tree) and the base version, compare, filter by rule settings, render, exit code.

use std::path::PathBuf;

use clap::Args;
use lexperm_parser::diagnostics::{Diagnostic, FileId};

use super::lint::{human_options, paths_or_default, write_report, ReportArgs};
use super::net_args::NetArgs;
use super::reference_args::ReferenceArgs;
use super::walk_args::WalkArgs;
use crate::base::{self, Base, PublishedOptions};
use crate::engine;
use crate::load::{self, LoadedFiles};
use crate::render::{self, Summary};

/// Arguments of `lexperm breaking`.
#[derive(Debug, Args)]
pub struct BreakingArgs {
    /// The changed version: lexicon files or directories (walked for `*.json`). Default:
    /// `lexicons/`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The version to compare against: a git ref (`origin/main`, `HEAD~1`; the same paths are
    /// read from git's object database, nothing is checked out), a directory, or `published`
    /// (the records each NSID group's authority publishes, through the resolution cache).
    #[arg(long, value_name = "REF|DIR|published")]
    base: String,
    #[command(flatten)]
    report: ReportArgs,
    /// A permission set or space type whose widening is intended: its `permission-set-widened`
    /// and `space-collections-widened` findings become information; repeatable (also
    /// `[breaking] acknowledge-widening = ["NSID", …]` in the config file).
    #[arg(long, value_name = "NSID")]
    acknowledge_widening: Vec<String>,
    #[command(flatten)]
    reference: ReferenceArgs,
    #[command(flatten)]
    net: NetArgs,
    /// With `--base published`: use only the resolution cache.
    #[arg(long, conflicts_with = "no_cache")]
    offline: bool,
    /// With `--base published`: neither read nor write the resolution cache.
    #[arg(long)]
    no_cache: bool,
    #[command(flatten)]
    walk: WalkArgs,
}

/// Runs `breaking` and returns the exit code.
pub fn run(args: BreakingArgs) -> u8 {
    if let Err(message) = args.report.output.check(args.report.format) {
        eprintln!("error: {message}");
        return crate::EXIT_USAGE;
    }
    let paths = paths_or_default(args.paths);
    let Some((settings, mut control)) = args.report.settings(&paths) else {
        return crate::EXIT_USAGE;
    };
    if let Err(message) = control.acknowledge(&args.acknowledge_widening) {
        eprintln!("error: {message}");
        return crate::EXIT_USAGE;
    }
    let Some(options) = args.walk.options_or_report(&settings) else {
        return crate::EXIT_USAGE;
    };

    let loaded = load::load(&paths, &options);
    for path in &loaded.empty {
        eprintln!("warning: no .json files under {}", path.display());
    }
    let LoadedFiles {
        mut sources,
        problems,
        ..
    } = loaded;
    let after_count = sources.iter().count();

    let mut unavailable = Vec::new();
    let before = match Base::parse(&args.base) {
        Base::Git(reference) => {
            sources.set_base_ref(&reference);
            base::from_git(&reference, &paths, &options)
        }
        Base::Directory(dir) => {
            // The base is what it is: a file of it that cannot be loaded is left out, with a
            // warning, and its lexicon counts as absent from the base.
            let base = load::load(&[dir], &options);
            for problem in &base.problems {
                let path = base
                    .sources
                    .get(problem.span.file)
                    .map_or("?", |file| file.path.as_str());
                eprintln!(
                    "warning: base {path}: {} [{}]",
                    problem.message, problem.code
                );
            }
            Ok(base.sources.into_files())
        }
        Base::Published => {
            let options = PublishedOptions {
                net: &args.net,
                offline: args.offline,
                no_cache: args.no_cache,
                network_deadline: settings.config.network_deadline,
            };
            base::from_published(&base::nsids(&sources), &options).map(|published| {
                unavailable = published.unavailable;
                published.files
            })
        }
    };
    match before {
        Ok(files) => {
            for file in files {
                sources.add_base(file);
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    }

    let files: Vec<(FileId, String, &str)> = sources
        .iter()
        .map(|(id, file)| (id, file.path.clone(), file.text.as_str()))
        .collect();
    let (after_files, before_files) = files.split_at(after_count);
    let mut findings = engine::breaking(before_files, after_files, args.reference.get());
    add_findings(&mut findings, unavailable);
    // Paths of the changed version that were not loaded come last, each with its one diagnostic.
    findings.extend(problems.into_iter().map(|d| (d.span.file, vec![d])));
    let unused = engine::unused_acknowledgements(
        findings.iter().flat_map(|(_, diagnostics)| diagnostics),
        control.acknowledged(),
    );
    for nsid in unused {
        eprintln!(
            "warning: the widening of `{nsid}` is acknowledged, but this comparison has none; \
             remove the acknowledgement (`--acknowledge-widening` or `[breaking] \
             acknowledge-widening` in lexperm.toml) once its change has merged, or the set's next \
             widening passes as information"
        );
    }
    for (_, diagnostics) in &mut findings {
        control.apply(diagnostics);
        diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
    }

    let summary = Summary::count(&findings, sources.len());
    let human = args.report.output.human(human_options());
    write_report(&findings, &control, &summary, |out| {
        if args.report.output.statistics {
            return render::render_statistics(
                args.report.format,
                &findings,
                sources.len(),
                human,
                out,
            );
        }
        render::render_comparison(
            args.report.format,
            &sources,
            &findings,
            &engine::breaking_registry(),
            human,
            out,
        )
    })
}

/// Puts each of `extra` into the entry of the file its span is in.
fn add_findings(findings: &mut [(FileId, Vec<Diagnostic>)], extra: Vec<Diagnostic>) {
    for diagnostic in extra {
        if let Some((_, diagnostics)) = findings
            .iter_mut()
            .find(|(file, _)| *file == diagnostic.span.file)
        {
            diagnostics.push(diagnostic);
        }
    }
}
