//! Real firmware on real (emulated) Cortex-M cores: every shared int8 model
//! the tool supports (the MLPerf Tiny ones, hello_world and the two
//! microwakeword models) validates bit-exact with 20 samples on qemu-m4,
//! qemu-m7 and qemu-m55, each with the optimised kernels of its core.

mod common;

use autodeploy_validate::validate;
use common::{model_bytes, options, samples, stem};

const SAMPLES: usize = 20;

async fn check(model: &str, board: &str) {
    let bytes = model_bytes(model);
    let report = validate(
        &bytes,
        stem(model),
        &samples(&bytes, 7, SAMPLES),
        options(board),
    )
    .await
    .unwrap_or_else(|e| panic!("{model} on {board}: {e:?}"));
    assert_eq!(report.samples, SAMPLES);
    assert!(
        report.passed(),
        "{model} on {board}: {:?}",
        report.divergence
    );
    assert!(report.divergence.is_none());
    for agreement in &report.outputs {
        assert_eq!(agreement.exact_percent(), 100.0);
        assert_eq!(agreement.max_abs_diff, 0.0);
        assert_eq!(agreement.top1_agree, SAMPLES);
    }
    assert_eq!(report.info.board, board);
    // The instruction count repeats exactly for the same input; every sample ran.
    assert_eq!(report.counts.len(), SAMPLES);
    assert!(report.counts.iter().all(|&c| c > 0));
    // Stack painting: some stack was used, and less than the board reserves.
    let stack = report.stack_size.expect("the board reports its stack size");
    assert!(
        report.stack_high_water > 0 && report.stack_high_water < stack,
        "{} of {stack}",
        report.stack_high_water
    );
}

#[tokio::test(flavor = "current_thread")]
async fn kws_validates_on_qemu_m4() {
    check("mlperf-tiny/kws_ref_model", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn vww_validates_on_qemu_m4() {
    check("mlperf-tiny/vww_96_int8", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn ic_resnet8_validates_on_qemu_m4() {
    check("mlperf-tiny/ic_resnet8_int8", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn ad01_validates_on_qemu_m4() {
    check("mlperf-tiny/ad01_int8", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn str_ww_validates_on_qemu_m4() {
    check("mlperf-tiny/str_ww_ref_model", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn hello_world_validates_on_qemu_m4() {
    check("tflm-examples/hello_world_int8", "qemu-m4").await;
}

#[tokio::test(flavor = "current_thread")]
async fn kws_and_ic_resnet8_validate_on_qemu_m7() {
    check("mlperf-tiny/kws_ref_model", "qemu-m7").await;
    check("mlperf-tiny/ic_resnet8_int8", "qemu-m7").await;
}

#[tokio::test(flavor = "current_thread")]
async fn kws_and_ic_resnet8_validate_on_qemu_m55() {
    check("mlperf-tiny/kws_ref_model", "qemu-m55").await;
    check("mlperf-tiny/ic_resnet8_int8", "qemu-m55").await;
}

/// The shared int8 models the tests above leave to these boards.
const OTHER_INT8: &[&str] = &[
    "mlperf-tiny/vww_96_int8",
    "mlperf-tiny/ad01_int8",
    "mlperf-tiny/str_ww_ref_model",
    "tflm-examples/hello_world_int8",
    "microwakeword/alexa",
    "microwakeword/hey_jarvis",
];

#[tokio::test(flavor = "current_thread")]
async fn the_other_int8_models_validate_on_qemu_m7() {
    for model in OTHER_INT8 {
        check(model, "qemu-m7").await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_other_int8_models_validate_on_qemu_m55() {
    for model in OTHER_INT8 {
        check(model, "qemu-m55").await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn microwakeword_validates_on_qemu_m4() {
    check("microwakeword/alexa", "qemu-m4").await;
    check("microwakeword/hey_jarvis", "qemu-m4").await;
}
