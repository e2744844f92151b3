//! `cargo xtask bench <what>`: measurements printed as ratios against a
//! baseline measured in the same run (docs/benchmarks.md).
//!
//! - `reference`: milliseconds per inference of the reference interpreter
//!   (release build) and of TensorFlow Lite Micro's Python interpreter, per
//!   MLPerf Tiny model, and their ratio.
//! - `validate`: wall time of a 20-sample validation of kws_ref_model on
//!   qemu-m4 from a warm build cache, and where the time goes.

use std::collections::BTreeMap;
use std::process::Command;

use crate::workspace_root;

pub const MLPERF_TINY: &[&str] = &[
    "kws_ref_model",
    "vww_96_int8",
    "ic_resnet8_int8",
    "ad01_int8",
    "str_ww_ref_model",
];

pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("reference") => reference(),
        Some("code-size") => crate::bench_code_size::run(),
        Some("validate") => validate(),
        Some("deploy") => crate::bench_deploy::run(),
        Some("kernels") => crate::bench_kernels::run(&args[1..]),
        _ => Err(
            "usage: cargo xtask bench reference|validate|deploy|memory|code-size|kernels".into(),
        ),
    }
}

fn model_paths() -> Vec<String> {
    MLPERF_TINY
        .iter()
        .map(|m| {
            workspace_root()
                .join(format!("examples/models/mlperf-tiny/{m}.tflite"))
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Runs a command and parses its `<path> <number>` lines.
fn timings(command: &mut Command) -> Result<BTreeMap<String, f64>, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (path, ms) = line.rsplit_once(' ')?;
            Some((path.to_string(), ms.parse().ok()?))
        })
        .collect())
}

fn reference() -> Result<(), String> {
    let python = crate::setup::ensure_oracle_venv()?;
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let models = model_paths();
    let ours = timings(
        Command::new(&cargo)
            .current_dir(&root)
            .args(["run", "--release", "--quiet", "-p", "autodeploy-reference"])
            .args(["--example", "bench_reference", "--"])
            .args(&models),
    )?;
    let tflm = timings(
        Command::new(&python)
            .arg(root.join("oracle/bench_tflm.py"))
            .args(&models),
    )?;
    println!(
        "reference interpreter vs TensorFlow Lite Micro (Python host build), ms per inference"
    );
    println!(
        "{:<20} {:>12} {:>12} {:>8}",
        "model", "autodeploy", "TFLM", "ratio"
    );
    let mut worst: f64 = 0.0;
    for (name, path) in MLPERF_TINY.iter().zip(&models) {
        let (Some(a), Some(t)) = (ours.get(path), tflm.get(path)) else {
            return Err(format!("no timing for {name}"));
        };
        worst = worst.max(a / t);
        println!("{name:<20} {a:>12.3} {t:>12.3} {:>7.2}x", a / t);
    }
    println!("worst ratio: {worst:.2}x (target: at most 1.00x)");
    Ok(())
}

/// Installs the board tools and builds the release CLI; returns its path.
pub fn release_cli() -> Result<std::path::PathBuf, String> {
    release_build(&["-p", "autodeploy-cli"])?;
    Ok(workspace_root().join("target/release/autodeploy"))
}

/// Installs the board tools, then `cargo build --release --quiet TARGET...`.
pub fn release_build(target: &[&str]) -> Result<(), String> {
    crate::setup::ensure_packages(crate::setup::MAIN_PACKAGES)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    crate::setup::run(
        Command::new(&cargo)
            .current_dir(workspace_root())
            .args(["build", "--release", "--quiet"])
            .args(target),
    )
}

/// `bench validate`: a 20-sample validation of kws_ref_model on qemu-m4
/// from a warm build cache (one run to warm it, one measured), with the
/// time per sample and where it went.
fn validate() -> Result<(), String> {
    let exe = release_cli()?;
    let root = workspace_root();
    let model = root.join("examples/models/mlperf-tiny/kws_ref_model.tflite");
    let cache = root.join("target/bench-cache");
    let run = || -> Result<(std::time::Duration, String), String> {
        let started = std::time::Instant::now();
        let output = Command::new(&exe)
            .arg("validate")
            .arg(&model)
            .args(["--board", "qemu-m4", "--samples", "20", "--cache-dir"])
            .arg(&cache)
            .output()
            .map_err(|e| format!("cannot run autodeploy: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "validate failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok((
            started.elapsed(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ))
    };
    let (cold, _) = run()?;
    let (warm, text) = run()?;
    let breakdown = text
        .lines()
        .find(|l| l.starts_with("time:"))
        .unwrap_or("time: ?");
    println!("validate kws_ref_model on qemu-m4, 20 samples (release CLI)");
    println!("cold cache: {:.2} s", cold.as_secs_f64());
    println!(
        "warm cache: {:.2} s ({:.0} ms per sample; target: under 10 s)",
        warm.as_secs_f64(),
        warm.as_secs_f64() * 1000.0 / 20.0
    );
    println!("warm {breakdown}");
    Ok(())
}
