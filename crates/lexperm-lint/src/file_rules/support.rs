//! Shared code of the per-file rules: [`lint_file`], [`lint_doc`] and the schema walk.
//!
//! Codes: `L1xx` are structure and validation errors (the document is not a valid lexicon),
//! `S1xx` are style warnings. `L101`–`L105` are reported by the loader ([`lexperm_parser::json`],
//! [`lexperm_parser::lexicon`]); their rule files hold only the documentation and tests. `L132`
//! and `L133` are reported by the program that reads the files, for files it did not load; their
//! rule files hold the documentation and the diagnostic. Every other rule's `check` walks a
//! loaded [`LexiconDoc`] and pushes diagnostics.
//!
//! Rules that need more than one file (refs, file path vs NSID, permission-set entry semantics)
//! are catalog rules.

use lexperm_parser::diagnostics::{Diagnostic, FileId};
use std::collections::HashSet;

use lexperm_parser::lexicon::{
    self, Def, LexiconDoc, LoadedLexicon, Properties, Schema, SchemaKind, Spanned, SpannedList,
};

/// Loads `text` and runs every per-file rule. Diagnostics are sorted by position and carry the
/// document's NSID when it has one.
///
/// ```
/// use lexperm_parser::diagnostics::FileId;
/// use lexperm_lint::lint_file;
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
    for check in crate::file_checks() {
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

impl<'a> Visit<'a> {
    /// The `required` list and the `properties` of an object or params schema (each `None`
    /// when absent); `None` for every other kind.
    pub fn required_and_properties(
        &self,
    ) -> Option<(Option<&'a SpannedList<String>>, Option<&'a Properties>)> {
        match &self.schema.kind {
            SchemaKind::Object(o) => Some((o.required.as_ref(), o.properties.as_ref())),
            SchemaKind::Params(p) => Some((p.required.as_ref(), p.properties.as_ref())),
            _ => None,
        }
    }
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

/// The strings of a `required` or `nullable` list, as a set: checking every entry of one list
/// against another stays linear however long both are.
pub(crate) fn name_set(list: Option<&SpannedList<String>>) -> HashSet<&str> {
    list.into_iter()
        .flat_map(|list| &list.value)
        .map(|name| name.value.as_str())
        .collect()
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
    use lexperm_parser::diagnostics::RuleMeta;

    /// The diagnostics of `rule` that the JSON parser alone reports for `text`.
    pub(crate) fn json_findings(rule: &RuleMeta, text: &str) -> Vec<Diagnostic> {
        let (_, diagnostics) = lexperm_parser::json::parse(FileId(0), text);
        diagnostics
            .into_iter()
            .filter(|d| d.code == rule.code)
            .collect()
    }

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
        crate::assert_count(rule, count, run(rule, text))
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
