//! Rust scope constants from lexicons, for `build.rs`.
//!
//! For every record lexicon the generated code has the collection NSID and one canonical `repo:` scope
//! string per action; for every query and procedure the method NSID (`lxm`), the `rpc:` scope for any
//! audience and a `const fn rpc_scope(aud)` that builds the scope for one audience; for every permission
//! set its `include:` scope and a `const fn include_scope(aud)`. One module per NSID authority segment,
//! one module per NSID: `app.bsky.feed.post` becomes `app::bsky::feed::post`. The generated code
//! depends on `core` only. (The scopes a permission set expands to come later, from the resolver.)
//!
//! ```no_run
//! // build.rs
//! let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("lexicons.rs");
//! lexperm_codegen::Builder::new()
//!     .lexicons("lexicons")
//!     .emit_rerun_if_changed(true)
//!     .generate_to(&out)
//!     .unwrap();
//! // src/lib.rs: pub mod lexicons { include!(concat!(env!("OUT_DIR"), "/lexicons.rs")); }
//! ```
//!
//! The code comes from handlebars templates embedded in the crate ([`TEMPLATE_NAMES`]); a folder given
//! to [`Builder::templates`] may replace any of them by file name. Templates render in strict mode
//! without HTML escaping. What they see:
//! - `header.hbs`: `lexicon_count` (lexicons that produced a module). It must define the `RpcScope`
//!   and `IncludeScope` types the other templates name, or the other templates must not use them.
//! - `record.hbs`, `endpoint.hbs`, `permission_set.hbs` (rendered inside the NSID's module, then
//!   indented): `nsid`; `kind` (`record`, `query`, `procedure`, `permission set`); `doc_lines` (the
//!   description, or a permission set's `title`, one line each, safe for `//!`); `scopes` (a list of
//!   `name`, `value`, `doc`: the constant name, its canonical scope string and a one-line doc); `root`
//!   (`super::` repeated up to the generated file's top, to name `RpcScope` / `IncludeScope`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use handlebars::Handlebars;
use lexperm_parser::diagnostics::{FileId, LineIndex, Severity};
use lexperm_parser::formats::check_nsid;
use serde::Serialize;
use serde_json::Value;

/// The template names, each overridable by a file of the same name in [`Builder::templates`]:
/// `header.hbs` (once per file), `record.hbs` (body of a record's module), `endpoint.hbs` (body of a
/// query's or procedure's module), `permission_set.hbs` (body of a permission set's module).
pub const TEMPLATE_NAMES: [&str; 4] = [
    "header.hbs",
    "record.hbs",
    "endpoint.hbs",
    "permission_set.hbs",
];

const DEFAULT_TEMPLATES: [&str; 4] = [
    include_str!("../templates/header.hbs"),
    include_str!("../templates/record.hbs"),
    include_str!("../templates/endpoint.hbs"),
    include_str!("../templates/permission_set.hbs"),
];

/// Why code could not be generated.
#[derive(Debug, thiserror::Error)]
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
    /// A lexicon file has lint errors (the per-file rules of `lexperm lint`); code is generated only
    /// from lexicons that lint clean.
    #[error("{path}: {} lint error(s); run `lexperm lint` for details\n{}", errors.len(), errors.join("\n"))]
    Lint {
        /// The lexicon file.
        path: PathBuf,
        /// One line per error: `line:column CODE(name): message`.
        errors: Vec<String>,
    },
    /// Two lexicons have the same `id`, or two NSIDs map to the same Rust module.
    #[error("{first} and {second} both generate module `{module}`")]
    Collision {
        /// The Rust module path.
        module: String,
        /// The first NSID (or file).
        first: String,
        /// The second NSID (or file).
        second: String,
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

/// Generates Rust scope constants from lexicon folders; meant for `build.rs`.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    lexicon_dirs: Vec<PathBuf>,
    template_dir: Option<PathBuf>,
    emit_rerun_if_changed: bool,
}

impl Builder {
    /// A builder with no lexicon folder, the embedded templates, and no `cargo:` output.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Adds a folder searched recursively for lexicon `*.json` files. May be called more than once.
    pub fn lexicons(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.lexicon_dirs.push(dir.into());
        self
    }

    /// Takes templates from `dir`: each file named like one of [`TEMPLATE_NAMES`] replaces the
    /// embedded template; any other `*.hbs` file there is an error (a misspelt name would be ignored
    /// otherwise).
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.template_dir = Some(dir.into());
        self
    }

    /// Prints `cargo:rerun-if-changed=` for every lexicon and template folder (default: off).
    pub fn emit_rerun_if_changed(mut self, emit: bool) -> Builder {
        self.emit_rerun_if_changed = emit;
        self
    }

    /// Generates the code and returns it.
    pub fn generate_string(&self) -> Result<String, GenerateError> {
        if self.emit_rerun_if_changed {
            for dir in self.lexicon_dirs.iter().chain(&self.template_dir) {
                println!("cargo:rerun-if-changed={}", dir.display());
            }
        }
        let templates = self.load_templates()?;
        let mut docs = Vec::new();
        for dir in &self.lexicon_dirs {
            for path in json_files(dir)? {
                let text = std::fs::read_to_string(&path).map_err(|err| GenerateError::Io {
                    path: path.clone(),
                    message: err.to_string(),
                })?;
                lint_gate(&path, &text, docs.len())?;
                let doc: Value =
                    serde_json::from_str(&text).map_err(|err| GenerateError::Lexicon {
                        path: path.clone(),
                        message: format!("not valid JSON: {err}"),
                    })?;
                docs.push((path, doc));
            }
        }
        generate(&docs, &templates)
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
        let mut sources: Vec<(&str, String)> = TEMPLATE_NAMES
            .iter()
            .zip(DEFAULT_TEMPLATES)
            .map(|(name, text)| (*name, text.to_owned()))
            .collect();
        if let Some(dir) = &self.template_dir {
            let entries = std::fs::read_dir(dir).map_err(|err| GenerateError::Io {
                path: dir.clone(),
                message: err.to_string(),
            })?;
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if !file_name.ends_with(".hbs") {
                    continue;
                }
                let Some(slot) = sources.iter_mut().find(|(name, _)| *name == file_name) else {
                    return Err(GenerateError::Template {
                        name: file_name,
                        message: format!("unknown template; known: {}", TEMPLATE_NAMES.join(", ")),
                    });
                };
                slot.1 =
                    std::fs::read_to_string(entry.path()).map_err(|err| GenerateError::Io {
                        path: entry.path(),
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

/// Fails when the per-file lint rules find an error in `text`.
fn lint_gate(path: &Path, text: &str, index: usize) -> Result<(), GenerateError> {
    let file = FileId(u32::try_from(index).unwrap_or(u32::MAX));
    let loaded = lexperm_parser::rules::lint_file(file, text);
    if !loaded.has_errors() {
        return Ok(());
    }
    let lines = LineIndex::new(text);
    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let (line, column) = lines.line_col(text, d.span.start);
            format!("  {line}:{column} {}({}): {}", d.code, d.name, d.message)
        })
        .collect();
    Err(GenerateError::Lint {
        path: path.to_path_buf(),
        errors,
    })
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, GenerateError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|err| GenerateError::Io {
            path: current.clone(),
            message: err.to_string(),
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// What kind of primary def a lexicon has, for the templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Record,
    Query,
    Procedure,
    PermissionSet,
}

#[derive(Serialize)]
struct ScopeConst {
    name: &'static str,
    value: String,
    doc: String,
}

#[derive(Serialize)]
struct ItemContext<'a> {
    nsid: &'a str,
    kind: &'static str,
    doc_lines: Vec<String>,
    scopes: Vec<ScopeConst>,
    /// `super::` repeated up to the root of the generated file, for `RpcScope`.
    root: String,
}

#[derive(Default)]
struct Module {
    /// The rendered body of the NSID that owns this module, with that NSID.
    body: Option<(String, String)>,
    /// The NSID segments down to this module, joined with `.`.
    prefix: String,
    children: BTreeMap<String, Module>,
}

/// Generates code from `(path, document)` pairs; the path only serves error messages.
fn generate(docs: &[(PathBuf, Value)], templates: &Handlebars) -> Result<String, GenerateError> {
    let mut root = Module::default();
    let mut count = 0usize;
    for (path, doc) in docs {
        let lexicon_error = |message: String| GenerateError::Lexicon {
            path: path.clone(),
            message,
        };
        let nsid = doc
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| lexicon_error("no string `id`".to_owned()))?;
        check_nsid(nsid).map_err(|reason| lexicon_error(format!("`id` {nsid:?}: {reason}")))?;
        let main = doc.get("defs").and_then(|defs| defs.get("main"));
        let kind = match main
            .and_then(|main| main.get("type"))
            .and_then(Value::as_str)
        {
            Some("record") => Kind::Record,
            Some("query") => Kind::Query,
            Some("procedure") => Kind::Procedure,
            Some("permission-set") => Kind::PermissionSet,
            _ => continue,
        };
        count += 1;
        let segments: Vec<String> = nsid.split('.').map(module_name).collect();
        let module_path = segments.join("::");
        let description = main
            .and_then(|main| main.get("description").or_else(|| main.get("title")))
            .or_else(|| doc.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let context = ItemContext {
            nsid,
            kind: match kind {
                Kind::Record => "record",
                Kind::Query => "query",
                Kind::Procedure => "procedure",
                Kind::PermissionSet => "permission set",
            },
            doc_lines: description.lines().map(doc_line).collect(),
            scopes: scope_consts(nsid, kind),
            root: "super::".repeat(segments.len()),
        };
        let template = match kind {
            Kind::Record => "record.hbs",
            Kind::Query | Kind::Procedure => "endpoint.hbs",
            Kind::PermissionSet => "permission_set.hbs",
        };
        let body = render(templates, template, &context)?;
        let mut module = &mut root;
        for (depth, (segment, raw)) in segments.into_iter().zip(nsid.split('.')).enumerate() {
            let parent_prefix = module.prefix.clone();
            module = module.children.entry(segment).or_insert_with(|| Module {
                prefix: if depth == 0 {
                    raw.to_owned()
                } else {
                    format!("{parent_prefix}.{raw}")
                },
                ..Module::default()
            });
        }
        if let Some((first, _)) = &module.body {
            return Err(GenerateError::Collision {
                module: module_path,
                first: first.clone(),
                second: nsid.to_owned(),
            });
        }
        module.body = Some((nsid.to_owned(), body));
    }
    let mut out = render(
        templates,
        "header.hbs",
        &serde_json::json!({ "lexicon_count": count }),
    )?;
    write_children(&root, 0, &mut out);
    Ok(out)
}

fn render(
    templates: &Handlebars,
    name: &str,
    context: &impl Serialize,
) -> Result<String, GenerateError> {
    templates
        .render(name, context)
        .map_err(|err| GenerateError::Template {
            name: name.to_owned(),
            message: err.to_string(),
        })
}

fn write_children(module: &Module, depth: usize, out: &mut String) {
    let indent = "    ".repeat(depth);
    for (index, (name, child)) in module.children.iter().enumerate() {
        if index > 0 || module.body.is_some() || depth == 0 {
            out.push('\n');
        }
        let doc = match &child.body {
            Some((nsid, _)) => format!("`{nsid}`."),
            None => format!("Lexicons under `{}.`.", child.prefix),
        };
        out.push_str(&format!("{indent}/// {doc}\n{indent}pub mod {name} {{\n"));
        if let Some((_, body)) = &child.body {
            for line in body.trim_end().lines() {
                if line.trim().is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{indent}    {line}\n"));
                }
            }
        }
        write_children(child, depth + 1, out);
        out.push_str(&format!("{indent}}}\n"));
    }
}

/// The canonical scope strings of one lexicon (the reference's `toString()` form: default `action`
/// omitted, NSIDs written positionally; NSIDs need no percent-encoding).
fn scope_consts(nsid: &str, kind: Kind) -> Vec<ScopeConst> {
    match kind {
        Kind::Record => vec![
            ScopeConst {
                name: "REPO_ALL",
                value: format!("repo:{nsid}"),
                doc: "`repo:` scope: create, update and delete these records.".to_owned(),
            },
            ScopeConst {
                name: "REPO_CREATE",
                value: format!("repo:{nsid}?action=create"),
                doc: "`repo:` scope: create these records (`createRecord`).".to_owned(),
            },
            ScopeConst {
                name: "REPO_UPDATE",
                value: format!("repo:{nsid}?action=update"),
                doc: "`repo:` scope: update these records.".to_owned(),
            },
            ScopeConst {
                name: "REPO_DELETE",
                value: format!("repo:{nsid}?action=delete"),
                doc: "`repo:` scope: delete these records (`deleteRecord`).".to_owned(),
            },
            ScopeConst {
                name: "REPO_PUT",
                value: format!("repo:{nsid}?action=create&action=update"),
                doc: "`repo:` scope for `putRecord`, which needs both create and update."
                    .to_owned(),
            },
        ],
        Kind::Query | Kind::Procedure => vec![ScopeConst {
            name: "RPC_ANY_AUD",
            value: format!("rpc:{nsid}?aud=*"),
            doc: "`rpc:` scope: call this method on any service.".to_owned(),
        }],
        Kind::PermissionSet => vec![ScopeConst {
            name: "INCLUDE",
            value: format!("include:{nsid}"),
            doc: "`include:` scope of this set, without an audience (its `rpc:` permissions that \
                  inherit the audience are dropped)."
                .to_owned(),
        }],
    }
}

/// One line of a lexicon description as a doc-comment line that rustdoc cannot take for a code block
/// (and so for a doctest): no indentation, no code fence.
fn doc_line(line: &str) -> String {
    line.trim().replace("```", "\\`\\`\\`")
}

/// The Rust module name of an NSID segment: snake case, `_` for `-`, a leading `_` before a digit, and
/// a trailing `_` after keywords.
fn module_name(segment: &str) -> String {
    let mut name = String::with_capacity(segment.len() + 4);
    let chars: Vec<char> = segment.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if c == '-' {
            name.push('_');
        } else if c.is_ascii_uppercase() {
            let previous_lower = index > 0
                && (chars[index - 1].is_ascii_lowercase() || chars[index - 1].is_ascii_digit());
            let next_lower = chars.get(index + 1).is_some_and(char::is_ascii_lowercase);
            let after_upper = index > 0 && chars[index - 1].is_ascii_uppercase();
            if previous_lower || (after_upper && next_lower) {
                name.push('_');
            }
            name.push(c.to_ascii_lowercase());
        } else {
            name.push(c);
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if RUST_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

const RUST_KEYWORDS: [&str; 51] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_cannot_open_code_blocks() {
        assert_eq!(doc_line("    indented code "), "indented code");
        assert_eq!(doc_line("```rust"), "\\`\\`\\`rust");
    }

    #[test]
    fn module_names_are_snake_case_identifiers() {
        let cases = [
            ("getTimeline", "get_timeline"),
            ("authFullApp", "auth_full_app"),
            ("getURLInfo", "get_url_info"),
            ("post", "post"),
            ("4chan", "_4chan"),
            ("my-app", "my_app"),
            ("type", "type_"),
            ("self", "self_"),
            ("listV2", "list_v2"),
        ];
        for (segment, expected) in cases {
            assert_eq!(module_name(segment), expected, "{segment}");
        }
    }
}
