//! Generates `$OUT_DIR/scopes.rs` from the repository's `lexicons/` folder.
//!
//! `Builder` prints `cargo:rerun-if-changed` for the folder, which Cargo scans recursively, so
//! Cargo runs this script again only when a lexicon is added, removed or edited. A lexicon with
//! lint errors fails the build with the errors listed as `path:line:col: error[CODE/name]: …`.

use std::path::PathBuf;

fn main() {
    let (Some(manifest_dir), Some(out_dir)) = (
        std::env::var_os("CARGO_MANIFEST_DIR"),
        std::env::var_os("OUT_DIR"),
    ) else {
        eprintln!("error: CARGO_MANIFEST_DIR and OUT_DIR are set by Cargo; run this through cargo");
        std::process::exit(1);
    };
    let lexicons = PathBuf::from(manifest_dir).join("../../lexicons");
    let generated = lexperm_codegen::Builder::new()
        .lexicons(lexicons)
        .generate_to(PathBuf::from(out_dir).join("scopes.rs"));
    if let Err(err) = generated {
        eprintln!("error: cannot generate scope constants:\n{err}");
        std::process::exit(1);
    }
}
