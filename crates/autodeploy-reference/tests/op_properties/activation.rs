//! SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, QUANTIZE and
//! DEQUANTIZE (the generators: `autodeploy_testkit::ops::activation`).

use autodeploy_model::OpKind;
use autodeploy_testkit::ops::activation::{activations, quantize_and_dequantize, unary};

use crate::harness::*;

#[test]
fn activations_match_tflite_micro() {
    check("activation", activations(CASES));
}

#[test]
fn quantize_and_dequantize_match_tflite_micro() {
    check("quantize", quantize_and_dequantize(CASES));
}

/// int16 LOGISTIC and TANH need TFLite's 256-entry sigmoid table, which no
/// simple formula reproduces (rounding `65536 / (1 + exp(-i / 24))` misses 44
/// entries by one); until the table is measured, the model crate refuses them.
#[test]
fn int16_logistic_and_tanh_are_refused() {
    for kind in [OpKind::Logistic, OpKind::Tanh] {
        let case = unary(
            "refused",
            kind,
            &[4],
            (I16, (1e-3, 0)),
            (I16, (1.0 / 32768.0, 0)),
        );
        let model = autodeploy_model::Model::from_bytes(&case.model).unwrap();
        let error = autodeploy_reference::Interpreter::new(model)
            .err()
            .expect("refused");
        assert!(
            error
                .to_string()
                .contains("int16 activations are not supported"),
            "{error}"
        );
    }
}
