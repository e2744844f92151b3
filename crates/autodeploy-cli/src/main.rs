//! The `autodeploy` binary: parses arguments, runs a command, prints errors.
#![allow(clippy::print_stderr, clippy::exit)]

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = autodeploy_cli::Cli::parse();
    autodeploy_cli::init_logging(cli.verbose);
    match autodeploy_cli::run(cli) {
        Ok(status) => status.into(),
        Err(error) => {
            // A closed pipe (`autodeploy inspect m.tflite | head`) is not an error.
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            autodeploy_cli::ExitStatus::Error.into()
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
