//! CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED and
//! BATCH_MATMUL (the generators: `autodeploy_testkit::ops::conv`).

use autodeploy_model::{Activation, DepthwiseConv2dOptions, OpKind, Padding, TransposeConvOptions};
use autodeploy_testkit::ops::conv::{convolutions, dense_layers};

use crate::harness::*;

#[test]
fn convolutions_match_tflite_micro() {
    check("conv", convolutions(CASES));
}

#[test]
fn dense_layers_match_tflite_micro() {
    check("dense", dense_layers(CASES));
}

/// TensorFlow Lite Micro reads the bias of a 16x8 DEPTHWISE_CONV_2D or
/// TRANSPOSE_CONV as int64 whatever its type: an int32 bias gives garbage
/// there, so the reference refuses it.
#[test]
fn int32_bias_refused_for_16x8_depthwise_and_transpose_conv() {
    let q = (1e-3, 0);
    let depthwise = model(|g| {
        let input = g.tensor(act_spec("input", I16, &[1, 3, 3, 2], q));
        let weights = g.tensor(
            spec("weights", I8, &[1, 1, 1, 2])
                .quant(per_channel(vec![0.5, 0.5], 3))
                .data_i8(&[1, 2]),
        );
        let bias = g.tensor(spec("bias", I32, &[2]).data_i32(&[1, 2]));
        let output = g.tensor(act_spec("output", I16, &[1, 3, 3, 2], q));
        let op = OpKind::DepthwiseConv2d(DepthwiseConv2dOptions {
            padding: Padding::Valid,
            stride_w: 1,
            stride_h: 1,
            dilation_w: 1,
            dilation_h: 1,
            depth_multiplier: 1,
            activation: Activation::None,
        });
        g.operator(op, &[input, weights, bias], &[output])
            .inputs(&[input])
            .outputs(&[output]);
    });
    let transpose = model(|g| {
        let shape = g.tensor(spec("shape", I32, &[4]).data_i32(&[1, 3, 3, 2]));
        let weights = g.tensor(
            spec("weights", I8, &[2, 1, 1, 2])
                .quant(per_channel(vec![0.5, 0.5], 0))
                .data_i8(&[1, 2, 3, 4]),
        );
        let input = g.tensor(act_spec("input", I16, &[1, 3, 3, 2], q));
        let bias = g.tensor(spec("bias", I32, &[2]).data_i32(&[1, 2]));
        let output = g.tensor(act_spec("output", I16, &[1, 3, 3, 2], q));
        let op = OpKind::TransposeConv(TransposeConvOptions {
            padding: Padding::Valid,
            stride_w: 1,
            stride_h: 1,
            activation: Activation::None,
        });
        g.operator(op, &[shape, weights, input, bias], &[output])
            .inputs(&[input])
            .outputs(&[output]);
    });
    for bytes in [depthwise, transpose] {
        let model = autodeploy_model::Model::from_bytes(&bytes).unwrap();
        let error = autodeploy_reference::Interpreter::new(model)
            .err()
            .expect("refused");
        assert!(error.to_string().contains("must be int64"), "{error}");
    }
}
