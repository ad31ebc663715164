//! Per-resource parameter tables (permissions.md §1.3) and the one generic parser that both scope
//! strings and permission-set entries go through (`Parser.parse` in the reference).

use std::ops::Range;

use super::include::EntryValue;
use super::space::{self, SpaceAction, SpaceAuthority, SpaceKey, SpaceManageOp};
use super::tokenize::StringSyntax;
use super::{
    AccountAction, AccountAttr, AccountScope, Audience, BlobScope, IdentityAttr, IdentityScope,
    IncludeScope, NsidPattern, RepoAction, RepoScope, Resource, RpcScope, Scope, ScopeError,
    ScopeErrorKind,
};
use crate::syntax::{
    AcceptPattern, AcceptProblem, DidRefProblem, DidServiceRef, Nsid, NsidProblem, SyntaxError,
    SyntaxReason,
};

/// A validated parameter value.
#[derive(Debug, Clone)]
pub(crate) enum ParamValue {
    Pattern(NsidPattern),
    RepoAction(RepoAction),
    Audience(Audience),
    Accept(AcceptPattern),
    AccountAttr(AccountAttr),
    AccountAction(AccountAction),
    IdentityAttr(IdentityAttr),
    Nsid(Nsid),
    DidRef(DidServiceRef),
    SpaceAuthority(SpaceAuthority),
    SpaceKey(SpaceKey),
    SpaceAction(SpaceAction),
    SpaceManage(SpaceManageOp),
}

/// Why one value failed validation.
pub(crate) struct ValueError {
    pub kind: ScopeErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl ValueError {
    pub(crate) fn from_syntax(err: SyntaxError) -> Self {
        let kind = match err.reason {
            SyntaxReason::Nsid(NsidProblem::PartialWildcard)
            | SyntaxReason::AcceptPattern(AcceptProblem::PartialWildcard) => {
                ScopeErrorKind::PartialWildcard
            }
            SyntaxReason::DidServiceRef(
                DidRefProblem::NoFragment | DidRefProblem::EmptyFragment,
            ) => ScopeErrorKind::AudMissingFragment,
            _ => ScopeErrorKind::InvalidValue,
        };
        ValueError {
            kind,
            message: err.message,
            hint: err.hint,
        }
    }

    fn one_of(allowed: &[&str]) -> Self {
        ValueError::one_of_names(allowed.iter().copied())
    }

    /// "not an allowed value", with the allowed names as the hint.
    pub(crate) fn one_of_names<'n>(allowed: impl Iterator<Item = &'n str>) -> Self {
        let list: Vec<String> = allowed.map(|a| format!("`{a}`")).collect();
        ValueError {
            kind: ScopeErrorKind::InvalidValue,
            message: "not an allowed value".to_owned(),
            hint: Some(format!("use one of {}", list.join(", "))),
        }
    }

    /// `hint` when the error has none.
    pub(crate) fn or_hint(mut self, hint: &str) -> Self {
        if self.hint.is_none() {
            self.hint = Some(hint.to_owned());
        }
        self
    }
}

type Convert = fn(&str) -> Result<ParamValue, ValueError>;

/// One row of a parameter table.
pub(crate) struct ParamSpec {
    pub name: &'static str,
    pub multiple: bool,
    pub required: bool,
    pub convert: Convert,
    /// `convert(v).is_ok()` without building a value or an error.
    pub validate: fn(&str) -> bool,
}

/// The parameter table of one resource.
pub(crate) struct ResourceSpec {
    pub resource: Resource,
    /// Name of the parameter the positional part fills.
    pub positional: &'static str,
    pub params: &'static [ParamSpec],
}

fn nsid_pattern(v: &str) -> Result<ParamValue, ValueError> {
    if v == "*" {
        return Ok(ParamValue::Pattern(NsidPattern::Any));
    }
    Nsid::parse(v)
        .map(|n| ParamValue::Pattern(NsidPattern::Nsid(n)))
        .map_err(ValueError::from_syntax)
}

fn repo_action(v: &str) -> Result<ParamValue, ValueError> {
    RepoAction::from_name(v)
        .map(ParamValue::RepoAction)
        .ok_or_else(|| ValueError::one_of(&["create", "update", "delete"]))
}

fn rpc_aud(v: &str) -> Result<ParamValue, ValueError> {
    if v == "*" {
        return Ok(ParamValue::Audience(Audience::Any));
    }
    DidServiceRef::parse(v)
        .map(|d| ParamValue::Audience(Audience::Service(d)))
        .map_err(ValueError::from_syntax)
}

fn accept(v: &str) -> Result<ParamValue, ValueError> {
    AcceptPattern::parse(v)
        .map(ParamValue::Accept)
        .map_err(ValueError::from_syntax)
}

fn account_attr(v: &str) -> Result<ParamValue, ValueError> {
    AccountAttr::from_name(v)
        .map(ParamValue::AccountAttr)
        .ok_or_else(|| ValueError::one_of(&["email", "repo", "status"]))
}

fn account_action(v: &str) -> Result<ParamValue, ValueError> {
    AccountAction::from_name(v)
        .map(ParamValue::AccountAction)
        .ok_or_else(|| ValueError::one_of(&["read", "manage"]))
}

fn identity_attr(v: &str) -> Result<ParamValue, ValueError> {
    IdentityAttr::from_name(v)
        .map(ParamValue::IdentityAttr)
        .ok_or_else(|| ValueError::one_of(&["handle", "*"]))
}

fn include_nsid(v: &str) -> Result<ParamValue, ValueError> {
    Nsid::parse(v)
        .map(ParamValue::Nsid)
        .map_err(ValueError::from_syntax)
}

fn include_aud(v: &str) -> Result<ParamValue, ValueError> {
    if v == "*" {
        return Err(ValueError {
            kind: ScopeErrorKind::IncludeAudWildcard,
            message: "`include` does not accept `aud=*` (reference behaviour, atproto#4490)"
                .to_owned(),
            hint: Some(
                "name the service, e.g. `aud=did:web:api.example.com%23svc`, or drop aud"
                    .to_owned(),
            ),
        });
    }
    DidServiceRef::parse(v)
        .map(ParamValue::DidRef)
        .map_err(ValueError::from_syntax)
}

fn valid_nsid_pattern(v: &str) -> bool {
    v == "*" || Nsid::is_valid(v)
}

fn valid_repo_action(v: &str) -> bool {
    RepoAction::from_name(v).is_some()
}

fn valid_rpc_aud(v: &str) -> bool {
    v == "*" || DidServiceRef::is_valid(v)
}

fn valid_accept(v: &str) -> bool {
    AcceptPattern::is_valid(v)
}

fn valid_account_attr(v: &str) -> bool {
    AccountAttr::from_name(v).is_some()
}

fn valid_account_action(v: &str) -> bool {
    AccountAction::from_name(v).is_some()
}

fn valid_identity_attr(v: &str) -> bool {
    IdentityAttr::from_name(v).is_some()
}

fn valid_include_nsid(v: &str) -> bool {
    Nsid::is_valid(v)
}

fn valid_include_aud(v: &str) -> bool {
    v != "*" && DidServiceRef::is_valid(v)
}

/// `repo`: `collection` (positional, multi, required), `action` (multi, default all).
pub(crate) static REPO: ResourceSpec = ResourceSpec {
    resource: Resource::Repo,
    positional: "collection",
    params: &[
        ParamSpec {
            name: "collection",
            multiple: true,
            required: true,
            convert: nsid_pattern,
            validate: valid_nsid_pattern,
        },
        ParamSpec {
            name: "action",
            multiple: true,
            required: false,
            convert: repo_action,
            validate: valid_repo_action,
        },
    ],
};

/// `rpc`: `lxm` (positional, multi, required), `aud` (single, required).
pub(crate) static RPC: ResourceSpec = ResourceSpec {
    resource: Resource::Rpc,
    positional: "lxm",
    params: &[
        ParamSpec {
            name: "lxm",
            multiple: true,
            required: true,
            convert: nsid_pattern,
            validate: valid_nsid_pattern,
        },
        ParamSpec {
            name: "aud",
            multiple: false,
            required: true,
            convert: rpc_aud,
            validate: valid_rpc_aud,
        },
    ],
};

/// `blob`: `accept` (positional, multi, required).
pub(crate) static BLOB: ResourceSpec = ResourceSpec {
    resource: Resource::Blob,
    positional: "accept",
    params: &[ParamSpec {
        name: "accept",
        multiple: true,
        required: true,
        convert: accept,
        validate: valid_accept,
    }],
};

/// `account`: `attr` (positional, single, required), `action` (multi, default `[read]`).
pub(crate) static ACCOUNT: ResourceSpec = ResourceSpec {
    resource: Resource::Account,
    positional: "attr",
    params: &[
        ParamSpec {
            name: "attr",
            multiple: false,
            required: true,
            convert: account_attr,
            validate: valid_account_attr,
        },
        ParamSpec {
            name: "action",
            multiple: true,
            required: false,
            convert: account_action,
            validate: valid_account_action,
        },
    ],
};

/// `identity`: `attr` (positional, single, required).
pub(crate) static IDENTITY: ResourceSpec = ResourceSpec {
    resource: Resource::Identity,
    positional: "attr",
    params: &[ParamSpec {
        name: "attr",
        multiple: false,
        required: true,
        convert: identity_attr,
        validate: valid_identity_attr,
    }],
};

/// `include`: `nsid` (positional, single, required), `aud` (single, optional, no `*`).
pub(crate) static INCLUDE: ResourceSpec = ResourceSpec {
    resource: Resource::Include,
    positional: "nsid",
    params: &[
        ParamSpec {
            name: "nsid",
            multiple: false,
            required: true,
            convert: include_nsid,
            validate: valid_include_nsid,
        },
        ParamSpec {
            name: "aud",
            multiple: false,
            required: false,
            convert: include_aud,
            validate: valid_include_aud,
        },
    ],
};

/// `space`: `type` (positional, single, required), `authority` (single, default `self`), `skey`
/// (single, default `*`), `collection` (multi, default none), `action` (multi, default `read`,
/// `create`, `update`, `delete`), `manage` (multi, default none).
pub(crate) static SPACE: ResourceSpec = ResourceSpec {
    resource: Resource::Space,
    positional: "type",
    params: &[
        ParamSpec {
            name: "type",
            multiple: false,
            required: true,
            convert: space::space_type,
            validate: space::valid_space_type,
        },
        ParamSpec {
            name: "authority",
            multiple: false,
            required: false,
            convert: space::space_authority,
            validate: space::valid_space_authority,
        },
        ParamSpec {
            name: "skey",
            multiple: false,
            required: false,
            convert: space::space_key,
            validate: space::valid_space_key,
        },
        ParamSpec {
            name: "collection",
            multiple: true,
            required: false,
            convert: nsid_pattern,
            validate: valid_nsid_pattern,
        },
        ParamSpec {
            name: "action",
            multiple: true,
            required: false,
            convert: space::space_action,
            validate: space::valid_space_action,
        },
        ParamSpec {
            name: "manage",
            multiple: true,
            required: false,
            convert: space::space_manage,
            validate: space::valid_space_manage,
        },
    ],
};

impl ResourceSpec {
    /// The index of the parameter named `name`.
    #[inline]
    pub(crate) fn index_of(&self, name: &[u8]) -> Option<usize> {
        self.params
            .iter()
            .position(|p| same_bytes(p.name.as_bytes(), name))
    }
}

/// `a == b` for short names, compared in place (a general comparison calls `memcmp`).
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether `param` accepts every valid DID service reference (`DidServiceRef::is_valid`): then
/// a caller that has checked a value as a DID reference in another form need not call
/// `validate` on it. Decided by the validator in the table, so a parameter whose validator
/// changes is no longer covered.
pub(crate) fn accepts_every_did_ref(param: &ParamSpec) -> bool {
    let covering: [fn(&str) -> bool; 2] = [valid_rpc_aud, valid_include_aud];
    covering
        .iter()
        .any(|&covers| std::ptr::fn_addr_eq(param.validate, covers))
}

/// The table for a resource.
pub(crate) fn spec_for(resource: Resource) -> Option<&'static ResourceSpec> {
    match resource {
        Resource::Repo => Some(&REPO),
        Resource::Rpc => Some(&RPC),
        Resource::Blob => Some(&BLOB),
        Resource::Account => Some(&ACCOUNT),
        Resource::Identity => Some(&IDENTITY),
        Resource::Include => Some(&INCLUDE),
        Resource::Space => Some(&SPACE),
    }
}

/// Where a value came from, for error locations.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// A byte range inside a scope string.
    Bytes(Range<usize>),
    /// A field of a permission-set entry (index into its `fields`).
    Field(usize),
}

impl Origin {
    fn range(&self) -> Range<usize> {
        match self {
            Origin::Bytes(r) => r.clone(),
            Origin::Field(_) => 0..0,
        }
    }
}

/// One value as the generic parser sees it.
pub(crate) enum RawValue<'s> {
    Str(&'s str),
    Other(&'s EntryValue),
}

/// What a parameter lookup found.
pub(crate) enum Lookup<'s> {
    Absent,
    /// A multi param given as a single value, or a single param given as many (shape error).
    WrongShape(Origin),
    /// An entry field holding an empty array.
    Empty(Origin),
    Values(Vec<(RawValue<'s>, Origin)>),
}

/// Abstracts `ScopeStringSyntax` and `LexPermissionSyntax` for the generic parser.
pub(crate) trait ParamSource {
    /// Every parameter name present (positional excluded), with its origin.
    fn names(&self) -> Vec<(&str, Origin)>;
    /// The positional value, if any.
    fn positional(&self) -> Option<(&str, Origin)>;
    /// Values of a single-valued param: `Values` holds exactly one value unless repeated.
    fn get(&self, name: &str, multiple: bool) -> Lookup<'_>;
}

impl ParamSource for StringSyntax<'_> {
    fn names(&self) -> Vec<(&str, Origin)> {
        self.params
            .iter()
            .map(|p| (p.name.as_ref(), Origin::Bytes(p.range.clone())))
            .collect()
    }

    fn positional(&self) -> Option<(&str, Origin)> {
        self.positional
            .as_ref()
            .map(|(v, r)| (v.as_ref(), Origin::Bytes(r.clone())))
    }

    fn get(&self, name: &str, _multiple: bool) -> Lookup<'_> {
        let values: Vec<_> = self
            .params
            .iter()
            .filter(|p| p.name == name)
            .map(|p| {
                (
                    RawValue::Str(p.value.as_ref()),
                    Origin::Bytes(p.value_range.clone()),
                )
            })
            .collect();
        if values.is_empty() {
            Lookup::Absent
        } else {
            Lookup::Values(values)
        }
    }
}

/// Suggests the parameter name closest to `name`.
fn suggest(name: &str, spec: &ResourceSpec) -> Option<&'static str> {
    let names = spec.params.iter().map(|p| p.name);
    crate::suggest::closest(name, names.clone(), 1)
        .first()
        .copied()
        .or_else(|| {
            names
                .into_iter()
                .find(|c| name.len() > 2 && (c.starts_with(name) || name.starts_with(c)))
        })
}

fn err(kind: ScopeErrorKind, origin: &Origin, message: String) -> ScopeError {
    let mut e = ScopeError::new(kind, origin.range(), message);
    if let Origin::Field(i) = origin {
        e.field = Some(*i);
    }
    e
}

/// The reference `Parser.parse` + `fromSyntax`: validates `source` against `spec` and builds the
/// typed scope. The first problem found (in the reference's order) is returned.
pub(crate) fn parse_with(
    spec: &ResourceSpec,
    source: &dyn ParamSource,
) -> Result<Scope, ScopeError> {
    let resource = spec.resource.as_str();
    for (name, origin) in source.names() {
        if !spec.params.iter().any(|p| p.name == name) {
            let mut e = err(
                ScopeErrorKind::UnknownParam,
                &origin,
                format!("`{resource}` has no parameter `{name}`"),
            );
            let renamed = match spec.resource {
                Resource::Space => space::renamed_hint(name),
                _ => None,
            };
            e.hint = Some(match (renamed, suggest(name, spec)) {
                (Some(renamed), _) => renamed,
                (None, Some(s)) => format!("did you mean `{s}`? (names are case-sensitive)"),
                (None, None) => {
                    let allowed: Vec<String> = spec
                        .params
                        .iter()
                        .map(|p| format!("`{}`", p.name))
                        .collect();
                    format!("allowed parameters: {}", allowed.join(", "))
                }
            });
            return Err(e);
        }
    }
    let mut values: Vec<Option<Vec<ParamValue>>> = Vec::with_capacity(spec.params.len());
    for param in spec.params {
        let lookup = source.get(param.name, param.multiple);
        let found = match lookup {
            Lookup::WrongShape(origin) => {
                let (kind, message) = if param.multiple {
                    (
                        ScopeErrorKind::ExpectedArray,
                        format!("`{}` must be an array of strings", param.name),
                    )
                } else {
                    (
                        ScopeErrorKind::ExpectedSingle,
                        format!("`{}` takes a single value, not an array", param.name),
                    )
                };
                return Err(err(kind, &origin, message));
            }
            Lookup::Empty(origin) => {
                return Err(err(
                    ScopeErrorKind::EmptyList,
                    &origin,
                    format!("`{}` must list at least one value", param.name),
                ));
            }
            Lookup::Values(found) => Some(found),
            Lookup::Absent => None,
        };
        match found {
            Some(found) => {
                if !param.multiple && found.len() > 1 {
                    let origin = &found[1].1;
                    return Err(err(
                        ScopeErrorKind::RepeatedParam,
                        origin,
                        format!(
                            "`{}` is given more than once but takes a single value",
                            param.name
                        ),
                    )
                    .with_hint("keep one value"));
                }
                if param.name == spec.positional {
                    if let Some((_, pos_origin)) = source.positional() {
                        return Err(err(
                            ScopeErrorKind::PositionalAndNamed,
                            &pos_origin,
                            format!(
                                "`{}` given both positionally and as a parameter",
                                param.name
                            ),
                        )
                        .with_hint(format!(
                            "write either `{resource}:<value>` or `{resource}?{}=<value>`",
                            param.name
                        )));
                    }
                }
                let mut converted = Vec::with_capacity(found.len());
                for (raw, origin) in &found {
                    converted.push(convert_one(param, raw, origin)?);
                }
                values.push(Some(converted));
            }
            None => match source.positional() {
                Some((positional, origin)) if param.name == spec.positional => {
                    let v = convert_one(param, &RawValue::Str(positional), &origin)?;
                    values.push(Some(vec![v]));
                }
                _ if param.required => {
                    let message = if param.name == spec.positional {
                        format!("`{resource}` needs {}", crate::wording::a_code(param.name))
                    } else {
                        format!("`{resource}` needs the `{}` parameter", param.name)
                    };
                    let hint = if param.name == spec.positional {
                        format!("write `{resource}:<{}>`", param.name)
                    } else {
                        format!("add `?{}=<value>`", param.name)
                    };
                    let full = Origin::Bytes(0..0);
                    let mut e = err(ScopeErrorKind::MissingParam, &full, message).with_hint(hint);
                    e.param = Some(param.name);
                    return Err(e);
                }
                _ => values.push(None),
            },
        }
    }
    build(spec.resource, values)
}

fn convert_one(
    param: &ParamSpec,
    raw: &RawValue<'_>,
    origin: &Origin,
) -> Result<ParamValue, ScopeError> {
    convert_inner(param, raw, origin).map_err(|mut e| {
        e.param = Some(param.name);
        e
    })
}

fn convert_inner(
    param: &ParamSpec,
    raw: &RawValue<'_>,
    origin: &Origin,
) -> Result<ParamValue, ScopeError> {
    let text = match raw {
        RawValue::Str(s) => *s,
        RawValue::Other(v) => {
            return Err(err(
                ScopeErrorKind::ExpectedString,
                origin,
                format!(
                    "`{}` values must be strings, found {}",
                    param.name,
                    v.type_name()
                ),
            ));
        }
    };
    (param.convert)(text).map_err(|ve| {
        let mut e = err(
            ve.kind,
            origin,
            format!("`{}` value `{}`: {}", param.name, text, ve.message),
        );
        e.hint = ve.hint;
        e
    })
}

fn build(resource: Resource, values: Vec<Option<Vec<ParamValue>>>) -> Result<Scope, ScopeError> {
    let mut it = values.into_iter();
    let mut next = || it.next().flatten().unwrap_or_default();
    let scope = match resource {
        Resource::Repo => {
            let collections = next()
                .into_iter()
                .filter_map(|v| match v {
                    ParamValue::Pattern(p) => Some(p),
                    _ => None,
                })
                .collect();
            let actions: Vec<RepoAction> = next()
                .into_iter()
                .filter_map(|v| match v {
                    ParamValue::RepoAction(a) => Some(a),
                    _ => None,
                })
                .collect();
            let actions = if actions.is_empty() {
                RepoAction::ALL.to_vec()
            } else {
                actions
            };
            Scope::Repo(RepoScope {
                collections,
                actions,
            })
        }
        Resource::Rpc => {
            let lxms: Vec<NsidPattern> = next()
                .into_iter()
                .filter_map(|v| match v {
                    ParamValue::Pattern(p) => Some(p),
                    _ => None,
                })
                .collect();
            let aud = next().into_iter().find_map(|v| match v {
                ParamValue::Audience(a) => Some(a),
                _ => None,
            });
            let aud = aud.ok_or_else(|| {
                ScopeError::new(
                    ScopeErrorKind::MissingParam,
                    0..0,
                    "`rpc` needs the `aud` parameter",
                )
            })?;
            if aud == Audience::Any && lxms.contains(&NsidPattern::Any) {
                return Err(ScopeError::new(
                    ScopeErrorKind::RpcUnrestricted,
                    0..0,
                    "`rpc` cannot have both `lxm=*` and `aud=*`",
                )
                .with_hint("restrict the method (`rpc:com.example.method?aud=*`) or the audience (`rpc:*?aud=did:web:host%23svc`)"));
            }
            Scope::Rpc(RpcScope { lxms, aud })
        }
        Resource::Blob => Scope::Blob(BlobScope {
            accept: next()
                .into_iter()
                .filter_map(|v| match v {
                    ParamValue::Accept(a) => Some(a),
                    _ => None,
                })
                .collect(),
        }),
        Resource::Account => {
            let attr = next().into_iter().find_map(|v| match v {
                ParamValue::AccountAttr(a) => Some(a),
                _ => None,
            });
            let attr = attr.ok_or_else(|| {
                ScopeError::new(
                    ScopeErrorKind::MissingParam,
                    0..0,
                    "`account` needs an `attr`",
                )
            })?;
            let actions: Vec<AccountAction> = next()
                .into_iter()
                .filter_map(|v| match v {
                    ParamValue::AccountAction(a) => Some(a),
                    _ => None,
                })
                .collect();
            let actions = if actions.is_empty() {
                vec![AccountAction::Read]
            } else {
                actions
            };
            Scope::Account(AccountScope { attr, actions })
        }
        Resource::Identity => {
            let attr = next().into_iter().find_map(|v| match v {
                ParamValue::IdentityAttr(a) => Some(a),
                _ => None,
            });
            let attr = attr.ok_or_else(|| {
                ScopeError::new(
                    ScopeErrorKind::MissingParam,
                    0..0,
                    "`identity` needs an `attr`",
                )
            })?;
            Scope::Identity(IdentityScope { attr })
        }
        Resource::Include => {
            let nsid = next().into_iter().find_map(|v| match v {
                ParamValue::Nsid(n) => Some(n),
                _ => None,
            });
            let nsid = nsid.ok_or_else(|| {
                ScopeError::new(
                    ScopeErrorKind::MissingParam,
                    0..0,
                    "`include` needs an `nsid`",
                )
            })?;
            let aud = next().into_iter().find_map(|v| match v {
                ParamValue::DidRef(d) => Some(d),
                _ => None,
            });
            Scope::Include(IncludeScope { nsid, aud })
        }
        Resource::Space => Scope::Space(space::build(it.collect()).ok_or_else(|| {
            ScopeError::new(ScopeErrorKind::MissingParam, 0..0, "`space` needs a `type`")
        })?),
    };
    Ok(scope)
}
