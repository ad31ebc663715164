//! Times the three stages (JSON parse, typed model, rules) on one file. A development aid.

use std::time::Instant;

use lexperm_parser::diagnostics::FileId;
use lexperm_parser::{json, lexicon};

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("readable file");
        let start = Instant::now();
        let (value, _) = json::parse(FileId(0), &text);
        let parsed = start.elapsed();
        let start = Instant::now();
        let loaded = value.as_ref().map(|v| lexicon::from_json(FileId(0), v));
        let modelled = start.elapsed();
        let start = Instant::now();
        let mut out = Vec::new();
        if let Some(doc) = loaded.as_ref().and_then(|l| l.doc.as_ref()) {
            lexperm_lint::lint_doc(doc, &mut out);
        }
        let linted = start.elapsed();
        println!(
            "{path}: parse {parsed:?}, model {modelled:?}, rules {linted:?}, {} diagnostics",
            out.len()
        );
    }
}
