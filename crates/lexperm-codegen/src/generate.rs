//! From lexicon texts to generated code: lint gate, permission-set expansion, template contexts,
//! module tree and (for Rust) the line layout rustfmt would give.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use handlebars::Handlebars;
use lexperm_lint::config::RuleControl;
use lexperm_lint::Source;
use lexperm_parser::diagnostics::{FileId, LineIndex, Severity};
use lexperm_parser::lexicon::{SchemaKind, SpaceSchema};
use lexperm_parser::scope::{
    encode_query_value, IncludeScope, NsidPattern, Scope, SpaceAction, SpaceAuthority, SpaceKey,
    SpaceScope,
};
use lexperm_parser::scope::{Reference, Resource};
use lexperm_parser::syntax::{DidServiceRef, Nsid};
use lexperm_parser::text::is_hidden_format;
use lexperm_resolver::Catalog;
use serde::Serialize;
use serde_json::Value;

use crate::rust::{GenerateError, Target};

/// One lexicon file read by the builder.
pub(crate) struct Input {
    pub(crate) path: PathBuf,
    pub(crate) text: String,
}

/// One lint error that blocks generation. `Display`:
/// `path:line:col: error[CODE/name]: message`, then `  help: …` when there is help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintError {
    /// The lexicon file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (Unicode scalar values).
    pub column: u32,
    /// Stable rule code, e.g. `L101`.
    pub code: &'static str,
    /// Kebab-case rule name, e.g. `invalid-json`.
    pub name: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error[{}/{}]: {}",
            self.path.display(),
            self.line,
            self.column,
            self.code,
            self.name,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Audiences used to find where the audience goes in each granted scope; the second one checks
/// that substituting the audience reproduces the resolver's output.
const PLACEHOLDER_AUD: &str = "did:web:lexperm-placeholder.invalid#aud";
const CHECK_AUD: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz#check_svc~1";
/// Where the escaped audience goes in the generated lists (the generated `AUD_MARKER`).
const AUD_MARKER: &str = "{aud}";

/// What kind of primary def a lexicon has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Record,
    Query,
    Procedure,
    PermissionSet,
    Space,
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
    root: String,
    path: String,
    granted_without_aud: Vec<String>,
    granted_with_aud: Vec<String>,
}

/// What a space template sees besides the common fields.
#[derive(Serialize)]
struct SpaceContext<'a> {
    #[serde(flatten)]
    item: ItemContext<'a>,
    /// `key` as a string literal of the target.
    key: String,
    /// `name` as a string literal of the target.
    name: String,
    /// `name:lang`: (tag, text) as string literals of the target.
    name_lang: Vec<(String, String)>,
    /// The declared collections, in declaration order, as string literals.
    collections: Vec<String>,
    /// One per distinct collection, in canonical order (the builder's bit order).
    variants: Vec<CollectionVariant>,
}

/// One collection of a space type's typed collection list.
#[derive(Serialize)]
struct CollectionVariant {
    /// The Rust variant name.
    name: String,
    /// The collection NSID.
    nsid: String,
    /// Its bit in the builder's collection set.
    bit: usize,
}

/// The most collections a space type may declare for the generated builder (one bit each).
const MAX_SPACE_COLLECTIONS: usize = 64;

#[derive(Default)]
struct Module {
    /// The NSID that owns this module and its rendered body.
    body: Option<(String, String)>,
    /// The NSID segments down to this module, joined with `.`.
    prefix: String,
    children: BTreeMap<String, Module>,
}

/// How a target writes the module tree.
struct Syntax {
    indent: &'static str,
    keywords: &'static [&'static str],
    snake_case: bool,
}

impl Syntax {
    fn of(target: Target) -> Syntax {
        match target {
            Target::Rust => Syntax {
                indent: "    ",
                keywords: &RUST_KEYWORDS,
                snake_case: true,
            },
            Target::TypeScript => Syntax {
                indent: "  ",
                keywords: &TS_RESERVED,
                snake_case: false,
            },
        }
    }
}

/// Lints `inputs` as one catalog, then renders them.
pub(crate) fn generate(
    inputs: &[Input],
    templates: &Handlebars,
    target: Target,
    control: &RuleControl,
    reference: Reference,
) -> Result<String, GenerateError> {
    let paths: Vec<String> = inputs
        .iter()
        .map(|input| input.path.to_string_lossy().replace('\\', "/"))
        .collect();
    let catalog = lint_gate(inputs, &paths, control, reference)?;

    let syntax = Syntax::of(target);
    let mut docs = Vec::with_capacity(inputs.len());
    for input in inputs {
        let doc: Value =
            serde_json::from_str(&input.text).map_err(|err| GenerateError::Lexicon {
                path: input.path.clone(),
                message: format!("not valid JSON: {err}"),
            })?;
        docs.push(doc);
    }

    let mut root = Module::default();
    let mut count = 0usize;
    let mut spaces = 0usize;
    for (input, doc) in inputs.iter().zip(&docs) {
        let lexicon_error = |message: String| GenerateError::Lexicon {
            path: input.path.clone(),
            message,
        };
        let nsid = doc
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| lexicon_error("no string `id`".to_owned()))?;
        let kind = match main_type(doc) {
            Some("record") => Kind::Record,
            Some("query") => Kind::Query,
            Some("procedure") => Kind::Procedure,
            Some("permission-set") => Kind::PermissionSet,
            // The released reference has no `space:` scope: a space type gets no constants.
            Some("space") if reference.knows(Resource::Space) => Kind::Space,
            _ => continue,
        };
        count += 1;
        let segments: Vec<String> = nsid
            .split('.')
            .map(|segment| module_name(segment, &syntax))
            .collect();
        let main = doc.get("defs").and_then(|defs| defs.get("main"));
        let text = |key: &str| main.and_then(|m| m.get(key)).and_then(Value::as_str);
        let mut doc_lines: Vec<String> = Vec::new();
        match kind {
            Kind::PermissionSet => {
                let parts: Vec<&str> = [text("title"), text("detail")]
                    .into_iter()
                    .flatten()
                    .collect();
                for (index, part) in parts.iter().enumerate() {
                    if index > 0 {
                        doc_lines.push(String::new());
                    }
                    doc_lines.extend(text_lines(part).map(doc_line));
                }
            }
            _ => {
                let description = text("description")
                    .or_else(|| doc.get("description").and_then(Value::as_str))
                    .unwrap_or("");
                doc_lines.extend(text_lines(description).map(doc_line));
            }
        }
        let (granted_without_aud, granted_with_aud) = match kind {
            Kind::PermissionSet => expansions(&catalog, nsid)?,
            _ => (Vec::new(), Vec::new()),
        };
        let context = ItemContext {
            nsid,
            kind: match kind {
                Kind::Record => "record",
                Kind::Query => "query",
                Kind::Procedure => "procedure",
                Kind::PermissionSet => "permission set",
                Kind::Space => "space type",
            },
            doc_lines,
            scopes: scope_consts(nsid, kind).map_err(&lexicon_error)?,
            root: "super::".repeat(segments.len()),
            path: segments.join("."),
            granted_without_aud,
            granted_with_aud,
        };
        let body = match kind {
            Kind::Record => render(templates, "record.hbs", &context)?,
            Kind::Query | Kind::Procedure => render(templates, "endpoint.hbs", &context)?,
            Kind::PermissionSet => render(templates, "permission_set.hbs", &context)?,
            Kind::Space => {
                spaces += 1;
                let schema = space_schema(&catalog, nsid)
                    .ok_or_else(|| lexicon_error("`main` is not a space definition".to_owned()))?;
                let context = space_context(context, schema, target).map_err(lexicon_error)?;
                render(templates, "space.hbs", &context)?
            }
        };
        let module_path = segments.join(if target == Target::Rust { "::" } else { "." });
        let mut module = &mut root;
        for (segment, raw) in segments.into_iter().zip(nsid.split('.')) {
            let prefix = if module.prefix.is_empty() {
                raw.to_owned()
            } else {
                format!("{}.{raw}", module.prefix)
            };
            module = module.children.entry(segment).or_insert_with(|| Module {
                prefix,
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
        &serde_json::json!({ "lexicon_count": count, "spaces": spaces > 0 }),
    )?;
    write_children(&root, 0, &mut out, target, &syntax);
    if target == Target::Rust {
        out = rustfmt_layout(&out);
    }
    Ok(out)
}

fn file_id(index: usize) -> FileId {
    FileId(u32::try_from(index).unwrap_or(u32::MAX))
}

fn main_type(doc: &Value) -> Option<&str> {
    doc.get("defs")?.get("main")?.get("type")?.as_str()
}

/// Fails with every error of the full lint (per-file, cross-file, permission-set rules); when
/// there is none, returns the catalog the lint built, which the expansions then use.
fn lint_gate(
    inputs: &[Input],
    paths: &[String],
    control: &RuleControl,
    reference: Reference,
) -> Result<Catalog, GenerateError> {
    let sources: Vec<Source> = inputs
        .iter()
        .zip(paths)
        .enumerate()
        .map(|(index, (input, path))| Source {
            file: file_id(index),
            path: Some(path.as_str()),
            text: &input.text,
        })
        .collect();
    let mut errors = Vec::new();
    let (results, catalog) = lexperm_lint::lint_with_catalog_for(&sources, reference);
    for (file, mut diagnostics) in results {
        let Some(input) = inputs.get(file.0 as usize) else {
            continue;
        };
        control.apply(&mut diagnostics);
        let mut lines = None;
        for diagnostic in diagnostics {
            if diagnostic.severity != Severity::Error {
                continue;
            }
            let index = lines.get_or_insert_with(|| LineIndex::new(&input.text));
            let (line, column) = index.line_col(&input.text, diagnostic.span.start);
            errors.push(LintError {
                path: input.path.clone(),
                line,
                column,
                code: diagnostic.code,
                name: diagnostic.name,
                message: diagnostic.message,
                help: diagnostic.help,
            });
        }
    }
    if errors.is_empty() {
        Ok(catalog)
    } else {
        Err(GenerateError::Lint { errors })
    }
}

/// The set's expansion without an audience (canonical strings) and with one (the canonical text
/// around the audience), both from the resolver. The second is checked: filling in another audience
/// must give exactly what the resolver gives for it.
fn expansions(catalog: &Catalog, nsid: &str) -> Result<(Vec<String>, Vec<String>), GenerateError> {
    let error = |message: String| GenerateError::Expansion {
        nsid: nsid.to_owned(),
        message,
    };
    let parsed = Nsid::parse(nsid).map_err(|err| error(err.to_string()))?;
    let expand = |aud: Option<&str>| -> Result<Vec<String>, GenerateError> {
        let aud = aud
            .map(DidServiceRef::parse)
            .transpose()
            .map_err(|err| error(err.to_string()))?;
        let include = IncludeScope {
            nsid: parsed.clone(),
            aud,
        };
        let expansion = catalog
            .expand(&include)
            .map_err(|err| error(err.to_string()))?;
        Ok(expansion.granted_strings())
    };
    let without = expand(None)?;
    let with_placeholder = expand(Some(PLACEHOLDER_AUD))?;
    let with_check = expand(Some(CHECK_AUD))?;
    if with_placeholder.len() != with_check.len() {
        return Err(error(format!(
            "{} scopes with one audience, {} with another",
            with_placeholder.len(),
            with_check.len()
        )));
    }
    let placeholder = encode_query_value(PLACEHOLDER_AUD);
    let check = encode_query_value(CHECK_AUD);
    let mut with = Vec::with_capacity(with_placeholder.len());
    for (scope, expected) in with_placeholder.iter().zip(&with_check) {
        if scope.contains(AUD_MARKER) {
            return Err(error(format!("`{scope}` holds the marker `{AUD_MARKER}`")));
        }
        let marked = scope.replacen(&placeholder, AUD_MARKER, 1);
        let rendered = marked.replacen(AUD_MARKER, &check, 1);
        if marked.contains(&placeholder) || &rendered != expected {
            return Err(error(format!(
                "`{scope}` does not become `{expected}` when the audience changes"
            )));
        }
        with.push(marked);
    }
    Ok((without, with))
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

fn write_children(
    module: &Module,
    depth: usize,
    out: &mut String,
    target: Target,
    syntax: &Syntax,
) {
    let indent = syntax.indent.repeat(depth);
    for (index, (name, child)) in module.children.iter().enumerate() {
        if index > 0 || module.body.is_some() || depth == 0 {
            out.push('\n');
        }
        let doc = match &child.body {
            Some((nsid, _)) => format!("`{nsid}`."),
            None => format!("Lexicons under `{}.`.", child.prefix),
        };
        match target {
            // A module with a body gets its documentation from the template (inner `//!` lines).
            Target::Rust if child.body.is_some() => {
                out.push_str(&format!("{indent}pub mod {name} {{\n"));
            }
            Target::Rust => {
                out.push_str(&format!("{indent}/// {doc}\n{indent}pub mod {name} {{\n"));
            }
            // Erasable syntax only: nested object literals, the outermost `as const`.
            Target::TypeScript if depth == 0 => {
                out.push_str(&format!(
                    "{indent}/** {doc} */\n{indent}export const {name} = {{\n"
                ));
            }
            Target::TypeScript => {
                out.push_str(&format!("{indent}/** {doc} */\n{indent}{name}: {{\n"));
            }
        }
        if let Some((_, body)) = &child.body {
            for line in body.trim_end().lines() {
                if line.trim().is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&format!("{indent}{}{line}\n", syntax.indent));
                }
            }
        }
        write_children(child, depth + 1, out, target, syntax);
        match target {
            Target::TypeScript if depth == 0 => out.push_str(&format!("{indent}}} as const;\n")),
            Target::TypeScript => out.push_str(&format!("{indent}}},\n")),
            Target::Rust => out.push_str(&format!("{indent}}}\n")),
        }
    }
}

/// rustfmt's layout for the shapes the embedded templates emit that depend on line width (its
/// defaults: `max_width` 100, `array_width` 60): a `const` item too long for one line breaks after
/// `=`, or inside its constructor call when the value does not fit on the next line either; a
/// string array that fits on one line (after `=`, or else on the next line) is written on one line.
pub(crate) fn rustfmt_layout(code: &str) -> String {
    const MAX_WIDTH: usize = 100;
    const ARRAY_WIDTH: usize = 60;
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let indent = &line[..line.len() - line.trim_start().len()];
        let is_const = {
            let item = line.trim_start();
            item.starts_with("pub const ") || item.starts_with("const ")
        };
        if line.ends_with(" = &[") && is_const {
            // Collect the elements up to the closing `];`.
            let mut end = index + 1;
            while end < lines.len() && lines[end].trim() != "];" {
                end += 1;
            }
            let items: Vec<&str> = lines[index + 1..end.min(lines.len())]
                .iter()
                .map(|item| item.trim().trim_end_matches(','))
                .collect();
            let array = format!("&[{}]", items.join(", "));
            let declaration = line.trim_end_matches(" &[");
            let same_line = format!("{declaration} {array};");
            let next_line = format!("{declaration}\n{indent}    {array};");
            // One element: no width limit of its own; more: the elements with their `, ` separators
            // must fit in `array_width`. Widths count characters, as rustfmt does.
            let width = |text: &str| text.chars().count();
            let fits = items.len() <= 1 || width(&items.join(", ")) <= ARRAY_WIDTH;
            let joined = if end >= lines.len() || !fits {
                None
            } else if width(&same_line) <= MAX_WIDTH {
                Some(same_line)
            } else if indent.len() + 4 + width(&array) < MAX_WIDTH {
                // The array plus `;` fits on the next line.
                Some(next_line)
            } else {
                None
            };
            if let Some(joined) = joined {
                out.push_str(&joined);
                out.push('\n');
                index = end + 1;
                continue;
            }
        } else if line.len() > MAX_WIDTH && is_const && line.ends_with(';') {
            if let Some(at) = line.find(" = ") {
                let (declaration, value) = (&line[..at], &line[at + 3..]);
                let call = value
                    .strip_suffix(");")
                    .and_then(|inner| inner.split_once('('))
                    .filter(|(name, _)| !name.is_empty() && !name.contains('"'));
                match call {
                    Some((name, argument)) if indent.len() + 4 + value.len() > MAX_WIDTH => {
                        out.push_str(&format!(
                            "{declaration} = {name}(\n{indent}    {argument},\n{indent});\n"
                        ));
                    }
                    _ => out.push_str(&format!("{declaration} =\n{indent}    {value}\n")),
                }
                index += 1;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
        index += 1;
    }
    out
}

/// The canonical scope strings of one lexicon (the reference's `toString()` form: default `action`
/// omitted, NSIDs written positionally; NSIDs need no percent-encoding). A space type's `space:`
/// scopes are written by the parser's canonical formatter.
fn scope_consts(nsid: &str, kind: Kind) -> Result<Vec<ScopeConst>, String> {
    let scope = |name: &'static str, value: String, doc: &str| ScopeConst {
        name,
        value,
        doc: doc.to_owned(),
    };
    Ok(match kind {
        Kind::Record => vec![
            scope(
                "REPO_ALL",
                format!("repo:{nsid}"),
                "`repo:` scope: create, update and delete these records.",
            ),
            scope(
                "REPO_CREATE",
                format!("repo:{nsid}?action=create"),
                "`repo:` scope: create these records (`createRecord`).",
            ),
            scope(
                "REPO_UPDATE",
                format!("repo:{nsid}?action=update"),
                "`repo:` scope: update these records.",
            ),
            scope(
                "REPO_DELETE",
                format!("repo:{nsid}?action=delete"),
                "`repo:` scope: delete these records (`deleteRecord`).",
            ),
            scope(
                "REPO_PUT",
                format!("repo:{nsid}?action=create&action=update"),
                "`repo:` scope for `putRecord`, which needs both create and update.",
            ),
        ],
        Kind::Query | Kind::Procedure => vec![scope(
            "RPC_ANY_AUD",
            format!("rpc:{nsid}?aud=*"),
            "`rpc:` scope: call this method on any service.",
        )],
        Kind::PermissionSet => vec![scope(
            "INCLUDE",
            format!("include:{nsid}"),
            "`include:` scope of this set without an audience.",
        )],
        Kind::Space => vec![
            scope(
                "SPACE",
                space_scope(nsid, SpaceAuthority::SelfUser, &[])?,
                "`space:` scope: read and write in the user's own spaces of this type (writes to the declared collections).",
            ),
            scope(
                "SPACE_ANY_AUTHORITY",
                space_scope(nsid, SpaceAuthority::Any, &[])?,
                "`space:` scope: read and write in spaces of this type of any authority (writes to the declared collections).",
            ),
        ],
    })
}

/// The canonical `space:` scope of type `nsid` with `authority`, `collections` and the
/// defaults otherwise, as the parser writes it.
fn space_scope(
    nsid: &str,
    authority: SpaceAuthority,
    collections: &[&str],
) -> Result<String, String> {
    let nsid_pattern = |value: &str| {
        Nsid::parse(value)
            .map(NsidPattern::Nsid)
            .map_err(|err| format!("`{value}`: {err}"))
    };
    let scope = SpaceScope {
        space_type: nsid_pattern(nsid)?,
        authority,
        skey: SpaceKey::Any,
        collections: collections
            .iter()
            .map(|c| nsid_pattern(c))
            .collect::<Result<_, _>>()?,
        actions: SpaceAction::DEFAULT.to_vec(),
        manage: Vec::new(),
    };
    Ok(Scope::Space(scope).to_string())
}

/// The space definition in `nsid`'s `main`.
fn space_schema<'c>(catalog: &'c Catalog, nsid: &str) -> Option<&'c SpaceSchema> {
    match &catalog.get(nsid)?.main()?.schema.kind {
        SchemaKind::Space(space) => Some(space),
        _ => None,
    }
}

/// A string literal of `target` holding `value`, with every control character, bidirectional
/// formatting character and line separator escaped (rustc rejects the bidirectional ones raw in a
/// literal; U+2028 and U+2029 end a line in older JavaScript).
fn string_literal(value: &str, target: Target) -> String {
    match target {
        // `Debug` escapes exactly those (they are not printable) as `\u{…}`.
        Target::Rust => format!("{value:?}"),
        // A JSON string is a TypeScript string literal; JSON escapes only C0 controls.
        Target::TypeScript => {
            let json = serde_json::Value::from(value).to_string();
            let mut literal = String::with_capacity(json.len());
            for c in json.chars() {
                if is_hidden_format(c) {
                    literal.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    literal.push(c);
                }
            }
            literal
        }
    }
}

/// The space template's context: the declaration's `key`, `name`, `name:lang` and collections,
/// and the typed collection list in the order the parser's canonical form writes collections.
fn space_context<'a>(
    item: ItemContext<'a>,
    schema: &SpaceSchema,
    target: Target,
) -> Result<SpaceContext<'a>, String> {
    let nsid = item.nsid;
    let key = schema.key.as_ref().ok_or("the space has no `key`")?;
    let name = schema.name.as_ref().ok_or("the space has no `name`")?;
    let declared: Vec<&str> = schema
        .collections
        .as_ref()
        .ok_or("the space has no `collections`")?
        .value
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    // The parser's canonical form of a scope naming every collection gives their order, once each.
    let all = space_scope(nsid, SpaceAuthority::SelfUser, &declared)?;
    let ordered: Vec<&str> = all
        .split(['?', '&'])
        .filter_map(|part| part.strip_prefix("collection="))
        .collect();
    if ordered.len() > MAX_SPACE_COLLECTIONS {
        return Err(format!(
            "the space declares {} collections; the generated builder takes at most {MAX_SPACE_COLLECTIONS}",
            ordered.len()
        ));
    }
    let names = variant_names(&ordered);
    let variants = ordered
        .iter()
        .zip(names)
        .enumerate()
        .map(|(bit, (nsid, name))| CollectionVariant {
            name,
            nsid: (*nsid).to_owned(),
            bit,
        })
        .collect();
    let name_lang = schema
        .name_lang
        .as_ref()
        .map(|map| {
            map.entries
                .iter()
                .map(|(tag, text)| {
                    (
                        string_literal(&tag.value, target),
                        string_literal(&text.value, target),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SpaceContext {
        item,
        key: string_literal(&key.value, target),
        name: string_literal(&name.value, target),
        name_lang,
        collections: declared.iter().map(|c| string_literal(c, target)).collect(),
        variants,
    })
}

/// Upper-camel-case variant names for distinct NSIDs: the name segment, with more segments in
/// front where two NSIDs would otherwise get the same name.
fn variant_names(nsids: &[&str]) -> Vec<String> {
    let name = |nsid: &str, segments: usize| -> String {
        let parts: Vec<&str> = nsid.split('.').collect();
        let from = parts.len().saturating_sub(segments);
        let mut out = String::new();
        for part in &parts[from..] {
            let mut upper = true;
            for c in part.chars() {
                if c == '-' {
                    upper = true;
                } else if upper {
                    out.push(c.to_ascii_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
        }
        if out.starts_with(|c: char| c.is_ascii_digit()) || out == "Self" {
            out.insert_str(0, "Nsid");
        }
        out
    };
    let mut segments = vec![1usize; nsids.len()];
    loop {
        let names: Vec<String> = nsids
            .iter()
            .zip(&segments)
            .map(|(nsid, &n)| name(nsid, n))
            .collect();
        let mut changed = false;
        for (index, current) in names.iter().enumerate() {
            let clashes = names
                .iter()
                .enumerate()
                .any(|(other, n)| other != index && n == current);
            if clashes && segments[index] < nsids[index].split('.').count() {
                segments[index] += 1;
                changed = true;
            }
        }
        if !changed {
            // NSIDs that differ only in `-` or case of a segment's first letter: number them.
            return names
                .iter()
                .enumerate()
                .map(
                    |(index, n)| match names.iter().filter(|other| *other == n).count() {
                        1 => n.clone(),
                        _ => format!("{n}{index}"),
                    },
                )
                .collect();
        }
    }
}

/// The lines of a description, title or detail: a line ends at `\n`, `\r\n`, a bare `\r`, U+2028 or
/// U+2029 (a bare CR in a Rust comment is an error, and the separators end a JavaScript line).
fn text_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .flat_map(|line| line.split(['\r', '\u{2028}', '\u{2029}']))
}

/// One line of a lexicon description as a doc-comment line that rustdoc cannot take for a code block
/// (and so for a doctest) and that cannot end a TypeScript `/** */` comment: no indentation, no code
/// fence, no `*/`; bare URLs in `<…>` (rustdoc warns about bare URLs). Control characters and
/// bidirectional formatting characters (which rustc rejects in comments) are written as `\u{…}`.
fn doc_line(line: &str) -> String {
    let mut visible = String::with_capacity(line.len());
    for c in line.trim().chars() {
        if is_hidden_format(c) && c != '\t' {
            visible.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            visible.push(c);
        }
    }
    let line = visible.replace("```", "\\`\\`\\`").replace("*/", "*\\/");
    line.split(' ')
        .map(link_bare_url)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `https://x.example/a.` becomes `<https://x.example/a>.`; `(http://x)` becomes `(<http://x>)`.
fn link_bare_url(word: &str) -> String {
    let (open, rest) = match word.strip_prefix('(') {
        Some(rest) => ("(", rest),
        None => ("", word),
    };
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return word.to_owned();
    }
    let url = rest.trim_end_matches(['.', ',', ';', ':', ')', '!', '?', '\'', '"']);
    format!("{open}<{url}>{}", &rest[url.len()..])
}

/// The module (or namespace) name of an NSID segment: for Rust snake case, for TypeScript the
/// segment itself; `_` for `-`, a leading `_` before a digit, a trailing `_` after keywords.
fn module_name(segment: &str, syntax: &Syntax) -> String {
    let mut name = String::with_capacity(segment.len() + 4);
    let chars: Vec<char> = segment.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if c == '-' {
            name.push('_');
        } else if syntax.snake_case && c.is_ascii_uppercase() {
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
    if syntax.keywords.contains(&name.as_str()) {
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

/// JavaScript reserved words (strict mode, modules) and TypeScript's predefined type names, none of
/// which may name a namespace.
const TS_RESERVED: [&str; 58] = [
    "any",
    "arguments",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "never",
    "new",
    "null",
    "number",
    "object",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_lines_cannot_open_code_blocks_or_close_comments() {
        assert_eq!(doc_line("    indented code "), "indented code");
        assert_eq!(doc_line("```rust"), "\\`\\`\\`rust");
        assert_eq!(doc_line("a */ b"), "a *\\/ b");
        assert_eq!(
            doc_line("See https://atproto.com/specs. Or (http://x.example/a)."),
            "See <https://atproto.com/specs>. Or (<http://x.example/a>)."
        );
        assert_eq!(
            doc_line("<https://a.example> [x](https://b.example)"),
            "<https://a.example> [x](https://b.example)"
        );
    }

    #[test]
    fn texts_cannot_break_comments_or_literals() {
        let text = "one\r\ntwo\rthree\u{2028}four\u{2029}five\nsix";
        let lines: Vec<&str> = text_lines(text).collect();
        assert_eq!(lines, ["one", "two", "three", "four", "five", "six"]);
        assert_eq!(
            doc_line("a\u{202e}b\u{2066}c\0d\u{1b}e\u{85}\tf"),
            "a\\u{202e}b\\u{2066}c\\u{0}d\\u{1b}e\\u{85}\tf"
        );
        let hostile = "\u{202e}\u{2028}\u{7f}\u{85}\0\"";
        assert_eq!(
            string_literal(hostile, Target::TypeScript),
            r#""\u202e\u2028\u007f\u0085\u0000\"""#
        );
        assert_eq!(
            string_literal(hostile, Target::Rust),
            r#""\u{202e}\u{2028}\u{7f}\u{85}\0\"""#
        );
    }

    #[test]
    fn module_names_are_identifiers() {
        let rust = Syntax::of(Target::Rust);
        let ts = Syntax::of(Target::TypeScript);
        let cases = [
            ("getTimeline", "get_timeline", "getTimeline"),
            ("authFullApp", "auth_full_app", "authFullApp"),
            ("getURLInfo", "get_url_info", "getURLInfo"),
            ("post", "post", "post"),
            ("4chan", "_4chan", "_4chan"),
            ("my-app", "my_app", "my_app"),
            ("type", "type_", "type"),
            ("self", "self_", "self"),
            ("delete", "delete", "delete_"),
            ("listV2", "list_v2", "listV2"),
        ];
        for (segment, rust_name, ts_name) in cases {
            assert_eq!(module_name(segment, &rust), rust_name, "{segment}");
            assert_eq!(module_name(segment, &ts), ts_name, "{segment}");
        }
    }

    #[test]
    fn rustfmt_layout_breaks_long_consts_and_joins_short_arrays() {
        let long = format!("    pub const X: &str = \"{}\";\n", "a".repeat(90));
        assert_eq!(
            rustfmt_layout(&long),
            format!("    pub const X: &str =\n        \"{}\";\n", "a".repeat(90))
        );
        let short = "pub const A: &[&str] = &[\n    \"x\",\n    \"y\",\n];\n";
        assert_eq!(
            rustfmt_layout(short),
            "pub const A: &[&str] = &[\"x\", \"y\"];\n"
        );
        let empty = "pub const A: &[&str] = &[\n];\n";
        assert_eq!(rustfmt_layout(empty), "pub const A: &[&str] = &[];\n");
        let one = format!(
            "pub const A: &[&str] = &[\n    \"{}\",\n];\n",
            "b".repeat(80)
        );
        assert_eq!(
            rustfmt_layout(&one),
            format!("pub const A: &[&str] =\n    &[\"{}\"];\n", "b".repeat(80))
        );
        let wide = format!(
            "pub const A: &[&str] = &[\n    \"{}\",\n    \"c\",\n];\n",
            "b".repeat(60)
        );
        assert_eq!(rustfmt_layout(&wide), wide);
    }
}
