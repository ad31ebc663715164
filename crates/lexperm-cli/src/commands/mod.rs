//! One module per subcommand.

pub mod check;
pub mod coverage;
pub mod expand;
pub mod explain;
pub mod gen;
pub mod gen_records;
pub mod gen_rust;
pub mod lexicons;
pub mod lint;
pub mod preview;
pub mod schema;
pub mod scope;
