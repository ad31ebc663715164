//! `lexperm gen rust` / `lexperm gen ts`: scope constants from lexicons, the same code
//! `lexperm_codegen::Builder` writes from a `build.rs`, for projects that commit the generated file.
//!
//! `--check` writes nothing: exit 0 when `--out` holds exactly what would be generated, 1 when it is
//! stale or missing (with a short summary of the difference on stderr). Exit 1 also when a lexicon
//! has lint errors (printed as `path:line:col: error[CODE/name]: message`), 2 for usage, template
//! and IO errors. The lexicons are read by the CLI's loader (the link policy and bounds of
//! `lexperm lint`); a path it cannot load is reported and no code is generated (exit 2), after the
//! lint errors of the other files.

use std::path::{Path, PathBuf};

use clap::Args;
use lexperm_codegen::{lint_report, Builder, GenerateError, LintError, Target};

use super::lexicons::print_not_loaded;
use super::reference_args::ReferenceArgs;
use super::rule_args::RuleArgs;
use super::walk_args::WalkArgs;
use crate::load;
use crate::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

/// Arguments of `lexperm gen rust` and `lexperm gen ts`.
#[derive(Debug, Args)]
pub struct GenCodeArgs {
    /// Lexicon folder (searched recursively for `*.json` files) or file; may be repeated (all
    /// are linted as one catalog).
    #[arg(long, value_name = "DIR|FILE", default_value = "lexicons")]
    pub lexicons: Vec<PathBuf>,
    /// Folder whose `header.hbs`, `record.hbs`, `endpoint.hbs` or `permission_set.hbs` replace the
    /// embedded templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// File to write the generated code to (missing parent folders are created).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write nothing; exit 1 when FILE is not what would be generated, 0 when it is.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub reference: ReferenceArgs,
    #[command(flatten)]
    pub walk: WalkArgs,
}

/// The gate's failure as the command line says it: the flags that let the rules through last.
fn cli_lint_report(errors: &[LintError]) -> String {
    let mut codes: Vec<&str> = errors.iter().map(|e| e.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let flags: Vec<String> = codes
        .iter()
        .map(|code| format!("--ignore {code}"))
        .collect();
    lint_report(
        errors,
        &format!(
            "to generate anyway, pass {} (`lexperm lint` shows each error in its source)",
            flags.join(" ")
        ),
    )
}

/// Runs `lexperm gen rust` (or `ts`) and returns the process exit code.
pub fn run(args: &GenCodeArgs, target: Target) -> u8 {
    if let Some(missing) = args.lexicons.iter().find(|path| !path.exists()) {
        eprintln!(
            "error: lexicon folder or file {} does not exist\n  help: pass --lexicons DIR or --lexicons FILE",
            missing.display()
        );
        return EXIT_USAGE;
    }
    let (settings, control) = match args.rules.settings(&args.lexicons) {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    let Some(options) = args.walk.options_or_report(&settings) else {
        return EXIT_USAGE;
    };
    // Read through the CLI's loader (link policy, bounded reads); the builder gets the texts.
    let mut files = load::load(&args.lexicons, &options);
    print_not_loaded(&files);
    if let Some(code) = super::lockfile::gate(&args.lexicons, &mut files.sources, &control) {
        return code;
    }
    let not_loaded = files.failed_under(&control);
    let mut builder = Builder::new()
        .target(target)
        .emit_rerun_if_changed(false)
        .reference(args.reference.get())
        .rule_control(control);
    for (_, file) in files.sources.iter() {
        builder = builder.lexicon_text(&file.path, file.text.as_str());
    }
    if let Some(dir) = &args.templates {
        builder = builder.templates(dir);
    }
    let generated = builder.generate_string();
    if not_loaded > 0 {
        // Code without some of the lexicons would silently lack their constants.
        if let Err(GenerateError::Lint { errors }) = &generated {
            eprintln!("{}", cli_lint_report(errors));
        }
        eprintln!(
            "error: {} could not be loaded; no code generated",
            crate::render::plural(not_loaded, "lexicon path")
        );
        return EXIT_USAGE;
    }
    let code = match generated {
        Ok(code) => code,
        Err(GenerateError::Lint { errors }) => {
            eprintln!("{}", cli_lint_report(&errors));
            return EXIT_FAILURE;
        }
        Err(err) => {
            eprintln!("error: {err}");
            return EXIT_USAGE;
        }
    };
    if args.check {
        return check(&args.out, &code);
    }
    if std::fs::read_to_string(&args.out).is_ok_and(|old| old == code) {
        println!("{} is up to date", args.out.display());
        return EXIT_OK;
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Err(err) = std::fs::create_dir_all(parent) {
            eprintln!("error: cannot create folder {}: {err}", parent.display());
            return EXIT_USAGE;
        }
    }
    match std::fs::write(&args.out, code) {
        Ok(()) => {
            println!("wrote {}", args.out.display());
            EXIT_OK
        }
        Err(err) => {
            eprintln!("error: cannot write {}: {err}", args.out.display());
            EXIT_USAGE
        }
    }
}

/// Compares `path` with `code`; prints a summary when they differ.
fn check(path: &Path, code: &str) -> u8 {
    let old = match std::fs::read_to_string(path) {
        Ok(old) => old,
        Err(err) => {
            eprintln!(
                "{} is stale: cannot read it ({err})\n  help: run the same command without --check",
                path.display()
            );
            return EXIT_FAILURE;
        }
    };
    if old == code {
        println!("{} is up to date", path.display());
        return EXIT_OK;
    }
    eprintln!("{} is stale: {}", path.display(), diff_summary(&old, code));
    eprintln!("  help: run the same command without --check to update it");
    EXIT_FAILURE
}

/// `N lines only in the file, M only in the generated code; first difference at line L` plus that line from each side.
fn diff_summary(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut counts: std::collections::HashMap<&str, isize> = std::collections::HashMap::new();
    for line in &old_lines {
        *counts.entry(line).or_default() += 1;
    }
    for line in &new_lines {
        *counts.entry(line).or_default() -= 1;
    }
    let removed: isize = counts.values().filter(|n| **n > 0).sum();
    let added: isize = -counts.values().filter(|n| **n < 0).sum::<isize>();
    let first = old_lines
        .iter()
        .zip(&new_lines)
        .position(|(a, b)| a != b)
        .unwrap_or(old_lines.len().min(new_lines.len()));
    let shown = |lines: &[&str]| {
        lines
            .get(first)
            .map_or("(end of file)".to_owned(), |line| line.trim().to_owned())
    };
    format!(
        "{} only in the file, {added} only in the generated code; first difference at line {}\n  - {}\n  + {}",
        lexperm_parser::wording::count(removed.unsigned_abs(), "line", "lines"),
        first + 1,
        shown(&old_lines),
        shown(&new_lines)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_summary_counts_lines_and_shows_the_first_difference() {
        assert_eq!(
            diff_summary("a\nb\nc\n", "a\nB\nc\nd\n"),
            "1 line only in the file, 2 only in the generated code; first difference at line 2\n  - b\n  + B"
        );
        assert_eq!(
            diff_summary("a\n", "a\nb\n"),
            "0 lines only in the file, 1 only in the generated code; first difference at line 2\n  - (end of file)\n  + b"
        );
    }
}
