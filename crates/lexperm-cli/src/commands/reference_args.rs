//! `--reference`, shared by every command that parses scopes or expands permission sets.

use clap::{Args, ValueEnum};
use lexperm_parser::scope::Reference;

/// The reference implementation an authorization server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ReferenceName {
    /// The permissioned-data build of `@atproto/oauth-scopes`: `space:` scopes and
    /// `resource: "space"` set entries.
    #[default]
    #[value(name = "permissioned-data")]
    PermissionedData,
    /// The released `@atproto/oauth-scopes` 0.5.12: no `space` resource.
    #[value(name = "0.5.12")]
    Stable0512,
}

/// Which reference scope strings and permission sets are read with.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ReferenceArgs {
    /// Read scopes and permission sets as this reference does: `permissioned-data` (with
    /// `space:` scopes) or `0.5.12` (the released `@atproto/oauth-scopes`, no `space`).
    #[arg(long, value_enum, value_name = "REFERENCE", default_value_t = ReferenceName::PermissionedData)]
    pub reference: ReferenceName,
}

impl ReferenceArgs {
    /// The library's reference.
    pub fn get(self) -> Reference {
        match self.reference {
            ReferenceName::PermissionedData => Reference::PermissionedData,
            ReferenceName::Stable0512 => Reference::Stable0512,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option's values are the library's names.
    #[test]
    fn names_follow_the_library() {
        for name in ReferenceName::value_variants() {
            let args = ReferenceArgs { reference: *name };
            let value = name.to_possible_value().expect("value");
            assert_eq!(value.get_name(), args.get().name());
        }
    }
}
