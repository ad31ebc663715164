//! Per-file lint rules: one rule per file, a registry, and [`lint_file`].
//!
//! Codes: `L1xx` are structure and validation errors (the document is not a valid lexicon),
//! `S1xx` are style warnings. `L101`–`L105` are reported by the loader ([`crate::json`],
//! [`crate::lexicon`]); their `check` function builds the diagnostic. Every other rule's `check`
//! walks a loaded [`LexiconDoc`] and pushes diagnostics.
//!
//! Rules that need more than one file (refs, file path vs NSID, permission-set entry semantics)
//! live in the resolver, not here.

use crate::diagnostics::{Diagnostic, FileId, RuleMeta};
use crate::lexicon::{self, Def, LexiconDoc, LoadedLexicon, Schema, SchemaKind, Spanned};

pub mod l101_invalid_json;
pub mod l102_duplicate_key;
pub mod l103_invalid_field_type;
pub mod l104_missing_required_field;
pub mod l105_unknown_schema_type;
pub mod l106_unsupported_lexicon_version;
pub mod l107_invalid_nsid;
pub mod l108_empty_defs;
pub mod l109_non_main_primary;
pub mod l110_non_definable_type;
pub mod l111_invalid_def_name;
pub mod l112_unknown_string_format;
pub mod l113_required_property_undefined;
pub mod l114_nullable_property_undefined;
pub mod l115_misplaced_schema_type;
pub mod l116_invalid_record_key_type;
pub mod l117_invalid_body_encoding;
pub mod l118_input_on_query;
pub mod l119_closed_empty_union;
pub mod l120_default_with_const;
pub mod l121_min_exceeds_max;
pub mod l122_negative_limit;
pub mod l123_invalid_blob_accept;
pub mod l124_invalid_ref_syntax;
pub mod l125_invalid_error_name;
pub mod l126_invalid_language_tag;
pub mod l127_deprecated_lang_map_key;
pub mod l128_invalid_permission_entry;
pub mod l129_invalid_permission_value;
pub mod s101_missing_primary_description;
pub mod s102_undescribed_token;
pub mod s103_endpoint_output_undefined;
pub mod s104_unlimited_string;
pub mod s105_large_string;
pub mod s106_unlimited_bytes;
pub mod s107_large_bytes;
pub mod s108_known_string_local_ref;
pub mod s109_field_name_syntax;
pub mod s110_def_name_syntax;
pub mod s111_defs_main_definition;
pub mod s112_nullable_and_optional;
pub mod s113_permission_set_missing_title;
pub mod s114_permission_set_missing_detail;
pub mod s115_empty_permission_set;
pub mod s116_subscription_without_messages;
pub mod s117_unexpected_field;
pub mod s118_nested_type_not_portable;
pub mod s119_error_name_not_upper_camel_case;
pub mod s120_max_graphemes_without_max_length;
pub mod s121_format_with_length_limit;
pub mod s122_optional_boolean_defaults_true;
pub mod s123_unknown_in_record;
pub mod s124_removed_revision_field;
pub mod s125_redundant_main_fragment;
pub mod s126_handle_in_record;

static REGISTRY: &[&RuleMeta] = &[
    &l101_invalid_json::META,
    &l102_duplicate_key::META,
    &l103_invalid_field_type::META,
    &l104_missing_required_field::META,
    &l105_unknown_schema_type::META,
    &l106_unsupported_lexicon_version::META,
    &l107_invalid_nsid::META,
    &l108_empty_defs::META,
    &l109_non_main_primary::META,
    &l110_non_definable_type::META,
    &l111_invalid_def_name::META,
    &l112_unknown_string_format::META,
    &l113_required_property_undefined::META,
    &l114_nullable_property_undefined::META,
    &l115_misplaced_schema_type::META,
    &l116_invalid_record_key_type::META,
    &l117_invalid_body_encoding::META,
    &l118_input_on_query::META,
    &l119_closed_empty_union::META,
    &l120_default_with_const::META,
    &l121_min_exceeds_max::META,
    &l122_negative_limit::META,
    &l123_invalid_blob_accept::META,
    &l124_invalid_ref_syntax::META,
    &l125_invalid_error_name::META,
    &l126_invalid_language_tag::META,
    &l127_deprecated_lang_map_key::META,
    &l128_invalid_permission_entry::META,
    &l129_invalid_permission_value::META,
    &s101_missing_primary_description::META,
    &s102_undescribed_token::META,
    &s103_endpoint_output_undefined::META,
    &s104_unlimited_string::META,
    &s105_large_string::META,
    &s106_unlimited_bytes::META,
    &s107_large_bytes::META,
    &s108_known_string_local_ref::META,
    &s109_field_name_syntax::META,
    &s110_def_name_syntax::META,
    &s111_defs_main_definition::META,
    &s112_nullable_and_optional::META,
    &s113_permission_set_missing_title::META,
    &s114_permission_set_missing_detail::META,
    &s115_empty_permission_set::META,
    &s116_subscription_without_messages::META,
    &s117_unexpected_field::META,
    &s118_nested_type_not_portable::META,
    &s119_error_name_not_upper_camel_case::META,
    &s120_max_graphemes_without_max_length::META,
    &s121_format_with_length_limit::META,
    &s122_optional_boolean_defaults_true::META,
    &s123_unknown_in_record::META,
    &s124_removed_revision_field::META,
    &s125_redundant_main_fragment::META,
    &s126_handle_in_record::META,
];

/// A rule's `check` over a loaded document.
type Check = fn(&LexiconDoc, &mut Vec<Diagnostic>);

/// The document rules, in registry order (the loader reports `L101`–`L105`).
const CHECKS: &[Check] = &[
    l106_unsupported_lexicon_version::check,
    l107_invalid_nsid::check,
    l108_empty_defs::check,
    l109_non_main_primary::check,
    l110_non_definable_type::check,
    l111_invalid_def_name::check,
    l112_unknown_string_format::check,
    l113_required_property_undefined::check,
    l114_nullable_property_undefined::check,
    l115_misplaced_schema_type::check,
    l116_invalid_record_key_type::check,
    l117_invalid_body_encoding::check,
    l118_input_on_query::check,
    l119_closed_empty_union::check,
    l120_default_with_const::check,
    l121_min_exceeds_max::check,
    l122_negative_limit::check,
    l123_invalid_blob_accept::check,
    l124_invalid_ref_syntax::check,
    l125_invalid_error_name::check,
    l126_invalid_language_tag::check,
    l127_deprecated_lang_map_key::check,
    l128_invalid_permission_entry::check,
    l129_invalid_permission_value::check,
    s101_missing_primary_description::check,
    s102_undescribed_token::check,
    s103_endpoint_output_undefined::check,
    s104_unlimited_string::check,
    s105_large_string::check,
    s106_unlimited_bytes::check,
    s107_large_bytes::check,
    s108_known_string_local_ref::check,
    s109_field_name_syntax::check,
    s110_def_name_syntax::check,
    s111_defs_main_definition::check,
    s112_nullable_and_optional::check,
    s113_permission_set_missing_title::check,
    s114_permission_set_missing_detail::check,
    s115_empty_permission_set::check,
    s116_subscription_without_messages::check,
    s117_unexpected_field::check,
    s118_nested_type_not_portable::check,
    s119_error_name_not_upper_camel_case::check,
    s120_max_graphemes_without_max_length::check,
    s121_format_with_length_limit::check,
    s122_optional_boolean_defaults_true::check,
    s123_unknown_in_record::check,
    s124_removed_revision_field::check,
    s125_redundant_main_fragment::check,
    s126_handle_in_record::check,
];

/// Every per-file rule, sorted by code.
pub fn registry() -> &'static [&'static RuleMeta] {
    REGISTRY
}

/// Finds a rule by code (`L107`, case-insensitive) or name (`invalid-nsid`).
pub fn lookup(code_or_name: &str) -> Option<&'static RuleMeta> {
    find_rule(REGISTRY, code_or_name)
}

/// Finds a rule of `rules` by code (case-insensitive) or name: the one lookup behind every
/// registry (the resolver's holds these rules and its own).
pub fn find_rule(rules: &[&'static RuleMeta], code_or_name: &str) -> Option<&'static RuleMeta> {
    rules
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Loads `text` and runs every per-file rule. Diagnostics are sorted by position and carry the
/// document's NSID when it has one.
///
/// ```
/// use lexperm_parser::diagnostics::FileId;
/// use lexperm_parser::rules::lint_file;
///
/// let text = r#"{"lexicon": 1, "id": "com.example.getThing", "defs": {"main": {"type": "query"}}}"#;
/// let loaded = lint_file(FileId(0), text);
/// let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
/// assert_eq!(codes, ["S101", "S103"]); // no description, no output
/// assert!(!loaded.has_errors());
/// ```
pub fn lint_file(file: FileId, text: &str) -> LoadedLexicon {
    let mut loaded = lexicon::load(file, text);
    if let Some(doc) = &loaded.doc {
        lint_doc(doc, &mut loaded.diagnostics);
        if let Some(id) = doc.id_str() {
            for d in &mut loaded.diagnostics {
                if d.nsid.is_none() {
                    d.nsid = Some(id.to_string());
                }
            }
        }
    }
    loaded.diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code).cmp(&(b.span.start, b.span.end, b.code))
    });
    loaded
}

/// Runs every document rule on `doc`, appending to `out`.
pub fn lint_doc(doc: &LexiconDoc, out: &mut Vec<Diagnostic>) {
    for check in CHECKS {
        check(doc, out);
    }
}

/// Where a schema sits in its document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place<'a> {
    /// A named definition.
    Def(&'a Def),
    /// A property of an `object`.
    Property(&'a lexicon::Property),
    /// A property of a `params`.
    ParamsProperty(&'a lexicon::Property),
    /// The `items` of an `array`.
    Items,
    /// The `record` of a `record`.
    RecordBody,
    /// The `parameters` of an endpoint or subscription.
    Parameters,
    /// The `schema` of an `input` or `output` body.
    BodySchema,
    /// The `schema` of a subscription `message`.
    MessageSchema,
}

/// One schema visited by [`walk`].
#[derive(Debug, Clone, Copy)]
pub struct Visit<'a> {
    /// The schema.
    pub schema: &'a Schema,
    /// Where it sits.
    pub place: Place<'a>,
    /// The schema holding it (`None` for a def).
    pub parent: Option<&'a Schema>,
    /// The def it belongs to.
    pub def: &'a Def,
    /// True inside a `record`'s `record` object.
    pub in_record: bool,
    /// True inside `parameters`.
    pub in_params: bool,
}

/// Where a ref string was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefPlace {
    /// The `ref` of a `ref` schema.
    Ref,
    /// One of a `union`'s `refs`.
    UnionVariant,
}

/// Every ref string of `doc` (`ref` schemas and union variants), in document order.
pub fn refs(doc: &LexiconDoc) -> Vec<(&Spanned<String>, RefPlace)> {
    let mut found = Vec::new();
    walk(doc, &mut |visit| match &visit.schema.kind {
        SchemaKind::Ref(r) => {
            if let Some(reference) = &r.reference {
                found.push((reference, RefPlace::Ref));
            }
        }
        SchemaKind::Union(u) => {
            for reference in u.refs.iter().flat_map(|refs| &refs.value) {
                found.push((reference, RefPlace::UnionVariant));
            }
        }
        _ => {}
    });
    found
}

/// Visits every schema of `doc`, defs first, parents before children.
pub fn walk<'a>(doc: &'a LexiconDoc, f: &mut dyn FnMut(&Visit<'a>)) {
    for def in &doc.defs {
        let visit = Visit {
            schema: &def.schema,
            place: Place::Def(def),
            parent: None,
            def,
            in_record: false,
            in_params: false,
        };
        walk_schema(&visit, f);
    }
}

fn walk_schema<'a>(visit: &Visit<'a>, f: &mut dyn FnMut(&Visit<'a>)) {
    f(visit);
    let schema = visit.schema;
    let mut child = |child: &'a Schema, place: Place<'a>, in_record: bool, in_params: bool| {
        let next = Visit {
            schema: child,
            place,
            parent: Some(schema),
            def: visit.def,
            in_record,
            in_params,
        };
        walk_schema(&next, f);
    };
    let (in_record, in_params) = (visit.in_record, visit.in_params);
    match &schema.kind {
        SchemaKind::Array(a) => {
            if let Some(items) = &a.items {
                child(items, Place::Items, in_record, in_params);
            }
        }
        SchemaKind::Object(o) => {
            for p in o.properties.iter().flat_map(|p| &p.value) {
                child(&p.schema, Place::Property(p), in_record, in_params);
            }
        }
        SchemaKind::Params(p) => {
            for p in p.properties.iter().flat_map(|p| &p.value) {
                child(&p.schema, Place::ParamsProperty(p), in_record, true);
            }
        }
        SchemaKind::Record(r) => {
            if let Some(record) = &r.record {
                child(record, Place::RecordBody, true, in_params);
            }
        }
        SchemaKind::Query(q) => {
            if let Some(p) = &q.parameters {
                child(p, Place::Parameters, in_record, true);
            }
            for body in [&q.input, &q.output].into_iter().flatten() {
                if let Some(s) = &body.schema {
                    child(s, Place::BodySchema, in_record, in_params);
                }
            }
        }
        SchemaKind::Procedure(q) => {
            if let Some(p) = &q.parameters {
                child(p, Place::Parameters, in_record, true);
            }
            for body in [&q.input, &q.output].into_iter().flatten() {
                if let Some(s) = &body.schema {
                    child(s, Place::BodySchema, in_record, in_params);
                }
            }
        }
        SchemaKind::Subscription(s) => {
            if let Some(p) = &s.parameters {
                child(p, Place::Parameters, in_record, true);
            }
            if let Some(schema) = s.message.as_ref().and_then(|m| m.schema.as_ref()) {
                child(schema, Place::MessageSchema, in_record, in_params);
            }
        }
        _ => {}
    }
}

/// Every `input`/`output` body of the document's endpoints, with the def holding it and the
/// field name.
pub(crate) fn bodies(
    doc: &LexiconDoc,
) -> impl Iterator<Item = (&Def, &'static str, &lexicon::Body)> {
    doc.defs.iter().flat_map(|def| {
        let list: Vec<(&Def, &'static str, &lexicon::Body)> = match &def.schema.kind {
            SchemaKind::Query(q) => [("input", &q.input), ("output", &q.output)]
                .into_iter()
                .filter_map(|(n, b)| b.as_ref().map(|b| (def, n, b)))
                .collect(),
            SchemaKind::Procedure(p) => [("input", &p.input), ("output", &p.output)]
                .into_iter()
                .filter_map(|(n, b)| b.as_ref().map(|b| (def, n, b)))
                .collect(),
            _ => Vec::new(),
        };
        list
    })
}

/// Every `errors` list of the document.
pub(crate) fn error_lists(doc: &LexiconDoc) -> impl Iterator<Item = &lexicon::ErrorDef> {
    doc.defs.iter().flat_map(|def| {
        let errors = match &def.schema.kind {
            SchemaKind::Query(q) => q.errors.as_ref(),
            SchemaKind::Procedure(p) => p.errors.as_ref(),
            SchemaKind::Subscription(s) => s.errors.as_ref(),
            _ => None,
        };
        errors.into_iter().flat_map(|e| &e.value)
    })
}

/// The permission-set schemas of the document (normally only `main`).
pub(crate) fn permission_sets(
    doc: &LexiconDoc,
) -> impl Iterator<Item = (&Def, &lexicon::PermissionSetSchema)> {
    doc.defs.iter().filter_map(|def| match &def.schema.kind {
        SchemaKind::PermissionSet(set) => Some((def, &**set)),
        _ => None,
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::diagnostics::RuleMeta;

    /// The diagnostics `rule` reports for `text`.
    pub(crate) fn run(rule: &RuleMeta, text: &str) -> Vec<Diagnostic> {
        lint_file(FileId(0), text)
            .diagnostics
            .into_iter()
            .filter(|d| d.code == rule.code)
            .collect()
    }

    /// Asserts `rule` reports exactly `count` diagnostics for `text`, returning them.
    #[track_caller]
    pub(crate) fn expect(rule: &RuleMeta, count: usize, text: &str) -> Vec<Diagnostic> {
        let found = run(rule, text);
        assert_eq!(
            found.len(),
            count,
            "{} {}: expected {count}, got {found:#?}",
            rule.code,
            rule.name
        );
        found
    }

    /// A minimal document with one def named `name` holding `schema`.
    pub(crate) fn with_def(name: &str, schema: &str) -> String {
        format!(r#"{{"lexicon": 1, "id": "com.example.thing", "defs": {{"{name}": {schema}}}}}"#)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        let rules = registry();
        assert_eq!(rules.len(), CHECKS.len() + 5);
        for pair in rules.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<_> = rules.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rules.len(), "rule names must be unique");
        for rule in rules {
            let code = rule.code.as_bytes();
            assert!(
                code.len() == 4
                    && matches!(code[0], b'L' | b'S')
                    && code[1..].iter().all(u8::is_ascii_digit),
                "bad code {}",
                rule.code
            );
            assert!(
                !rule.name.is_empty()
                    && rule.name.split('-').all(|w| !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "bad name {}",
                rule.name
            );
            assert!(
                !rule.summary.is_empty() && !rule.summary.ends_with('.'),
                "{}",
                rule.code
            );
            for heading in ["## What it does", "## Why", "## Example"] {
                assert!(
                    rule.doc.contains(heading),
                    "{} doc lacks {heading}",
                    rule.code
                );
            }
            let expected = if rule.code.starts_with('L') {
                crate::diagnostics::Severity::Error
            } else {
                crate::diagnostics::Severity::Warning
            };
            assert_eq!(rule.severity, expected, "{}", rule.code);
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(lookup("L107").unwrap().name, "invalid-nsid");
        assert_eq!(lookup("l107").unwrap().name, "invalid-nsid");
        assert_eq!(lookup("invalid-nsid").unwrap().code, "L107");
        assert!(lookup("no-such-rule").is_none());
    }

    #[test]
    fn diagnostics_carry_the_nsid_and_are_sorted() {
        let loaded = lint_file(
            FileId(0),
            r#"{"lexicon": 1, "id": "com.example.defs", "defs": {"main": {"type": "token"}}}"#,
        );
        assert!(!loaded.diagnostics.is_empty());
        for d in &loaded.diagnostics {
            assert_eq!(d.nsid.as_deref(), Some("com.example.defs"));
        }
    }
}
