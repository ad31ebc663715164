//! `lexperm gen rust`: Rust scope constants from lexicons, the same code `lexperm_codegen::Builder`
//! writes from a `build.rs`, for projects that prefer to commit the generated file.

use std::path::PathBuf;

use clap::Args;
use lexperm_codegen::Builder;

use crate::{EXIT_FAILURE, EXIT_OK};

/// Arguments of `lexperm gen rust`.
#[derive(Debug, Args)]
pub struct GenRustArgs {
    /// Folder searched (recursively) for lexicon `*.json` files; may be repeated.
    #[arg(long, value_name = "DIR", default_value = "lexicons")]
    pub lexicons: Vec<PathBuf>,
    /// Folder whose `header.hbs`, `record.hbs`, `endpoint.hbs` or `permission_set.hbs` replace the
    /// embedded templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// File to write the generated Rust code to.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Runs `lexperm gen rust` and returns the process exit code.
pub fn run(args: &GenRustArgs) -> u8 {
    let mut builder = Builder::new().emit_rerun_if_changed(false);
    for dir in &args.lexicons {
        builder = builder.lexicons(dir);
    }
    if let Some(dir) = &args.templates {
        builder = builder.templates(dir);
    }
    match builder.generate_to(&args.out) {
        Ok(()) => {
            println!("wrote {}", args.out.display());
            EXIT_OK
        }
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_FAILURE
        }
    }
}
