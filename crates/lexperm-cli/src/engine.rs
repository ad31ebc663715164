//! The CLI's only door into the rule crates: the rule registry and the per-file lint entry point.

use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta};

/// Every rule the CLI knows, in registry order (for `explain`, SARIF and rule settings).
pub fn registry() -> Vec<&'static RuleMeta> {
    lexperm_parser::rules::registry().to_vec()
}

/// All per-file diagnostics of one lexicon file.
pub fn lint_file(file: FileId, text: &str) -> Vec<Diagnostic> {
    lexperm_parser::rules::lint_file(file, text).diagnostics
}
