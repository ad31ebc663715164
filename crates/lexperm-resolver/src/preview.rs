//! What a consent screen shows for an `include:` scope: the set's title and detail in the user's
//! language, and every granted permission in plain words.
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
use lexperm_parser::scope::{Audience, RepoScope, RpcScope, Scope};

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

/// A granted scope in plain words (only `repo` and `rpc` come out of a set; others are named).
pub fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Repo(r) => describe_repo(r),
        Scope::Rpc(r) => describe_rpc(r),
        other => format!("use {other}"),
    }
}

impl Catalog {
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
                .map(|g| PreviewPermission {
                    text: describe(&g.scope),
                    scope: g.scope.to_string(),
                    entry_index: g.entry_index,
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
}
