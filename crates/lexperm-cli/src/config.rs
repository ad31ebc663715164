//! Rule control: `lexperm.toml`, `--ignore`, `--deny warnings`, `--acknowledge-widening`, and
//! looking rules up by code or name with did-you-mean suggestions.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lexperm_parser::diagnostics::{Diagnostic, RuleMeta, Severity};
use lexperm_parser::suggest;

use crate::load;

use crate::render::Summary;

/// Name of the configuration file looked for in the current directory.
pub const CONFIG_FILE_NAME: &str = "lexperm.toml";

/// What a rule is set to: off, or a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The rule's diagnostics are dropped.
    Off,
    /// The rule's diagnostics get this severity.
    Severity(Severity),
}

impl Level {
    fn parse(value: &str) -> Option<Level> {
        match value {
            "off" => Some(Level::Off),
            other => Severity::from_name(other).map(Level::Severity),
        }
    }
}

/// What `lexperm.toml` holds.
#[derive(Debug, Default, PartialEq)]
pub struct Config {
    /// `[rules]`: rule levels by code, name or alias, in file order.
    pub rules: Vec<(String, Level)>,
    /// `[breaking] acknowledge-widening`: NSIDs whose widening `lexperm breaking` reports as
    /// information instead of an error.
    pub acknowledge_widening: Vec<String>,
}

/// The keys of the `[breaking]` section.
const BREAKING_KEYS: &[&str] = &["acknowledge-widening"];

/// Effective rule settings for one run.
#[derive(Debug, Default)]
pub struct RuleControl {
    levels: HashMap<&'static str, Level>,
    deny_warnings: bool,
    acknowledged: Vec<String>,
}

impl RuleControl {
    /// Combines the config file (`config`, may be empty: its `[rules]` table and its
    /// acknowledged widenings), then `--ignore` keys, then `--deny warnings`. Unknown rules are
    /// an error with suggestions.
    pub fn new(
        rules: &[&'static RuleMeta],
        config: &Config,
        ignore: &[String],
        deny_warnings: bool,
    ) -> Result<RuleControl, String> {
        let mut levels = HashMap::new();
        for (key, level) in &config.rules {
            let rule = lookup(rules, key)?;
            levels.insert(rule.code, *level);
        }
        for key in ignore {
            let rule = lookup(rules, key)?;
            levels.insert(rule.code, Level::Off);
        }
        Ok(RuleControl {
            levels,
            deny_warnings,
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

    /// The NSIDs whose widening is acknowledged (config file, then `--acknowledge-widening`).
    pub fn acknowledged(&self) -> &[String] {
        &self.acknowledged
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
            crate::engine::acknowledge_widening(diagnostics, &self.acknowledged);
        }
    }

    /// True when the run must exit with failure.
    pub fn fails(&self, summary: &Summary) -> bool {
        summary.errors > 0 || (self.deny_warnings && summary.warnings > 0)
    }
}

/// Finds a rule by code (case-insensitive) or kebab-case name; unknown keys give an error message
/// with the closest codes and names.
pub fn lookup(rules: &[&'static RuleMeta], key: &str) -> Result<&'static RuleMeta, String> {
    let wanted = key.trim();
    if let Some(rule) = lexperm_lint::find_rule(rules, wanted) {
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
            let by_code = suggest::distance(&lower, &rule.code.to_ascii_lowercase());
            let by_name = suggest::distance(&lower, rule.name);
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

/// Reads the config: `explicit` (`--config FILE`, must exist) or `lexperm.toml` in the current
/// directory when present (an empty [`Config`] otherwise). Every `[rules]` key must name a rule
/// in `rules`.
pub fn load(explicit: Option<&Path>, rules: &[&'static RuleMeta]) -> Result<Config, String> {
    let Some((path, text)) = read_config(explicit)? else {
        return Ok(Config::default());
    };
    let config = parse(&text).map_err(|err| format!("{}: {err}", path.display()))?;
    for (key, _) in &config.rules {
        lookup(rules, key).map_err(|err| format!("{}: {err}", path.display()))?;
    }
    Ok(config)
}

/// The config file's path and text: `explicit` (`--config FILE`, must exist), else
/// `lexperm.toml` in the current directory when present (not when it links out of it), else
/// `None`. Read with the loader's bounds.
fn read_config(explicit: Option<&Path>) -> Result<Option<(PathBuf, String)>, String> {
    let path: PathBuf = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let default = PathBuf::from(CONFIG_FILE_NAME);
            if !default.is_file() {
                return Ok(None);
            }
            refuse_outside_link(&default)?;
            default
        }
    };
    let text = load::read_text(&path).map_err(|problem| {
        format!(
            "cannot read config file {}: {}",
            path.display(),
            problem.message()
        )
    })?;
    Ok(Some((path, text)))
}

/// Refuses the config file found in the current folder when it is a symbolic link that leads out
/// of it: the folder may come from a pull request, and the file's parse errors quote its keys.
/// A file named with `--config` is read as named.
fn refuse_outside_link(path: &Path) -> Result<(), String> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(());
    }
    let folder = std::fs::canonicalize(".").ok();
    let target = std::fs::canonicalize(path).ok();
    match (folder, target) {
        (Some(folder), Some(target)) if target.starts_with(&folder) => Ok(()),
        _ => Err(format!(
            "{} is a symbolic link to {:?}, outside the current folder; it was not read\n  help: name it with --config FILE to use it",
            path.display(),
            std::fs::read_link(path).unwrap_or_default()
        )),
    }
}

/// Reads the `[network]` section of the config (`explicit`, or `lexperm.toml` in the current
/// directory when present): `deadline`, in seconds, when set.
pub fn network_deadline(explicit: Option<&Path>) -> Result<Option<u64>, String> {
    let Some((path, text)) = read_config(explicit)? else {
        return Ok(None);
    };
    parse_network(&text).map_err(|err| format!("{}: {err}", path.display()))
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

/// Parses a config file's text: the sections `[rules]` (rule = level), `[breaking]`
/// (`acknowledge-widening = ["NSID", …]`) and `[network]` (read by [`parse_network`], checked
/// here too).
pub fn parse(text: &str) -> Result<Config, String> {
    let table = parse_table(text)?;
    network_section(&table)?;
    let mut config = Config::default();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("network", _) => {}
            ("rules", toml::Value::Table(rules)) => {
                for (rule, level) in rules {
                    let parsed = level.as_str().and_then(Level::parse).ok_or_else(|| {
                        format!(
                            "rule `{rule}`: level must be one of \"off\", \"info\", \"warning\", \"error\" (got {})",
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
            (other, _) => {
                return Err(unknown_key_message(
                    format!("unknown section `{other}`"),
                    other,
                    &["rules", "breaking", "network"],
                    "the sections are `[rules]`, `[breaking]` and `[network]`",
                ))
            }
        }
    }
    Ok(config)
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
        .map(|k| (suggest::distance(&name.to_ascii_lowercase(), k), *k))
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
    const RULES: &[&RuleMeta] = &[&RULE, &OTHER];

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
        let parsed = parse("[rules]\nL105 = \"off\"\nfield-name-syntax = \"error\"\n").unwrap();
        assert_eq!(
            parsed.rules,
            vec![
                ("L105".to_string(), Level::Off),
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
        assert!(err.contains("unknown section `rulez`"), "{err}");
        assert!(err.contains("did you mean `rules`?"), "{err}");
        assert!(parse("[rules\n").unwrap_err().contains("invalid TOML"));
    }

    #[test]
    fn control_applies_levels() {
        let config = vec![("S101".to_string(), Level::Severity(Severity::Error))];
        let config = Config {
            rules: config,
            acknowledge_widening: Vec::new(),
        };
        let control = RuleControl::new(RULES, &config, &["L105".to_string()], false).unwrap();
        let span = Default::default();
        let mut diagnostics = vec![
            Diagnostic::new(&RULE, span, "dropped"),
            Diagnostic::new(&OTHER, span, "raised"),
        ];
        control.apply(&mut diagnostics);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].severity, Severity::Error);
        assert!(RuleControl::new(RULES, &Config::default(), &["nope".to_string()], false).is_err());
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

        let mut control = RuleControl::new(RULES, &parsed, &[], false).unwrap();
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
        assert!(parse("[network]\ndeadline = 120\n[rules]\nL105 = \"off\"\n").is_ok());
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
}
