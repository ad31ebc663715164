//! Prints the Rust scope constants generated from the lexicon folders given as arguments.
//!
//! `cargo run -p lexperm-codegen --example gen_rust -- path/to/lexicons [--allow=RULE]`

fn main() {
    let mut builder = lexperm_codegen::Builder::new().emit_rerun_if_changed(false);
    for arg in std::env::args().skip(1) {
        builder = match arg.strip_prefix("--allow=") {
            Some(rule) => builder.allow_rule(rule),
            None => builder.lexicons(arg),
        };
    }
    match builder.generate_string() {
        Ok(code) => print!("{code}"),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    }
}
