//! One module per subcommand.

pub mod boards;
pub mod deploy;
pub mod generate;
pub mod inspect;
pub mod run;
pub mod validate;
