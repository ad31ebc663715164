//! One module per subcommand.

pub mod explain;
pub mod lint;
pub mod schema;
pub mod scope;
