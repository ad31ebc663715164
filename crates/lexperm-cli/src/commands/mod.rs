//! One module per subcommand.

pub mod logout;
pub mod net_args;
pub mod resolve;
pub mod gen;
pub mod gen_records;
pub mod scope;
