//! One module per subcommand.

pub mod breaking;
pub mod changed_since;
pub mod check;
pub mod coverage;
pub mod expand;
pub mod explain;
pub mod fix;
pub mod gen;
pub mod gen_records;
pub mod gen_rust;
pub mod init;
pub mod lexicons;
pub mod lint;
pub mod logout;
pub mod net_args;
pub mod new;
pub mod output_args;
pub mod preview;
pub mod publish;
pub mod reference_args;
pub mod remote;
pub mod resolve;
pub mod rule_args;
pub mod schema;
pub mod scope;
pub mod walk_args;
