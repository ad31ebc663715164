//! What a consent screen shows for an `include:` scope: the set's title and detail in the user's
//! language, and every granted permission in plain words. A `space:` grant also names the space
//! type (its declaration's `name` in the user's language), whose spaces it reaches, what may be
//! read, written and managed, and warns when it reaches every type or every account.
//!
//! ```
//! use lexperm_parser::diagnostics::FileId;
//! use lexperm_resolver::Catalog;
//!
//! let set = r#"{"lexicon": 1, "id": "com.example.authPost", "defs": {"main": {
//!   "type": "permission-set", "title": "Post", "title:lang": {"pt": "Publicar"},
//!   "permissions": [
//!     {"type": "permission", "resource": "repo", "collection": ["com.example.post"]}]}}}"#;
//! let (catalog, _) = Catalog::load([(FileId(0), "authPost.json", set)]);
//! let preview = catalog.preview("include:com.example.authPost", Some("pt-BR")).unwrap();
//! assert_eq!(preview.title.as_deref(), Some("Publicar"));
//! assert_eq!(preview.permissions[0].text, "create, update and delete your com.example.post records");
//! ```

use lexperm_parser::lexicon::{LangMap, Spanned};
use lexperm_parser::scope::{
    Audience, NsidPattern, RepoAction, RepoScope, RpcScope, Scope, SpaceAction, SpaceAuthority,
    SpaceKey, SpaceScope,
};

use crate::catalog::Catalog;
use crate::expand::{parse_include_with, DroppedEntry, ExpandError};

/// One granted permission in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewPermission {
    /// The sentence, e.g. `create, update and delete your com.example.post records`.
    pub text: String,
    /// The granted scope (canonical string).
    pub scope: String,
    /// Index of the set entry it came from.
    pub entry_index: usize,
    /// For a `space:` grant: what it reaches and allows.
    pub space: Option<SpacePreview>,
}

/// A granted `space:` scope as a consent screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpacePreview {
    /// The space type: an NSID or `*`.
    pub space_type: String,
    /// The declaration's `name` in the best language, when the type is declared in the catalog.
    pub name: Option<String>,
    /// The language tag the name came from (`None`: the default `name`).
    pub name_lang: Option<String>,
    /// Whose spaces: `your own` (`authority=self`), `anyone's` (`*`) or `<did>'s`.
    pub authority: String,
    /// The one space key reached, or `None` for every space of the type and authority.
    pub skey: Option<String>,
    /// `all` (`read`), `own` (only `read_self`) or `None` (no reads).
    pub read: Option<&'static str>,
    /// The record actions granted on [`Self::write_collections`] (`create`, `update`, `delete`).
    pub write_actions: Vec<&'static str>,
    /// The collections records may be written to (`*` for any).
    pub write_collections: Vec<String>,
    /// True when the grant names no collection and [`Self::write_collections`] are the
    /// declaration's, filled in by the authorization server when it issues the token.
    pub collections_declared: bool,
    /// Operations on the space itself (`create`, `update`, `delete`).
    pub manage: Vec<&'static str>,
    /// What the user must be warned about (every type, every account, an unresolvable
    /// declaration).
    pub warnings: Vec<String>,
}

/// What a consent screen shows for one `include:` scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The `include:` scope, canonical.
    pub include: String,
    /// The set's NSID.
    pub nsid: String,
    /// The language asked for, if any.
    pub requested_lang: Option<String>,
    /// The title in the best language (see [`localized`]), if the set has one.
    pub title: Option<String>,
    /// The language tag the title came from (`None`: the default `title`).
    pub title_lang: Option<String>,
    /// The detail in the best language.
    pub detail: Option<String>,
    /// The language tag the detail came from (`None`: the default `detail`).
    pub detail_lang: Option<String>,
    /// Every granted permission, in entry order.
    pub permissions: Vec<PreviewPermission>,
    /// Entries the reference would drop silently (not shown to users).
    pub dropped: Vec<DroppedEntry>,
}

/// Picks the text for `lang` with BCP-47 lookup fallback (RFC 4647 §3.4): the exact tag, then the
/// tag with its last subtag removed, and so on (`pt-BR` → `pt`), comparing case-insensitively;
/// otherwise the default. Returns the text and the tag used (`None` for the default).
pub fn localized(
    default: Option<&Spanned<String>>,
    map: Option<&LangMap>,
    lang: Option<&str>,
) -> (Option<String>, Option<String>) {
    if let (Some(map), Some(lang)) = (map, lang) {
        let mut candidate = lang.trim();
        while !candidate.is_empty() {
            if let Some((tag, text)) = map
                .entries
                .iter()
                .find(|(tag, _)| tag.value.eq_ignore_ascii_case(candidate))
            {
                return (Some(text.value.clone()), Some(tag.value.clone()));
            }
            candidate = match candidate.rfind('-') {
                // A single-letter subtag (an extension or private-use singleton) goes with the
                // subtag after it.
                Some(i) if i >= 2 && candidate.as_bytes()[i - 2] == b'-' => &candidate[..i - 2],
                Some(i) => &candidate[..i],
                None => "",
            };
        }
    }
    (default.map(|d| d.value.clone()), None)
}

/// Joins words as English prose: `a`, `a and b`, `a, b and c`.
fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn describe_repo(repo: &RepoScope) -> String {
    let actions: Vec<&str> = repo.actions.iter().map(|a| a.as_str()).collect();
    let collections: Vec<&str> = repo.collections.iter().map(|c| c.as_str()).collect();
    let what = if collections == ["*"] {
        "records of any kind".to_owned()
    } else {
        format!("{} records", join_words(&collections))
    };
    format!("{} your {what}", join_words(&actions))
}

fn describe_rpc(rpc: &RpcScope) -> String {
    let methods: Vec<&str> = rpc.lxms.iter().map(|l| l.as_str()).collect();
    let methods = if methods == ["*"] {
        "any method".to_owned()
    } else {
        join_words(&methods)
    };
    let service = match &rpc.aud {
        Audience::Any => "any service".to_owned(),
        Audience::Service(d) => d.as_str().to_owned(),
    };
    format!("call {methods} on {service}")
}

/// A granted scope in plain words (`repo`, `rpc` and `space` come out of a set; others are
/// named). A `space:` scope is described without its declaration; see [`Catalog::space_preview`].
pub fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Repo(r) => describe_repo(r),
        Scope::Rpc(r) => describe_rpc(r),
        Scope::Space(s) => describe_space(&space_preview(s, None)),
        other => format!("use {other}"),
    }
}

/// What a `space:` scope allows, with the declared collections `declared` filled in for a grant
/// naming none (`None`: the type has no declaration in the catalog).
fn space_preview(space: &SpaceScope, declared: Option<Vec<String>>) -> SpacePreview {
    let mut warnings = Vec::new();
    if space.space_type == NsidPattern::Any {
        warnings.push(
            "it reaches spaces of every type, including types that do not exist yet".to_owned(),
        );
    }
    if space.authority == SpaceAuthority::Any {
        warnings.push("it reaches the spaces of every account, not only yours".to_owned());
    }
    let bare = space.collections.is_empty();
    let concrete = matches!(space.space_type, NsidPattern::Nsid(_));
    let (write_collections, collections_declared) = match (bare && concrete, declared) {
        (true, Some(declared)) => (declared, true),
        (true, None) => {
            warnings.push(format!(
                "the space type `{}` has no declaration here: the authorization server refuses to issue the token",
                space.space_type.as_str()
            ));
            (Vec::new(), false)
        }
        _ => {
            let mut listed: Vec<String> = space
                .collections
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect();
            listed.sort();
            (listed, false)
        }
    };
    let write_actions = RepoAction::ALL
        .iter()
        .filter(|a| space.actions.contains(&SpaceAction::of_write(**a)))
        .map(|a| a.as_str())
        .collect();
    let read = if space.actions.contains(&SpaceAction::Read) {
        Some("all")
    } else if space.actions.contains(&SpaceAction::ReadSelf) {
        Some("own")
    } else {
        None
    };
    SpacePreview {
        space_type: space.space_type.as_str().to_owned(),
        name: None,
        name_lang: None,
        authority: match &space.authority {
            SpaceAuthority::SelfUser => "your own".to_owned(),
            SpaceAuthority::Any => "anyone's".to_owned(),
            SpaceAuthority::Did(did) => format!("{did}'s"),
        },
        skey: match &space.skey {
            SpaceKey::Any => None,
            SpaceKey::Key(key) => Some(key.clone()),
        },
        read,
        write_actions,
        write_collections,
        collections_declared,
        manage: space.manage.iter().map(|m| m.as_str()).collect(),
        warnings,
    }
}

/// A space grant in plain words: where, then what may be read, written and managed.
pub fn describe_space(space: &SpacePreview) -> String {
    let kind = match (&space.name, space.space_type.as_str()) {
        (_, "*") => "spaces of any type".to_owned(),
        (Some(name), t) => format!("{name} spaces ({t})"),
        (None, t) => format!("{t} spaces"),
    };
    let mut place = format!("in {} {kind}", space.authority);
    if let Some(key) = &space.skey {
        place.push_str(&format!(" with key {key}"));
    }
    let mut parts = Vec::new();
    match space.read {
        Some("all") => parts.push("read every record".to_owned()),
        Some(_) => parts.push("read your own records".to_owned()),
        None => {}
    }
    if !space.write_actions.is_empty() && !space.write_collections.is_empty() {
        let collections: Vec<&str> = space.write_collections.iter().map(String::as_str).collect();
        let what = if collections == ["*"] {
            "records of any kind".to_owned()
        } else {
            format!("{} records", join_words(&collections))
        };
        parts.push(format!("{} {what}", join_words(&space.write_actions)));
    }
    if !space.manage.is_empty() {
        parts.push(format!("{} the space itself", join_words(&space.manage)));
    }
    if parts.is_empty() {
        parts.push("nothing".to_owned());
    }
    format!("{place}: {}", parts.join("; "))
}

impl Catalog {
    /// What a consent screen shows for the `space:` grant `space` in language `lang`: the
    /// declaration's name and, for a grant naming no collection, its declared collections.
    pub fn space_preview(&self, space: &SpaceScope, lang: Option<&str>) -> SpacePreview {
        let decl = match &space.space_type {
            NsidPattern::Nsid(t) => self.space_decl(t.as_str()).ok().map(|(_, d)| d),
            NsidPattern::Any => None,
        };
        let declared = decl.map(|d| {
            let mut collections: Vec<String> = d
                .collections
                .iter()
                .flat_map(|list| &list.value)
                .map(|c| c.value.clone())
                .collect();
            collections.sort();
            collections.dedup();
            collections
        });
        let mut preview = space_preview(space, declared);
        if let Some(decl) = decl {
            (preview.name, preview.name_lang) =
                localized(decl.name.as_ref(), decl.name_lang.as_ref(), lang);
        }
        preview
    }

    /// The consent-screen preview of the `include:` scope `input` in language `lang`.
    pub fn preview(&self, input: &str, lang: Option<&str>) -> Result<Preview, ExpandError> {
        let include = parse_include_with(input, self.reference())?;
        let expansion = self.expand(&include)?;
        let set = expansion.schema;
        let (title, title_lang) = localized(set.title.as_ref(), set.title_lang.as_ref(), lang);
        let (detail, detail_lang) = localized(set.detail.as_ref(), set.detail_lang.as_ref(), lang);
        Ok(Preview {
            include: Scope::Include(include.clone()).to_string(),
            nsid: include.nsid.as_str().to_owned(),
            requested_lang: lang.map(str::to_owned),
            title,
            title_lang,
            detail,
            detail_lang,
            permissions: expansion
                .granted
                .iter()
                .map(|g| {
                    let space = match &g.scope {
                        Scope::Space(s) => Some(self.space_preview(s, lang)),
                        _ => None,
                    };
                    PreviewPermission {
                        text: space
                            .as_ref()
                            .map_or_else(|| describe(&g.scope), describe_space),
                        scope: g.scope.to_string(),
                        entry_index: g.entry_index,
                        space,
                    }
                })
                .collect(),
            dropped: expansion.dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lexperm_parser::diagnostics::FileId;

    const SET: &str = r#"{"lexicon": 1, "id": "com.example.authFull", "defs": {"main": {
      "type": "permission-set", "title": "Full", "detail": "Everything",
      "title:lang": {"pt": "Completo", "zh-Hant": "完整"},
      "detail:lang": {"PT-br": "Tudo (BR)"},
      "permissions": [
        {"type": "permission", "resource": "rpc", "inheritAud": true, "lxm": ["com.example.getFeed", "com.example.getPost"]},
        {"type": "permission", "resource": "rpc", "aud": "*", "lxm": ["com.example.getA", "com.example.getB", "com.example.getC"]},
        {"type": "permission", "resource": "repo", "collection": ["com.example.post"], "action": ["create"]}]}}}"#;

    fn catalog() -> Catalog {
        Catalog::load([(FileId(0), "set.json", SET)]).0
    }

    #[test]
    fn language_fallback() {
        let c = catalog();
        let p = c
            .preview("include:com.example.authFull", Some("pt-BR"))
            .unwrap();
        assert_eq!(p.title.as_deref(), Some("Completo"));
        assert_eq!(p.title_lang.as_deref(), Some("pt"));
        assert_eq!(p.detail.as_deref(), Some("Tudo (BR)"));
        let p = c
            .preview("include:com.example.authFull", Some("zh-Hant-TW"))
            .unwrap();
        assert_eq!(p.title.as_deref(), Some("完整"));
        let p = c
            .preview("include:com.example.authFull", Some("de-DE"))
            .unwrap();
        assert_eq!(p.title.as_deref(), Some("Full"));
        assert_eq!(p.title_lang, None);
        assert_eq!(p.detail.as_deref(), Some("Everything"));
        let p = c.preview("include:com.example.authFull", None).unwrap();
        assert_eq!(p.title.as_deref(), Some("Full"));
    }

    #[test]
    fn plain_words() {
        let p = catalog()
            .preview(
                "include:com.example.authFull?aud=did:web:api.example.com%23svc",
                None,
            )
            .unwrap();
        let texts: Vec<&str> = p.permissions.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "call com.example.getFeed and com.example.getPost on did:web:api.example.com#svc",
                "call com.example.getA, com.example.getB and com.example.getC on any service",
                "create your com.example.post records",
            ]
        );
        let p = catalog()
            .preview("include:com.example.authFull", None)
            .unwrap();
        assert_eq!(p.permissions.len(), 2);
        assert_eq!(p.dropped[0].code(), "inherit-aud-without-include-aud");
    }

    const SPACE_SET: &str = r#"{"lexicon": 1, "id": "com.example.authBoard", "defs": {"main": {
      "type": "permission-set", "title": "Boards", "permissions": [
        {"type": "permission", "resource": "space", "spaceType": "com.example.board", "authority": "*",
         "skey": "self", "collection": ["com.example.note"], "action": ["read", "create"], "manage": ["update"]},
        {"type": "permission", "resource": "space", "spaceType": "com.example.board", "action": ["read_self", "delete"]},
        {"type": "permission", "resource": "space", "spaceType": "com.example.wall", "authority": "did:plc:abc"}]}}}"#;
    const BOARD: &str = r#"{"lexicon": 1, "id": "com.example.board", "defs": {"main": {
      "type": "space", "key": "literal:self", "name": "Board", "name:lang": {"pt": "Quadro"},
      "collections": ["com.example.pin", "com.example.note"]}}}"#;

    #[test]
    fn space_grants_name_the_declaration_and_warn() {
        let (catalog, _) = Catalog::load([
            (FileId(0), "set.json", SPACE_SET),
            (FileId(1), "board.json", BOARD),
        ]);
        let p = catalog
            .preview("include:com.example.authBoard", Some("pt-BR"))
            .unwrap();
        let texts: Vec<&str> = p.permissions.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "in anyone's Quadro spaces (com.example.board) with key self: read every record; create com.example.note records; update the space itself",
                "in your own Quadro spaces (com.example.board): read your own records; delete com.example.note and com.example.pin records",
                "in did:plc:abc's com.example.wall spaces: read every record",
            ]
        );
        let first = p.permissions[0].space.as_ref().unwrap();
        assert_eq!(first.name_lang.as_deref(), Some("pt"));
        assert_eq!(first.warnings.len(), 1);
        assert!(first.warnings[0].contains("every account"));
        let second = p.permissions[1].space.as_ref().unwrap();
        assert!(second.collections_declared);
        assert!(second.warnings.is_empty());
        let third = p.permissions[2].space.as_ref().unwrap();
        assert!(
            third.warnings[0].contains("refuses to issue"),
            "{:?}",
            third.warnings
        );
        let any = describe(&Scope::parse("space:*?authority=*&action=read").unwrap());
        assert_eq!(any, "in anyone's spaces of any type: read every record");
        let Scope::Space(any) = Scope::parse("space:*?authority=*&action=read").unwrap() else {
            unreachable!()
        };
        assert_eq!(catalog.space_preview(&any, None).warnings.len(), 2);
    }
}
