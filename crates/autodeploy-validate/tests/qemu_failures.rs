//! What goes wrong on a board is reported, clearly and in time, never hung
//! on: a fault names its layer, a hung layer is found, a stale firmware is
//! refused, a killed board ends the session, an image too large is refused
//! naming the memory.

mod common;

use std::time::{Duration, Instant};

use autodeploy_toolchain::{Board, ToolchainError};
use autodeploy_validate::{ValidateError, Validator};
use common::{model_bytes, options, samples, stem};

const KWS: &str = "mlperf-tiny/kws_ref_model";

#[tokio::test(flavor = "current_thread")]
async fn a_fault_is_reported_with_its_layer_and_registers() {
    let bytes = model_bytes(KWS);
    let mut opts = options("qemu-m4");
    opts.firmware.fault_at_layer = Some(3);
    let mut validator = Validator::start(&bytes, stem(KWS), opts).await.unwrap();
    let started = Instant::now();
    let err = validator
        .run_sample(&samples(&bytes, 1, 1)[0])
        .await
        .unwrap_err();
    match &err {
        ValidateError::Fault { layer, op, fault } => {
            assert_eq!(*layer, Some(3));
            assert_eq!(op.as_deref(), Some("DEPTHWISE_CONV_2D"));
            assert_eq!(fault.bfar, 0xF000_0000, "the faulting address");
        }
        other => panic!("expected a fault, got {other:?}"),
    }
    assert!(
        err.to_string().contains("in layer 3 DEPTHWISE_CONV_2D"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    validator.shutdown().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_board_that_stops_answering_is_stepped_to_the_hanging_layer() {
    let bytes = model_bytes(KWS);
    let mut opts = options("qemu-m4");
    opts.firmware.hang_at_layer = Some(5);
    opts.invoke_timeout = Duration::from_secs(2);
    opts.request_timeout = Duration::from_secs(2);
    let mut validator = Validator::start(&bytes, stem(KWS), opts).await.unwrap();
    let started = Instant::now();
    let err = validator
        .run_sample(&samples(&bytes, 1, 1)[0])
        .await
        .unwrap_err();
    match &err {
        ValidateError::Unresponsive { layer, op, .. } => {
            assert_eq!(*layer, Some(5));
            assert_eq!(op.as_deref(), Some("DEPTHWISE_CONV_2D"));
        }
        other => panic!("expected Unresponsive, got {other:?}"),
    }
    assert!(err.to_string().contains("stopped answering"), "{err}");
    // The invoke timeout (with the client's retries), a restart, and one
    // more timeout at the hanging layer: bounded, well under a minute.
    assert!(
        started.elapsed() < Duration::from_secs(45),
        "{:?}",
        started.elapsed()
    );
    validator.shutdown().await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_firmware_built_for_another_model_is_refused() {
    let bytes = model_bytes(KWS);
    let mut opts = options("qemu-m4");
    opts.expected_hash = Some("0".repeat(64));
    match Validator::start(&bytes, stem(KWS), opts).await {
        Err(ValidateError::StaleFirmware { expected, actual }) => {
            assert_eq!(expected, "0".repeat(64));
            assert_eq!(
                actual.len(),
                64,
                "the board reports the SHA-256 of its model"
            );
        }
        Err(other) => panic!("expected StaleFirmware, got {other:?}"),
        Ok(_) => panic!("a stale firmware was accepted"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_killed_board_ends_the_session_with_an_error() {
    let bytes = model_bytes(KWS);
    let mut opts = options("qemu-m4");
    opts.request_timeout = Duration::from_secs(2);
    let mut validator = Validator::start(&bytes, stem(KWS), opts).await.unwrap();
    let pid = validator.board_pid().expect("QEMU runs");
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let err = validator
        .run_sample(&samples(&bytes, 1, 1)[0])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ValidateError::Rpc { .. } | ValidateError::Unresponsive { .. }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_model_too_large_for_the_board_is_refused_naming_the_memory() {
    let bytes = model_bytes("mlperf-tiny/vww_96_int8");
    let mut board = Board::resolve("qemu-m4").unwrap();
    board.name = "tiny-m4".into();
    // 64 KiB of code memory: vww's weights alone are about 300 KB.
    for region in &mut board.memory {
        if region.origin == 0 {
            region.length = 64 * 1024;
        }
    }
    let mut opts = options("qemu-m4");
    opts.board = board;
    match Validator::start(&bytes, "vww_96_int8", opts).await {
        Err(ValidateError::Toolchain { source, .. })
            if matches!(*source, ToolchainError::DoesNotFit { .. }) =>
        {
            let ToolchainError::DoesNotFit { overflows, .. } = *source else {
                unreachable!()
            };
            assert!(!overflows.is_empty());
            let text = format!("{overflows:?}");
            assert!(text.contains("code"), "{text}");
        }
        Err(other) => panic!("expected DoesNotFit, got {other:?}"),
        Ok(_) => panic!("an image too large was accepted"),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_wrong_layer_on_the_board_is_named_as_the_first_divergence() {
    let bytes = model_bytes(KWS);
    let mut opts = options("qemu-m4");
    opts.firmware.corrupt_layer = Some(4);
    let report = autodeploy_validate::validate(&bytes, stem(KWS), &samples(&bytes, 3, 3), opts)
        .await
        .unwrap();
    assert!(
        !report.passed(),
        "a corrupted layer 4 must show at the output"
    );
    let d = report.divergence.expect("the first differing layer");
    assert_eq!((d.layer, d.op.as_str(), d.sample), (4, "CONV_2D", 0));
    assert!(!d.agreement.passes());
    assert_eq!(d.agreement.max_abs_diff, 16.0, "bit 4 flipped: 16 LSB");
    assert_eq!(d.agreement.matching, 0, "every element was changed");
}
