//! One module per subcommand.

pub mod explain;
pub mod gen;
pub mod gen_records;
pub mod gen_rust;
pub mod lint;
pub mod schema;
pub mod scope;
