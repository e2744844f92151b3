//! `cargo xtask demo`: the main job, end to end, on the bundled example
//! model, from a fresh machine (installs what it needs first).

use std::process::Command;

use crate::setup::{ensure_packages, run, MAIN_PACKAGES};
use crate::workspace_root;

pub const EXAMPLE_MODEL: &str = "examples/models/mlperf-tiny/kws_ref_model.tflite";

pub fn run_demo(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask demo".into());
    }
    ensure_packages(MAIN_PACKAGES)?;
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo)
        .current_dir(&root)
        .args([
            "run",
            "--release",
            "--quiet",
            "--package",
            "autodeploy-cli",
            "--",
        ])
        .args(["inspect", EXAMPLE_MODEL]))
}
