//! The shared machinery: a seeded problem generator, one oracle call per
//! test, and the comparison with its per-operator summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use autodeploy_model::Model;
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::{compare, difference};
use autodeploy_testkit::oracle::{self, Interpreter as Oracle};

// The problem generators live in the test kit, shared with the code
// generator's tests; this file keeps the TensorFlow Lite Micro comparison.
pub use autodeploy_testkit::ops::*;

/// Input samples run through each model.
const SAMPLES: usize = 2;
/// The share of generated cases TFLite Micro may refuse while the reference
/// accepts them (a generator that wastes more is wrong).
const MAX_WASTE: f64 = 0.03;

#[derive(Default)]
struct Summary {
    cases: usize,
    compared: usize,
    exact: usize,
    both_refuse: usize,
    wasted: usize,
    max_diff: f64,
}

/// Runs every case in TFLite Micro (one oracle call) and in the reference,
/// prints one summary line per label and fails on any mismatch, on a case
/// only the reference refuses, on a wasteful generator, or on fewer than
/// [`MIN_CASES`] compared cases per label.
pub fn check(test: &str, cases: Vec<Case>) {
    let dir = std::env::temp_dir().join(format!(
        "autodeploy-op-properties-{}-{test}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let mut prepared = Vec::new();
    for (k, case) in cases.into_iter().enumerate() {
        let path: PathBuf = dir.join(format!("case{k}.tflite"));
        std::fs::write(&path, &case.model).expect("write model");
        let model = Model::from_bytes(&case.model)
            .unwrap_or_else(|e| panic!("{} {}: unreadable model: {e}", case.label, case.desc));
        let samples = case.samples.clone().unwrap_or_else(|| {
            autodeploy_testkit::bundle::default_samples(&model, 0x5EED ^ k as u64, SAMPLES)
        });
        prepared.push((case, path, model, samples));
    }
    let oracle_cases: Vec<oracle::Case> = prepared
        .iter()
        .map(|(_, path, _, samples)| oracle::Case {
            model: path.clone(),
            samples: samples.clone(),
            interpreters: vec![Oracle::Tflm],
            tensors: vec![],
        })
        .collect();
    let results = oracle::run(&oracle_cases);
    let _ = std::fs::remove_dir_all(&dir);

    let mut summaries: BTreeMap<String, Summary> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut waste = Vec::new();
    for ((case, _, model, samples), result) in prepared.into_iter().zip(&results) {
        let s = summaries.entry(case.label.clone()).or_default();
        s.cases += 1;
        let ours = Interpreter::new(model);
        let theirs = result.get(Oracle::Tflm);
        let (mut interpreter, theirs) = match (ours, theirs) {
            (Err(_), Err(_)) => {
                s.both_refuse += 1;
                continue;
            }
            (Ok(_), Err(e)) => {
                s.wasted += 1;
                let last = e.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
                waste.push(format!(
                    "{} {}: TFLite Micro refuses, the reference accepts: {last}",
                    case.label, case.desc
                ));
                continue;
            }
            (Err(e), Ok(_)) => {
                failures.push(format!(
                    "{} {}: the reference refuses a case TFLite Micro runs: {e}",
                    case.label, case.desc
                ));
                continue;
            }
            (Ok(i), Ok(t)) => (i, t),
        };
        s.compared += 1;
        let mut exact = true;
        for (k, inputs) in samples.iter().enumerate() {
            for (i, value) in inputs.iter().enumerate() {
                interpreter.set_input(i, value.clone()).expect("set input");
            }
            if let Err(e) = interpreter.invoke() {
                failures.push(format!("{} {}: invoke failed: {e}", case.label, case.desc));
                exact = false;
                break;
            }
            for (i, expected) in theirs[k].outputs.iter().enumerate() {
                let got = interpreter.output(i).expect("output");
                if let Some(d) = difference(&got, expected) {
                    s.max_diff = s.max_diff.max(d.max_abs);
                }
                if let Err(e) = compare(&got, expected) {
                    exact = false;
                    failures.push(format!(
                        "{} {}: sample {k} output {i}: {e}",
                        case.label, case.desc
                    ));
                }
            }
        }
        s.exact += usize::from(exact);
    }
    for line in waste.iter().take(10) {
        println!("refused only by TFLite Micro: {line}");
    }
    for (label, s) in &summaries {
        println!(
            "{label}: {} cases, {} compared, {} exact, max diff {}, {} refused by both, {} refused only by TFLite Micro",
            s.cases, s.compared, s.exact, s.max_diff, s.both_refuse, s.wasted
        );
        if (s.wasted as f64) > MAX_WASTE * s.cases as f64 {
            failures.push(format!(
                "{label}: the generator wastes {} of {} cases",
                s.wasted, s.cases
            ));
        }
        if s.compared < MIN_CASES {
            failures.push(format!(
                "{label}: only {} cases compared (at least {MIN_CASES} wanted)",
                s.compared
            ));
        }
    }
    // Mismatches first: they say the most.
    failures.sort_by_key(|f| f.contains("refuses"));
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}
