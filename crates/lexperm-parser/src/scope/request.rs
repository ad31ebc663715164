//! A request to check against granted scopes (what a resource server asks).

use std::fmt;

use super::canonical::{self, SpaceParts, Values};
use super::space::bits;
use super::tokenize::{format_scope, StringSyntax};
use super::{
    AccountAction, AccountAttr, IdentityAttr, Reference, RepoAction, SpaceAction, SpaceManageOp,
    SpaceOp,
};

/// One permission request, as the reference `ScopePermissions.allows*` receive them. Values are
/// not validated beyond their shape (the reference does not validate them either): a request for
/// collection `not-an-nsid` is still matched by `repo:*`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScopeRequest {
    /// Write `collection` with `action`.
    Repo {
        /// Collection NSID (unvalidated).
        collection: String,
        /// Action.
        action: RepoAction,
    },
    /// Call `lxm` at `aud` (`did#service` form).
    Rpc {
        /// Method NSID (unvalidated).
        lxm: String,
        /// Audience (`did:web:host#svc`; a bare DID only matches `aud=*`).
        aud: String,
    },
    /// Upload a blob of type `mime`.
    Blob {
        /// MIME type (must be concrete to match anything).
        mime: String,
    },
    /// Read or manage an account attribute.
    Account {
        /// Attribute.
        attr: AccountAttr,
        /// Action.
        action: AccountAction,
    },
    /// Control an identity attribute.
    Identity {
        /// Attribute.
        attr: IdentityAttr,
    },
    /// An operation in the space `(space_type, authority, skey)`.
    Space {
        /// Space type NSID (unvalidated).
        space_type: String,
        /// The space owner's DID (unvalidated; `self` is not resolved and matches only `*`).
        authority: String,
        /// Space key (unvalidated).
        skey: String,
        /// The operation.
        op: SpaceOp,
    },
}

/// Why a request string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeRequestError {
    /// What is wrong, with the expected form.
    pub message: String,
}

impl fmt::Display for ScopeRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScopeRequestError {}

const FORMS: &str = "expected one of `repo:<collection>?action=<create|update|delete>`, \
`rpc:<lxm>?aud=<did#svc>`, `blob:<mime>`, `account:<attr>?action=<read|manage>`, `identity:<attr>`, \
`space:<type>?authority=<did>&skey=<skey>&action=<read|read_self|create|update|delete>[&collection=<nsid>]`, \
`space:<type>?authority=<did>&skey=<skey>&manage=<create|update|delete>`";

impl ScopeRequest {
    /// Reads a request written like a scope: `repo:<collection>?action=<create|update|delete>`,
    /// `rpc:<lxm>?aud=<did#svc>`, `blob:<mime>`, `account:<attr>[?action=<read|manage>]`
    /// (default `read`), `identity:<attr>`,
    /// `space:<type>?authority=<did>&skey=<skey>&action=<read|read_self|create|update|delete>`
    /// (with `&collection=<nsid>` for `create`, `update`, `delete`) or
    /// `space:<type>?authority=<did>&skey=<skey>&manage=<create|update|delete>`. Values are
    /// decoded like scope strings.
    pub fn parse(input: &str) -> Result<ScopeRequest, ScopeRequestError> {
        ScopeRequest::parse_with(input, Reference::default())
    }

    /// [`ScopeRequest::parse`] following `reference` (`space:` requests need
    /// [`Reference::PermissionedData`]).
    pub fn parse_with(
        input: &str,
        reference: Reference,
    ) -> Result<ScopeRequest, ScopeRequestError> {
        let fail = |what: String| ScopeRequestError {
            message: format!("invalid request `{input}`: {what}; {FORMS}"),
        };
        if super::StaticScope::from_name(input).is_some() {
            return Err(fail(format!(
                "`{input}` is a scope, not a request (scopes go in `--granted`; a request names one operation)"
            )));
        }
        let syntax = StringSyntax::parse(input).map_err(|e| fail(e.message))?;
        match syntax.prefix {
            "repo" | "rpc" | "blob" | "account" | "identity" | "space" => {}
            "include" => {
                return Err(fail(
                    "an `include:` scope is granted, not requested (put it in `--granted`)"
                        .to_owned(),
                ))
            }
            other => return Err(fail(format!("unknown request kind `{other}`"))),
        }
        let positional = match &syntax.positional {
            Some((value, _)) if !value.is_empty() => value.to_string(),
            _ => {
                return Err(fail(format!(
                    "missing the value after `{}:`",
                    syntax.prefix
                )))
            }
        };
        if syntax.prefix == "space" && !reference.knows(super::Resource::Space) {
            return Err(fail(format!(
                "the {reference} reference has no `space` resource"
            )));
        }
        let mut action: Option<String> = None;
        let mut aud: Option<String> = None;
        let [mut authority, mut skey, mut collection, mut manage] = [None, None, None, None];
        for p in &syntax.params {
            let slot = match (syntax.prefix, p.name.as_ref()) {
                ("repo" | "account" | "space", "action") => &mut action,
                ("rpc", "aud") => &mut aud,
                ("space", "authority") => &mut authority,
                ("space", "skey") => &mut skey,
                ("space", "collection") => &mut collection,
                ("space", "manage") => &mut manage,
                (_, name) => return Err(fail(format!("unexpected parameter `{name}`"))),
            };
            if slot.is_some() {
                return Err(fail(format!("parameter `{}` given twice", p.name)));
            }
            *slot = Some(p.value.to_string());
        }
        match syntax.prefix {
            "repo" => {
                let action = action.ok_or_else(|| fail("`repo` needs `?action=`".to_owned()))?;
                let action = RepoAction::from_name(&action)
                    .ok_or_else(|| fail(format!("unknown repo action `{action}`")))?;
                Ok(ScopeRequest::Repo {
                    collection: positional,
                    action,
                })
            }
            "rpc" => {
                let aud = aud.ok_or_else(|| fail("`rpc` needs `?aud=`".to_owned()))?;
                Ok(ScopeRequest::Rpc {
                    lxm: positional,
                    aud,
                })
            }
            "blob" => Ok(ScopeRequest::Blob { mime: positional }),
            "account" => {
                let attr = AccountAttr::from_name(&positional)
                    .ok_or_else(|| fail(format!("unknown account attribute `{positional}`")))?;
                let action = match action {
                    None => AccountAction::Read,
                    Some(a) => AccountAction::from_name(&a)
                        .ok_or_else(|| fail(format!("unknown account action `{a}`")))?,
                };
                Ok(ScopeRequest::Account { attr, action })
            }
            "identity" => {
                let attr = IdentityAttr::from_name(&positional)
                    .ok_or_else(|| fail(format!("unknown identity attribute `{positional}`")))?;
                Ok(ScopeRequest::Identity { attr })
            }
            "space" => {
                let need = |name: &str, value: Option<String>| {
                    value.ok_or_else(|| fail(format!("`space` needs `{name}=`")))
                };
                let authority = need("authority", authority)?;
                let skey = need("skey", skey)?;
                let op =
                    match (action, manage) {
                        (Some(_), Some(_)) => {
                            return Err(fail(
                                "give either `action=` or `manage=`, not both".to_owned(),
                            ))
                        }
                        (None, None) => {
                            return Err(fail("`space` needs `action=` or `manage=`".to_owned()))
                        }
                        (None, Some(m)) => {
                            if collection.is_some() {
                                return Err(fail("`manage=` takes no `collection=`".to_owned()));
                            }
                            SpaceOp::Manage(SpaceManageOp::from_name(&m).ok_or_else(|| {
                                fail(format!("unknown space manage operation `{m}`"))
                            })?)
                        }
                        (Some(a), None) => {
                            let action = SpaceAction::from_name(&a)
                                .ok_or_else(|| fail(format!("unknown space action `{a}`")))?;
                            space_op(action, collection).map_err(fail)?
                        }
                    };
                Ok(ScopeRequest::Space {
                    space_type: positional,
                    authority,
                    skey,
                    op,
                })
            }
            other => Err(fail(format!("unknown resource `{other}`"))),
        }
    }

    /// The minimal scope that would grant this request, as the reference prints it in
    /// `ScopeMissingError` (`scopeNeededFor`).
    pub fn scope_needed(&self) -> String {
        match self {
            ScopeRequest::Repo { collection, action } => {
                // `[action]` never equals the default `[create, update, delete]`.
                format_scope("repo", Some(collection), &[("action", action.as_str())])
            }
            ScopeRequest::Rpc { lxm, aud } => format_scope("rpc", Some(lxm), &[("aud", aud)]),
            ScopeRequest::Blob { mime } => {
                let accept = if mime == "*/*" {
                    "*/*".to_owned()
                } else {
                    mime.to_lowercase()
                };
                format_scope("blob", Some(&accept), &[])
            }
            ScopeRequest::Account { attr, action } => match action {
                AccountAction::Read => format_scope("account", Some(attr.as_str()), &[]),
                AccountAction::Manage => {
                    format_scope("account", Some(attr.as_str()), &[("action", "manage")])
                }
            },
            ScopeRequest::Identity { attr } => format_scope("identity", Some(attr.as_str()), &[]),
            ScopeRequest::Space {
                space_type,
                authority,
                skey,
                op,
            } => {
                // Management is paired with `read_self`, the narrowest action, since leaving
                // `action` out would mean the four default actions.
                let (collection, action, manage) = match op {
                    SpaceOp::Read => (None, SpaceAction::Read, None),
                    SpaceOp::ReadSelf => (None, SpaceAction::ReadSelf, None),
                    SpaceOp::Write { action, collection } => (
                        Some(collection.as_str()),
                        SpaceAction::of_write(*action),
                        None,
                    ),
                    SpaceOp::Manage(m) => (None, SpaceAction::ReadSelf, Some(*m)),
                };
                let mut collections: Values<'_> = collection.into_iter().collect();
                let mut out = String::with_capacity(64);
                canonical::write_space(
                    &mut out,
                    &SpaceParts {
                        space_type,
                        authority,
                        skey,
                        actions: bits(SpaceAction::ALL, &[action]),
                        manage: bits(SpaceManageOp::ALL, manage.as_slice()),
                    },
                    &mut collections[..],
                );
                out
            }
        }
    }
}

/// The operation of a space request with `action=`: reads take no collection, writes need one.
fn space_op(action: SpaceAction, collection: Option<String>) -> Result<SpaceOp, String> {
    let write = match action {
        SpaceAction::Read | SpaceAction::ReadSelf => {
            if collection.is_some() {
                return Err(format!("`action={action}` takes no `collection=`"));
            }
            return Ok(if action == SpaceAction::Read {
                SpaceOp::Read
            } else {
                SpaceOp::ReadSelf
            });
        }
        SpaceAction::Create => RepoAction::Create,
        SpaceAction::Update => RepoAction::Update,
        SpaceAction::Delete => RepoAction::Delete,
    };
    let collection =
        collection.ok_or_else(|| format!("`action={action}` needs `collection=<nsid>`"))?;
    Ok(SpaceOp::Write {
        action: write,
        collection,
    })
}

impl std::str::FromStr for ScopeRequest {
    type Err = ScopeRequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ScopeRequest::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(input: &str) -> String {
        ScopeRequest::parse(input).unwrap_err().message
    }

    #[test]
    fn scopes_and_unknown_kinds_are_named_as_such() {
        for scope in ["atproto", "transition:generic"] {
            let message = error(scope);
            assert!(
                message.starts_with(&format!(
                    "invalid request `{scope}`: `{scope}` is a scope, not a request"
                )),
                "{message}"
            );
            assert!(message.contains("`repo:<collection>?action="), "{message}");
        }
        assert!(error("include:com.example.authAll").contains("granted, not requested"));
        assert!(error("email").contains("unknown request kind `email`"));
        assert!(error("repo:").contains("missing the value after `repo:`"));
        assert!(error("blob").contains("missing the value after `blob:`"));
    }
}
