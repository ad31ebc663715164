//! Every lexperm lint rule, and the one list that declares them.
//!
//! Rules are one file each under [`file_rules`] (per-file: `L1xx` structure, `S1xx` style),
//! [`catalog_rules`] (over all loaded files: `L2xx` cross-file, `P1xx` permission sets) and
//! [`breaking_rules`] (`B1xx`: what changed between two versions of the files breaks existing
//! data or clients; `B2xx`: what a permission set or space declaration newly grants or no
//! longer grants). Each file holds the rule's [`RuleMeta`] (stable code, name, severity,
//! documentation), its check and its tests. [`declare_rules!`] below is the only list of rules: it
//! declares the modules, the [`registry`] and the order in which checks run.
//!
//! [`lint`] runs the lint rules over a set of sources; [`lint_file`] runs the per-file rules on one
//! text; [`breaking`] compares two sets of sources; [`changed::retain_changed`] keeps the findings
//! a change accounts for. No IO happens here.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use lexperm_parser::diagnostics::{Diagnostic, LoadProblem, RuleMeta};
use lexperm_parser::lexicon::LexiconDoc;
use lexperm_resolver::{Catalog, CatalogDiff};

mod breaking;
pub mod changed;
pub mod config;
mod lint;
pub mod parallel;

pub use breaking::{breaking, breaking_for};
pub use file_rules::{lint_doc, lint_file};
pub use lint::{
    lint, lint_with_catalog, lint_with_catalog_for, lint_with_source,
    lint_with_source_and_catalog_for, lint_with_source_for, RemoteLint, Source,
};

/// How a rule finds what it reports.
#[derive(Clone, Copy)]
enum Check {
    /// Reported by the loader (`lexperm_parser::json`, `lexperm_parser::lexicon`).
    Loader(LoadProblem),
    /// Runs over one loaded document.
    File(fn(&LexiconDoc, &mut Vec<Diagnostic>)),
    /// Runs over the whole catalog.
    Catalog(fn(&Catalog, &mut Vec<Diagnostic>)),
    /// Runs over two versions of the catalog.
    Breaking(fn(&CatalogDiff<'_>, &mut Vec<Diagnostic>)),
    /// Reported by the caller when something remote cannot be fetched: by [`lint_with_source`]
    /// for a lexicon (`L207`), by the CLI for a published base (`B129`).
    Remote,
    /// Reported by the program that reads local files (the `lexperm` CLI) for a file it did not
    /// load; this crate does no IO, so its rule file holds the documentation and the diagnostic.
    Local,
}

/// One entry of the rule list.
struct Rule {
    meta: &'static RuleMeta,
    check: Check,
    /// Other names the rule answers to (a breaking rule's `ALIASES`: the names of the indigo
    /// `lexlint` checks it covers).
    aliases: &'static [&'static str],
}

/// Declares every rule once: `group [shared modules] { kind module, … }`. `kind` is
/// `loader(Problem)`, `file`, `catalog`, `breaking`, `remote` or `local`; each module is
/// `src/<group>/<module>.rs` and defines `META` (and `check` for `file`, `catalog` and `breaking`
/// rules; `ALIASES` too for `breaking` rules, empty when no other tool has the check). The group's
/// shared code is its `support.rs` and the shared modules listed in brackets.
macro_rules! declare_rules {
    ($(
        $(#[$group_doc:meta])*
        $group:ident $([$($shared:ident),*])? { $( $kind:ident $(($problem:ident))? $rule:ident ),* $(,)? }
    )*) => {
        $(
            $(#[$group_doc])*
            pub mod $group {
                mod support;
                pub use support::*;
                $($( pub mod $shared; )*)?
                $( pub mod $rule; )*
            }
        )*

        /// Every rule in declaration order (which is code order within a group).
        static RULES: &[Rule] = &[
            $( $( Rule {
                meta: &$group::$rule::META,
                check: declare_rules!(@check $kind $(($problem))? $group::$rule),
                aliases: declare_rules!(@aliases $kind $group::$rule),
            }, )* )*
        ];
    };
    (@check loader ($problem:ident) $group:ident :: $rule:ident) => { Check::Loader(LoadProblem::$problem) };
    (@check file $group:ident :: $rule:ident) => { Check::File($group::$rule::check) };
    (@check catalog $group:ident :: $rule:ident) => { Check::Catalog($group::$rule::check) };
    (@check breaking $group:ident :: $rule:ident) => { Check::Breaking($group::$rule::check) };
    (@check remote $group:ident :: $rule:ident) => { Check::Remote };
    (@check local $group:ident :: $rule:ident) => { Check::Local };
    (@aliases breaking $group:ident :: $rule:ident) => { $group::$rule::ALIASES };
    (@aliases $kind:ident $group:ident :: $rule:ident) => { &[] };
}

declare_rules! {
    /// Per-file rules: one document at a time (`L1xx` structure errors, `S1xx` style warnings).
    file_rules {
        loader(InvalidJson) l101_invalid_json,
        loader(DuplicateKey) l102_duplicate_key,
        loader(InvalidFieldType) l103_invalid_field_type,
        loader(MissingRequiredField) l104_missing_required_field,
        loader(UnknownSchemaType) l105_unknown_schema_type,
        file l106_unsupported_lexicon_version,
        file l107_invalid_nsid,
        file l108_empty_defs,
        file l109_non_main_primary,
        file l110_non_definable_type,
        file l111_invalid_def_name,
        file l112_unknown_string_format,
        file l113_required_property_undefined,
        file l114_nullable_property_undefined,
        file l115_misplaced_schema_type,
        file l116_invalid_record_key_type,
        file l117_invalid_body_encoding,
        file l118_input_on_query,
        file l119_closed_empty_union,
        file l120_default_with_const,
        file l121_min_exceeds_max,
        file l122_negative_limit,
        file l123_invalid_blob_accept,
        file l124_invalid_ref_syntax,
        file l125_invalid_error_name,
        file l126_invalid_language_tag,
        file l127_deprecated_lang_map_key,
        file l128_invalid_permission_entry,
        file l129_invalid_permission_value,
        file l130_invalid_space_name,
        file l131_invalid_space_collection,
        local l132_unreadable_file,
        local l133_link_outside_root,
        local l134_lockfile_mismatch,
        file s101_missing_primary_description,
        file s102_undescribed_token,
        file s103_endpoint_output_undefined,
        file s104_unlimited_string,
        file s105_large_string,
        file s106_unlimited_bytes,
        file s107_large_bytes,
        file s108_known_string_local_ref,
        file s109_field_name_syntax,
        file s110_def_name_syntax,
        file s111_defs_main_definition,
        file s112_nullable_and_optional,
        file s113_permission_set_missing_title,
        file s114_permission_set_missing_detail,
        file s115_empty_permission_set,
        file s116_subscription_without_messages,
        file s117_unexpected_field,
        file s118_nested_type_not_portable,
        file s119_error_name_not_upper_camel_case,
        file s120_max_graphemes_without_max_length,
        file s121_format_with_length_limit,
        file s122_optional_boolean_defaults_true,
        file s123_unknown_in_record,
        file s124_removed_revision_field,
        file s125_redundant_main_fragment,
        file s126_handle_in_record,
        file s129_control_character_in_text,
        file s130_required_out_of_order,
    }
    /// Catalog rules: over everything loaded (`L2xx` cross-file, `P1xx` permission sets; a P-rule's
    /// name is the `DropReason` name of the entries it reports, or says what a surviving entry
    /// grants wrongly; `S127`/`S128` are warnings about how other permissioned-data
    /// implementations read a set).
    catalog_rules [permission_sets] {
        catalog l201_duplicate_nsid,
        catalog l202_unresolved_ref,
        catalog l203_external_ref,
        catalog l204_union_variant_not_object,
        catalog l205_known_value_not_token,
        catalog l206_file_path_mismatch,
        remote l207_remote_lexicon_unavailable,
        catalog l208_declared_collection_not_record,
        catalog l209_undefined_declared_collection,
        catalog l210_undefined_ref_lexicon,
        catalog p101_unsupported_resource,
        catalog p102_unknown_resource,
        catalog p103_wildcard_in_set,
        catalog p104_fixed_aud,
        catalog p105_aud_with_inherit_aud,
        catalog p106_inherit_aud_not_true,
        catalog p107_unknown_field,
        catalog p108_expected_array,
        catalog p109_expected_single_value,
        catalog p110_expected_string,
        catalog p111_empty_array,
        catalog p112_missing_field,
        catalog p113_invalid_permission_nsid,
        catalog p114_invalid_action,
        catalog p115_invalid_value,
        catalog p116_outside_namespace,
        catalog p117_collection_not_record,
        catalog p118_lxm_not_endpoint,
        catalog p119_undefined_collection,
        catalog p120_undefined_lxm,
        catalog p121_undeclared_space_type,
        catalog p122_space_collection_not_record,
        catalog p123_undefined_space_collection,
        catalog s127_space_needs_permissioned_data,
        catalog s128_implementations_disagree,
    }
    /// Breaking-change rules: over two versions of the catalog ([`CatalogDiff`]). `B1xx` compare
    /// schemas (what old data, old clients and old servers rely on); `B2xx` compare what
    /// permission sets and space declarations grant (the permission security diff; shared code in
    /// `grants`). A rule that covers an indigo `lexlint` breaking check lists the check's name in
    /// its `ALIASES`.
    breaking_rules [grants] {
        breaking b101_lexicon_removed,
        breaking b102_lexicon_renamed,
        breaking b103_def_removed,
        breaking b104_type_changed,
        breaking b105_record_key_changed,
        breaking b106_required_property_added,
        breaking b107_required_property_removed,
        breaking b108_optional_property_removed,
        breaking b109_required_changed,
        breaking b110_nullable_changed,
        breaking b111_const_changed,
        breaking b112_enum_changed,
        breaking b113_string_format_changed,
        breaking b114_known_values_changed,
        breaking b115_union_closed_changed,
        breaking b116_closed_union_refs_changed,
        breaking b117_open_union_ref_removed,
        breaking b118_ref_changed,
        breaking b119_integer_range_changed,
        breaking b120_string_length_changed,
        breaking b121_bytes_length_changed,
        breaking b122_array_length_changed,
        breaking b123_blob_accept_changed,
        breaking b124_blob_size_changed,
        breaking b125_body_encoding_changed,
        breaking b126_body_removed,
        breaking b127_input_added,
        breaking b128_error_removed,
        remote b129_base_unavailable,
        breaking b201_permission_set_widened,
        breaking b202_permission_set_narrowed,
        breaking b203_space_collections_widened,
        breaking b204_space_collections_narrowed,
        breaking b205_permission_text_changed,
    }
}

/// True when findings of the rule with code `code` can carry a fix (`lexperm lint --fix`): its
/// documentation says when, in a `## Fix` section.
pub fn is_fixable(code: &str) -> bool {
    static FIXABLE: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    FIXABLE
        .get_or_init(|| {
            registry()
                .iter()
                .filter(|rule| rule.doc.contains("\n## Fix\n"))
                .map(|rule| rule.code)
                .collect()
        })
        .contains(&code)
}

/// Every rule lexperm knows, sorted by code.
pub fn registry() -> &'static [&'static RuleMeta] {
    static SORTED: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    SORTED.get_or_init(|| {
        let mut all: Vec<&'static RuleMeta> = RULES.iter().map(|rule| rule.meta).collect();
        all.sort_by_key(|rule| rule.code);
        all
    })
}

/// The rules that look at one file at a time (the loader's and the per-file checks), in code
/// order; [`lint_file`] runs exactly these.
pub fn file_rules() -> impl Iterator<Item = &'static RuleMeta> {
    RULES
        .iter()
        .filter(|rule| matches!(rule.check, Check::Loader(_) | Check::File(_)))
        .map(|rule| rule.meta)
}

/// Every rule `lexperm lint` can report (all but the breaking-change rules), sorted by code.
pub fn lint_registry() -> impl Iterator<Item = &'static RuleMeta> {
    registry()
        .iter()
        .copied()
        .filter(|rule| !is_breaking_rule(rule))
}

/// Every rule `lexperm breaking` can report: the loader's and the local reader's (a file that does
/// not load is reported, not skipped; the lockfile check is not part of a comparison) and the
/// breaking-change rules, sorted by code.
pub fn breaking_registry() -> impl Iterator<Item = &'static RuleMeta> {
    registry().iter().copied().filter(|rule| {
        is_breaking_rule(rule)
            || RULES.iter().any(|r| {
                r.meta.code == rule.code
                    && matches!(r.check, Check::Loader(_) | Check::Local)
                    && r.meta.code != file_rules::l134_lockfile_mismatch::META.code
            })
    })
}

/// True for the breaking-change rules (code `B…`).
pub fn is_breaking_rule(rule: &RuleMeta) -> bool {
    rule.code.starts_with('B')
}

/// The other names of the rule with code `code`: for a breaking rule, the names of the indigo
/// `lexlint` checks it covers (`type-change` for `B104`). Empty for most rules.
pub fn aliases(code: &str) -> &'static [&'static str] {
    RULES
        .iter()
        .find(|rule| rule.meta.code == code)
        .map_or(&[], |rule| rule.aliases)
}

/// Finds a rule by code (`P116`, case-insensitive), name (`outside-namespace`) or alias
/// (`type-change`).
pub fn lookup(code_or_name: &str) -> Option<&'static RuleMeta> {
    find_rule(registry(), code_or_name)
}

/// The rule a problem found by the loader is reported under.
pub fn load_rule(problem: LoadProblem) -> &'static RuleMeta {
    RULES
        .iter()
        .find(|rule| matches!(rule.check, Check::Loader(p) if p == problem))
        .map(|rule| rule.meta)
        .expect("declare_rules! lists every LoadProblem (checked by a test)")
}

/// Finds a rule of `rules` by code (case-insensitive), name or alias (see [`aliases`]).
pub fn find_rule(rules: &[&'static RuleMeta], code_or_name: &str) -> Option<&'static RuleMeta> {
    rules
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
        .or_else(|| {
            let code = RULES
                .iter()
                .find(|rule| rule.aliases.contains(&code_or_name))?
                .meta
                .code;
            rules.iter().copied().find(|r| r.code == code)
        })
}

/// The per-file checks, in declaration order.
fn file_checks() -> impl Iterator<Item = fn(&LexiconDoc, &mut Vec<Diagnostic>)> {
    RULES.iter().filter_map(|rule| match rule.check {
        Check::File(check) => Some(check),
        _ => None,
    })
}

/// The catalog checks, in declaration order.
fn catalog_checks() -> Vec<fn(&Catalog, &mut Vec<Diagnostic>)> {
    RULES
        .iter()
        .filter_map(|rule| match rule.check {
            Check::Catalog(check) => Some(check),
            _ => None,
        })
        .collect()
}

/// The breaking-change checks, in declaration order.
fn breaking_checks() -> impl Iterator<Item = fn(&CatalogDiff<'_>, &mut Vec<Diagnostic>)> {
    RULES.iter().filter_map(|rule| match rule.check {
        Check::Breaking(check) => Some(check),
        _ => None,
    })
}

/// Asserts that `found` holds exactly `count` diagnostics of `rule`, and returns them: the check
/// behind both rule groups' `expect` test helpers.
#[cfg(test)]
#[track_caller]
fn assert_count(rule: &RuleMeta, count: usize, found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    assert_eq!(
        found.len(),
        count,
        "{} {}: expected {count}, got {found:#?}",
        rule.code,
        rule.name
    );
    found
}

#[cfg(test)]
mod tests {
    use lexperm_parser::diagnostics::Severity;

    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        let rules = registry();
        assert_eq!(rules.len(), RULES.len());
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
                    && matches!(code[0], b'L' | b'S' | b'P' | b'B')
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
            if rule.code.starts_with('S') {
                assert!(
                    matches!(rule.severity, Severity::Warning | Severity::Info),
                    "{}",
                    rule.code
                );
            }
        }
    }

    #[test]
    fn fixable_rules_document_their_fix() {
        for rule in registry() {
            assert_eq!(
                is_fixable(rule.code),
                rule.doc.contains("\n## Fix\n"),
                "{}: is_fixable and the `## Fix` section disagree",
                rule.code
            );
        }
    }

    #[test]
    fn rules_are_declared_in_code_order_within_each_group() {
        for pair in RULES.windows(2) {
            let same_group = pair[0].meta.code.as_bytes()[1] == pair[1].meta.code.as_bytes()[1]
                && pair[0].meta.code.as_bytes()[0] == pair[1].meta.code.as_bytes()[0];
            if same_group {
                assert!(
                    pair[0].meta.code < pair[1].meta.code,
                    "{}",
                    pair[1].meta.code
                );
            }
        }
    }

    #[test]
    fn loader_rules_match_the_problems_the_loader_reports() {
        let mut problems = Vec::new();
        for rule in RULES {
            if let Check::Loader(problem) = rule.check {
                assert_eq!(rule.meta.code, problem.code());
                assert_eq!(rule.meta.name, problem.name());
                assert_eq!(rule.meta.severity, Severity::Error);
                problems.push(problem);
            }
        }
        assert_eq!(problems, LoadProblem::ALL);
        for problem in LoadProblem::ALL {
            assert_eq!(load_rule(problem).code, problem.code());
        }
    }

    #[test]
    fn aliases_are_unique_and_name_no_rule() {
        let mut seen = std::collections::HashSet::new();
        for rule in RULES {
            assert!(
                rule.aliases.is_empty() || matches!(rule.check, Check::Breaking(_)),
                "{}",
                rule.meta.code
            );
            for alias in rule.aliases {
                assert!(seen.insert(*alias), "alias {alias} is used twice");
                assert!(
                    registry()
                        .iter()
                        .all(|r| r.name != *alias && !r.code.eq_ignore_ascii_case(alias)),
                    "alias {alias} is also a rule name or code"
                );
            }
        }
        assert_eq!(lookup("type-change").unwrap().code, "B104");
        assert_eq!(lookup("params-required").unwrap().code, "B109");
        assert_eq!(aliases("B109"), ["object-required", "params-required"]);
        assert!(aliases("L101").is_empty());
    }

    #[test]
    fn lint_and_breaking_registries_split_the_rules() {
        let lint: Vec<_> = lint_registry().map(|r| r.code).collect();
        let breaking: Vec<_> = breaking_registry().map(|r| r.code).collect();
        assert!(lint.iter().all(|code| !code.starts_with('B')));
        assert!(breaking.contains(&"L101") && breaking.contains(&"B101"));
        assert!(!breaking.contains(&"L106"));
        assert_eq!(
            lint.len() + breaking.iter().filter(|c| c.starts_with('B')).count(),
            registry().len()
        );
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(lookup("L107").unwrap().name, "invalid-nsid");
        assert_eq!(lookup("l107").unwrap().name, "invalid-nsid");
        assert_eq!(lookup("invalid-nsid").unwrap().code, "L107");
        assert_eq!(lookup("outside-namespace").unwrap().code, "P116");
        assert!(lookup("no-such-rule").is_none());
    }
}
