//! The shared machinery: a seeded problem generator, one oracle call per
//! test, and the comparison with its per-operator summary.

use std::collections::BTreeMap;
use std::path::PathBuf;

use autodeploy_model::builder::{GraphBuilder, TensorSpec};
use autodeploy_model::{Activation, ElementType, InputGenerator, Model, Quantization, TensorValue};
use autodeploy_reference::Interpreter;
use autodeploy_testkit::compare::{compare, difference};
use autodeploy_testkit::oracle::{self, Interpreter as Oracle};

pub const I8: ElementType = ElementType::Int8;
pub const I16: ElementType = ElementType::Int16;
pub const I32: ElementType = ElementType::Int32;
pub const I64: ElementType = ElementType::Int64;
pub const F32: ElementType = ElementType::Float32;

/// Cases compared with TFLite Micro per operator and type (at least).
pub const MIN_CASES: usize = 200;
/// Cases generated per operator and type: a few spare for the ones both
/// interpreters refuse.
pub const CASES: usize = 206;
/// Input samples run through each model.
const SAMPLES: usize = 2;
/// The share of generated cases TFLite Micro may refuse while the reference
/// accepts them (a generator that wastes more is wrong).
const MAX_WASTE: f64 = 0.03;

/// A seeded source of problem parameters (SplitMix64, as the inputs).
pub struct Rng(InputGenerator);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(InputGenerator::new(seed))
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.0.next_u64() % (hi - lo + 1) as u64) as i64
    }

    pub fn usize(&mut self, lo: usize, hi: usize) -> usize {
        self.range(lo as i64, hi as i64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.0.next_f64() < p
    }

    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.usize(0, items.len() - 1)].clone()
    }

    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.0.next_f64()
    }

    /// Log-uniform in `[lo, hi)`.
    pub fn log_uniform(&mut self, lo: f64, hi: f64) -> f32 {
        self.uniform(lo.ln(), hi.ln()).exp() as f32
    }

    /// An activation scale.
    pub fn scale(&mut self) -> f32 {
        self.log_uniform(1e-3, 1.0)
    }

    /// An int8 zero point, at either extreme a third of the time.
    pub fn zero_point(&mut self) -> i64 {
        match self.usize(0, 5) {
            0 => -128,
            1 => 127,
            _ => self.range(-128, 127),
        }
    }

    pub fn activation(&mut self) -> Activation {
        self.pick(&[
            Activation::None,
            Activation::Relu,
            Activation::ReluN1To1,
            Activation::Relu6,
        ])
    }

    /// int8 weights, sometimes including -128 (which TFLite allows).
    pub fn weights(&mut self, n: usize) -> Vec<i8> {
        let lo = if self.chance(0.5) { -128 } else { -127 };
        (0..n).map(|_| self.range(lo, 127) as i8).collect()
    }

    pub fn i32s(&mut self, n: usize, magnitude: i64) -> Vec<i32> {
        (0..n)
            .map(|_| self.range(-magnitude, magnitude) as i32)
            .collect()
    }

    pub fn f32s(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f32> {
        (0..n).map(|_| self.uniform(lo, hi) as f32).collect()
    }

    /// A shape of `rank` dimensions, each in `1..=max`.
    pub fn shape(&mut self, rank: usize, max: usize) -> Vec<usize> {
        (0..rank).map(|_| self.usize(1, max)).collect()
    }
}

/// The element type label of a summary line.
pub fn type_name(t: ElementType) -> &'static str {
    match t {
        I8 => "int8",
        I16 => "int16",
        F32 => "float32",
        _ => "other",
    }
}

/// A tensor spec with an `i32` shape from `usize`s.
pub fn spec(name: &str, dtype: ElementType, shape: &[usize]) -> TensorSpec {
    let shape: Vec<i32> = shape.iter().map(|&d| d as i32).collect();
    TensorSpec::new(name, dtype, &shape)
}

/// An activation tensor: quantized unless float.
pub fn act_spec(name: &str, dtype: ElementType, shape: &[usize], q: (f32, i64)) -> TensorSpec {
    let s = spec(name, dtype, shape);
    if dtype == F32 {
        s
    } else {
        s.scale(q.0, q.1)
    }
}

/// Quantization of an activation of `dtype` (int16 is symmetric).
pub fn act_quant(rng: &mut Rng, dtype: ElementType) -> (f32, i64) {
    match dtype {
        I16 => (rng.log_uniform(1e-5, 1e-2), 0),
        _ => (rng.scale(), rng.zero_point()),
    }
}

pub fn per_channel(scales: Vec<f32>, axis: usize) -> Quantization {
    let n = scales.len();
    Quantization {
        scale: scales,
        zero_point: vec![0; n],
        axis,
    }
}

/// A one-operator model: `build` adds the tensors and the operator.
pub fn model(build: impl FnOnce(&mut GraphBuilder)) -> Vec<u8> {
    let mut g = GraphBuilder::new();
    build(&mut g);
    g.into_model().finish().expect("builder")
}

/// One generated problem: its one-op model and, optionally, its inputs.
pub struct Case {
    /// "ADD int8": the summary line it counts towards.
    pub label: String,
    /// The problem, for a failure message.
    pub desc: String,
    pub model: Vec<u8>,
    /// `None`: seeded uniform inputs (`InputGenerator`).
    pub samples: Option<Vec<Vec<TensorValue>>>,
}

impl Case {
    pub fn new(label: impl Into<String>, desc: impl Into<String>, model: Vec<u8>) -> Case {
        Case {
            label: label.into(),
            desc: desc.into(),
            model,
            samples: None,
        }
    }

    pub fn with_samples(mut self, samples: Vec<Vec<TensorValue>>) -> Case {
        self.samples = Some(samples);
        self
    }
}

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
            let graph = model.main_graph();
            let mut generator = InputGenerator::new(0x5EED ^ k as u64);
            (0..SAMPLES)
                .map(|_| {
                    graph
                        .inputs
                        .iter()
                        .map(|&i| generator.value_for(graph.tensor(i)).expect("input type"))
                        .collect()
                })
                .collect()
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
