//! Shared code of the catalog rules: [`lint_catalog`], ref resolution, the drop-reason rule map.
//!
//! Codes: `L2xx` are cross-file rules over everything loaded (duplicate NSIDs, refs, file layout);
//! `P1xx` are permission-set rules: one per reason the reference authorization server drops an
//! entry (the rule name is the parser's [`DropReason::name`]), plus checks of what the surviving
//! entries grant against the catalog.

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta};
use lexperm_parser::lexicon::{Def, LexiconDoc};
use crate::file_rules::l124_invalid_ref_syntax::ref_problem;
use crate::parallel::{map_in_order, threads_for};
pub use crate::file_rules::{refs, RefPlace};
use lexperm_parser::scope::include::DropReason;

use lexperm_resolver::catalog::Catalog;

/// The rule reporting entries dropped for `reason`. `None` only for
/// [`DropReason::InheritAudWithoutIncludeAud`]: the lint expands every set as if the include had an
/// `aud`, so that reason never comes up (whether a request gives one is not the set's fault).
pub fn drop_rule(reason: DropReason) -> Option<&'static RuleMeta> {
    Some(match reason {
        DropReason::UnsupportedResource => &super::p101_unsupported_resource::META,
        DropReason::UnknownResource => &super::p102_unknown_resource::META,
        DropReason::WildcardInSet => &super::p103_wildcard_in_set::META,
        DropReason::FixedAud => &super::p104_fixed_aud::META,
        DropReason::AudWithInheritAud => &super::p105_aud_with_inherit_aud::META,
        DropReason::InheritAudNotTrue => &super::p106_inherit_aud_not_true::META,
        DropReason::UnknownField => &super::p107_unknown_field::META,
        DropReason::ExpectedArray => &super::p108_expected_array::META,
        DropReason::ExpectedSingleValue => &super::p109_expected_single_value::META,
        DropReason::ExpectedString => &super::p110_expected_string::META,
        DropReason::EmptyArray => &super::p111_empty_array::META,
        DropReason::MissingField => &super::p112_missing_field::META,
        DropReason::InvalidNsid => &super::p113_invalid_permission_nsid::META,
        DropReason::InvalidAction => &super::p114_invalid_action::META,
        DropReason::InvalidValue => &super::p115_invalid_value::META,
        DropReason::OutsideNamespace => &super::p116_outside_namespace::META,
        _ => return None,
    })
}

/// Runs every catalog rule over `catalog`, appending to `out` in rule order.
///
/// A large catalog is checked on two threads ([`map_in_order`]), and the findings put back in
/// rule order, so the output does not depend on the threads.
pub fn lint_catalog(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    let checks = crate::catalog_checks();
    let threads = if catalog.documents().len() < 64 {
        1
    } else {
        threads_for(checks.len(), 1).min(2)
    };
    let found = map_in_order(&checks, threads, |check| {
        let mut found = Vec::new();
        check(catalog, &mut found);
        found
    });
    out.extend(found.into_iter().flatten());
}

/// Where a ref points.
#[derive(Debug, Clone, Copy)]
pub enum RefTarget<'a> {
    /// The def was found.
    Found {
        /// The document holding it.
        doc: &'a LexiconDoc,
        /// The def.
        def: &'a Def,
    },
    /// The NSID is loaded but has no def of that name.
    MissingDef {
        /// The document that lacks the def.
        doc: &'a LexiconDoc,
    },
    /// The NSID is not loaded.
    External,
    /// The ref is malformed (reported by `invalid-ref-syntax`).
    Invalid,
}

/// Resolves `reference` (`#name`, `nsid` or `nsid#name`) written in `from` against `catalog`.
/// A ref to the document's own NSID resolves in `from` itself, even when the NSID repeats.
pub fn resolve_ref<'a>(
    catalog: &'a Catalog,
    from: &'a LexiconDoc,
    reference: &str,
) -> RefTarget<'a> {
    if ref_problem(reference).is_some() {
        return RefTarget::Invalid;
    }
    let (nsid, name) = match reference.split_once('#') {
        Some((nsid, name)) => (nsid, name),
        None => (reference, "main"),
    };
    let doc = if nsid.is_empty() || Some(nsid) == from.id_str() {
        from
    } else {
        match catalog.get(nsid) {
            Some(found) => &found.doc,
            None => return RefTarget::External,
        }
    };
    match doc.def(name) {
        Some(def) => RefTarget::Found { doc, def },
        None => RefTarget::MissingDef { doc },
    }
}

/// True when the catalog holds a lexicon other than a permission set or a space type declaration
/// in the NSID group (`com.example.` of `com.example.foo`) of `nsid`: the catalog claims to know
/// that group.
pub fn has_group_of(catalog: &Catalog, nsid: &str) -> bool {
    group_has_lexicon_besides(catalog, nsid, None)
}

/// True when a ref to `nsid` written in `from` points into a loaded NSID group: the catalog
/// holds a lexicon of that group ([`has_group_of`]) other than `from` itself, so that linting
/// one file alone does not make its siblings look undefined.
pub(crate) fn ref_group_loaded(catalog: &Catalog, nsid: &str, from: &LexiconDoc) -> bool {
    group_has_lexicon_besides(catalog, nsid, from.id_str())
}

/// [`has_group_of`], not counting the lexicon `besides` (an NSID) when given.
fn group_has_lexicon_besides(catalog: &Catalog, nsid: &str, besides: Option<&str>) -> bool {
    let Some(dot) = nsid.rfind('.') else {
        return false;
    };
    let group = &nsid[..=dot];
    catalog.indexed().any(|doc| {
        doc.nsid.as_ref().is_some_and(|n| {
            n.group_prefix() == group && besides.is_none_or(|b| n.as_str() != b)
        }) && doc.permission_set().is_none()
            && doc.space().is_none()
    })
}

/// The loaded NSIDs close to `nsid` (at most two, best first): lexicons of its NSID group
/// whose name is close to its name (`bookmrk` for `bookmark`), else NSIDs close as a whole
/// (a typo in a group segment).
pub(crate) fn close_nsids<'c>(catalog: &'c Catalog, nsid: &str) -> Vec<&'c str> {
    let (group, name) = match nsid.rfind('.') {
        Some(dot) => (&nsid[..=dot], &nsid[dot + 1..]),
        None => ("", nsid),
    };
    let loaded = || catalog.indexed().filter_map(|d| d.nsid.as_ref());
    let names: Vec<&str> = loaded()
        .filter(|n| n.group_prefix() == group)
        .map(|n| n.name())
        .collect();
    let by_name = lexperm_parser::suggest::closest(name, names.iter().copied(), 2);
    if !by_name.is_empty() {
        return by_name
            .iter()
            .filter_map(|close| loaded().find(|n| n.group_prefix() == group && n.name() == *close))
            .map(|n| n.as_str())
            .collect();
    }
    // Whole NSIDs are long: only a slip of a letter or two counts.
    lexperm_parser::suggest::closest(nsid, loaded().map(|n| n.as_str()), 2)
        .into_iter()
        .filter(|close| lexperm_parser::suggest::distance(nsid, close) <= MAX_NSID_DISTANCE)
        .collect()
}

/// The largest distance at which a whole NSID is suggested for another.
const MAX_NSID_DISTANCE: usize = 2;

/// `a` or `an` before a schema type name, with the name quoted: "an `object`", "a `token`".
pub(crate) fn a_type(name: &str) -> String {
    lexperm_parser::wording::a_code(name)
}

#[cfg(test)]
pub(crate) mod test_support {
    use lexperm_parser::diagnostics::{Diagnostic, FileId, RuleMeta};
    use lexperm_parser::scope::include::DropReason;

    use lexperm_resolver::expand::DroppedEntry;
    use crate::catalog_rules::permission_sets::drop_diagnostic;
    use lexperm_resolver::Catalog;
    use crate::Source;

    /// The diagnostics `rule` reports when linting `files` (`(path, text)`) together.
    pub(crate) fn run(rule: &RuleMeta, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let sources: Vec<Source<'_>> = files
            .iter()
            .enumerate()
            .map(|(i, (path, text))| Source::new(i as u32, Some(path), text))
            .collect();
        crate::lint(&sources)
            .into_iter()
            .flat_map(|(_, diagnostics)| diagnostics)
            .filter(|d| d.code == rule.code)
            .collect()
    }

    /// Asserts `rule` reports exactly `count` diagnostics for `files`, returning them.
    #[track_caller]
    pub(crate) fn expect(rule: &RuleMeta, count: usize, files: &[(&str, &str)]) -> Vec<Diagnostic> {
        crate::assert_count(rule, count, run(rule, files))
    }

    /// A document with id `nsid` and `defs` (a JSON object body without braces).
    pub(crate) fn doc(nsid: &str, defs: &str) -> String {
        format!(r#"{{"lexicon": 1, "id": "{nsid}", "defs": {{{defs}}}}}"#)
    }

    /// A document `nsid` whose `main` is a `record` with an empty object.
    pub(crate) fn record_doc(nsid: &str) -> String {
        doc(
            nsid,
            r#""main": {"type": "record", "key": "tid", "record": {"type": "object", "properties": {}}}"#,
        )
    }

    /// A permission set `nsid` with `entries` (JSON objects without the `type` member).
    pub(crate) fn set(nsid: &str, entries: &[&str]) -> String {
        let entries: Vec<String> = entries
            .iter()
            .map(|e| format!(r#"{{"type": "permission", {e}}}"#))
            .collect();
        doc(
            nsid,
            &format!(
                r#""main": {{"type": "permission-set", "title": "T", "detail": "D", "permissions": [{}]}}"#,
                entries.join(", ")
            ),
        )
    }

    /// Valid entries of set `com.example.authTest` that no permission rule reports.
    pub(crate) const CLEAN: &[&str] = &[
        r#""resource": "repo", "collection": ["com.example.post"], "action": ["create"]"#,
        r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#,
        r#""resource": "rpc", "lxm": ["com.example.sub.getThing"], "aud": "*""#,
    ];

    /// Every diagnostic of every rule for one file.
    pub(crate) fn run_all(text: &str) -> Vec<Diagnostic> {
        crate::lint(&[Source::new(0, None, text)])
            .into_iter()
            .flat_map(|(_, diagnostics)| diagnostics)
            .collect()
    }

    /// The text `span` covers in `text`.
    pub(crate) fn text_at<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
        &text[d.span.start as usize..d.span.end as usize]
    }

    /// The permission set the permission-rule tests lint.
    const SET_NSID: &str = "com.example.authTest";
    /// Its path, matching [`SET_NSID`].
    const SET_PATH: &str = "com/example/authTest.json";

    /// Asserts `rule` reports each entry of `cases` (alone in a set) once, with a help, at the
    /// quoted text when one is given.
    #[track_caller]
    pub(crate) fn expect_drops(rule: &RuleMeta, cases: &[(&str, Option<&str>)]) {
        for (entry, at) in cases {
            let text = set(SET_NSID, &[entry]);
            let found = expect(rule, 1, &[(SET_PATH, &text)]);
            if let Some(at) = at {
                assert_eq!(text_at(&text, &found[0]), *at, "{entry}");
            }
            assert!(found[0].help.is_some(), "{entry}");
        }
    }

    /// Asserts `rule` reports nothing for the [`CLEAN`] entries.
    #[track_caller]
    pub(crate) fn expect_clean(rule: &RuleMeta) {
        let text = set(SET_NSID, CLEAN);
        expect(rule, 0, &[(SET_PATH, &text)]);
    }

    /// Asserts `rule` is the one [`drop_rule`](crate::catalog_rules::drop_rule) gives for `reason`, and
    /// that a drop for `reason` becomes a diagnostic of `rule` at the dropped field, with the
    /// drop's hint as help. For reasons no entry reaches today, so the mapping is driven
    /// directly.
    #[track_caller]
    pub(crate) fn expect_drop_mapping(rule: &RuleMeta, reason: DropReason) {
        let text = set(
            SET_NSID,
            &[r#""resource": "rpc", "lxm": ["com.example.getPost"], "inheritAud": true"#],
        );
        let (catalog, _) = Catalog::load([(FileId(0), "x.json", text.as_str())]);
        let doc = &catalog.documents()[0];
        let entry = &doc
            .permission_set()
            .unwrap()
            .permissions
            .as_ref()
            .unwrap()
            .value[0];
        let dropped = DroppedEntry {
            entry_index: 0,
            reason,
            message: "bad value".to_owned(),
            consequence: None,
            hint: Some("fix it".to_owned()),
            span: entry.span,
            entry_span: entry.span,
            field: Some("lxm".to_owned()),
        };
        let mapped = crate::catalog_rules::drop_rule(reason).unwrap();
        assert_eq!(mapped, rule);
        let d = drop_diagnostic(mapped, doc.nsid.as_ref().unwrap(), entry, &dropped);
        assert_eq!(d.code, rule.code);
        assert_eq!(text_at(&text, &d), "[\"com.example.getPost\"]");
        assert_eq!(d.help.as_deref(), Some("fix it"));
        assert!(d.message.contains("bad value"));
    }

    /// Asserts `rule` does not report `entry` (alone in a set) but some other rule does.
    #[track_caller]
    pub(crate) fn expect_only_other_rules(rule: &RuleMeta, entry: &str) {
        let text = set(SET_NSID, &[entry]);
        expect(rule, 0, &[(SET_PATH, &text)]);
        assert!(!run_all(&text).is_empty());
    }

    /// Asserts `rule` reports one grant of `entry` (alone in a set, linted with the lexicon
    /// `target`) at the quoted text `at`, returning the diagnostic.
    #[track_caller]
    pub(crate) fn expect_grant(rule: &RuleMeta, target: &str, entry: &str, at: &str) -> Diagnostic {
        let text = set(SET_NSID, &[entry]);
        let mut found = expect(rule, 1, &[(SET_PATH, &text), ("t.json", target)]);
        assert_eq!(text_at(&text, &found[0]), at);
        found.remove(0)
    }

    /// Asserts `rule` reports nothing for `entry` (alone in a set), neither with the lexicon
    /// `target` nor alone (the set's own group does not count as loaded).
    #[track_caller]
    pub(crate) fn expect_no_grant(rule: &RuleMeta, target: &str, entry: &str) {
        let text = set(SET_NSID, &[entry]);
        expect(rule, 0, &[(SET_PATH, &text), ("t.json", target)]);
        expect(rule, 0, &[(SET_PATH, &text)]);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use lexperm_parser::diagnostics::Severity;

    #[test]
    fn large_catalogs_give_the_findings_of_one_thread_in_rule_order() {
        // 80 documents (more than the threshold for two threads), with findings of several rules:
        // refs to missing defs and records, and a permission set granting outside its namespace.
        let mut catalog = Catalog::new();
        for i in 0..80u32 {
            let text = if i % 10 == 0 {
                format!(
                    r#"{{"lexicon": 1, "id": "com.example.auth{i}", "defs": {{"main": {{
                        "type": "permission-set", "title": "T", "detail": "D",
                        "permissions": [{{"type": "permission", "resource": "repo",
                            "collection": ["org.other.post", "com.example.missing{i}"]}}]}}}}}}"#
                )
            } else {
                format!(
                    r#"{{"lexicon": 1, "id": "com.example.thing{i}", "defs": {{"main": {{
                        "type": "object", "properties": {{
                            "a": {{"type": "ref", "ref": "com.example.thing{}#nope"}},
                            "b": {{"type": "ref", "ref": "org.elsewhere.thing"}}}}}}}}}}"#,
                    (i + 1) % 80
                )
            };
            catalog.add(
                lexperm_parser::diagnostics::FileId(i),
                &format!("f{i}.json"),
                &text,
            );
        }
        let mut sequential = Vec::new();
        for check in crate::catalog_checks() {
            check(&catalog, &mut sequential);
        }
        let mut parallel = Vec::new();
        lint_catalog(&catalog, &mut parallel);
        let codes: BTreeSet<&str> = sequential.iter().map(|d| d.code).collect();
        assert!(codes.len() >= 3, "{codes:?}");
        assert_eq!(parallel, sequential);
    }

    #[test]
    fn permission_set_rules_are_errors() {
        for rule in crate::registry() {
            if rule.code.starts_with('P') {
                assert_eq!(rule.severity, Severity::Error, "{}", rule.code);
            }
        }
    }

    #[test]
    fn every_drop_reason_has_a_rule_named_after_it() {
        let mut mapped = 0;
        for &reason in DropReason::ALL {
            match drop_rule(reason) {
                Some(rule) => {
                    mapped += 1;
                    // `invalid-nsid` is the per-file rule for a document `id` (L107).
                    let expected = match reason {
                        DropReason::InvalidNsid => "invalid-permission-nsid",
                        other => other.name(),
                    };
                    assert_eq!(rule.name, expected);
                    assert!(rule.code.starts_with('P'));
                }
                None => assert_eq!(reason, DropReason::InheritAudWithoutIncludeAud),
            }
        }
        assert_eq!(mapped, DropReason::ALL.len() - 1);
    }

    #[test]
    fn resolve_ref_and_groups() {
        use crate::catalog_rules::test_support::{doc, set};
        use lexperm_parser::diagnostics::FileId;
        let a = doc(
            "com.example.a",
            r#""main": {"type": "token"}, "view": {"type": "object", "properties": {}}"#,
        );
        let auth = set("org.other.authAll", &[]);
        let (catalog, _) = Catalog::load([
            (FileId(0), "a.json", a.as_str()),
            (FileId(1), "auth.json", auth.as_str()),
        ]);
        let from = &catalog.documents()[0].doc;
        assert!(matches!(
            resolve_ref(&catalog, from, "#view"),
            RefTarget::Found { .. }
        ));
        assert!(matches!(
            resolve_ref(&catalog, from, "com.example.a"),
            RefTarget::Found { def, .. } if def.name == "main"
        ));
        assert!(matches!(
            resolve_ref(&catalog, from, "com.example.a#nope"),
            RefTarget::MissingDef { .. }
        ));
        assert!(matches!(
            resolve_ref(&catalog, from, "com.example.b#x"),
            RefTarget::External
        ));
        assert!(matches!(
            resolve_ref(&catalog, from, "com.example.a#"),
            RefTarget::Invalid
        ));
        assert!(has_group_of(&catalog, "com.example.zzz"));
        assert!(!has_group_of(&catalog, "com.other.zzz"));
        // A permission set alone does not make its group known.
        assert!(!has_group_of(&catalog, "org.other.post"));
        assert!(!has_group_of(&catalog, "nodots"));
    }
}
