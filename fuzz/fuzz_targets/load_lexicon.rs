//! Fuzz target: one lexicon file, as bytes, through everything that reads it: the loader
//! (`lexicon::load`), a catalog of it with every permission set expanded, its coverage and token
//! scope under both references, and the whole lint (per-file and catalog rules). Nothing may
//! panic, every granted scope's string form parses to an equivalent scope, and every span of a
//! diagnostic or a dropped entry stays inside the text.
#![no_main]

use lexperm_lint::{lint_with_catalog_for, Source};
use lexperm_parser::diagnostics::{Diagnostic, FileId, LineIndex};
use lexperm_parser::lexicon;
use lexperm_parser::scope::{Reference, Scope};
use lexperm_resolver::Catalog;
use libfuzzer_sys::fuzz_target;

/// Where the file claims to live (the `file-path-mismatch` rule reads it).
const PATH: &str = "/lexicons/com/example/fuzz.json";

fn check_spans(text: &str, diagnostics: &[Diagnostic]) {
    let lines = LineIndex::new(text);
    for diagnostic in diagnostics {
        let spans =
            std::iter::once(&diagnostic.span).chain(diagnostic.labels.iter().map(|l| &l.span));
        for span in spans {
            assert!(span.start <= span.end, "{diagnostic:?}");
            assert!(span.end as usize <= text.len(), "{diagnostic:?}");
            let _ = lines.line_col(text, span.start);
            let _ = lines.line_col(text, span.end);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = lexicon::load(FileId(0), text);
    check_spans(text, &loaded.diagnostics);

    let (mut catalog, diagnostics) = Catalog::load([(FileId(0), PATH, text)]);
    check_spans(text, &diagnostics);
    for reference in Reference::ALL {
        catalog.set_reference(reference);
        let mut requested = String::new();
        for (doc, _) in catalog.permission_sets() {
            let include = format!("include:{}", doc.nsid_str());
            if let Ok(expansion) = catalog.expand_str(&include) {
                // A granted scope is one whose string form parses (one scope grammar).
                for granted in &expansion.granted {
                    let form = granted.scope.to_string();
                    let again = Scope::parse_with(&form, reference).expect("granted scopes parse");
                    assert!(again.is_equivalent(&granted.scope), "{form}");
                }
                for dropped in &expansion.dropped {
                    for span in [dropped.span, dropped.entry_span] {
                        assert!(span.start <= span.end && span.end as usize <= text.len());
                    }
                }
            }
            let _ = catalog.preview(&include, Some("en"));
            let _ = doc.expansion_with_aud();
            requested.push_str(&include);
            requested.push(' ');
        }
        let _ = catalog.coverage();
        let _ = catalog.token_scope(requested.trim_end()).token_scope();
    }

    // One lint per input (it is the slow part); the input's length picks the reference.
    let reference = if data.len() % 2 == 0 {
        Reference::PermissionedData
    } else {
        Reference::Stable0512
    };
    let (results, _) = lint_with_catalog_for(&[Source::new(0, Some(PATH), text)], reference);
    for (_, diagnostics) in &results {
        check_spans(text, diagnostics);
    }
});
