//! SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, QUANTIZE
//! and DEQUANTIZE.

use autodeploy_model::{ElementType, OpKind, TensorValue};

use super::*;

fn any_shape(rng: &mut Rng) -> Vec<usize> {
    let rank = rng.usize(1, 4);
    rng.shape(rank, 8)
}

/// A one-input, one-output model.
pub fn unary(
    label: &str,
    kind: OpKind,
    shape: &[usize],
    (input, qi): (ElementType, (f32, i64)),
    (output, qo): (ElementType, (f32, i64)),
) -> Case {
    let desc = format!("{kind:?} {shape:?} input {input} {qi:?} output {output} {qo:?}");
    let bytes = model(|g| {
        let i = g.tensor(act_spec("input", input, shape, qi));
        let o = g.tensor(act_spec("output", output, shape, qo));
        g.operator(kind, &[i], &[o]).inputs(&[i]).outputs(&[o]);
    });
    Case::new(label, desc, bytes)
}

fn label(op: &str, dtype: ElementType) -> String {
    format!("{op} {}", type_name(dtype))
}

fn activation_case(rng: &mut Rng, op: &str, dtype: ElementType) -> Case {
    let shape = any_shape(rng);
    let qi = if dtype == I16 && matches!(op, "LOGISTIC" | "TANH") {
        sigmoid_tanh_s16_input(rng)
    } else {
        act_quant(rng, dtype)
    };
    let (kind, qo) = match op {
        "SOFTMAX" => {
            let beta = rng.log_uniform(0.1, 4.0);
            let qi = if dtype == I16 {
                (rng.log_uniform(1e-4, 1e-2), 0)
            } else {
                qi
            };
            let qo = match dtype {
                I8 => (1.0 / 256.0, -128),
                _ => (1.0 / 32768.0, 0),
            };
            let last = rng.usize(1, 40);
            let mut shape = shape;
            *shape.last_mut().expect("rank >= 1") = last;
            return unary(
                &label(op, dtype),
                OpKind::Softmax { beta },
                &shape,
                (dtype, qi),
                (dtype, qo),
            );
        }
        "LOGISTIC" => (
            OpKind::Logistic,
            match dtype {
                I8 => (1.0 / 256.0, -128),
                _ => (1.0 / 32768.0, 0),
            },
        ),
        "TANH" => (
            OpKind::Tanh,
            match dtype {
                I8 => (1.0 / 128.0, 0),
                _ => (1.0 / 32768.0, 0),
            },
        ),
        "RELU" => (OpKind::Relu, act_quant(rng, dtype)),
        // TensorFlow Lite Micro ignores RELU6's output quantization (the
        // reference follows it): keep them equal here.
        "RELU6" => (OpKind::Relu6, qi),
        "LEAKY_RELU" => (
            OpKind::LeakyRelu {
                alpha: rng.uniform(-1.0, 2.0) as f32,
            },
            act_quant(rng, dtype),
        ),
        // TensorFlow Lite Micro refuses an output scale below input / 128.
        "HARD_SWISH" => {
            let (scale, zp) = act_quant(rng, dtype);
            (OpKind::HardSwish, (scale.max(qi.0 / 100.0), zp))
        }
        other => panic!("no generator for {other}"),
    };
    unary(&label(op, dtype), kind, &shape, (dtype, qi), (dtype, qo))
}

/// An int16 LOGISTIC/TANH input quantization (zero point 0, as TFLite
/// requires). A third are powers of two, which include TFLite's shift-only
/// paths (2^-12 for both, 2^-11 for TANH); the rest take its multiplier path,
/// up to scales where most inputs saturate.
fn sigmoid_tanh_s16_input(rng: &mut Rng) -> (f32, i64) {
    if rng.chance(1.0 / 3.0) {
        ((-rng.range(8, 15) as f32).exp2(), 0)
    } else {
        (rng.log_uniform(1e-5, 1.0), 0)
    }
}

/// `n` cases per operator and type.
pub fn activations(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0xAC7);
    let mut cases = Vec::new();
    for (op, types) in [
        ("SOFTMAX", &[I8, I16, F32][..]),
        ("LOGISTIC", &[I8, I16, F32]),
        ("TANH", &[I8, I16, F32]),
        ("RELU", &[I8, F32]),
        ("RELU6", &[I8, F32]),
        ("LEAKY_RELU", &[I8, I16, F32]),
        ("HARD_SWISH", &[I8, F32]),
    ] {
        for &dtype in types {
            for _ in 0..n {
                cases.push(activation_case(&mut rng, op, dtype));
            }
        }
    }
    cases
}

/// Float inputs spread over the output's range and a bit beyond (to
/// saturate), with some exact quantization steps and half-steps.
fn float_samples(
    rng: &mut Rng,
    shape: &[usize],
    (scale, zp): (f32, i64),
    bits: u32,
) -> Vec<Vec<TensorValue>> {
    let n: usize = shape.iter().product();
    let (lo, hi) = (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1);
    (0..2)
        .map(|_| {
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    let q = rng.uniform((lo - zp) as f64 * 1.1, (hi - zp) as f64 * 1.1);
                    let q = match rng.usize(0, 3) {
                        0 => q.round(),
                        1 => q.round() + 0.5,
                        _ => q,
                    };
                    (q * f64::from(scale)) as f32
                })
                .collect();
            vec![TensorValue::from_f32(shape, &values)]
        })
        .collect()
}

fn bits(t: ElementType) -> u32 {
    match t {
        I8 => 8,
        I16 => 16,
        _ => 32,
    }
}

fn quantize_case(rng: &mut Rng, input: ElementType, output: ElementType) -> Case {
    let shape = any_shape(rng);
    let qi = act_quant(rng, input);
    let qo = match output {
        I32 => (rng.log_uniform(1e-6, 1e-2), 0),
        _ => act_quant(rng, output),
    };
    let (op, label) = if output == F32 {
        (
            OpKind::Dequantize,
            format!("DEQUANTIZE {}", type_name(input)),
        )
    } else {
        let out_name = if output == I32 {
            "int32"
        } else {
            type_name(output)
        };
        (
            OpKind::Quantize,
            format!("QUANTIZE {} to {out_name}", type_name(input)),
        )
    };
    let case = unary(&label, op, &shape, (input, qi), (output, qo));
    if input == F32 {
        let samples = float_samples(rng, &shape, qo, bits(output));
        case.with_samples(samples)
    } else {
        case
    }
}

/// `n` cases per operator and type.
pub fn quantize_and_dequantize(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0x9A);
    let mut cases = Vec::new();
    for (input, output) in [
        (F32, I8),
        (F32, I16),
        (I8, I8),
        (I8, I16),
        (I8, I32),
        (I16, I8),
        (I16, I16),
        (I16, I32),
        (I8, F32),
        (I16, F32),
        // Last, so that the cases above keep their random draws: the
        // output layer of the microWakeWord models.
        (I8, U8),
    ] {
        for _ in 0..n {
            cases.push(quantize_case(&mut rng, input, output));
        }
    }
    cases
}
