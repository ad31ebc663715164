//! One module per subcommand.

pub mod gen;
pub mod gen_records;
pub mod scope;
