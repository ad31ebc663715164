//! One module per subcommand.

pub mod gen;
pub mod gen_records;
pub mod gen_rust;
pub mod scope;
