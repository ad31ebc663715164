//! `space:` scopes (permissioned data): the parsed [`SpaceScope`], its parameter values, matching
//! ([`SpaceScope::matches`]) and the value checks the `space` parameter table uses.
//!
//! ```
//! use lexperm_parser::scope::{Scope, SpaceOp, ScopeSet};
//!
//! let scope = Scope::parse("space:com.example.forum?authority=*&action=read&action=read_self").unwrap();
//! assert_eq!(scope.to_string(), "space:com.example.forum?authority=*&action=read_self&action=read");
//!
//! let set = ScopeSet::parse("atproto space:com.example.forum?authority=*&action=read");
//! assert!(set.allows_space("com.example.forum", "did:plc:abc", "self", &SpaceOp::ReadSelf).is_some());
//! assert!(set.allows_space("com.example.forum", "did:plc:abc", "self", &SpaceOp::Manage(
//!     lexperm_parser::scope::SpaceManageOp::Create)).is_none());
//! ```

use std::fmt;

use super::params::{ParamValue, ValueError};
use super::{NsidPattern, RepoAction};
use crate::syntax::{Did, Nsid, RecordKey};

name_enum!(
    /// A `space` record action (`action=`).
    SpaceAction {
        /// Read the records the user wrote in the space.
        ReadSelf = "read_self",
        /// Read every record of the space (implies `read_self`).
        Read = "read",
        /// Create records.
        Create = "create",
        /// Update records.
        Update = "update",
        /// Delete records.
        Delete = "delete",
    }
);

name_enum!(
    /// A `space` management operation (`manage=`): acting on the space itself.
    SpaceManageOp {
        /// Create the space.
        Create = "create",
        /// Update the space.
        Update = "update",
        /// Delete the space.
        Delete = "delete",
    }
);

impl SpaceAction {
    /// The actions a `space:` scope grants when it names none: `read`, `create`, `update`,
    /// `delete` (`read_self` is implied by `read`).
    pub const DEFAULT: &'static [SpaceAction] = &[
        SpaceAction::Read,
        SpaceAction::Create,
        SpaceAction::Update,
        SpaceAction::Delete,
    ];

    /// The record action of a write (`create`, `update`, `delete`).
    pub fn of_write(action: RepoAction) -> SpaceAction {
        match action {
            RepoAction::Create => SpaceAction::Create,
            RepoAction::Update => SpaceAction::Update,
            RepoAction::Delete => SpaceAction::Delete,
        }
    }
}

/// The `authority` of a `space:` scope: whose spaces it reaches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpaceAuthority {
    /// `self` (the default): the user granting the token. The authorization server replaces it
    /// with the user's DID when it issues the token; until then it matches nothing.
    SelfUser,
    /// `*`: spaces of any authority.
    Any,
    /// One DID, as written (case kept).
    Did(String),
}

impl SpaceAuthority {
    /// The text as written (`self`, `*` or the DID).
    pub fn as_str(&self) -> &str {
        match self {
            SpaceAuthority::SelfUser => "self",
            SpaceAuthority::Any => "*",
            SpaceAuthority::Did(did) => did,
        }
    }
}

/// The `skey` of a `space:` scope: which space of the type and authority.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpaceKey {
    /// `*` (the default): every space key.
    Any,
    /// One space key (record-key syntax).
    Key(String),
}

impl SpaceKey {
    /// The text as written (`*` or the key).
    pub fn as_str(&self) -> &str {
        match self {
            SpaceKey::Any => "*",
            SpaceKey::Key(key) => key,
        }
    }
}

/// `space:<type>[?authority=…][&skey=…][&collection=…][&action=…][&manage=…]`. Values are kept as
/// parsed, defaults filled in; the canonical form sorts, de-duplicates and leaves defaults out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SpaceScope {
    /// The space type: `*` or an NSID.
    pub space_type: NsidPattern,
    /// Whose spaces (`self` when not given).
    pub authority: SpaceAuthority,
    /// Which space (`*` when not given).
    pub skey: SpaceKey,
    /// The collections records may be written to (empty when not given: no writes until the
    /// authorization server fills in the space type's declared collections).
    pub collections: Vec<NsidPattern>,
    /// Record actions ([`SpaceAction::DEFAULT`] when not given).
    pub actions: Vec<SpaceAction>,
    /// Management operations (none when not given).
    pub manage: Vec<SpaceManageOp>,
}

/// One operation on a space, as a resource server asks for it (`SpacePermissionMatch`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SpaceOp {
    /// Read every record (needs `read`).
    Read,
    /// Read the user's own records (needs `read` or `read_self`).
    ReadSelf,
    /// Create, update or delete a record of `collection` (needs the action, and the collection
    /// or `*` listed).
    Write {
        /// The record action.
        action: RepoAction,
        /// The collection written to (not validated, like the reference).
        collection: String,
    },
    /// Create, update or delete the space itself (needs the operation in `manage`).
    Manage(SpaceManageOp),
}

impl fmt::Display for SpaceOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpaceOp::Read => f.write_str("read"),
            SpaceOp::ReadSelf => f.write_str("read_self"),
            SpaceOp::Write { action, collection } => write!(f, "{action} {collection}"),
            SpaceOp::Manage(op) => write!(f, "manage {op}"),
        }
    }
}

impl SpaceScope {
    /// `SpacePermission.matches`: type, authority and skey each equal the request's or are `*`
    /// (`self` matches nothing: the request names a concrete DID), then the operation:
    /// reads ignore collections and `read` implies `read_self`; writes need the action and the
    /// collection (or `*`) listed; management needs the operation in `manage`.
    pub fn matches(&self, space_type: &str, authority: &str, skey: &str, op: &SpaceOp) -> bool {
        let type_ok = match &self.space_type {
            NsidPattern::Any => true,
            NsidPattern::Nsid(n) => n.as_str() == space_type,
        };
        let authority_ok = match &self.authority {
            SpaceAuthority::Any => true,
            SpaceAuthority::Did(did) => did == authority,
            SpaceAuthority::SelfUser => false,
        };
        let skey_ok = match &self.skey {
            SpaceKey::Any => true,
            SpaceKey::Key(key) => key == skey,
        };
        if !(type_ok && authority_ok && skey_ok) {
            return false;
        }
        match op {
            SpaceOp::Manage(m) => self.manage.contains(m),
            SpaceOp::Read => self.actions.contains(&SpaceAction::Read),
            SpaceOp::ReadSelf => {
                self.actions.contains(&SpaceAction::Read)
                    || self.actions.contains(&SpaceAction::ReadSelf)
            }
            SpaceOp::Write { action, collection } => {
                self.actions.contains(&SpaceAction::of_write(*action))
                    && self
                        .collections
                        .iter()
                        .any(|c| matches!(c, NsidPattern::Any) || c.as_str() == collection)
            }
        }
    }
}

/// Parameter names that older drafts used, with the name that replaced them (for hints).
const RENAMED: &[(&str, &str)] = &[("did", "authority"), ("spaceType", "type")];

/// The name that replaced `name`, if an older draft used `name` for a `space` parameter.
pub(crate) fn renamed(name: &str) -> Option<&'static str> {
    RENAMED
        .iter()
        .find(|(old, _)| *old == name)
        .map(|(_, new)| *new)
}

/// The hint for an unknown `space` parameter that an older draft used, if `name` is one.
pub(crate) fn renamed_hint(name: &str) -> Option<String> {
    renamed(name).map(|new| format!("`{name}` is the old name of `{new}`: write `{new}=<value>`"))
}

/// `type`: `*` or an NSID.
pub(crate) fn space_type(v: &str) -> Result<ParamValue, ValueError> {
    if v == "*" {
        return Ok(ParamValue::Pattern(NsidPattern::Any));
    }
    Nsid::parse(v)
        .map(|n| ParamValue::Pattern(NsidPattern::Nsid(n)))
        .map_err(|e| ValueError::from_syntax(e).or_hint("use `*` or a space type NSID"))
}

pub(crate) fn valid_space_type(v: &str) -> bool {
    v == "*" || Nsid::is_valid(v)
}

/// `authority`: `self`, `*` or a DID.
pub(crate) fn space_authority(v: &str) -> Result<ParamValue, ValueError> {
    match v {
        "self" => Ok(ParamValue::SpaceAuthority(SpaceAuthority::SelfUser)),
        "*" => Ok(ParamValue::SpaceAuthority(SpaceAuthority::Any)),
        _ => Did::check(v)
            .map(|()| ParamValue::SpaceAuthority(SpaceAuthority::Did(v.to_owned())))
            .map_err(|e| {
                ValueError::from_syntax(e).or_hint("use `self`, `*` or a DID (`did:plc:…`)")
            }),
    }
}

pub(crate) fn valid_space_authority(v: &str) -> bool {
    v == "self" || v == "*" || Did::is_valid(v)
}

/// `skey`: `*` or a record key.
pub(crate) fn space_key(v: &str) -> Result<ParamValue, ValueError> {
    if v == "*" {
        return Ok(ParamValue::SpaceKey(SpaceKey::Any));
    }
    RecordKey::check(v)
        .map(|()| ParamValue::SpaceKey(SpaceKey::Key(v.to_owned())))
        .map_err(|e| {
            ValueError::from_syntax(e)
                .or_hint("use `*` or a space key (letters, digits and `._:~-`)")
        })
}

pub(crate) fn valid_space_key(v: &str) -> bool {
    v == "*" || RecordKey::is_valid(v)
}

/// `action`: a [`SpaceAction`].
pub(crate) fn space_action(v: &str) -> Result<ParamValue, ValueError> {
    SpaceAction::from_name(v)
        .map(ParamValue::SpaceAction)
        .ok_or_else(|| ValueError::one_of_names(SpaceAction::ALL.iter().map(|a| a.as_str())))
}

pub(crate) fn valid_space_action(v: &str) -> bool {
    SpaceAction::from_name(v).is_some()
}

/// `manage`: a [`SpaceManageOp`].
pub(crate) fn space_manage(v: &str) -> Result<ParamValue, ValueError> {
    SpaceManageOp::from_name(v)
        .map(ParamValue::SpaceManage)
        .ok_or_else(|| ValueError::one_of_names(SpaceManageOp::ALL.iter().map(|a| a.as_str())))
}

pub(crate) fn valid_space_manage(v: &str) -> bool {
    SpaceManageOp::from_name(v).is_some()
}

/// Builds the scope from the validated values of the `space` table, in table order (`type`,
/// `authority`, `skey`, `collection`, `action`, `manage`); `None` when `type` is missing.
pub(crate) fn build(values: Vec<Option<Vec<ParamValue>>>) -> Option<SpaceScope> {
    let mut it = values.into_iter().map(Option::unwrap_or_default);
    let mut next = || it.next().unwrap_or_default().into_iter();
    let space_type = next().find_map(ParamValue::into_pattern)?;
    let authority = next()
        .find_map(|v| v.into_space_authority())
        .unwrap_or(SpaceAuthority::SelfUser);
    let skey = next()
        .find_map(|v| v.into_space_key())
        .unwrap_or(SpaceKey::Any);
    let collections = next().filter_map(ParamValue::into_pattern).collect();
    let actions: Vec<SpaceAction> = next().filter_map(|v| v.into_space_action()).collect();
    let manage = next().filter_map(|v| v.into_space_manage()).collect();
    Some(SpaceScope {
        space_type,
        authority,
        skey,
        collections,
        actions: if actions.is_empty() {
            SpaceAction::DEFAULT.to_vec()
        } else {
            actions
        },
        manage,
    })
}

impl ParamValue {
    fn into_pattern(self) -> Option<NsidPattern> {
        match self {
            ParamValue::Pattern(p) => Some(p),
            _ => None,
        }
    }

    fn into_space_authority(self) -> Option<SpaceAuthority> {
        match self {
            ParamValue::SpaceAuthority(a) => Some(a),
            _ => None,
        }
    }

    fn into_space_key(self) -> Option<SpaceKey> {
        match self {
            ParamValue::SpaceKey(k) => Some(k),
            _ => None,
        }
    }

    fn into_space_action(self) -> Option<SpaceAction> {
        match self {
            ParamValue::SpaceAction(a) => Some(a),
            _ => None,
        }
    }

    fn into_space_manage(self) -> Option<SpaceManageOp> {
        match self {
            ParamValue::SpaceManage(m) => Some(m),
            _ => None,
        }
    }
}

/// A set of names as bits, bit `i` for `all[i]`.
pub(crate) fn bits<T: PartialEq>(all: &[T], present: &[T]) -> u8 {
    all.iter()
        .enumerate()
        .filter(|(_, x)| present.contains(x))
        .fold(0, |acc, (i, _)| acc | (1 << i))
}
