//! SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, QUANTIZE and
//! DEQUANTIZE (the generators: `autodeploy_testkit::ops::activation`).

use autodeploy_testkit::ops::activation::{activations, quantize_and_dequantize};

use crate::harness::*;

#[test]
fn activations_match_tflite_micro() {
    check("activation", activations(CASES));
}

#[test]
fn quantize_and_dequantize_match_tflite_micro() {
    check("quantize", quantize_and_dequantize(CASES));
}
