//! `lexperm init [DIR]`: sets up a lexicon repository: a `lexicons/` folder, a commented
//! `lexperm.toml`, the CI workflow of `docs/ci.md`, and (with `--authority`) a first record.
//! Files that exist are kept.

use std::path::{Path, PathBuf};

use clap::Args;
use lexperm_parser::syntax::Nsid;

use super::lexicons::DEFAULT_LEXICONS;
use super::new::{self, Kind, Written};
use crate::config::CONFIG_FILE_NAME;

/// The CI workflow written to `.github/workflows/lexperm.yml`: the one `docs/ci.md` explains
/// (and `tests/ci_workflow.rs` runs).
pub const WORKFLOW: &str = include_str!("../../../../docs/examples/lexperm.yml");

/// Where the workflow goes.
pub const WORKFLOW_PATH: &str = ".github/workflows/lexperm.yml";

/// The configuration file written: every section lexperm reads, its settings commented out.
pub const CONFIG: &str = r#"# lexperm settings for the lexicons of this repository: what the walk of folders leaves out,
# rule levels, intended widenings, the network deadline and what `lexperm check-dns` expects.
# Every key is documented in
# https://github.com/lexperm/lexperm/blob/main/docs/config.md

# Globs left out of folder walks besides the defaults (.git, node_modules, target, ...);
# `exclude` replaces the defaults instead. Files ignored by .gitignore are left out too
# (`respect-gitignore = false` reads them).
# extend-exclude = ["lexicons/vendor/**"]

# Rule levels by code or name: "off", "info", "warning" or "error".
# `lexperm explain --list` lists every rule; `lexperm explain CODE` explains one.
[rules]
# S104 = "off"
# missing-primary-description = "error"

[breaking]
# Permission sets and space types whose widening is intended: `lexperm breaking` reports their
# widening as information instead of an error.
acknowledge-widening = []

[network]
# How long a command that uses the network may take in all, in seconds (default 300;
# `--network-deadline` overrides it).
# deadline = 120

[authority]
# The DID every `_lexicon.<authority>` DNS record of your NSID groups must name
# (`lexperm check-dns`; default: the account of the saved publishing session), and the NSID
# groups intentionally left without a record.
# did = "did:plc:..."
unpublished = []
"#;

/// Name of the first record written with `--authority`.
const FIRST_RECORD: &str = "item";

/// Arguments of `lexperm init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository folder (created when missing).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// The NSID authority of your lexicons (reversed domain, e.g. `com.example`): writes a first
    /// record, `lexicons/com/example/item.json`.
    #[arg(long, value_name = "AUTHORITY")]
    authority: Option<String>,
}

/// Runs `init` and returns the exit code.
pub fn run(args: InitArgs) -> u8 {
    let record = match args.authority.as_deref().map(first_record).transpose() {
        Ok(record) => record,
        Err(message) => {
            eprintln!("error: {message}");
            return crate::EXIT_USAGE;
        }
    };
    let lexicons = args.dir.join(DEFAULT_LEXICONS);
    let mut files = vec![
        (args.dir.join(CONFIG_FILE_NAME), CONFIG.to_owned()),
        (args.dir.join(WORKFLOW_PATH), WORKFLOW.to_owned()),
    ];
    if let Some(nsid) = &record {
        files.push((
            new::lexicon_path(&lexicons, nsid),
            new::to_text(&new::document(Kind::Record, nsid)),
        ));
    }
    let mut code = crate::EXIT_OK;
    let existed = lexicons.is_dir();
    match std::fs::create_dir_all(&lexicons) {
        Ok(()) if existed => println!("kept    {}/ (it exists)", shown(&lexicons)),
        Ok(()) => println!("created {}/", shown(&lexicons)),
        Err(err) => {
            eprintln!("error: cannot create {}: {err}", lexicons.display());
            return crate::EXIT_USAGE;
        }
    }
    for (path, text) in &files {
        match new::write_file(path, text, false) {
            Ok(Written::Created) => println!("created {}", shown(path)),
            Ok(_) => println!("kept    {} (it exists)", shown(path)),
            Err(err) => {
                eprintln!("error: cannot write {}: {err}", path.display());
                code = crate::EXIT_USAGE;
            }
        }
    }
    if code == crate::EXIT_OK {
        let example = record
            .as_ref()
            .map_or("com.example.post".to_owned(), |nsid| {
                format!("{}post", nsid.group_prefix())
            });
        let cd = match shown(&args.dir).as_str() {
            "." | "" => String::new(),
            dir => format!("`cd {dir}`, "),
        };
        println!("next: {cd}`lexperm new record {example}`, then `lexperm lint`");
    }
    code
}

/// The NSID of the first record of `authority`.
fn first_record(authority: &str) -> Result<Nsid, String> {
    let authority = authority.trim_end_matches('.');
    Nsid::parse(&format!("{authority}.{FIRST_RECORD}")).map_err(|err| {
        format!("--authority `{authority}` is not an NSID authority (a reversed domain name such as `com.example`): {err}")
    })
}

/// `path` with `/` separators and without a leading `./`.
fn shown(path: &Path) -> String {
    let text = crate::sources::display_path(path);
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_valid() {
        let config = lexperm_lint::config::parse(CONFIG).expect("the written config parses");
        assert!(config.rules.is_empty());
        assert_eq!(lexperm_lint::config::parse_network(CONFIG), Ok(None));
    }

    #[test]
    fn authority_must_make_an_nsid() {
        assert_eq!(
            first_record("com.example").unwrap().as_str(),
            "com.example.item"
        );
        assert!(first_record("example").is_err());
        assert!(first_record("com.exa mple").is_err());
    }
}
