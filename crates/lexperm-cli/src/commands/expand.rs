//! `lexperm expand`: expand `include:` scopes against the lexicon directories, or turn a whole
//! client scope into the access token's scope (`--scope`).
//!
//! Glue only: expansion and token scopes live in `lexperm_resolver`.

use std::io::{self, Write};

use clap::Args;
use lexperm_parser::scope::Scope;
use lexperm_parser::syntax::Did;
use lexperm_resolver::{parse_include, DroppedEntry, ExpandError, IncludeOutcome, SetExpansion};
use serde_json::json;

use super::lexicons::{self, Format, LexiconDirs, Loaded};
use super::reference_args::ReferenceArgs;
use super::remote::{provenance_json, Remote, RemoteArgs};
use crate::lines::{self, Line};
use crate::{render, terminal};

/// Arguments of `lexperm expand`.
#[derive(Debug, Args)]
pub struct ExpandArgs {
    #[command(flatten)]
    lexicons: LexiconDirs,
    /// A whole client scope string: print the token scope the reference authorization server
    /// would issue for it instead.
    #[arg(long, value_name = "SCOPE", conflicts_with = "includes")]
    scope: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// `include:` scopes; read from stdin (one per line) when none are given.
    #[arg(value_name = "INCLUDE_SCOPE")]
    includes: Vec<String>,
    #[command(flatten)]
    remote: RemoteArgs,
    #[command(flatten)]
    reference: ReferenceArgs,
    #[command(flatten)]
    user: UserDidArgs,
}

/// `--user-did`: the user a token is issued to, whose DID replaces `authority=self`.
#[derive(Debug, Clone, Args)]
pub struct UserDidArgs {
    /// The DID of the user the token is issued to: `space:` grants with `authority=self` get it,
    /// as the authorization server does at issuance (without it they match nothing).
    #[arg(long, value_name = "DID")]
    user_did: Option<String>,
}

impl UserDidArgs {
    /// The DID, checked; a usage error is printed when it is not a DID.
    pub fn get(&self) -> Result<Option<&str>, ()> {
        match &self.user_did {
            Some(did) => match Did::check(did) {
                Ok(()) => Ok(Some(did)),
                Err(e) => {
                    eprintln!("error: --user-did {did:?} is not a DID: {e}");
                    Err(())
                }
            },
            None => Ok(None),
        }
    }
}

/// What to say about `space:` grants still naming `authority=self`.
pub const SELF_NOTE: &str = "`authority=self` is resolved to the user's DID when the token is issued; until then these grants match nothing (give --user-did DID to see them resolved)";

/// Runs `expand` and returns the exit code.
pub fn run(args: ExpandArgs) -> u8 {
    let Ok(user_did) = args.user.get() else {
        return crate::EXIT_USAGE;
    };
    let Ok((mut loaded, mut remote)) = args.remote.load(&args.lexicons) else {
        return crate::EXIT_USAGE;
    };
    loaded.catalog.set_reference(args.reference.get());
    let mut out = terminal::stdout();
    let result = match &args.scope {
        Some(scope) => {
            if let Some(remote) = remote.as_mut() {
                remote.fetch_includes(&mut loaded, scope);
            }
            token_scope(
                &loaded,
                remote.as_ref(),
                (scope, user_did),
                args.format,
                &mut out,
            )
        }
        None => {
            let mut all_ok = true;
            let mut printed = false;
            // One input at a time (stdin is streamed): fetch its set when asked to, expand it.
            let mut each = |line: Line<'_>| -> io::Result<()> {
                let Line::Text(input) = line else {
                    all_ok = false;
                    return too_long(line, args.format, &mut out);
                };
                if let (Some(remote), Ok(include)) = (remote.as_mut(), parse_include(input)) {
                    remote.fetch(&mut loaded, &include.nsid);
                }
                let ok = expand_one(
                    &loaded,
                    remote.as_ref(),
                    input,
                    args.format,
                    &mut out,
                    &mut printed,
                )?;
                all_ok &= ok;
                Ok(())
            };
            let read = if args.includes.is_empty() {
                lines::stdin_hint("include scopes");
                lexicons::for_each_stdin_line(each)
            } else {
                args.includes
                    .iter()
                    .try_for_each(|input| each(Line::Text(input)))
                    .map_err(|err| {
                        if err.kind() != io::ErrorKind::BrokenPipe {
                            eprintln!("error: cannot write output: {err}");
                        }
                    })
            };
            match read {
                Ok(()) => Ok(all_ok),
                Err(()) => return loaded.exit_code(crate::EXIT_USAGE),
            }
        }
    };
    let code = match result.and_then(|ok| out.flush().map(|()| ok)) {
        Ok(true) => crate::EXIT_OK,
        Ok(false) => crate::EXIT_FAILURE,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => crate::EXIT_OK,
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            crate::EXIT_USAGE
        }
    };
    loaded.exit_code(code)
}

/// Reports a stdin line that was too long to be an input: on stderr, and in JSON as an input
/// that is not valid (`"input": null`, since the line was never held whole).
fn too_long(line: Line<'_>, format: Format, out: &mut dyn Write) -> io::Result<()> {
    let Line::TooLong { number } = line else {
        return Ok(());
    };
    eprintln!("error: {}", lines::too_long_message(number));
    if format == Format::Json {
        let line = json!({
            "version": crate::JSON_VERSION,
            "input": null,
            "valid": false,
            "nsid": null,
            "found": false,
            "granted": [],
            "dropped": [],
        });
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Expands one input and prints the result; returns whether it was valid and found.
fn expand_one(
    loaded: &Loaded,
    remote: Option<&Remote>,
    input: &str,
    format: Format,
    out: &mut terminal::Stdout,
    printed: &mut bool,
) -> io::Result<bool> {
    let include = parse_include(input);
    let result = include
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|include| loaded.catalog.expand(include));
    let ok = result.is_ok();
    let nsid = include.as_ref().ok().map(|i| i.nsid.as_str());
    match format {
        Format::Json => {
            let mut line = json!({
                "version": crate::JSON_VERSION,
                "input": input,
                "valid": include.is_ok(),
                "nsid": include.as_ref().ok().map(|i| i.nsid.as_str()),
                "found": result.is_ok(),
                "granted": result.as_ref().map(SetExpansion::granted_strings).unwrap_or_default(),
                "dropped": dropped_json(result.as_ref().map(|e| &e.dropped[..]).unwrap_or_default()),
            });
            if let Some(members) = line.as_object_mut() {
                members.extend(provenance_json(loaded, remote, nsid));
            }
            writeln!(out, "{line}")?;
            if let Err(error) = &result {
                eprintln!("error: {error}");
                if let Some(e) = nsid.and_then(|n| remote?.error(n)) {
                    eprintln!("error: {e}");
                }
            }
        }
        Format::Human => match &result {
            Ok(expansion) => {
                if *printed {
                    writeln!(out)?;
                }
                *printed = true;
                human_expansion(loaded, remote, expansion, out)?;
            }
            Err(error) => {
                match nsid.and_then(|n| remote?.error(n)) {
                    // The fetch failure says why the set is missing.
                    Some(e) if matches!(error, ExpandError::NotFound { .. }) => {
                        eprintln!("error: {input}: {e} [{}]", error.code())
                    }
                    _ => human_error(input, error),
                }
            }
        },
    }
    Ok(ok)
}

fn human_error(input: &str, error: &ExpandError) {
    match error {
        ExpandError::InvalidScope { .. } => eprintln!("error: {error} [{}]", error.code()),
        _ => eprintln!("error: {input}: {error} [{}]", error.code()),
    }
}

fn human_expansion(
    loaded: &Loaded,
    remote: Option<&Remote>,
    expansion: &SetExpansion<'_>,
    out: &mut terminal::Stdout,
) -> io::Result<()> {
    let include = lexperm_parser::scope::Scope::Include(expansion.include.clone());
    match remote.and_then(|r| r.provenance(expansion.set.nsid_str())) {
        Some((uri, cid, fetched)) => {
            writeln!(out, "{include}  ({uri}, cid {cid}, from the {fetched})")?
        }
        None => writeln!(out, "{include}  ({})", expansion.set.path)?,
    }
    let total = expansion.granted.len() + expansion.dropped.len();
    let entries = lexperm_parser::wording::count(total, "entry", "entries");
    match (expansion.granted.len(), total) {
        (0, 0) => writeln!(out, "the set has no entries")?,
        (0, 1) => writeln!(out, "granted nothing: the set's only entry was dropped")?,
        (0, _) => writeln!(out, "granted none of the {entries}")?,
        (granted, _) => writeln!(out, "granted {granted} of {entries}:")?,
    }
    for granted in &expansion.granted {
        writeln!(out, "  #{:<3} {}", granted.entry_index, granted.scope)?;
    }
    if expansion.dropped.is_empty() {
        return Ok(());
    }
    writeln!(out, "dropped {} of {entries}:", expansion.dropped.len())?;
    let nsid = expansion.set.nsid_str();
    let diagnostics: Vec<_> = expansion
        .dropped
        .iter()
        .map(|d| lexicons::dropped_diagnostic(d, nsid))
        .collect();
    // The reports' texts are cleaned by the renderer; miette's colours pass as they are.
    render::render_reports(
        &loaded.sources,
        &diagnostics,
        lexicons::human_options(),
        out.trusted()?,
    )
}

/// The dropped entries of an expansion as JSON: entry index, reason code, message.
fn dropped_json(dropped: &[DroppedEntry]) -> serde_json::Value {
    dropped
        .iter()
        .map(|d| {
            json!({
                "entry": d.entry_index,
                "code": d.code(),
                "message": d.to_string(),
            })
        })
        .collect()
}

/// Warns on stderr about the entries an `include:` of a token scope lost: which, why, and how to
/// get them (the authorization server drops them without a word).
pub fn warn_dropped(outcome: &IncludeOutcome) {
    if outcome.dropped.is_empty() {
        return;
    }
    let total = outcome.granted.len() + outcome.dropped.len();
    if outcome.granted.is_empty() {
        let all = match total {
            1 => "its only entry was dropped".to_owned(),
            _ => format!("all {total} entries were dropped"),
        };
        eprintln!(
            "warning: `{}` granted nothing: {all} ({})",
            outcome.include, outcome.set
        );
    } else {
        eprintln!(
            "warning: `{}` granted {} of {total} entries; {} dropped ({})",
            outcome.include,
            outcome.granted.len(),
            outcome.dropped.len(),
            outcome.set
        );
    }
    let mut hints: Vec<&str> = Vec::new();
    for dropped in &outcome.dropped {
        eprintln!(
            "  entry #{}: {} [{}]",
            dropped.entry_index,
            dropped.message,
            dropped.code()
        );
        if let Some(hint) = dropped.hint.as_deref() {
            if !hints.contains(&hint) {
                hints.push(hint);
            }
        }
    }
    for hint in hints {
        eprintln!("  help: {hint}");
    }
}

/// The distinct `include:` values of `scope` with their NSIDs, in order.
fn included_sets(scope: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for value in scope.split(' ') {
        if let Ok(Scope::Include(include)) = Scope::parse(value) {
            if !found.iter().any(|(v, _)| v == value) {
                found.push((value.to_owned(), include.nsid.as_str().to_owned()));
            }
        }
    }
    found
}

/// Prints the token scope for `scope`; returns whether a token would be issued.
fn token_scope(
    loaded: &Loaded,
    remote: Option<&Remote>,
    (scope, user_did): (&str, Option<&str>),
    format: Format,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let token = loaded.catalog.token_scope_for_user(scope, user_did);
    let unresolved: Vec<&str> = token.unresolved_self().map(|v| v.value.as_str()).collect();
    let includes = included_sets(scope);
    let issued = token.token_scope();
    match format {
        Format::Json => {
            let mut line = json!({
                "version": crate::JSON_VERSION,
                "scope": scope,
                "token_scope": issued,
                "errors": token.errors.iter().map(|e| json!({
                    "code": e.code(),
                    "message": e.to_string(),
                })).collect::<Vec<_>>(),
                "includes": includes.iter().map(|(value, nsid)| {
                    let mut entry = serde_json::Map::new();
                    entry.insert("include".to_owned(), json!(value));
                    entry.insert("nsid".to_owned(), json!(nsid));
                    entry.extend(provenance_json(loaded, remote, Some(nsid)));
                    let outcome = token.includes.iter().find(|o| &o.include == value);
                    entry.insert("found".to_owned(), json!(outcome.is_some()));
                    entry.insert("granted".to_owned(), json!(outcome.map(|o| &o.granted[..]).unwrap_or_default()));
                    entry.insert("dropped".to_owned(), dropped_json(outcome.map(|o| &o.dropped[..]).unwrap_or_default()));
                    entry
                }).collect::<Vec<_>>(),
            });
            // Keys about `space:` issuance appear only when they say something.
            if let Some(members) = line.as_object_mut() {
                if let Some(did) = user_did {
                    members.insert("user_did".to_owned(), json!(did));
                }
                let issued: Vec<_> = token
                    .values
                    .iter()
                    .filter_map(|v| {
                        Some(json!({"value": v.value, "requested_as": v.requested_as.as_ref()?}))
                    })
                    .collect();
                if !issued.is_empty() {
                    members.insert("rewritten_at_issuance".to_owned(), json!(issued));
                }
                if !unresolved.is_empty() {
                    members.insert("unresolved_self".to_owned(), json!(unresolved));
                    members.insert("note".to_owned(), json!(SELF_NOTE));
                }
            }
            writeln!(out, "{line}")?;
        }
        Format::Human => {
            for ignored in &token.ignored {
                if !ignored.is_empty() {
                    eprintln!("warning: {ignored:?} is not an atproto scope; the authorization server drops it");
                }
            }
            for error in &token.errors {
                eprintln!("error: {error} [{}]", error.code());
            }
            for outcome in &token.includes {
                warn_dropped(outcome);
            }
            if let Some(remote) = remote {
                for (_, nsid) in &includes {
                    if let Some(e) = remote.error(nsid) {
                        eprintln!("error: {e}");
                    }
                }
            }
            if issued.is_some() {
                let values = lexperm_parser::wording::count(token.values.len(), "value", "values");
                writeln!(out, "token scope ({values}):")?;
                let width = token
                    .values
                    .iter()
                    .map(|v| v.value.len())
                    .max()
                    .unwrap_or(0);
                for value in &token.values {
                    match &value.provenance {
                        Some(p) => writeln!(
                            out,
                            "  {:<width$}  ← {} → entry #{}",
                            value.value, p.include, p.entry_index
                        )?,
                        None => writeln!(out, "  {}", value.value)?,
                    }
                    if let Some(requested) = &value.requested_as {
                        writeln!(out, "    (issued from {requested})")?;
                    }
                }
                if !unresolved.is_empty() {
                    writeln!(
                        out,
                        "note: {} `space:` value{} keep{} `authority=self`: {SELF_NOTE}",
                        unresolved.len(),
                        if unresolved.len() == 1 { "" } else { "s" },
                        if unresolved.len() == 1 { "s" } else { "" },
                    )?;
                }
                if let Some(remote) = remote {
                    for (_, nsid) in &includes {
                        if let Some((uri, cid, fetched)) = remote.provenance(nsid) {
                            writeln!(out, "{nsid} fetched: {uri}, cid {cid}, from the {fetched}")?;
                        }
                    }
                }
            }
        }
    }
    Ok(issued.is_some())
}
