//! `cargo xtask <task>`: development chores that are not part of the product.
//!
//! Tasks:
//! - `demo`: the main job on the bundled example model, installing what it
//!   needs first (the README's first command).
//! - `test`: the whole test suite, installing what it needs first (the
//!   README's second command; `.ci/run` calls it).
//! - `oracle-env`: create the test-only Python venv with the pinned oracle
//!   interpreters (TFLite Micro, LiteRT) in `target/oracle-venv`.
//! - `bench reference`: reference interpreter vs TensorFlow Lite Micro,
//!   milliseconds per inference (docs/benchmarks.md).
//! - `schema [--check]`: regenerate the planus bindings and the operator-name
//!   table of `autodeploy-model` from `crates/autodeploy-model/schema/tflite.fbs`
//!   (`--check` fails if the committed files are stale).
//! - `oracle-tables [--check]`: measure TensorFlow Lite's int16 sigmoid table
//!   through TensorFlow Lite Micro and write its committed copies (`--check`
//!   re-measures and compares).
//! - `bench memory`: the memory planner's arena against TFLite Micro's on the
//!   MLPerf Tiny int8 models.
//! - `bench code-size`: the generated library's code (flash without the
//!   weights) on a Cortex-M4F against TFLite Micro's, MLPerf Tiny int8 models.
//! - `bench kernels [--board B] [--model M]`: instructions per inference of the generated
//!   code on the QEMU boards against TFLite Micro + CMSIS-NN, MLPerf Tiny int8 models.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod bench;
mod bench_code_size;
mod bench_deploy;
mod bench_kernels;
mod bench_memory;
mod build_firmware;
mod demo;
mod oracle_tables;
mod schema;
mod setup;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run_demo(&args[1..]),
        Some("test") => test::run_tests(&args[1..]),
        Some("oracle-env") => setup::ensure_oracle_venv().map(|python| {
            println!("oracle python: {}", python.display());
        }),
        Some("bench") if args.get(1).is_some_and(|a| a == "memory") => {
            bench_memory::run(&args[1..])
        }
        Some("bench") => bench::run(&args[1..]),
        Some("schema") => schema::run(&args[1..]),
        Some("build-firmware") => build_firmware::run(&args[1..]),
        Some("oracle-tables") => oracle_tables::run(&args[1..]),
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
  demo               run the main job on the bundled example model (installs what it needs)
  test [ARGS]        run the whole test suite (installs what it needs; ARGS go to cargo test)
  bench reference    reference interpreter vs TFLite Micro, ms per inference
  bench memory       memory planner vs TFLite Micro's arena, MLPerf Tiny int8 models
  bench deploy       full deploy wall time (kws) and instructions per MAC, MLPerf Tiny
  bench code-size    generated library code size on cortex-m4 vs TFLite Micro
  bench kernels [--board B] [--model M]  instructions per inference on QEMU vs TFLite Micro + CMSIS-NN
  build-firmware [--board B|--all]  validator firmware for the built-in boards, size table
  oracle-env         create the test-only Python venv with the oracle interpreters
  schema [--check]   regenerate autodeploy-model's flatbuffer bindings
  oracle-tables [--check]  measure TFLite's int16 sigmoid table through TFLite Micro";

/// The workspace root (the parent of this crate's directory).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
