//! Shared code of the breaking-change rules: [`check_diff`], how a finding points at both
//! versions, and the help texts that name the safe alternative.
//!
//! Codes: `B1xx` compare schemas; `B2xx` compare what permission sets and space declarations
//! grant (their shared code is in [`super::grants`]). Every rule reads a [`CatalogDiff`] (documents matched by NSID, defs by name, schemas by
//! path) and reports one finding per change: in the after file where the changed thing still
//! exists, else in the before file, with a label in the other version. A rule that covers an
//! indigo `lexlint` check lists that check's name in its `ALIASES` (so `lexperm explain
//! type-change` and `[rules] type-change = "off"` work).
//!
//! Writing a rule: one file `bNNN_name.rs` with `META`, `ALIASES`, `check(&CatalogDiff, &mut
//! Vec<Diagnostic>)` and tests (the [`test_support`] functions compare two texts), one line in
//! `declare_rules!`, and a fixture folder `fixtures/breaking/<name>/{before,after}/`.

use std::collections::HashSet;
use std::hash::Hash;

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Span};
use lexperm_parser::lexicon::{Property, Schema, Spanned, UnionSchema};
use lexperm_resolver::diff::{absolute_ref, FieldSet, FieldSetPair, SchemaPair};
use lexperm_resolver::CatalogDiff;

/// Runs every breaking-change rule over `diff`, appending to `out` in rule order.
pub fn check_diff(diff: &CatalogDiff<'_>, out: &mut Vec<Diagnostic>) {
    for check in crate::breaking_checks() {
        check(diff, out);
    }
}

/// The label on the before side of a change.
pub const BEFORE: &str = "before";

/// A finding of `rule` at `after` with a label at `before` saying what was there, for the
/// lexicon `nsid`.
pub fn changed(
    rule: &RuleMeta,
    nsid: &str,
    after: Span,
    before: Span,
    before_note: impl Into<String>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(rule, after, message)
        .with_label(before, before_note)
        .with_nsid(nsid)
}

/// [`changed`] for a [`SchemaPair`]: at the spans of one field (`before_field`/`after_field`, the
/// schema's `type` where the field is absent).
pub fn changed_field<T>(
    rule: &RuleMeta,
    pair: &SchemaPair<'_>,
    (before_field, after_field): (Option<&Spanned<T>>, Option<&Spanned<T>>),
    before_note: impl Into<String>,
    message: impl Into<String>,
) -> Diagnostic {
    changed(
        rule,
        pair.nsid(),
        field_span(after_field, pair.after),
        field_span(before_field, pair.before),
        before_note,
        message,
    )
}

/// The first byte of `span`: where to point at an object or list without underlining all of it.
pub fn opening(span: Span) -> Span {
    Span::new(span.file, span.start, span.end.min(span.start.saturating_add(1)))
}

/// The finding of a rule comparing one optional text field of `pair` (`key`, `format`), when its
/// value changed, appeared or went away: "`what` of `nsid#path` changed from `old` to `new`".
pub fn text_changed(
    rule: &RuleMeta,
    pair: &SchemaPair<'_>,
    what: &str,
    (before, after): (Option<&Spanned<String>>, Option<&Spanned<String>>),
) -> Option<Diagnostic> {
    let old = before.map(|v| v.value.as_str());
    let new = after.map(|v| v.value.as_str());
    if old == new {
        return None;
    }
    Some(changed_field(
        rule,
        pair,
        (before, after),
        format!("was {}", shown(old)),
        format!(
            "{what} of `{}` changed from {} to {}",
            pair.location(),
            shown(old),
            shown(new)
        ),
    ))
}

/// The findings of a rule about fields the before version has and the after version lacks:
/// those `wanted` (given whether the field was required) reports, one per field, on its old
/// name with a label where the after version's fields are.
pub fn removed_fields(
    rule: &RuleMeta,
    diff: &CatalogDiff<'_>,
    wanted: fn(was_required: bool) -> bool,
    describe: fn(set: &FieldSetPair<'_>, field: &Property) -> (String, String),
    out: &mut Vec<Diagnostic>,
) {
    for set in diff.field_sets() {
        for property in set.before.properties {
            if set.after.property(&property.name).is_some()
                || !wanted(set.before.required(&property.name).is_some())
            {
                continue;
            }
            let (message, help) = describe(set, property);
            out.push(
                changed(
                    rule,
                    set.doc.nsid(),
                    property.name_span,
                    set.after.anchor,
                    format!("no `{}` here", property.name),
                    message,
                )
                .with_help(help),
            );
        }
    }
}

/// A list of field names of an object or `params`.
#[derive(Debug, Clone, Copy)]
pub enum FieldList {
    /// `required`.
    Required,
    /// `nullable`.
    Nullable,
}

impl FieldList {
    /// The entry of `list` naming `name` in `set`.
    fn entry<'a>(self, set: &FieldSet<'a>, name: &str) -> Option<&'a Spanned<String>> {
        match self {
            FieldList::Required => set.required(name),
            FieldList::Nullable => set.nullable(name),
        }
    }
}

/// The findings of a rule about fields in both versions that entered or left `list`, worded
/// "`field` became `listed`" (or `unlisted`).
pub fn list_membership_changed(
    rule: &RuleMeta,
    diff: &CatalogDiff<'_>,
    list: FieldList,
    (listed, unlisted): (&str, &str),
    out: &mut Vec<Diagnostic>,
) {
    for set in diff.field_sets() {
        for property in set.after.properties {
            let Some(old) = set.before.property(&property.name) else {
                continue;
            };
            let (after_span, before_span, now, was) =
                match (list.entry(&set.before, &property.name), list.entry(&set.after, &property.name)) {
                    (None, Some(new)) => (new.span, old.name_span, listed, unlisted),
                    (Some(gone), None) => (property.name_span, gone.span, unlisted, listed),
                    _ => continue,
                };
            let location = set.field_location(&property.name);
            out.push(
                changed(
                    rule,
                    set.doc.nsid(),
                    after_span,
                    before_span,
                    format!("{was} before"),
                    format!("{} `{location}` became {now}", set.kind.noun()),
                )
                .with_help(new_field_help(&format!(
                    "whether `{}` is {listed}",
                    property.name
                ))),
            );
        }
    }
}

/// `` `a`, `b` `` of the values of `items` (`(none)` when empty).
pub fn values<T: ToString>(items: &[&Spanned<T>]) -> String {
    list(&items.iter().map(|i| i.value.to_string()).collect::<Vec<_>>())
}

/// Where `field` is, or the schema's `type` when the schema does not have it.
pub fn field_span<T>(field: Option<&Spanned<T>>, schema: &Schema) -> Span {
    field.map_or_else(|| schema.anchor(), |f| f.span)
}

/// The help for a change that cannot be made compatibly: publish the changed lexicon under a new
/// NSID and keep the old one.
pub fn new_nsid_help(nsid: &str) -> String {
    format!(
        "keep `{nsid}` as it was; to make this change, publish it as a new lexicon `{nsid}V2` \
         (a `V2` suffix) and deprecate the old one in its `description`"
    )
}

/// The help for a change to one field: add a new optional field instead.
pub fn new_field_help(what: &str) -> String {
    format!(
        "keep {what} unchanged; add a new optional field for the new meaning and deprecate the \
         old one in its `description` (or publish a new NSID with a `V2` suffix)"
    )
}

/// `` `a`, `b` `` for messages (`(none)` when empty).
pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "(none)".to_owned();
    }
    items
        .iter()
        .map(|item| format!("`{}`", item.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` as `` `value` `` or `(none)`.
pub fn shown<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "(none)".to_owned(), |v| format!("`{v}`"))
}

/// The entries of `before` missing from `after`, and those of `after` missing from `before`, in
/// source order, without repeats.
pub fn set_changes<'a, T: Eq + Hash>(
    before: &'a [Spanned<T>],
    after: &'a [Spanned<T>],
) -> (Vec<&'a Spanned<T>>, Vec<&'a Spanned<T>>) {
    differences(before, after, |item| &item.value)
}

/// The items of `before` whose `key` no item of `after` has, and the other way round, in source
/// order, each key once. Linear: a list of 85,000 entries is compared in milliseconds.
pub fn differences<'a, I, K: Eq + Hash + ?Sized + 'a>(
    before: &'a [I],
    after: &'a [I],
    key: impl Fn(&'a I) -> &'a K,
) -> (Vec<&'a I>, Vec<&'a I>) {
    let missing = |from: &'a [I], other: &'a [I]| {
        let present: HashSet<&K> = other.iter().map(&key).collect();
        let mut seen: HashSet<&K> = HashSet::new();
        from.iter()
            .filter(|item| {
                let k = key(item);
                !present.contains(k) && seen.insert(k)
            })
            .collect::<Vec<_>>()
    };
    (missing(before, after), missing(after, before))
}

/// The variants of `union` (written in the lexicon `nsid`) as full refs (`nsid#name`), in source
/// order, without repeats.
pub fn union_refs(nsid: &str, union: &UnionSchema) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    union
        .refs
        .iter()
        .flat_map(|refs| &refs.value)
        .map(|reference| absolute_ref(nsid, &reference.value))
        .filter(|target| seen.insert(target.clone()))
        .collect()
}

/// One bound of a limit pair (`minLength`, `maximum`, …) before and after.
pub struct Bound<'a> {
    /// The field name as written (`maxLength`).
    pub name: &'static str,
    /// True for an upper bound.
    pub is_max: bool,
    /// The value before.
    pub before: Option<&'a Spanned<i64>>,
    /// The value after.
    pub after: Option<&'a Spanned<i64>>,
}

/// The finding of a limits rule (`integer-range-changed` and its kin) for `pair`, when any of
/// `bounds` changed: which bounds, old and new values, and whether each now accepts less
/// (existing data may be invalid) or more (older readers reject new data).
pub fn limits_changed(
    rule: &RuleMeta,
    pair: &SchemaPair<'_>,
    what: &str,
    bounds: &[Bound<'_>],
) -> Option<Diagnostic> {
    let changed: Vec<&Bound<'_>> = bounds
        .iter()
        .filter(|b| b.before.map(|v| v.value) != b.after.map(|v| v.value))
        .collect();
    let first = changed.first()?;
    let mut tighter = false;
    let mut looser = false;
    let parts: Vec<String> = changed
        .iter()
        .map(|bound| {
            let (old, new) = (bound.before.map(|v| v.value), bound.after.map(|v| v.value));
            let narrows = match (old, new) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(old), Some(new)) => (new < old) == bound.is_max,
                (None, None) => false,
            };
            if narrows {
                tighter = true;
            } else {
                looser = true;
            }
            format!("`{}` {} → {}", bound.name, shown(old), shown(new))
        })
        .collect();
    let effect = match (tighter, looser) {
        (true, false) => "values valid before may now be rejected",
        (false, true) => "values now accepted are rejected by readers of the old schema",
        _ => "some values valid before are now rejected, and some now accepted are rejected by readers of the old schema",
    };
    Some(
        changed_field(
            rule,
            pair,
            (first.before, first.after),
            BEFORE,
            format!(
                "{what} of `{}` changed: {} ({effect})",
                pair.location(),
                parts.join(", ")
            ),
        )
        .with_help(new_field_help("the limits")),
    )
}

#[cfg(test)]
pub(crate) mod test_support {
    use lexperm_parser::diagnostics::{Diagnostic, RuleMeta};

    use crate::Source;

    /// The diagnostics `rule` reports comparing `before` with `after` (document texts).
    pub(crate) fn run(rule: &RuleMeta, before: &[&str], after: &[&str]) -> Vec<Diagnostic> {
        let after_sources: Vec<Source<'_>> = after
            .iter()
            .enumerate()
            .map(|(i, text)| Source::new(i as u32, None, text))
            .collect();
        let before_sources: Vec<Source<'_>> = before
            .iter()
            .enumerate()
            .map(|(i, text)| Source::new(1000 + i as u32, None, text))
            .collect();
        crate::breaking(&before_sources, &after_sources)
            .into_iter()
            .flat_map(|(_, diagnostics)| diagnostics)
            .filter(|d| d.code == rule.code)
            .collect()
    }

    /// Asserts `rule` reports exactly `count` diagnostics comparing `before` with `after`, each
    /// with a help and a label in the other version; returns them.
    #[track_caller]
    pub(crate) fn expect(
        rule: &RuleMeta,
        count: usize,
        before: &[&str],
        after: &[&str],
    ) -> Vec<Diagnostic> {
        let found = crate::assert_count(rule, count, run(rule, before, after));
        for d in &found {
            assert!(d.help.is_some(), "{} has no help: {d:#?}", rule.code);
            let sides = std::iter::once(d.span.file.0 >= 1000)
                .chain(d.labels.iter().map(|l| l.span.file.0 >= 1000))
                .collect::<Vec<_>>();
            assert!(
                sides.contains(&true) && sides.contains(&false),
                "{}: spans on both sides expected: {d:#?}",
                rule.code
            );
            assert!(d.nsid.is_some(), "{}: no nsid", rule.code);
        }
        found
    }

    /// A document with id `nsid` and `defs` (a JSON object body without braces).
    pub(crate) fn doc(nsid: &str, defs: &str) -> String {
        format!(r#"{{"lexicon": 1, "id": "{nsid}", "defs": {{{defs}}}}}"#)
    }

    /// `com.example.post`: a record whose object has `properties` (a JSON object body without
    /// braces) and `extra` members (`"required": […]`, or empty).
    pub(crate) fn record(properties: &str, extra: &str) -> String {
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(", {extra}")
        };
        doc(
            "com.example.post",
            &format!(
                r#""main": {{"type": "record", "key": "tid", "record": {{"type": "object", "properties": {{{properties}}}{extra}}}}}"#
            ),
        )
    }

    /// `com.example.post` with one property `field` of schema `schema` (a JSON object).
    pub(crate) fn field(schema: &str) -> String {
        record(&format!(r#""field": {schema}"#), "")
    }

    /// The permission set `com.example.authFull` with `entries` (JSON object bodies without
    /// braces and without `"type": "permission"`).
    pub(crate) fn set(entries: &[&str]) -> String {
        let entries: Vec<String> = entries
            .iter()
            .map(|entry| format!(r#"{{"type": "permission", {entry}}}"#))
            .collect();
        doc(
            "com.example.authFull",
            &format!(
                r#""main": {{"type": "permission-set", "permissions": [{}]}}"#,
                entries.join(", ")
            ),
        )
    }

    /// The space type `com.example.forum` declaring `collections` (a JSON array body).
    pub(crate) fn space(collections: &str) -> String {
        doc(
            "com.example.forum",
            &format!(
                r#""main": {{"type": "space", "key": "tid", "name": "Forum", "collections": [{collections}]}}"#
            ),
        )
    }
}
