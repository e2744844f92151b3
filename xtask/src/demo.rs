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
    run(Command::new(&cargo).current_dir(&root).args([
        "build",
        "--release",
        "--quiet",
        "--package",
        "autodeploy-cli",
    ]))?;
    let autodeploy = root.join("target/release/autodeploy");
    let out = root.join("target/demo");
    let cache = root.join("target/demo-cache");
    let step = |title: &str, args: &[&str]| -> Result<(), String> {
        println!("\n== autodeploy {title}");
        run(Command::new(&autodeploy).current_dir(&root).args(args))
    };
    // 1. What is in the model.
    step("inspect", &["inspect", EXAMPLE_MODEL])?;
    // 2. The whole job: C code, the static library for the Cortex-M4
    // (target/demo/kws_ref_model/), the run on the virtual board checked
    // against the PC, and the per-layer profile (target/demo/reports/).
    step(
        "deploy",
        &[
            "deploy",
            EXAMPLE_MODEL,
            "--board",
            "qemu-m4",
            "--out",
            &out.to_string_lossy(),
            "--samples",
            "10",
            "--cache-dir",
            &cache.to_string_lossy(),
        ],
    )
}
