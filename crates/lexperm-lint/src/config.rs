//! `lexperm.toml`: the one configuration every lexicon-reading command and the `build.rs`
//! builder share, and the rule settings built from it plus command-line flags.
//!
//! This module parses text and combines settings; it does no IO. Finding the file (from the
//! linted folder upward: [`candidates`]) and reading it is the caller's job.
//!
//! Precedence: the file's `[rules]` levels first, then the flags in this order: `select` (only
//! the rules named report; the rules saying a path could not be loaded, `L132` and `L133`, stay
//! on), `warn`, `deny`, `ignore` (so a rule both ignored and denied is off).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};

use crate::file_rules::{l132_unreadable_file, l133_link_outside_root};

/// Name of the configuration file.
pub const CONFIG_FILE_NAME: &str = "lexperm.toml";

/// Names and globs left out of a folder's walk unless `exclude` replaces them: version-control
/// and tool folders that hold JSON that is not a lexicon.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".git",
    ".hg",
    ".jj",
    ".mypy_cache",
    ".next",
    ".nox",
    ".pnpm-store",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".turbo",
    ".venv",
    ".vscode",
    ".yarn",
    "__pycache__",
    "_darcs",
    "node_modules",
    "target",
    "venv",
];

/// What a rule is set to: off, or a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The rule's diagnostics are dropped.
    Off,
    /// The rule's diagnostics get this severity.
    Severity(Severity),
}

impl Level {
    /// Reads a level: `off` (also `allow` and `ignore`), `info`, `warning` or `error`.
    pub fn parse(value: &str) -> Option<Level> {
        match value {
            "off" | "allow" | "ignore" => Some(Level::Off),
            other => Severity::from_name(other).map(Level::Severity),
        }
    }
}

/// What `lexperm.toml` holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Config {
    /// `[rules]`: rule levels by code, name or alias.
    pub rules: Vec<(String, Level)>,
    /// `[breaking] acknowledge-widening`: NSIDs whose widening `lexperm breaking` reports as
    /// information instead of an error.
    pub acknowledge_widening: Vec<String>,
    /// `exclude`: globs left out of folder walks, replacing [`DEFAULT_EXCLUDE`].
    pub exclude: Option<Vec<String>>,
    /// `extend-exclude`: globs left out of folder walks in addition to `exclude`.
    pub extend_exclude: Vec<String>,
    /// `respect-gitignore`: whether `.gitignore` files are honoured by folder walks.
    pub respect_gitignore: Option<bool>,
    /// `[network] deadline`, in seconds.
    pub network_deadline: Option<u64>,
    /// `[authority]`: the DID the authority's `_lexicon` records name and its intentionally
    /// unpublished NSID groups (`lexperm check-dns`).
    pub authority: AuthoritySettings,
}

/// The `[authority]` section: what `lexperm check-dns` checks the DNS records against.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AuthoritySettings {
    /// `did`: the DID every `_lexicon.<authority>` record of the local NSID groups must name.
    pub did: Option<String>,
    /// `unpublished`: NSID groups intentionally left without a `_lexicon` record, as written
    /// (`com.example.internal`; a trailing `.*` is accepted and dropped).
    pub unpublished: Vec<String>,
}

impl Config {
    /// The exclude globs in force: `exclude` (or [`DEFAULT_EXCLUDE`]) plus `extend-exclude`.
    pub fn excludes(&self) -> Vec<String> {
        let mut globs: Vec<String> = match &self.exclude {
            Some(globs) => globs.clone(),
            None => DEFAULT_EXCLUDE.iter().map(|g| (*g).to_owned()).collect(),
        };
        globs.extend(self.extend_exclude.iter().cloned());
        globs
    }
}

/// The places `lexperm.toml` is looked for, nearest first: `start` (a folder) and each of its
/// parents up to the file-system root. Pure path arithmetic; the caller checks which exists.
pub fn candidates(start: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    start.ancestors().map(|dir| dir.join(CONFIG_FILE_NAME))
}

/// The top-level keys (outside any section).
const TOP_KEYS: &[&str] = &["exclude", "extend-exclude", "respect-gitignore"];
/// The sections.
const SECTIONS: &[&str] = &["rules", "breaking", "network", "authority"];
/// The keys of the `[breaking]` section.
const BREAKING_KEYS: &[&str] = &["acknowledge-widening"];
/// The keys of the `[authority]` section.
const AUTHORITY_KEYS: &[&str] = &["did", "unpublished"];

/// Parses a config file's text: top-level `exclude`, `extend-exclude` (lists of globs) and
/// `respect-gitignore` (a boolean); the sections `[rules]` (rule = level), `[breaking]`
/// (`acknowledge-widening = ["NSID", …]`), `[network]` (`deadline = SECONDS`) and `[authority]`
/// (`did = "did:…"`, `unpublished = ["NSID group", …]`). Rule names are not checked here (see
/// [`RuleControl::new`]).
pub fn parse(text: &str) -> Result<Config, String> {
    let table = parse_table(text)?;
    let mut config = Config {
        network_deadline: network_section(&table)?,
        ..Config::default()
    };
    for (key, value) in table {
        match (key.as_str(), value) {
            ("network", _) => {}
            ("exclude", value) => config.exclude = Some(globs("exclude", &value)?),
            ("extend-exclude", value) => config.extend_exclude = globs("extend-exclude", &value)?,
            ("respect-gitignore", toml::Value::Boolean(respect)) => {
                config.respect_gitignore = Some(respect)
            }
            ("respect-gitignore", other) => {
                return Err(format!(
                    "`respect-gitignore` must be true or false (got {})",
                    describe(&other)
                ))
            }
            ("rules", toml::Value::Table(rules)) => {
                for (rule, level) in rules {
                    let parsed = level.as_str().and_then(Level::parse).ok_or_else(|| {
                        format!(
                            "rule `{rule}`: level must be one of \"off\" (or \"allow\"), \"info\", \"warning\", \"error\" (got {})",
                            describe(&level)
                        )
                    })?;
                    config.rules.push((rule, parsed));
                }
            }
            ("rules", _) => {
                return Err(
                    "`rules` must be a table, e.g. `[rules]\\nL105 = \"off\"`".to_string(),
                )
            }
            ("breaking", toml::Value::Table(breaking)) => {
                for (name, value) in breaking {
                    if !BREAKING_KEYS.contains(&name.as_str()) {
                        return Err(unknown_key("breaking", &name, BREAKING_KEYS));
                    }
                    config.acknowledge_widening = acknowledged_nsids(&value)?;
                }
            }
            ("breaking", _) => {
                return Err(
                    "`breaking` must be a table, e.g. `[breaking]\\nacknowledge-widening = [\"com.example.authFull\"]`"
                        .to_string(),
                )
            }
            ("authority", toml::Value::Table(authority)) => {
                config.authority = authority_section(authority)?
            }
            ("authority", _) => {
                return Err(
                    "`authority` must be a table, e.g. `[authority]\\ndid = \"did:plc:…\"`"
                        .to_string(),
                )
            }
            (other, _) => {
                let known: Vec<&str> = TOP_KEYS.iter().chain(SECTIONS).copied().collect();
                return Err(unknown_key_message(
                    format!("unknown key `{other}`"),
                    other,
                    &known,
                    "the keys are `exclude`, `extend-exclude`, `respect-gitignore` and the sections `[rules]`, `[breaking]`, `[network]`, `[authority]` (docs/config.md)",
                ));
            }
        }
    }
    Ok(config)
}

/// The `[network] deadline` of a config file's text (seconds, at least 1).
pub fn parse_network(text: &str) -> Result<Option<u64>, String> {
    network_section(&parse_table(text)?)
}

/// The `[network] deadline` of a parsed config file.
fn network_section(table: &toml::Table) -> Result<Option<u64>, String> {
    let Some(network) = table.get("network") else {
        return Ok(None);
    };
    let toml::Value::Table(network) = network else {
        return Err("`network` must be a table, e.g. `[network]\ndeadline = 120`".to_string());
    };
    if let Some(key) = network.keys().find(|key| *key != "deadline") {
        return Err(format!(
            "unknown key `{key}` in `[network]`\n  help: the only key is `deadline` (seconds)"
        ));
    }
    network
        .get("deadline")
        .map(|value| match value {
            toml::Value::Integer(seconds) if *seconds >= 1 => Ok(*seconds as u64),
            toml::Value::Integer(seconds) => Err(format!(
                "`network.deadline` must be at least 1 second (got {seconds})"
            )),
            other => Err(format!(
                "`network.deadline` must be a whole number of seconds (got {})",
                describe(other)
            )),
        })
        .transpose()
}

fn parse_table(text: &str) -> Result<toml::Table, String> {
    text.parse().map_err(|err: toml::de::Error| {
        let line = err
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        match line {
            Some(line) => format!("invalid TOML at line {line}: {}", err.message()),
            None => format!("invalid TOML: {}", err.message()),
        }
    })
}

/// A list of glob strings (`exclude`, `extend-exclude`).
fn globs(key: &str, value: &toml::Value) -> Result<Vec<String>, String> {
    let toml::Value::Array(items) = value else {
        return Err(format!(
            "`{key}` must be a list of globs, e.g. `{key} = [\"fixtures\", \"build/**\"]` (got {})",
            describe(value)
        ));
    };
    items
        .iter()
        .map(|item| {
            item.as_str().map(str::to_owned).ok_or_else(|| {
                format!(
                    "`{key}`: every entry must be a glob string (got {})",
                    describe(item)
                )
            })
        })
        .collect()
}

/// The NSIDs of `[breaking] acknowledge-widening`: a list of strings, each an NSID.
fn acknowledged_nsids(value: &toml::Value) -> Result<Vec<String>, String> {
    const KEY: &str = "`[breaking] acknowledge-widening`";
    let toml::Value::Array(items) = value else {
        return Err(format!(
            "{KEY} must be a list of permission set or space type NSIDs, e.g. \
             `acknowledge-widening = [\"com.example.authFull\"]` (got {})",
            describe(value)
        ));
    };
    items
        .iter()
        .map(|item| {
            let nsid = item.as_str().ok_or_else(|| {
                format!(
                    "{KEY}: every entry must be an NSID string (got {})",
                    describe(item)
                )
            })?;
            check_nsid(nsid).map_err(|problem| format!("{KEY}: `{nsid}`: {problem}"))?;
            Ok(nsid.to_owned())
        })
        .collect()
}

/// The `[authority]` section: `did` (a DID) and `unpublished` (NSID groups).
fn authority_section(table: toml::Table) -> Result<AuthoritySettings, String> {
    let mut settings = AuthoritySettings::default();
    for (name, value) in table {
        match (name.as_str(), value) {
            ("did", toml::Value::String(did)) => {
                lexperm_parser::syntax::Did::check(&did)
                    .map_err(|err| format!("`[authority] did`: `{did}` is not a DID: {err}"))?;
                settings.did = Some(did);
            }
            ("did", other) => {
                return Err(format!(
                    "`[authority] did` must be a DID string, e.g. `did = \"did:plc:…\"` (got {})",
                    describe(&other)
                ))
            }
            ("unpublished", value) => settings.unpublished = nsid_groups(&value)?,
            (other, _) => return Err(unknown_key("authority", other, AUTHORITY_KEYS)),
        }
    }
    Ok(settings)
}

/// The NSID groups of `[authority] unpublished`: strings, each an NSID without its name
/// (`com.example.internal`), optionally followed by `.*`.
fn nsid_groups(value: &toml::Value) -> Result<Vec<String>, String> {
    const KEY: &str = "`[authority] unpublished`";
    let toml::Value::Array(items) = value else {
        return Err(format!(
            "{KEY} must be a list of NSID groups, e.g. `unpublished = [\"com.example.internal\"]` (got {})",
            describe(value)
        ));
    };
    items
        .iter()
        .map(|item| {
            let group = item.as_str().ok_or_else(|| {
                format!(
                    "{KEY}: every entry must be an NSID group string (got {})",
                    describe(item)
                )
            })?;
            let bare = group.strip_suffix(".*").unwrap_or(group);
            lexperm_parser::syntax::Nsid::parse(&format!("{bare}.x")).map_err(|err| {
                format!(
                    "{KEY}: `{group}` is not an NSID group: {err}\n  help: write the NSIDs' common part without the name, e.g. `com.example.internal` for `com.example.internal.getThing`"
                )
            })?;
            Ok(bare.to_owned())
        })
        .collect()
}

/// Why `nsid` is not an NSID, if it is not.
fn check_nsid(nsid: &str) -> Result<(), String> {
    lexperm_parser::syntax::Nsid::parse(nsid)
        .map(|_| ())
        .map_err(|err| format!("not an NSID: {err}"))
}

/// The error for a key `name` of the section `section` that is not one of `known`.
fn unknown_key(section: &str, name: &str, known: &[&str]) -> String {
    let keys: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    unknown_key_message(
        format!("unknown key `{name}` in `[{section}]`"),
        name,
        known,
        &format!("the keys of `[{section}]` are {}", keys.join(", ")),
    )
}

/// `message`, then a help line: the closest of `known` to `name` when one is close, else
/// `fallback`.
fn unknown_key_message(message: String, name: &str, known: &[&str], fallback: &str) -> String {
    let closest = known
        .iter()
        .map(|k| {
            (
                lexperm_parser::suggest::distance(&name.to_ascii_lowercase(), k),
                *k,
            )
        })
        .min()
        .filter(|(distance, _)| *distance <= (name.chars().count() / 3).max(2));
    match closest {
        Some((_, key)) => format!("{message}\n  help: did you mean `{key}`? ({fallback})"),
        None => format!("{message}\n  help: {fallback}"),
    }
}

/// A TOML value for an error message.
fn describe(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => format!("\"{text}\""),
        other => lexperm_parser::wording::a_word(other.type_str()),
    }
}

/// Rule settings given outside the file (command-line flags, builder methods): codes, names or
/// aliases; `deny` also takes `warnings` (warnings fail the run).
#[derive(Debug, Default, Clone)]
pub struct RuleFlags {
    /// Only these rules report (when not empty).
    pub select: Vec<String>,
    /// These rules report as warnings.
    pub warn: Vec<String>,
    /// These rules report as errors; `warnings` makes warnings fail the run.
    pub deny: Vec<String>,
    /// These rules are off.
    pub ignore: Vec<String>,
}

/// The `deny` value that makes warnings fail the run.
pub const DENY_WARNINGS: &str = "warnings";

/// Effective rule settings for one run.
#[derive(Debug, Default, Clone)]
pub struct RuleControl {
    levels: HashMap<&'static str, Level>,
    deny_warnings: bool,
    acknowledged: Vec<String>,
}

impl RuleControl {
    /// Combines the config file (`config`, may be empty: its `[rules]` table and its
    /// acknowledged widenings), then `flags` (see the module documentation for the order). Every
    /// name must be a rule of `rules`; an unknown one is an error with suggestions.
    pub fn new(
        rules: &[&'static RuleMeta],
        config: &Config,
        flags: &RuleFlags,
    ) -> Result<RuleControl, String> {
        let mut levels = HashMap::new();
        for (key, level) in &config.rules {
            let rule = lookup(rules, key)?;
            levels.insert(rule.code, *level);
        }
        let named = |option: &str, keys: &[String]| -> Result<Vec<&'static str>, String> {
            keys.iter()
                .map(|key| key.trim())
                .filter(|key| !key.is_empty())
                .map(|key| {
                    lookup(rules, key)
                        .map(|rule| rule.code)
                        .map_err(|err| format!("--{option}: {err}"))
                })
                .collect()
        };
        let selected = named("select", &flags.select)?;
        if !selected.is_empty() {
            let always = [
                l132_unreadable_file::META.code,
                l133_link_outside_root::META.code,
            ];
            for rule in rules {
                if !selected.contains(&rule.code) && !always.contains(&rule.code) {
                    levels.insert(rule.code, Level::Off);
                } else if levels.get(rule.code) == Some(&Level::Off) {
                    levels.remove(rule.code);
                }
            }
        }
        for code in named("warn", &flags.warn)? {
            levels.insert(code, Level::Severity(Severity::Warning));
        }
        let (warnings, denied): (Vec<String>, Vec<String>) = flags
            .deny
            .iter()
            .cloned()
            .partition(|key| key.trim().eq_ignore_ascii_case(DENY_WARNINGS));
        for code in named("deny", &denied)? {
            levels.insert(code, Level::Severity(Severity::Error));
        }
        for code in named("ignore", &flags.ignore)? {
            levels.insert(code, Level::Off);
        }
        Ok(RuleControl {
            levels,
            deny_warnings: !warnings.is_empty(),
            acknowledged: config.acknowledge_widening.clone(),
        })
    }

    /// Adds NSIDs whose widening is acknowledged (`--acknowledge-widening`); each must be an
    /// NSID.
    pub fn acknowledge(&mut self, nsids: &[String]) -> Result<(), String> {
        for nsid in nsids {
            check_nsid(nsid)
                .map_err(|problem| format!("--acknowledge-widening `{nsid}`: {problem}"))?;
            if !self.acknowledged.contains(nsid) {
                self.acknowledged.push(nsid.clone());
            }
        }
        Ok(())
    }

    /// The NSIDs whose widening is acknowledged.
    pub fn acknowledged(&self) -> &[String] {
        &self.acknowledged
    }

    /// The level set for the rule `code`, when one is.
    pub fn level(&self, code: &str) -> Option<Level> {
        self.levels.get(code).copied()
    }

    /// Drops diagnostics of rules that are off, sets configured severities, then marks the
    /// widenings of acknowledged NSIDs as information.
    pub fn apply(&self, diagnostics: &mut Vec<Diagnostic>) {
        if !self.levels.is_empty() {
            diagnostics.retain_mut(|diagnostic| match self.levels.get(diagnostic.code) {
                Some(Level::Off) => false,
                Some(Level::Severity(severity)) => {
                    diagnostic.severity = *severity;
                    true
                }
                None => true,
            });
        }
        if !self.acknowledged.is_empty() {
            crate::breaking_rules::grants::acknowledge_widening(diagnostics, &self.acknowledged);
        }
    }

    /// True when a run with `errors` errors and `warnings` warnings (after [`RuleControl::apply`])
    /// fails.
    pub fn fails(&self, errors: usize, warnings: usize) -> bool {
        errors > 0 || (self.deny_warnings && warnings > 0)
    }
}

/// Finds a rule by code (case-insensitive), name or alias; unknown keys give an error message
/// with the closest codes and names.
pub fn lookup(rules: &[&'static RuleMeta], key: &str) -> Result<&'static RuleMeta, String> {
    let wanted = key.trim();
    if let Some(rule) = crate::find_rule(rules, wanted) {
        return Ok(rule);
    }
    let suggestions = suggest(rules, wanted);
    let mut message = format!("unknown rule `{key}`");
    if suggestions.is_empty() {
        message.push_str("\n  help: `lexperm explain --list` shows every rule");
    } else {
        message.push_str(&format!(
            "\n  help: did you mean {}?",
            suggestions.join(", ")
        ));
    }
    Err(message)
}

/// Up to three rules whose code or name is close to `key`, as `` `CODE` (name) ``.
pub fn suggest(rules: &[&RuleMeta], key: &str) -> Vec<String> {
    let lower = key.to_ascii_lowercase();
    let mut scored: Vec<(usize, &RuleMeta)> = rules
        .iter()
        .filter_map(|rule| {
            let by_code =
                lexperm_parser::suggest::distance(&lower, &rule.code.to_ascii_lowercase());
            let by_name = lexperm_parser::suggest::distance(&lower, rule.name);
            let contains = !lower.is_empty() && lower.len() >= 4 && rule.name.contains(&lower);
            let best = by_code.min(by_name);
            let limit = (lower.chars().count() / 3).max(2);
            if best <= limit || contains {
                Some((if contains { 0 } else { best }, *rule))
            } else {
                None
            }
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.code.cmp(b.1.code)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, rule)| format!("`{}` ({})", rule.code, rule.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    static RULE: RuleMeta = RuleMeta {
        code: "L105",
        name: "permission-outside-namespace",
        severity: Severity::Error,
        summary: "",
        doc: "",
    };
    static OTHER: RuleMeta = RuleMeta {
        code: "S101",
        name: "field-name-syntax",
        severity: Severity::Warning,
        summary: "",
        doc: "",
    };
    const RULES: &[&RuleMeta] = &[&RULE, &OTHER, &l132_unreadable_file::META];

    fn flags(select: &[&str], warn: &[&str], deny: &[&str], ignore: &[&str]) -> RuleFlags {
        let owned = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect();
        RuleFlags {
            select: owned(select),
            warn: owned(warn),
            deny: owned(deny),
            ignore: owned(ignore),
        }
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(lookup(RULES, "l105").map(|r| r.code), Ok("L105"));
        assert_eq!(
            lookup(RULES, "field-name-syntax").map(|r| r.code),
            Ok("S101")
        );
        let err = lookup(RULES, "permission-outside-namespac").unwrap_err();
        assert!(
            err.contains("did you mean `L105` (permission-outside-namespace)"),
            "{err}"
        );
        let err = lookup(RULES, "zzzzzzzzzzzz").unwrap_err();
        assert!(err.contains("explain --list"), "{err}");
    }

    #[test]
    fn config_levels_and_errors() {
        let mut parsed =
            parse("[rules]\nL105 = \"off\"\nfield-name-syntax = \"error\"\nS102 = \"allow\"\n")
                .unwrap();
        // In file order or sorted, depending on the TOML parser's features.
        parsed.rules.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            parsed.rules,
            vec![
                ("L105".to_string(), Level::Off),
                ("S102".to_string(), Level::Off),
                (
                    "field-name-syntax".to_string(),
                    Level::Severity(Severity::Error)
                ),
            ]
        );
        assert!(parse("[rules]\nL105 = \"loud\"")
            .unwrap_err()
            .contains("level must be"));
        let err = parse("[rulez]\n").unwrap_err();
        assert!(err.contains("unknown key `rulez`"), "{err}");
        assert!(err.contains("did you mean `rules`?"), "{err}");
        let err = parse("exclud = []\n").unwrap_err();
        assert!(err.contains("did you mean `exclude`?"), "{err}");
        assert!(parse("[rules\n").unwrap_err().contains("invalid TOML"));
    }

    #[test]
    fn walk_keys() {
        let parsed = parse(
            "exclude = [\"fixtures\"]\nextend-exclude = [\"out/**\"]\nrespect-gitignore = false\n",
        )
        .unwrap();
        assert_eq!(parsed.excludes(), ["fixtures", "out/**"]);
        assert_eq!(parsed.respect_gitignore, Some(false));
        let defaults = parse("extend-exclude = [\"generated\"]\n").unwrap();
        assert!(defaults.excludes().contains(&"node_modules".to_owned()));
        assert!(defaults.excludes().contains(&"generated".to_owned()));
        assert!(parse("exclude = \"x\"")
            .unwrap_err()
            .contains("list of globs"));
        assert!(parse("exclude = [1]").unwrap_err().contains("glob string"));
        assert!(parse("respect-gitignore = \"no\"")
            .unwrap_err()
            .contains("true or false"));
    }

    #[test]
    fn candidates_go_up_to_the_root() {
        let found: Vec<PathBuf> = candidates(Path::new("/a/b")).collect();
        assert_eq!(
            found,
            [
                PathBuf::from("/a/b/lexperm.toml"),
                PathBuf::from("/a/lexperm.toml"),
                PathBuf::from("/lexperm.toml"),
            ]
        );
    }

    #[test]
    fn control_applies_levels_in_order() {
        let config = Config {
            rules: vec![("S101".to_string(), Level::Severity(Severity::Error))],
            ..Config::default()
        };
        let control = RuleControl::new(RULES, &config, &flags(&[], &[], &[], &["L105"])).unwrap();
        let span = Default::default();
        let mut diagnostics = vec![
            Diagnostic::new(&RULE, span, "dropped"),
            Diagnostic::new(&OTHER, span, "raised"),
        ];
        control.apply(&mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Error);
        let err = RuleControl::new(RULES, &Config::default(), &flags(&[], &[], &[], &["nope"]))
            .unwrap_err();
        assert!(err.starts_with("--ignore: unknown rule `nope`"), "{err}");

        // --select keeps only the rules named (and the load failures); --ignore wins over --deny.
        let control = RuleControl::new(
            RULES,
            &Config::default(),
            &flags(&["S101"], &[], &["S101", "warnings"], &[]),
        )
        .unwrap();
        assert_eq!(control.level("L105"), Some(Level::Off));
        assert_eq!(control.level("L132"), None);
        assert_eq!(
            control.level("S101"),
            Some(Level::Severity(Severity::Error))
        );
        assert!(control.fails(0, 1));
        let control = RuleControl::new(
            RULES,
            &Config::default(),
            &flags(&[], &["L105"], &["L105"], &["L105"]),
        )
        .unwrap();
        assert_eq!(control.level("L105"), Some(Level::Off));
        assert!(!control.fails(0, 1));
    }

    #[test]
    fn acknowledged_widenings_and_their_errors() {
        let parsed =
            parse("[breaking]\nacknowledge-widening = [\"com.example.authFull\"]\n").unwrap();
        assert_eq!(parsed.acknowledge_widening, ["com.example.authFull"]);
        assert!(parsed.rules.is_empty());
        let err = parse("[breaking]\nacknowledge_widening = []\n").unwrap_err();
        assert!(
            err.contains("unknown key `acknowledge_widening` in `[breaking]`")
                && err.contains("did you mean `acknowledge-widening`?"),
            "{err}"
        );
        let err = parse("[breaking]\nsomething = 1\n").unwrap_err();
        assert!(
            err.contains("the keys of `[breaking]` are `acknowledge-widening`"),
            "{err}"
        );
        let err =
            parse("[breaking]\nacknowledge-widening = \"com.example.authFull\"\n").unwrap_err();
        assert!(
            err.contains("must be a list") && err.contains("got \"com.example.authFull\""),
            "{err}"
        );
        let err = parse("[breaking]\nacknowledge-widening = [\"authFull\"]\n").unwrap_err();
        assert!(err.contains("`authFull`: not an NSID"), "{err}");
        let err = parse("[braking]\n").unwrap_err();
        assert!(err.contains("did you mean `breaking`?"), "{err}");

        let mut control = RuleControl::new(RULES, &parsed, &RuleFlags::default()).unwrap();
        assert!(control.acknowledge(&["not an nsid".to_owned()]).is_err());
        control
            .acknowledge(&["com.example.authOther".to_owned()])
            .unwrap();
        assert_eq!(
            control.acknowledged,
            ["com.example.authFull", "com.example.authOther"]
        );
    }

    #[test]
    fn network_section() {
        assert_eq!(parse_network("[network]\ndeadline = 120\n"), Ok(Some(120)));
        assert_eq!(parse_network("[rules]\nL105 = \"off\"\n"), Ok(None));
        assert_eq!(
            parse("[network]\ndeadline = 120\n[rules]\nL105 = \"off\"\n")
                .map(|c| c.network_deadline),
            Ok(Some(120))
        );
        for bad in [
            "[network]\ndeadline = 0",
            "[network]\ndeadline = \"2m\"",
            "[network]\ntimeout = 3",
            "network = 3",
        ] {
            assert!(parse_network(bad).is_err(), "{bad}");
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn authority_section() {
        let parsed = parse(
            "[authority]\ndid = \"did:plc:abc234\"\nunpublished = [\"com.example.internal\", \"com.example.staging.*\"]\n",
        )
        .unwrap();
        assert_eq!(parsed.authority.did.as_deref(), Some("did:plc:abc234"));
        assert_eq!(
            parsed.authority.unpublished,
            ["com.example.internal", "com.example.staging"]
        );
        assert_eq!(parse("").unwrap().authority, AuthoritySettings::default());
        for (bad, expected) in [
            ("[authority]\ndid = \"plc:abc\"", "`plc:abc` is not a DID"),
            ("[authority]\ndid = 3", "must be a DID string"),
            (
                "[authority]\nunpublished = \"com.example.x\"",
                "must be a list of NSID groups",
            ),
            (
                "[authority]\nunpublished = [1]",
                "every entry must be an NSID group string",
            ),
            (
                "[authority]\nunpublished = [\"com\"]",
                "`com` is not an NSID group",
            ),
            (
                "[authority]\nunpublished = [\"com..x\"]",
                "`com..x` is not an NSID group",
            ),
            ("authority = 1", "`authority` must be a table"),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(expected), "{bad}: {err}");
        }
        let err = parse("[authority]\nunpublish = []\n").unwrap_err();
        assert!(
            err.contains("unknown key `unpublish` in `[authority]`")
                && err.contains("did you mean `unpublished`?"),
            "{err}"
        );
        let err = parse("[authorty]\n").unwrap_err();
        assert!(err.contains("did you mean `authority`?"), "{err}");
    }
}
