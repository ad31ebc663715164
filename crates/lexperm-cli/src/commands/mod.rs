//! One module per subcommand.

pub mod scope;
