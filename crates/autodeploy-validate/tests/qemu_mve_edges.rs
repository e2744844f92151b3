//! The Helium (MVE) kernel variants on qemu-m55 at their edges: odd channel
//! counts (tail groups of 1..3 channels, partial 8-channel depthwise blocks),
//! windows that are not a multiple of 16 bytes, padding at every border, and
//! zero points at the extremes (127 and -128), output scales that make the
//! requantisation shift left, validated bit-exact against the reference
//! interpreter on seeded random inputs.

mod common;

use autodeploy_codegen::{generate, Core, GenerateOptions, KernelChoice};
use autodeploy_model::builder::{GraphBuilder, TensorSpec};
use autodeploy_model::{
    Activation, Conv2dOptions, DepthwiseConv2dOptions, ElementType, FullyConnectedOptions, Model,
    OpKind, Padding, Pool2dOptions,
};
use autodeploy_validate::validate;
use common::{options, samples};

/// Deterministic pseudo-random int8 values (a linear congruential generator).
fn values(seed: u32, n: usize) -> Vec<i8> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (s >> 16) as i8
        })
        .collect()
}

fn biases(seed: u32, n: usize) -> Vec<i32> {
    values(seed, n).iter().map(|&v| i32::from(v) * 37).collect()
}

/// in [1,7,9,3] (zero point 127) -> CONV_2D 3x3 SAME, 5 channels (window 27 bytes)
/// -> DEPTHWISE_CONV_2D 3x3 SAME stride 2 -> CONV_2D 1x1 to 19 channels
/// -> AVERAGE_POOL_2D 2x2 -> FULLY_CONNECTED to 7. With `left_shifts`, the
/// depthwise and 1x1 outputs have scales below input x filter scale, so their
/// multipliers shift left (effective scales 2.5 and 2).
fn edge_model(input_zero_point: i64, left_shifts: bool) -> Vec<u8> {
    let (s1, s2) = if left_shifts {
        (0.0004, 4e-6)
    } else {
        (0.04, 0.03)
    };
    let mut g = GraphBuilder::new();
    let act = |g: &mut GraphBuilder, name: &str, shape: &[i32], scale: f32, zp: i64| {
        g.tensor(TensorSpec::new(name, ElementType::Int8, shape).scale(scale, zp))
    };
    let weights = |g: &mut GraphBuilder, name: &str, shape: &[i32], seed: u32| {
        let n = shape.iter().product::<i32>() as usize;
        g.tensor(
            TensorSpec::new(name, ElementType::Int8, shape)
                .scale(0.02, 0)
                .data_i8(&values(seed, n)),
        )
    };
    let bias = |g: &mut GraphBuilder, name: &str, n: usize, scale: f32, seed: u32| {
        g.tensor(
            TensorSpec::new(name, ElementType::Int32, &[n as i32])
                .scale(scale, 0)
                .data_i32(&biases(seed, n)),
        )
    };
    let x = act(&mut g, "in", &[1, 7, 9, 3], 0.03, input_zero_point);
    let f0 = weights(&mut g, "f0", &[5, 3, 3, 3], 1);
    let b0 = bias(&mut g, "b0", 5, 0.0006, 2);
    let y0 = act(&mut g, "y0", &[1, 7, 9, 5], 0.05, -128);
    g.operator(
        OpKind::Conv2d(Conv2dOptions {
            padding: Padding::Same,
            stride_w: 1,
            stride_h: 1,
            dilation_w: 1,
            dilation_h: 1,
            activation: Activation::Relu,
        }),
        &[x, f0, b0],
        &[y0],
    );
    let f1 = weights(&mut g, "f1", &[1, 3, 3, 5], 3);
    let b1 = bias(&mut g, "b1", 5, 0.001, 4);
    let y1 = act(&mut g, "y1", &[1, 4, 5, 5], s1, 127);
    g.operator(
        OpKind::DepthwiseConv2d(DepthwiseConv2dOptions {
            padding: Padding::Same,
            stride_w: 2,
            stride_h: 2,
            dilation_w: 1,
            dilation_h: 1,
            depth_multiplier: 1,
            activation: Activation::None,
        }),
        &[y0, f1, b1],
        &[y1],
    );
    let f2 = weights(&mut g, "f2", &[19, 1, 1, 5], 5);
    let b2 = bias(&mut g, "b2", 19, 0.0008, 6);
    let y2 = act(&mut g, "y2", &[1, 4, 5, 19], s2, -3);
    g.operator(
        OpKind::Conv2d(Conv2dOptions {
            padding: Padding::Valid,
            stride_w: 1,
            stride_h: 1,
            dilation_w: 1,
            dilation_h: 1,
            activation: Activation::None,
        }),
        &[y1, f2, b2],
        &[y2],
    );
    let y3 = act(&mut g, "y3", &[1, 2, 2, 19], s2, -3);
    g.operator(
        OpKind::AveragePool2d(Pool2dOptions {
            padding: Padding::Valid,
            stride_w: 2,
            stride_h: 2,
            filter_w: 2,
            filter_h: 2,
            activation: Activation::None,
        }),
        &[y2],
        &[y3],
    );
    let f4 = weights(&mut g, "f4", &[7, 76], 7);
    let b4 = bias(&mut g, "b4", 7, 0.0006, 8);
    let y4 = act(&mut g, "out", &[1, 7], 0.1, 5);
    g.operator(
        OpKind::FullyConnected(FullyConnectedOptions {
            activation: Activation::None,
            keep_num_dims: false,
            shuffled_weights: false,
            asymmetric_quantize_inputs: false,
        }),
        &[y3, f4, b4],
        &[y4],
    );
    g.inputs(&[x]).outputs(&[y4]);
    g.into_model().finish().unwrap()
}

async fn check(input_zero_point: i64, left_shifts: bool) {
    let bytes = edge_model(input_zero_point, left_shifts);
    // Every layer of the model runs a Helium variant on cortex-m55.
    let model = Model::from_bytes(&bytes).unwrap();
    let mut generate_options = GenerateOptions::new("mve_edges", "mve_edges.tflite");
    generate_options.kernels = KernelChoice::Optimized(Core::CortexM55);
    let generated = generate(&model, &bytes, &generate_options).unwrap();
    let names: Vec<&str> = generated
        .layer_kernels
        .iter()
        .map(|k| k.map_or("-", |k| k.c_name()))
        .collect();
    assert!(names.iter().all(|n| n.contains("_mve_")), "{names:?}");
    // The depthwise records' first word says whether a channel shifts left.
    let source = generated
        .files
        .iter()
        .find(|f| f.path.ends_with("mve_edges.c"))
        .map(|f| f.contents.as_str())
        .unwrap();
    let header = source
        .split("mve_edges_layer1_channels[")
        .nth(1)
        .and_then(|rest| rest.split("{\n    ").nth(1))
        .and_then(|values| values.split(',').next());
    assert_eq!(
        header,
        Some(if left_shifts { "1" } else { "0" }),
        "layer 1 records"
    );
    let report = validate(
        &bytes,
        "mve_edges",
        &samples(&bytes, 11, 6),
        options("qemu-m55"),
    )
    .await
    .unwrap_or_else(|e| panic!("zero point {input_zero_point}: {e:?}"));
    assert!(
        report.passed(),
        "zero point {input_zero_point}: {:?}",
        report.divergence
    );
    for agreement in &report.outputs {
        assert_eq!(agreement.exact_percent(), 100.0);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn mve_variants_are_exact_at_the_edges_on_qemu_m55() {
    check(127, false).await;
    check(-128, false).await;
    check(-128, true).await;
}
