//! The shared models against the real interpreters: TensorFlow Lite Micro
//! is the truth for integer models (bit-exact, every intermediate tensor
//! too); float models must agree with both interpreters within the float
//! tolerance. Where LiteRT's reference kernels differ from TensorFlow Lite
//! Micro, the test prints it (see docs/reference.md) without failing.

// The LiteRT-vs-TFLite-Micro report is for people reading the test log.
#![allow(clippy::print_stdout)]

use autodeploy_model::{Model, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::{compare, difference};
use autodeploy_testkit::models::{model_path, FLOAT_MODELS, INT8_MODELS};
use autodeploy_testkit::oracle::{self, Case, Interpreter as Oracle};

const SAMPLES: usize = 50;

/// Every tensor an operator writes (the intermediates and the outputs).
fn written_tensors(model: &Model) -> Vec<usize> {
    let mut written: Vec<usize> = model
        .main_graph()
        .operators
        .iter()
        .flat_map(|op| op.outputs.iter().copied())
        .collect();
    written.sort_unstable();
    written.dedup();
    written
}

struct Run {
    name: &'static str,
    model: Model,
    samples: Vec<Vec<TensorValue>>,
    tensors: Vec<usize>,
}

fn run_models(
    names: &[&'static str],
    seed: u64,
    count: usize,
) -> (Vec<Run>, Vec<oracle::CaseResult>) {
    let runs: Vec<Run> = names
        .iter()
        .map(|&name| {
            let model = Model::from_path(model_path(name)).unwrap();
            let samples = autodeploy_testkit::bundle::default_samples(&model, seed, count);
            let tensors = written_tensors(&model);
            Run {
                name,
                model,
                samples,
                tensors,
            }
        })
        .collect();
    let cases: Vec<Case> = runs
        .iter()
        .map(|r| Case {
            model: model_path(r.name),
            samples: r.samples.clone(),
            interpreters: vec![Oracle::Tflm, Oracle::LiteRt],
            tensors: r.tensors.clone(),
        })
        .collect();
    let results = oracle::run(&cases);
    (runs, results)
}

#[test]
fn int8_models_are_bit_exact_with_tflite_micro_including_intermediates() {
    let (runs, results) = run_models(INT8_MODELS, 0xA0D1, SAMPLES);
    let mut failures = Vec::new();
    for (run, result) in runs.iter().zip(&results) {
        let tflm = result
            .get(Oracle::Tflm)
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: TFLite Micro failed: {e}", run.name));
        let litert = result
            .get(Oracle::LiteRt)
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: LiteRT failed: {e}", run.name));
        let mut interpreter = Interpreter::new(run.model.clone()).unwrap();
        let mut litert_differs = (0usize, 0f64);
        for (k, inputs) in run.samples.iter().enumerate() {
            for (i, value) in inputs.iter().enumerate() {
                interpreter.set_input(i, value.clone()).unwrap();
            }
            interpreter.invoke().unwrap();
            for (i, theirs) in tflm[k].outputs.iter().enumerate() {
                if let Err(e) = compare(&interpreter.output(i).unwrap(), theirs) {
                    failures.push(format!("{} sample {k} output {i}: {e}", run.name));
                }
                if let Some(d) = difference(theirs, &litert[k].outputs[i]) {
                    litert_differs.0 += 1;
                    litert_differs.1 = litert_differs.1.max(d.max_abs);
                }
            }
            for (&t, theirs) in &tflm[k].tensors {
                if let Err(e) = compare(&interpreter.tensor(t).unwrap(), theirs) {
                    let layer = run
                        .model
                        .main_graph()
                        .operators
                        .iter()
                        .find(|op| op.outputs.contains(&t))
                        .map(|op| op.index);
                    failures.push(format!(
                        "{} sample {k} tensor {t} (layer {layer:?}): {e}",
                        run.name
                    ));
                }
            }
        }
        println!(
            "{}: {} samples, {} tensors each, bit-exact with TFLite Micro; LiteRT (reference kernels) differs from TFLite Micro on {} samples, by up to {} LSB",
            run.name,
            run.samples.len(),
            run.tensors.len(),
            litert_differs.0,
            litert_differs.1
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn float_models_agree_with_both_interpreters() {
    let (runs, results) = run_models(FLOAT_MODELS, 0xF10A7, 10);
    let mut failures = Vec::new();
    for (run, result) in runs.iter().zip(&results) {
        let mut interpreter = Interpreter::new(run.model.clone()).unwrap();
        for oracle_kind in [Oracle::Tflm, Oracle::LiteRt] {
            let theirs = result
                .get(oracle_kind)
                .as_ref()
                .unwrap_or_else(|e| panic!("{} {oracle_kind:?}: {e}", run.name));
            for (k, inputs) in run.samples.iter().enumerate() {
                for (i, value) in inputs.iter().enumerate() {
                    interpreter.set_input(i, value.clone()).unwrap();
                }
                interpreter.invoke().unwrap();
                for (i, expected) in theirs[k].outputs.iter().enumerate() {
                    if let Err(e) = compare(&interpreter.output(i).unwrap(), expected) {
                        failures.push(format!(
                            "{} {oracle_kind:?} sample {k} output {i}: {e}",
                            run.name
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
