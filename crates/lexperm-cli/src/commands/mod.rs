//! One module per subcommand.

pub mod gen;
pub mod gen_records;
pub mod logout;
pub mod net_args;
pub mod publish;
pub mod resolve;
pub mod scope;
