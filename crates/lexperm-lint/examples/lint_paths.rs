//! Lints the lexicon files named on the command line and prints every diagnostic as
//! `path:line:col: severity CODE name: message`. A development aid; the real CLI is `lexperm lint`.

use lexperm_lint::lint_file;
use lexperm_parser::diagnostics::{FileId, LineIndex};

fn main() {
    for path in std::env::args().skip(1) {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        let index = LineIndex::new(&text);
        for d in lint_file(FileId(0), &text).diagnostics {
            let (line, col) = index.line_col(&text, d.span.start);
            println!(
                "{path}:{line}:{col}: {} {} {}: {}",
                d.severity, d.code, d.name, d.message
            );
        }
    }
}
