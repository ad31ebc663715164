//! Scope constants from lexicons, for `build.rs` (Rust) or a committed file (Rust or TypeScript).
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").ok_or("no OUT_DIR")?);
//!     lexperm_codegen::Builder::new()
//!         .lexicons("lexicons")
//!         .generate_to(out.join("scopes.rs"))?;
//!     Ok(())
//! }
//! // src/lib.rs: pub mod scopes { include!(concat!(env!("OUT_DIR"), "/scopes.rs")); }
//! ```
//!
//! What [`Builder::generate_to`] does, in order:
//! 1. prints `cargo:rerun-if-changed=` for each lexicon folder and the template folder, which
//!    Cargo scans recursively (turn off with [`Builder::emit_rerun_if_changed`]);
//! 2. lints all lexicons together with `lexperm_lint::lint` (per-file, cross-file and
//!    permission-set rules) at the levels of the nearest `lexperm.toml` from the first lexicon
//!    folder upward ([`Builder::config`] names one; printed as `cargo:rerun-if-changed` too), then
//!    of [`Builder::select_rule`], [`Builder::warn_rule`], [`Builder::deny_rule`] and
//!    [`Builder::ignore_rule`] (also [`Builder::allow_rule`], which lets a rule pass), and
//!    fails with [`GenerateError::Lint`], whose `Display` (and `Debug`) starts with a summary
//!    line, lists each error as `path:line:col: error[CODE/name]: message` plus its help and
//!    ends with the `.allow_rule("CODE")` calls that would let the rules through;
//! 3. expands every permission set with `lexperm_resolver::Catalog::expand`, without an audience
//!    and with a placeholder one, checked against a second audience ([`GenerateError::Expansion`]);
//! 4. renders the templates and writes the file only when its content changed.
//!
//! No network, no async runtime, no `cargo` or `rustfmt` subprocess.
//!
//! Generated Rust (embedded templates): one module per NSID segment (`app.bsky.feed.post` becomes
//! `app::bsky::feed::post`), depending on `core` only, rustfmt-clean and clippy-clean. At the top:
//! `Scope` (a canonical scope string known at generation time: `AsRef<str>`, `Deref<Target = str>`,
//! `Display`, `Into<&'static str>`), `Audience` (a checked `did:…#service`), `RpcScope`,
//! `IncludeScope`, `GrantedScope`, `Grants` and `AUD_MARKER`; when a space type is among the
//! lexicons also `Did`, `SpaceAuthority`, `SpaceKey`, `SpaceAction`, `SpaceManage` and `SpaceScope`
//! (a `space:` scope builder whose `Display` is the canonical string). Per lexicon:
//! - record: `NSID`, `COLLECTION`, `REPO_ALL`, `REPO_CREATE`, `REPO_UPDATE`, `REPO_DELETE`,
//!   `REPO_PUT`;
//! - query / procedure: `NSID`, `LXM`, `RPC_ANY_AUD`, `const fn rpc_scope(aud)`;
//! - permission set: `NSID`, `INCLUDE`, `GRANTED_WITHOUT_AUD: &[&str]` (what `INCLUDE` expands to),
//!   `const fn include_scope(aud)`, `const fn granted_with_aud(aud)` (what `include_scope(aud)` expands
//!   to, as `GrantedScope`s whose `Display` is the canonical string) and its data
//!   `GRANTED_WITH_AUD: &[&str]` (canonical strings with `{aud}` where the escaped audience goes);
//!   the module doc is the set's `title` and `detail`; a set's `resource: "space"` entries are in
//!   both lists as `space:` scopes;
//! - space type: `NSID`, `KEY`, `NAME`, `NAME_LANG`, `COLLECTIONS` (as declared), `SPACE` and
//!   `SPACE_ANY_AUTHORITY` (canonical `space:` scopes from the parser), `enum Collection` (the
//!   declared collections) and `const fn space_scope()`, a `SpaceScope` builder for authority
//!   (`SpaceAuthority::User`, `Any`, `Did(Did::new(…)?)`), `skey` (`SpaceKey::new(…)?`),
//!   `collection(Collection::…)` / `any_collection()`, `action(…)` and `manage(…)`; at most 64
//!   collections per space type.
//!
//! The code comes from handlebars templates embedded in the crate, one set per [`Target`]; a folder
//! given to [`Builder::templates`] may replace any of them by file name ([`TEMPLATE_NAMES`]).
//! Templates render in strict mode without HTML escaping. What they see:
//! - `header.hbs`: `lexicon_count` (lexicons that produced a module), `spaces` (whether a space type
//!   is among them). The Rust header defines the types the other templates name.
//! - `record.hbs`, `endpoint.hbs`, `permission_set.hbs` (rendered inside the NSID's module, then
//!   indented): `nsid`; `kind` (`record`, `query`, `procedure`, `permission set`); `doc_lines` (the
//!   description, or a permission set's `title`, an empty line and its `detail`; one line each, safe
//!   for `//!`, empty lines as `""`); `scopes` (a list of `name`, `value`, `doc`: the constant name,
//!   its canonical scope string and a one-line doc); `root` (`super::` repeated up to the generated
//!   file's top); `path` (the module names from the top joined with `.`: how TypeScript code names
//!   the item's object). Permission sets also get `granted_without_aud` (canonical strings) and
//!   `granted_with_aud` (canonical strings with `{aud}` where the escaped audience goes).
//! - `space.hbs`: the same fields (`kind` is `space type`), plus `key`, `name` (string literals of
//!   the target), `name_lang` (pairs of literals: tag, text), `collections` (literals, as declared)
//!   and `variants` (`name`, `nsid`, `bit`: one per distinct collection in canonical order).

use lexperm_parser::scope::Reference;
use std::fmt;
use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use lexperm_lint::config::{Config, RuleControl, RuleFlags};

use crate::generate;
use crate::lockfile::{self, LocalFile, Lockfile};
use lexperm_lint::file_rules::l134_lockfile_mismatch as l134;
use lexperm_parser::diagnostics::{FileId, Severity};

pub use crate::generate::LintError;

/// The template names, each overridable by a file of the same name in [`Builder::templates`]:
/// `header.hbs` (once per file), `record.hbs` (body of a record's module), `endpoint.hbs` (body of a
/// query's or procedure's module), `permission_set.hbs` (body of a permission set's module),
/// `space.hbs` (body of a space type's module).
pub const TEMPLATE_NAMES: [&str; 5] = [
    "header.hbs",
    "record.hbs",
    "endpoint.hbs",
    "permission_set.hbs",
    "space.hbs",
];

const RUST_TEMPLATES: [&str; 5] = [
    include_str!("../templates/rust/header.hbs"),
    include_str!("../templates/rust/record.hbs"),
    include_str!("../templates/rust/endpoint.hbs"),
    include_str!("../templates/rust/permission_set.hbs"),
    include_str!("../templates/rust/space.hbs"),
];

const TYPESCRIPT_TEMPLATES: [&str; 5] = [
    include_str!("../templates/ts/header.hbs"),
    include_str!("../templates/ts/record.hbs"),
    include_str!("../templates/ts/endpoint.hbs"),
    include_str!("../templates/ts/permission_set.hbs"),
    include_str!("../templates/ts/space.hbs"),
];

/// The language generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Target {
    /// Rust: nested `pub mod`s, `core` only (the default).
    #[default]
    Rust,
    /// TypeScript: one `export const` object per top NSID segment, nested objects below it,
    /// `as const`; erasable syntax only (no `namespace`, `enum` or parameter properties), no
    /// imports.
    TypeScript,
}

/// Why code could not be generated.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// A file or folder could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// A lexicon file is not usable: not JSON, or no valid `id` / `defs`.
    #[error("{path}: {message}")]
    Lexicon {
        /// The lexicon file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Lexicons have lint errors (the full `lexperm lint`: per-file, cross-file and permission-set
    /// rules); no code is generated.
    ///
    /// `Display`: a summary line (count and rules), one line per error with its help, and the
    /// [`Builder::allow_rule`] calls that would let the rules through.
    #[error("{}", render_lint(errors))]
    Lint {
        /// Every error, in file order.
        errors: Vec<LintError>,
    },
    /// Two NSIDs map to the same module.
    #[error("{first} and {second} both generate module `{module}`")]
    Collision {
        /// The module path.
        module: String,
        /// The first NSID.
        first: String,
        /// The second NSID.
        second: String,
    },
    /// A permission set's expansion with an audience is not the expansion with another audience
    /// with that audience substituted (generated code could not reproduce it exactly).
    #[error("{nsid}: the expansion with an audience cannot be generated exactly: {message}")]
    Expansion {
        /// The permission set's NSID.
        nsid: String,
        /// What differs.
        message: String,
    },
    /// `lexperm.toml` cannot be read or is not valid (an unknown key, level or rule).
    #[error("{}: {message}", path.display())]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A rule given to [`Builder::ignore_rule`] (or another `*_rule` method) does not exist.
    #[error("unknown lint rule `{rule}` (give a code like `P120` or a name like `undefined-lxm`)")]
    UnknownRule {
        /// The code or name given.
        rule: String,
    },
    /// The `lexicons.json` lockfile of a lexicon folder is not valid
    /// ([`Builder::verify_lockfile`]).
    #[error("{}:{line}:{column}: invalid lockfile: {message}", path.display())]
    Lockfile {
        /// The lockfile.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column (characters) of the problem.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A template file is unknown, does not parse, or fails to render.
    #[error("template {name}: {message}")]
    Template {
        /// The template name.
        name: String,
        /// What failed.
        message: String,
    },
}

impl GenerateError {
    /// For [`GenerateError::Lint`]: the distinct rule codes of the errors, in order of first
    /// appearance, each with its count. Empty for the other variants.
    pub fn lint_rules(&self) -> Vec<(&'static str, usize)> {
        let GenerateError::Lint { errors } = self else {
            return Vec::new();
        };
        rule_counts(errors)
            .into_iter()
            .map(|(code, _, count)| (code, count))
            .collect()
    }
}

/// `Debug` is the message: a `build.rs` whose `main` returns the error with `?` prints it this way.
impl fmt::Debug for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The distinct rules of `errors` (code, name, count), in order of first appearance.
fn rule_counts(errors: &[LintError]) -> Vec<(&'static str, &'static str, usize)> {
    let mut rules: Vec<(&'static str, &'static str, usize)> = Vec::new();
    for error in errors {
        match rules.iter_mut().find(|(code, _, _)| *code == error.code) {
            Some((_, _, count)) => *count += 1,
            None => rules.push((error.code, error.name, 1)),
        }
    }
    rules
}

fn render_lint(errors: &[LintError]) -> String {
    let rules = rule_counts(errors);
    let calls: String = rules
        .iter()
        .map(|(code, _, _)| format!(".allow_rule(\"{code}\")"))
        .collect();
    let what = if rules.len() == 1 {
        "the rule"
    } else {
        "the rules"
    };
    lint_report(
        errors,
        &format!("to generate anyway, let {what} through on the Builder: {calls} (`lexperm lint` shows each error in its source)"),
    )
}

/// The text of a lint failure: a summary line (how many errors of which rules), one line per
/// error with its help, and `how_to_allow` last (what lets the rules through where the caller
/// runs: `.allow_rule(…)` calls for a `build.rs`, flags for a command line).
pub fn lint_report(errors: &[LintError], how_to_allow: &str) -> String {
    let listed: Vec<String> = rule_counts(errors)
        .iter()
        .map(|(code, name, count)| format!("{code} {name} \u{d7}{count}"))
        .collect();
    let mut text = format!(
        "{} in the lexicons ({}); no code generated\n",
        lexperm_parser::wording::count(errors.len(), "lint error", "lint errors"),
        listed.join(", ")
    );
    for error in errors {
        text.push_str(&format!("{error}\n"));
    }
    text.push_str(how_to_allow);
    text
}

/// Generates scope constants from lexicon folders; meant for `build.rs`.
#[derive(Debug, Clone)]
pub struct Builder {
    lexicon_dirs: Vec<PathBuf>,
    lexicon_texts: Vec<(PathBuf, String)>,
    template_dir: Option<PathBuf>,
    target: Target,
    emit_rerun_if_changed: bool,
    rule_flags: RuleFlags,
    config_file: Option<PathBuf>,
    discover_config: bool,
    rule_control: Option<RuleControl>,
    reference: Reference,
    verify_lockfile: bool,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// A builder for Rust with no lexicon folder, the embedded templates, printing
    /// `cargo:rerun-if-changed` lines.
    pub fn new() -> Builder {
        Builder {
            lexicon_dirs: Vec::new(),
            lexicon_texts: Vec::new(),
            template_dir: None,
            target: Target::Rust,
            emit_rerun_if_changed: true,
            rule_flags: RuleFlags::default(),
            config_file: None,
            discover_config: true,
            rule_control: None,
            reference: Reference::default(),
            verify_lockfile: true,
        }
    }

    /// Adds a folder searched recursively for lexicon `*.json` files. May be called more than once;
    /// all folders are linted as one catalog.
    pub fn lexicons(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.lexicon_dirs.push(dir.into());
        self
    }

    /// Adds one lexicon its caller has already read: `text` is linted and generated from like a
    /// file of a [`Builder::lexicons`] folder, shown as `path` in errors. For programs that read
    /// the files themselves (the `lexperm` CLI walks and reads with its own bounds and link
    /// policy); texts come after the folders' files, in the order added.
    pub fn lexicon_text(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Builder {
        self.lexicon_texts.push((path.into(), text.into()));
        self
    }

    /// Takes templates from `dir`: each file named like one of [`TEMPLATE_NAMES`] replaces the
    /// embedded template of the target; any other `*.hbs` file there is an error (a misspelt name
    /// would be ignored otherwise).
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.template_dir = Some(dir.into());
        self
    }

    /// Turns one lint rule (a code like `P120`, a name like `undefined-lxm`, or an alias) off,
    /// so its errors pass the gate: `--ignore` of the CLI, `P120 = "off"` in `lexperm.toml`. May
    /// be called more than once.
    pub fn ignore_rule(mut self, code_or_name: impl Into<String>) -> Builder {
        self.rule_flags.ignore.push(code_or_name.into());
        self
    }

    /// The same as [`Builder::ignore_rule`] (`P120 = "allow"` in `lexperm.toml`).
    pub fn allow_rule(self, code_or_name: impl Into<String>) -> Builder {
        self.ignore_rule(code_or_name)
    }

    /// Gates on this rule only (with the other selected ones): the CLI's `--select`. Rules not
    /// selected are off. May be called more than once.
    pub fn select_rule(mut self, code_or_name: impl Into<String>) -> Builder {
        self.rule_flags.select.push(code_or_name.into());
        self
    }

    /// Makes one rule a warning, so it does not block: the CLI's `--warn`.
    pub fn warn_rule(mut self, code_or_name: impl Into<String>) -> Builder {
        self.rule_flags.warn.push(code_or_name.into());
        self
    }

    /// Makes one rule an error, so it blocks: the CLI's `--deny`.
    pub fn deny_rule(mut self, code_or_name: impl Into<String>) -> Builder {
        self.rule_flags.deny.push(code_or_name.into());
        self
    }

    /// Reads the rule levels (`[rules]`) of this `lexperm.toml` instead of looking for one.
    pub fn config(mut self, path: impl Into<PathBuf>) -> Builder {
        self.config_file = Some(path.into());
        self
    }

    /// Whether to look for `lexperm.toml` from the first [`Builder::lexicons`] folder upward
    /// (that folder, then each parent up to the file-system root) when no [`Builder::config`] is
    /// given (default: on). Its `[rules]` levels apply first, then the `*_rule` methods.
    pub fn discover_config(mut self, discover: bool) -> Builder {
        self.discover_config = discover;
        self
    }

    /// Uses rule settings a caller already combined (the `lexperm` CLI: its config file and
    /// flags); the config file and the `*_rule` methods are then not used.
    pub fn rule_control(mut self, control: RuleControl) -> Builder {
        self.rule_control = Some(control);
        self
    }

    /// Reads permission sets as `reference` does (default: the permissioned-data reference, which
    /// grants `space` entries; [`Reference::Stable0512`] drops them, as PDSes on the released
    /// `@atproto/oauth-scopes` do), both for the lint gate and for the expanded grants.
    pub fn reference(mut self, reference: Reference) -> Builder {
        self.reference = reference;
        self
    }

    /// Chooses the language generated (default [`Target::Rust`]).
    pub fn target(mut self, target: Target) -> Builder {
        self.target = target;
        self
    }

    /// Shorthand for `.target(Target::TypeScript).emit_rerun_if_changed(false)`.
    pub fn typescript(self) -> Builder {
        self.target(Target::TypeScript).emit_rerun_if_changed(false)
    }

    /// Whether to print `cargo:rerun-if-changed=` for each lexicon folder and the template folder
    /// (default: on, as a build script needs; turn it off outside build scripts). Cargo scans a
    /// folder named this way recursively, so a lexicon added, removed or edited anywhere below it
    /// runs the build script again.
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Builder {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Whether to verify the `lexicons.json` lockfile of each [`Builder::lexicons`] folder
    /// (default: on). The lockfile is looked for beside the folder (`<folder>/../lexicons.json`,
    /// pinning paths under the folder), then inside it (`<folder>/lexicons.json`, pinning paths
    /// under `<folder>/lexicons/`); every lexicon it pins must be at its NSID's path and make the
    /// schema record with the pinned CID, or the build fails with `L134 lockfile-mismatch`
    /// errors naming both CIDs ([`GenerateError::Lint`]; `allow_rule("L134")` lets them pass
    /// like any rule). An unreadable or invalid lockfile is [`GenerateError::Lockfile`]. Nothing
    /// is fetched: the check is offline, always.
    pub fn verify_lockfile(mut self, verify: bool) -> Builder {
        self.verify_lockfile = verify;
        self
    }

    /// Generates the code and returns it.
    pub fn generate_string(&self) -> Result<String, GenerateError> {
        let config = self.find_config();
        let lockfiles = self.find_lockfiles();
        if self.emit_rerun_if_changed {
            for path in self.watched_folders() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            if let Some(config) = &config {
                println!("cargo:rerun-if-changed={}", config.display());
            }
            for (lockfile, _) in &lockfiles {
                println!("cargo:rerun-if-changed={}", lockfile.display());
            }
        }
        self.generate_with(config.as_deref(), &lockfiles)
    }

    /// The lockfile of each lexicon folder (when verification is on), with the folder its paths
    /// are under; each lockfile once.
    fn find_lockfiles(&self) -> Vec<(PathBuf, PathBuf)> {
        let mut found: Vec<(PathBuf, PathBuf)> = Vec::new();
        if !self.verify_lockfile {
            return found;
        }
        for dir in &self.lexicon_dirs {
            let Ok(dir) = std::fs::canonicalize(dir) else {
                continue;
            };
            let first = lockfile::candidates(&dir)
                .into_iter()
                .find(|(path, root)| path.is_file() && root.is_dir());
            if let Some(pair) = first.filter(|pair| !found.iter().any(|seen| seen.0 == pair.0)) {
                found.push(pair);
            }
        }
        found
    }

    /// The `L134` errors of every lockfile of `lockfiles` (with the folder each pins paths
    /// under), at the levels of `control`. A pinned file among `inputs` (the lexicons read for
    /// generation) is not read again.
    fn lockfile_errors(
        lockfiles: &[(PathBuf, PathBuf)],
        inputs: &[generate::Input],
        control: &RuleControl,
    ) -> Result<Vec<LintError>, GenerateError> {
        let read: std::collections::HashMap<&Path, &str> = inputs
            .iter()
            .map(|input| (input.path.as_path(), input.text.as_str()))
            .collect();
        let mut errors = Vec::new();
        for (path, root) in lockfiles {
            let text = std::fs::read_to_string(path).map_err(|err| GenerateError::Io {
                path: path.clone(),
                message: err.to_string(),
            })?;
            let pinned = Lockfile::parse(&text).map_err(|err| {
                let (line, column) = err.line_col(&text);
                GenerateError::Lockfile {
                    path: path.clone(),
                    line,
                    column,
                    message: err.message,
                }
            })?;
            let mismatches = lockfile::verify(&pinned, |relative| {
                let file = root.join(relative);
                if let Some(text) = read.get(file.as_path()) {
                    return LocalFile::Text(text.to_string());
                }
                match std::fs::read_to_string(&file) {
                    Ok(text) => LocalFile::Text(text),
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => LocalFile::Missing,
                    Err(err) => LocalFile::Unreadable(err.to_string()),
                }
            });
            let shown = path.display().to_string();
            for found in mismatches {
                let mut diagnostics = vec![l134::diagnostic(
                    FileId(0),
                    &found.nsid,
                    &shown,
                    &found.mismatch,
                )];
                control.apply(&mut diagnostics);
                for diagnostic in diagnostics {
                    if diagnostic.severity == Severity::Error {
                        errors.push(LintError {
                            path: root.join(&found.path),
                            line: 1,
                            column: 1,
                            code: diagnostic.code,
                            name: diagnostic.name,
                            message: diagnostic.message,
                            help: diagnostic.help,
                        });
                    }
                }
            }
        }
        Ok(errors)
    }

    /// The folders whose changes change the output: each lexicon folder, then the template folder.
    fn watched_folders(&self) -> impl Iterator<Item = &Path> {
        self.lexicon_dirs
            .iter()
            .chain(&self.template_dir)
            .map(PathBuf::as_path)
    }

    /// Generates the code (without the `rerun-if-changed` lines).
    #[cfg(test)]
    fn generate_code(&self) -> Result<String, GenerateError> {
        self.generate_with(self.find_config().as_deref(), &self.find_lockfiles())
    }

    /// Generates the code with the config file and lockfiles already found.
    fn generate_with(
        &self,
        config: Option<&Path>,
        lockfiles: &[(PathBuf, PathBuf)],
    ) -> Result<String, GenerateError> {
        let control = self.control(config)?;
        let templates = self.load_templates()?;
        let mut files = Vec::new();
        for dir in &self.lexicon_dirs {
            collect_json_files(dir, &mut files)?;
        }
        let mut inputs = Vec::with_capacity(files.len());
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|err| GenerateError::Io {
                path: path.clone(),
                message: err.to_string(),
            })?;
            inputs.push(generate::Input { path, text });
        }
        for (path, text) in &self.lexicon_texts {
            inputs.push(generate::Input {
                path: path.clone(),
                text: text.clone(),
            });
        }
        let pinned = Self::lockfile_errors(lockfiles, &inputs, &control)?;
        let generated =
            generate::generate(&inputs, &templates, self.target, &control, self.reference);
        if pinned.is_empty() {
            return generated;
        }
        match generated {
            Err(GenerateError::Lint { errors }) => Err(GenerateError::Lint {
                errors: pinned.into_iter().chain(errors).collect(),
            }),
            _ => Err(GenerateError::Lint { errors: pinned }),
        }
    }

    /// The rule settings: [`Builder::rule_control`], else the config file `config` (named or
    /// found) and the `*_rule` methods.
    fn control(&self, config: Option<&Path>) -> Result<RuleControl, GenerateError> {
        if let Some(control) = &self.rule_control {
            return Ok(control.clone());
        }
        let flags = &self.rule_flags;
        for rule in flags
            .select
            .iter()
            .chain(&flags.warn)
            .chain(&flags.deny)
            .chain(&flags.ignore)
        {
            let known = rule.eq_ignore_ascii_case(lexperm_lint::config::DENY_WARNINGS)
                || lexperm_lint::lookup(rule.trim()).is_some();
            if !known {
                return Err(GenerateError::UnknownRule { rule: rule.clone() });
            }
        }
        let config_path = config;
        let config = match config_path {
            Some(path) => {
                let error = |message: String| GenerateError::Config {
                    path: path.to_path_buf(),
                    message,
                };
                let text = std::fs::read_to_string(path).map_err(|err| error(err.to_string()))?;
                lexperm_lint::config::parse(&text).map_err(error)?
            }
            None => Config::default(),
        };
        RuleControl::new(lexperm_lint::registry(), &config, flags).map_err(|message| {
            GenerateError::Config {
                path: config_path.map(Path::to_path_buf).unwrap_or_default(),
                message,
            }
        })
    }

    /// The config file: [`Builder::config`], else the nearest `lexperm.toml` from the first
    /// lexicon folder upward (when discovery is on).
    fn find_config(&self) -> Option<PathBuf> {
        if let Some(path) = &self.config_file {
            return Some(path.clone());
        }
        if !self.discover_config {
            return None;
        }
        let first = self.lexicon_dirs.first()?;
        let start = std::fs::canonicalize(first).ok()?;
        let found = lexperm_lint::config::candidates(&start).find(|candidate| candidate.is_file());
        found
    }

    /// Generates the code and writes it to `path` (only when the content changed, so that Cargo does
    /// not rebuild needlessly).
    pub fn generate_to(&self, path: impl AsRef<Path>) -> Result<(), GenerateError> {
        let path = path.as_ref();
        let code = self.generate_string()?;
        if std::fs::read_to_string(path).is_ok_and(|old| old == code) {
            return Ok(());
        }
        std::fs::write(path, code).map_err(|err| GenerateError::Io {
            path: path.to_path_buf(),
            message: err.to_string(),
        })
    }

    fn load_templates(&self) -> Result<Handlebars<'static>, GenerateError> {
        let defaults = match self.target {
            Target::Rust => RUST_TEMPLATES,
            Target::TypeScript => TYPESCRIPT_TEMPLATES,
        };
        let mut sources: Vec<(&str, String)> = TEMPLATE_NAMES
            .iter()
            .zip(defaults)
            .map(|(name, text)| (*name, text.to_owned()))
            .collect();
        if let Some(dir) = &self.template_dir {
            let entries = std::fs::read_dir(dir).map_err(|err| GenerateError::Io {
                path: dir.clone(),
                message: err.to_string(),
            })?;
            let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
            paths.sort();
            for path in paths {
                let file_name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !file_name.ends_with(".hbs") {
                    continue;
                }
                let Some(slot) = sources.iter_mut().find(|(name, _)| *name == file_name) else {
                    return Err(GenerateError::Template {
                        name: file_name,
                        message: format!("unknown template; known: {}", TEMPLATE_NAMES.join(", ")),
                    });
                };
                slot.1 = std::fs::read_to_string(&path).map_err(|err| GenerateError::Io {
                    path: path.clone(),
                    message: err.to_string(),
                })?;
            }
        }
        let mut handlebars = Handlebars::new();
        handlebars.set_strict_mode(true);
        handlebars.register_escape_fn(handlebars::no_escape);
        for (name, text) in sources {
            handlebars
                .register_template_string(name, text)
                .map_err(|err| GenerateError::Template {
                    name: name.to_owned(),
                    message: err.to_string(),
                })?;
        }
        Ok(handlebars)
    }
}

/// Adds every `*.json` file under `dir` to `files` (sorted per folder).
fn collect_json_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), GenerateError> {
    let entries = std::fs::read_dir(dir).map_err(|err| GenerateError::Io {
        path: dir.to_path_buf(),
        message: err.to_string(),
    })?;
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_json_files(&path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_and_template_folders_are_watched() {
        let lexicons = tempfile::tempdir().unwrap();
        let nested = lexicons.path().join("com/example");
        std::fs::create_dir_all(&nested).unwrap();
        let record = r#"{"lexicon": 1, "id": "com.example.thing", "defs": {"main": {"type": "record", "description": "A thing.", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#;
        std::fs::write(nested.join("thing.json"), record).unwrap();
        std::fs::write(nested.join("notes.txt"), "not a lexicon").unwrap();
        let templates = tempfile::tempdir().unwrap();
        std::fs::write(templates.path().join("record.hbs"), "// {{nsid}}\n").unwrap();
        std::fs::write(templates.path().join("README.md"), "ignored").unwrap();

        let builder = Builder::new()
            .lexicons(lexicons.path())
            .templates(templates.path());
        let code = builder.generate_code().unwrap();
        assert!(code.contains("// com.example.thing"));
        // Cargo scans a watched folder recursively: the folders alone, not every file in them.
        let watched: Vec<&Path> = builder.watched_folders().collect();
        assert_eq!(watched, [lexicons.path(), templates.path()]);
    }

    /// The failure of the gate: a summary first, each error, and the Builder calls that allow
    /// the rules last; `Debug` (what `main` returning the error prints) is the same text.
    #[test]
    fn a_lint_failure_says_how_to_allow_its_rules() {
        let lexicons = tempfile::tempdir().unwrap();
        let set = r#"{"lexicon": 1, "id": "com.example.authAll", "defs": {"main": {"type": "permission-set", "title": "All", "detail": "All of it.", "permissions": [{"type": "permission", "resource": "rpc", "inheritAud": true, "lxm": ["com.example.getOne", "com.example.getTwo", "com.example.getThree"]}]}}}"#;
        let query = r#"{"lexicon": 1, "id": "com.example.getOne", "defs": {"main": {"type": "query", "description": "One.", "output": {"encoding": "application/json"}}}}"#;
        std::fs::write(lexicons.path().join("authAll.json"), set).unwrap();
        std::fs::write(lexicons.path().join("getOne.json"), query).unwrap();
        std::fs::write(lexicons.path().join("broken.json"), "{").unwrap();
        let error = Builder::new()
            .lexicons(lexicons.path())
            .generate_code()
            .unwrap_err();
        assert_eq!(error.lint_rules(), [("P120", 2), ("L101", 1)]);
        let text = error.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "3 lint errors in the lexicons (P120 undefined-lxm \u{d7}2, L101 invalid-json \u{d7}1); no code generated"
        );
        assert!(lines[1].contains("authAll.json:1:"), "{text}");
        assert!(lines[1].contains(": error[P120/undefined-lxm]: "), "{text}");
        assert_eq!(
            lines.last().copied(),
            Some("to generate anyway, let the rules through on the Builder: .allow_rule(\"P120\").allow_rule(\"L101\") (`lexperm lint` shows each error in its source)")
        );
        assert_eq!(format!("{error:?}"), text);
        // With the rules allowed, the failure is gone for them.
        let error = Builder::new()
            .lexicons(lexicons.path())
            .allow_rule("P120")
            .generate_code()
            .unwrap_err();
        assert_eq!(error.lint_rules(), [("L101", 1)]);
    }

    #[test]
    fn a_text_read_by_the_caller_generates_what_its_file_does() {
        let lexicons = tempfile::tempdir().unwrap();
        let record = r#"{"lexicon": 1, "id": "com.example.thing", "defs": {"main": {"type": "record", "description": "A thing.", "key": "tid", "record": {"type": "object", "properties": {}}}}}"#;
        std::fs::write(lexicons.path().join("thing.json"), record).unwrap();
        let from_folder = Builder::new()
            .emit_rerun_if_changed(false)
            .lexicons(lexicons.path())
            .generate_string()
            .unwrap();
        let from_text = Builder::new()
            .emit_rerun_if_changed(false)
            .lexicon_text("com/example/thing.json", record)
            .generate_string()
            .unwrap();
        assert_eq!(from_folder, from_text);
    }

    /// The builder honours `lexperm.toml` found from its lexicon folder upward, reports it for
    /// `rerun-if-changed`, and its `*_rule` methods come after the file.
    #[test]
    fn config_found_upward_sets_rule_levels() {
        let project = tempfile::tempdir().unwrap();
        let nested = project.path().join("lexicons/com/example");
        std::fs::create_dir_all(&nested).unwrap();
        // L105: a def of an unknown type, an error.
        let broken =
            r#"{"lexicon": 1, "id": "com.example.broken", "defs": {"thing": {"type": "float"}}}"#;
        std::fs::write(nested.join("broken.json"), broken).unwrap();
        let builder = || {
            Builder::new()
                .emit_rerun_if_changed(false)
                .lexicons(project.path().join("lexicons"))
        };
        assert!(matches!(
            builder().generate_string(),
            Err(GenerateError::Lint { .. })
        ));
        assert!(builder().ignore_rule("L105").generate_string().is_ok());
        assert!(builder()
            .allow_rule("unknown-schema-type")
            .generate_string()
            .is_ok());
        assert!(builder().warn_rule("L105").generate_string().is_ok());
        assert!(builder().select_rule("S101").generate_string().is_ok());

        let config = project.path().join("lexperm.toml");
        std::fs::write(&config, "[rules]\nL105 = \"allow\"\n").unwrap();
        builder().generate_string().unwrap();
        let found = std::fs::canonicalize(&config).unwrap();
        assert_eq!(builder().find_config(), Some(found));
        assert!(matches!(
            builder().deny_rule("L105").generate_string(),
            Err(GenerateError::Lint { .. })
        ));
        assert!(matches!(
            builder().discover_config(false).generate_string(),
            Err(GenerateError::Lint { .. })
        ));

        // A config named explicitly, and a broken one.
        let other = project.path().join("other.toml");
        std::fs::write(&other, "[rules]\nL105 = \"error\"\n").unwrap();
        assert!(builder().config(&other).generate_string().is_err());
        std::fs::write(&config, "[rules]\nL999 = \"off\"\n").unwrap();
        let err = builder().generate_string().unwrap_err();
        assert!(
            matches!(&err, GenerateError::Config { .. })
                && err.to_string().contains("unknown rule `L999`"),
            "{err}"
        );
        assert!(matches!(
            builder().ignore_rule("nope").generate_string(),
            Err(GenerateError::UnknownRule { .. })
        ));
    }
}
