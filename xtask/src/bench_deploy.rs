//! `cargo xtask bench deploy`: wall time of a full `autodeploy deploy` of
//! kws_ref_model on qemu-m4 from an empty build cache (cold) and again from
//! the warm cache, then per MLPerf Tiny model the instructions per MAC of the
//! generated code (QEMU instruction counts; the baseline for faster kernels).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::bench::MLPERF_TINY;
use crate::workspace_root;

pub fn run() -> Result<(), String> {
    let exe = crate::bench::release_cli()?;
    let root = workspace_root();
    let work = root.join("target/bench-deploy");
    let _ = std::fs::remove_dir_all(&work);
    let cache = work.join("cache");
    let deploy = |model: &str, out: &Path| -> Result<(Duration, String), String> {
        let path = root.join(format!("examples/models/mlperf-tiny/{model}.tflite"));
        let started = Instant::now();
        let output = Command::new(&exe)
            .arg("deploy")
            .arg(&path)
            .args(["--board", "qemu-m4", "--samples", "2", "--out"])
            .arg(out)
            .arg("--cache-dir")
            .arg(&cache)
            .output()
            .map_err(|e| format!("cannot run autodeploy: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "deploy {model} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok((
            started.elapsed(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ))
    };
    let (cold, _) = deploy("kws_ref_model", &work.join("kws"))?;
    let (warm, _) = deploy("kws_ref_model", &work.join("kws"))?;
    println!("deploy kws_ref_model on qemu-m4, 2 samples, 1 warm-up + 3 runs (release CLI)");
    println!("cold cache: {:.2} s", cold.as_secs_f64());
    println!(
        "warm cache: {:.2} s (target: under 15 s)",
        warm.as_secs_f64()
    );
    println!();
    println!(
        "{:<20} {:>14} {:>16} {:>12}",
        "model", "MACs", "instructions", "instr/MAC"
    );
    for model in MLPERF_TINY {
        let (_, text) = deploy(model, &work.join(model))?;
        let (macs, count) = totals(&text).ok_or(format!("no TOTAL line for {model}"))?;
        println!(
            "{model:<20} {macs:>14} {count:>16} {:>12.2}",
            count as f64 / macs as f64
        );
    }
    Ok(())
}

/// The MACs and the count of the console table's TOTAL line.
fn totals(text: &str) -> Option<(u64, u64)> {
    let line = text.lines().find(|l| l.trim_start().starts_with("TOTAL"))?;
    let mut numbers = line
        .split_whitespace()
        .skip(1)
        .map(|w| w.replace(',', "").parse::<u64>());
    Some((numbers.next()?.ok()?, numbers.next()?.ok()?))
}
