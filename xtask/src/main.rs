//! `cargo xtask <task>`: development chores that are not part of the product.
//!
//! Tasks:
//! - `schema [--check]`: regenerate the planus bindings and the operator-name
//!   table of `autodeploy-model` from `crates/autodeploy-model/schema/tflite.fbs`
//!   (`--check` fails if the committed files are stale).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod schema;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("schema") => schema::run(&args[1..]),
        Some(other) => Err(format!("unknown task '{other}'\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  schema [--check]   regenerate autodeploy-model's flatbuffer bindings";

/// The workspace root (the parent of this crate's directory).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
