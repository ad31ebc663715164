//! S110 `def-name-syntax`: a definition name does not follow the naming guidance.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::lexicon::LexiconDoc;
use crate::file_rules::s109_field_name_syntax::{name_help, name_problem};

/// Rule metadata.
pub const META: RuleMeta = RuleMeta {
    code: "S110",
    name: "def-name-syntax",
    severity: Severity::Warning,
    summary: "A definition name is not a lowerCamelCase name of letters and digits",
    doc: r#"## What it does
Checks definition names with indigo lexlint's `def-name-syntax` rule: a letter followed by up to
255 letters or digits, and not `type` or `id`. (Empty names and names with `.` or `#` are the
error `invalid-def-name`, which is reported instead.)

## Why is this bad?
Def names become type names in generated code and appear in refs (`nsid#name`).

## Example
```json
{"lexicon": 1, "id": "blue.moji.collection.item", "defs": {"formats_v0": {"type": "object", "properties": {}}}}
```
"#,
};

/// Checks def names.
pub fn check(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for def in &doc.defs {
        if def.name.is_empty() || def.name.contains(['.', '#']) {
            continue;
        }
        if let Some(problem) = name_problem(&def.name) {
            out.push(
                Diagnostic::new(&META, def.name_span, format!("{problem}: `{}`", def.name))
                    .with_help(name_help(&def.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file_rules::test_support::{expect, with_def};

    #[test]
    fn reports_snake_case_def() {
        expect(
            &META,
            1,
            &with_def("formats_v0", r#"{"type": "token", "description": "x"}"#),
        );
    }

    #[test]
    fn camel_case_def_is_clean() {
        expect(
            &META,
            0,
            &with_def("viewBasic", r#"{"type": "token", "description": "x"}"#),
        );
    }
}
