//! Milliseconds per inference of the reference interpreter, for
//! `cargo xtask bench reference` (which also times TensorFlow Lite Micro in
//! the same run and prints the ratio).
//!
//! Usage: bench_reference MODEL.tflite... ; prints `<model> <ms per inference>`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::{Duration, Instant};

use autodeploy_model::{InputGenerator, Model};
use autodeploy_reference::Interpreter;

fn main() {
    for path in std::env::args().skip(1) {
        match time_model(&path) {
            Ok(ms) => println!("{path} {ms:.4}"),
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        }
    }
}

fn time_model(path: &str) -> Result<f64, Box<dyn std::error::Error>> {
    let model = Model::from_path(path)?;
    let graph = model.main_graph();
    let mut generator = InputGenerator::new(1);
    let inputs: Vec<_> = graph
        .inputs
        .iter()
        .map(|&i| generator.value_for(graph.tensor(i)).ok_or("input type"))
        .collect::<Result<_, _>>()?;
    let mut interpreter = Interpreter::new(model)?;
    for (i, v) in inputs.into_iter().enumerate() {
        interpreter.set_input(i, v)?;
    }
    // Warm up, then run for at least half a second.
    for _ in 0..3 {
        interpreter.invoke()?;
    }
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_millis(500) || runs < 10 {
        interpreter.invoke()?;
        runs += 1;
    }
    Ok(start.elapsed().as_secs_f64() * 1000.0 / f64::from(runs))
}
