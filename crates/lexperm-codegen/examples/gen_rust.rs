//! Prints the Rust scope constants generated from the lexicon folders given as arguments.
//!
//! `cargo run -p lexperm-codegen --example gen_rust -- path/to/lexicons`

fn main() {
    let mut builder = lexperm_codegen::Builder::new();
    for dir in std::env::args().skip(1) {
        builder = builder.lexicons(dir);
    }
    match builder.generate_string() {
        Ok(code) => print!("{code}"),
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    }
}
