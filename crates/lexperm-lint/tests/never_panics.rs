//! Property tests: loading arbitrary or mangled input never panics, and every span stays inside
//! the text on character boundaries; comparing a mangled version with the original
//! (`breaking`, both ways) neither.

use lexperm_lint::{breaking, lint_file, Source};
use lexperm_parser::diagnostics::{FileId, Span};
use lexperm_parser::json::{self, JsonKind, JsonValue};
use lexperm_parser::lexicon;
use proptest::prelude::*;

const SEED: &str = r##"{"lexicon": 1, "id": "com.example.authPost", "defs": {"main": {"type": "permission-set",
"title": "Post", "title:lang": {"ja": "投稿"}, "permissions": [{"type": "permission", "resource": "repo",
"collection": ["com.example.post"], "action": ["create"]}]}, "view": {"type": "object", "required": ["a"],
"nullable": ["b"], "properties": {"a": {"type": "string", "maxLength": 10, "format": "did"},
"b": {"type": "array", "items": {"type": "union", "refs": ["#x", "a.b.c"], "closed": true}},
"c": {"type": "integer", "minimum": 1, "maximum": 2.5e1, "enum": [1, 2]}, "d": {"type": "ref", "ref": "#view"},
"e": {"type": "blob", "accept": ["image/*"], "maxSize": 100}}}}}"##;

fn check_span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?}");
    assert!(
        span.end as usize <= text.len(),
        "{span:?} beyond {}",
        text.len()
    );
    assert!(text.is_char_boundary(span.start as usize), "{span:?}");
    assert!(text.is_char_boundary(span.end as usize), "{span:?}");
}

fn check_value(text: &str, value: &JsonValue) {
    check_span(text, value.span);
    match &value.kind {
        JsonKind::Array(items) => items.iter().for_each(|v| check_value(text, v)),
        JsonKind::Object(object) => {
            for member in &object.members {
                check_span(text, member.key_span);
                check_value(text, &member.value);
            }
        }
        _ => {}
    }
}

fn run_all(text: &str) {
    let (value, diagnostics) = json::parse(FileId(0), text);
    if let Some(value) = &value {
        check_value(text, value);
    }
    for d in &diagnostics {
        check_span(text, d.span);
    }
    let loaded = lint_file(FileId(0), text);
    for d in &loaded.diagnostics {
        check_span(text, d.span);
        d.labels.iter().for_each(|l| check_span(text, l.span));
    }
    if let Some(value) = value {
        lexicon::from_json(FileId(0), &value);
    }
}

/// Compares `before` with `after` and checks every span against the text of its side.
fn run_breaking(before: &str, after: &str) {
    let results = breaking(
        &[Source::new(1, None, before)],
        &[Source::new(0, None, after)],
    );
    for (_, diagnostics) in results {
        for d in diagnostics {
            for span in std::iter::once(d.span).chain(d.labels.iter().map(|l| l.span)) {
                check_span(if span.file.0 == 1 { before } else { after }, span);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        run_all(&text);
    }

    #[test]
    fn json_like_text(text in "[\\[\\]{}:,\"0-9a-zA-Z.eE+\\- \\\\/#*\u{e9}\u{1f600}]{0,300}") {
        run_all(&text);
    }

    #[test]
    fn mangled_lexicon(cuts in prop::collection::vec((0usize..SEED.len(), 0usize..8, "\\PC{0,3}"), 1..6)) {
        let mut text = SEED.to_string();
        for (at, len, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end, &insert);
        }
        run_all(&text);
        run_breaking(SEED, &text);
        run_breaking(&text, SEED);
    }
}

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    for open in ["[", "{\"a\":", "[{\"a\":"] {
        let text = open.repeat(100_000);
        let (_, diagnostics) = json::parse(FileId(0), &text);
        assert!(diagnostics[0].message.contains("nested too deeply"));
        run_all(&text);
    }
}

#[test]
fn seed_lexicon_loads() {
    let loaded = lint_file(FileId(0), SEED);
    assert!(loaded.doc.is_some());
}
