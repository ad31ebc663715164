//! `lexperm preview`: what a consent screen shows for an `include:` scope, as text, JSON or a
//! self-contained HTML page.
//!
//! Glue only: the preview (language fallback, plain words) is computed by `lexperm_resolver`.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use handlebars::Handlebars;
use lexperm_parser::scope::Scope;
use lexperm_resolver::{Preview, PreviewPermission, SpacePreview};
use serde_json::json;

use super::lexicons::{LexiconDirs, Loaded};
use super::reference_args::ReferenceArgs;
use super::remote::{Remote, RemoteArgs};

/// The embedded page template.
const TEMPLATE: &str = include_str!("../templates/preview.html.hbs");

/// Output format of `preview`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum PreviewFormat {
    /// Readable text.
    #[default]
    Human,
    /// One JSON object.
    Json,
    /// A self-contained HTML page (inline CSS, no scripts, escaped text).
    Html,
}

/// Arguments of `lexperm preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The `include:` scope, e.g. `include:com.example.authFull?aud=did:web:api.example.com%23svc`.
    #[arg(value_name = "INCLUDE_SCOPE")]
    include: String,
    #[command(flatten)]
    lexicons: LexiconDirs,
    /// Language tag (BCP-47) for title and detail; falls back `pt-BR` → `pt` → default.
    #[arg(long, value_name = "TAG")]
    lang: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PreviewFormat::Human)]
    format: PreviewFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    reference: ReferenceArgs,
}

/// Runs `preview`: 0 when the set was found, 1 when not (or invalid), 2 for usage and IO errors
/// (including a lexicon path that could not be loaded).
pub fn run(args: PreviewArgs) -> u8 {
    let Ok((mut loaded, remote)) = args.remote.load(&args.lexicons) else {
        return crate::EXIT_USAGE;
    };
    let code = preview_loaded(&args, &mut loaded, remote);
    loaded.exit_code(code)
}

/// Shows the preview of `args.include` from `loaded` (and `remote`).
fn preview_loaded(args: &PreviewArgs, loaded: &mut Loaded, mut remote: Option<Remote>) -> u8 {
    loaded.catalog.set_reference(args.reference.get());
    let set = match Scope::parse(&args.include) {
        Ok(Scope::Include(include)) => Some(include.nsid),
        _ => None,
    };
    if let (Some(remote), Some(set)) = (remote.as_mut(), &set) {
        remote.fetch(loaded, set);
        if let Some((uri, cid, fetched)) = remote.provenance(set.as_str()) {
            eprintln!("note: {set} fetched: {uri}, cid {cid}, from the {fetched}");
        }
    }
    let preview = match loaded.catalog.preview(&args.include, args.lang.as_deref()) {
        Ok(preview) => preview,
        Err(error) => {
            // A failed fetch says more than "not found".
            match remote
                .as_ref()
                .zip(set.as_ref())
                .and_then(|(r, s)| r.error(s.as_str()))
            {
                Some(fetch_error) => eprintln!("error: {fetch_error}"),
                None => eprintln!("error: {error} [{}]", error.code()),
            }
            return crate::EXIT_FAILURE;
        }
    };
    let text = match args.format {
        PreviewFormat::Human => human(&preview),
        PreviewFormat::Json => format!("{}\n", to_json(&preview)),
        PreviewFormat::Html => match html(&preview) {
            Ok(page) => page,
            Err(message) => {
                eprintln!("error: cannot render the page: {message}");
                return crate::EXIT_USAGE;
            }
        },
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|err| format!("cannot write {}: {err}", path.display())),
        None => {
            let mut out = crate::terminal::CleanWriter::new(io::stdout().lock());
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write output: {err}"))
                }
                _ => Ok(()),
            }
        }
    };
    match written {
        Ok(()) => crate::EXIT_OK,
        Err(message) => {
            eprintln!("error: {message}");
            crate::EXIT_USAGE
        }
    }
}

fn to_json(preview: &Preview) -> serde_json::Value {
    json!({
        "version": crate::JSON_VERSION,
        "include": preview.include,
        "nsid": preview.nsid,
        "lang": preview.requested_lang,
        "title": preview.title,
        "title_lang": preview.title_lang,
        "detail": preview.detail,
        "detail_lang": preview.detail_lang,
        "permissions": preview.permissions.iter().map(permission_json).collect::<Vec<_>>(),
        "dropped": preview.dropped.iter().map(|d| json!({
            "entry": d.entry_index,
            "code": d.code(),
            "message": d.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// One permission; a `space:` grant also carries a `space` object.
fn permission_json(p: &PreviewPermission) -> serde_json::Value {
    let mut value = json!({
        "text": p.text,
        "scope": p.scope,
        "entry": p.entry_index,
    });
    if let Some(space) = &p.space {
        value["space"] = space_json(space);
    }
    value
}

fn space_json(space: &SpacePreview) -> serde_json::Value {
    json!({
        "type": space.space_type,
        "name": space.name,
        "name_lang": space.name_lang,
        "authority": space.authority,
        "skey": space.skey,
        "read": space.read,
        "write_actions": space.write_actions,
        "write_collections": space.write_collections,
        "collections_declared": space.collections_declared,
        "manage": space.manage,
        "warnings": space.warnings,
    })
}

fn human(preview: &Preview) -> String {
    let mut out = String::new();
    let title = preview.title.as_deref().unwrap_or(&preview.nsid);
    out.push_str(title);
    if let Some(lang) = &preview.title_lang {
        out.push_str(&format!("  [{lang}]"));
    }
    out.push('\n');
    if let Some(detail) = &preview.detail {
        out.push_str(detail);
        out.push('\n');
    }
    out.push('\n');
    if preview.permissions.is_empty() {
        out.push_str("This grants nothing: every entry of the set is ignored.\n");
    } else {
        out.push_str("The app will be able to:\n");
        for permission in &preview.permissions {
            out.push_str(&format!("  - {}\n", permission.text));
            let Some(space) = &permission.space else {
                continue;
            };
            if space.collections_declared && !space.write_actions.is_empty() {
                out.push_str("    (the collections are the space type's declared ones, filled in when the token is issued)\n");
            }
            for warning in &space.warnings {
                out.push_str(&format!("    WARNING: {warning}\n"));
            }
        }
    }
    if !preview.dropped.is_empty() {
        out.push_str(&format!(
            "\n({} ignored; run `lexperm expand {}` for why)\n",
            lexperm_parser::wording::count(preview.dropped.len(), "entry", "entries"),
            preview.include
        ));
    }
    out
}

/// Renders the HTML page. Handlebars escapes every `{{value}}` for HTML.
pub fn html(preview: &Preview) -> Result<String, String> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry
        .register_template_string("preview", TEMPLATE)
        .map_err(|e| e.to_string())?;
    // The default `title` has no declared language; sets are written in English by convention.
    let lang = preview
        .title_lang
        .clone()
        .unwrap_or_else(|| "en".to_owned());
    let has_warnings = preview
        .permissions
        .iter()
        .any(|p| p.space.as_ref().is_some_and(|s| !s.warnings.is_empty()));
    let data = json!({
        "has_warnings": has_warnings,
        "lang": lang,
        "nsid": preview.nsid,
        "include": preview.include,
        "title": preview.title,
        "detail": preview.detail,
        "permissions": preview.permissions.iter().map(|p| json!({
            "text": p.text,
            "scope": p.scope,
            "warnings": p.space.as_ref().map_or(&[][..], |s| s.warnings.as_slice()),
        })).collect::<Vec<_>>(),
    });
    registry.render("preview", &data).map_err(|e| e.to_string())
}
