//! The `autodeploy` command line: one module per subcommand under
//! `commands/`, each calling the library crates and printing their results.
//! This is the only crate that prints, picks exit codes or uses anyhow.
#![allow(clippy::print_stdout)]

mod commands;
mod format;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Turn a TensorFlow Lite model into C for Arm Cortex-M, run it, and check it.
#[derive(Debug, Parser)]
#[command(name = "autodeploy", version, about)]
pub struct Cli {
    /// More log output (-v: debug, -vv: trace); RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show a model's layers, shapes, MACs and memory, and check that
    /// autodeploy supports it.
    Inspect {
        /// The .tflite model file.
        model: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = commands::inspect::Format::Table)]
        format: commands::inspect::Format,
    },
    /// Run a model on the PC with the reference interpreter (bit-exact with
    /// TensorFlow Lite Micro) and write its outputs as .npy files.
    Run(commands::run::RunArgs),
    /// Run the model on a board (QEMU by default) and check that it
    /// computes exactly what the PC computes; exit 1 if it does not.
    Validate(commands::validate::ValidateArgs),
    /// Generate the model's C as a library package for a Cortex-M core (or
    /// the host) in OUT/NAME/, and build it with make.
    Generate(commands::generate::GenerateArgs),
    /// List the built-in boards: core, clock, memories and how each is run.
    Boards,
    /// Inspect, generate, build, run on the board, validate, profile and
    /// package the static library, in one go; exit 1 on a mismatch.
    Deploy(commands::deploy::DeployArgs),
}

/// Process exit codes: 0 success, 1 the board and the PC disagree
/// (validation), 2 any error (bad input, missing tool, board fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Mismatch,
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Mismatch => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Inspect { model, format } => commands::inspect::run(&model, format),
        Command::Run(args) => commands::run::run(&args),
        Command::Validate(args) => commands::validate::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Boards => commands::boards::run(),
        Command::Deploy(args) => commands::deploy::run(&args),
    }
}

/// The log filter used when `RUST_LOG` is not set. probe-rs and nusb (its USB layer) log
/// warnings while they scan for probes (a probe they cannot open, an unknown USB device), which
/// would come before our own error; they are shown from `-v` on, or when `RUST_LOG` names them.
pub fn default_log_filter(verbose: u8) -> &'static str {
    match verbose {
        0 => "warn,probe_rs=error,nusb=error",
        1 => "debug,probe_rs=warn,nusb=warn",
        _ => "trace",
    }
}

pub fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(default_log_filter(verbose)));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
