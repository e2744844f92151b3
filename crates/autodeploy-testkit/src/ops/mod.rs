//! Random one-operator models for every operator and element type autodeploy
//! supports (shapes, strides, padding, dilation, depth multipliers, fused
//! activations, per-channel scales, zero points at the extremes), shared by
//! the reference's TFLite Micro property tests and the code generator's.
//!
//! Each family function (`shape::data_movement`, `conv::convolutions`...)
//! returns `n` seeded [`Case`]s per operator and type; [`all`] returns them
//! all. A case carries its model bytes and, where uniform inputs would not
//! exercise it, its own input samples.

use autodeploy_model::builder::{GraphBuilder, TensorSpec};
use autodeploy_model::{Activation, ElementType, InputGenerator, Quantization, TensorValue};

pub const I8: ElementType = ElementType::Int8;
pub const U8: ElementType = ElementType::Uint8;
pub const I16: ElementType = ElementType::Int16;
pub const I32: ElementType = ElementType::Int32;
pub const I64: ElementType = ElementType::Int64;
pub const F32: ElementType = ElementType::Float32;

/// Cases compared with TFLite Micro per operator and type (at least).
pub const MIN_CASES: usize = 200;
/// Cases generated per operator and type: a few spare for the ones both
/// interpreters refuse.
pub const CASES: usize = 206;

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
        U8 => "uint8",
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
        U8 => (rng.scale(), rng.usize(0, 255) as i64),
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

pub mod activation;
pub mod conv;
pub mod elementwise;
pub mod shape;

/// Every family's cases, `n` per operator and type.
pub fn all(n: usize) -> Vec<Case> {
    let mut cases = Vec::new();
    for family in FAMILIES {
        cases.extend((family.1)(n));
    }
    cases
}

/// A family generator: `n` cases per operator and type.
pub type Family = fn(usize) -> Vec<Case>;

/// The generator families, by name.
pub const FAMILIES: &[(&str, Family)] = &[
    ("shape::pooling_and_mean", shape::pooling_and_mean),
    ("shape::data_movement", shape::data_movement),
    ("activation::activations", activation::activations),
    (
        "activation::quantize_and_dequantize",
        activation::quantize_and_dequantize,
    ),
    (
        "elementwise::elementwise_binary_ops",
        elementwise::elementwise_binary_ops,
    ),
    ("conv::convolutions", conv::convolutions),
    ("conv::dense_layers", conv::dense_layers),
];
