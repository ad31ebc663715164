//! Fuzz target: JSON parsing, lexicon loading and every per-file rule must never panic, and every
//! span must stay inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lexperm_parser::diagnostics::FileId;
use lexperm_parser::{json, lexicon};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (value, _) = json::parse(FileId(0), text);
    if let Some(value) = &value {
        let _ = lexicon::from_json(FileId(0), value);
    }
    let loaded = lexperm_lint::lint_file(FileId(0), text);
    for diagnostic in &loaded.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end);
        assert!(diagnostic.span.end as usize <= text.len());
    }
});
