//! Shared helpers for the QEMU validation tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use autodeploy_codegen::Generated;
use autodeploy_model::{Model, TensorValue};
use autodeploy_rpc::transport::GdbRemote;
use autodeploy_rpc::RpcError;
use autodeploy_toolchain::{symbol_address, Board, Firmware, QemuOptions, QemuRunner, QemuSession};
use autodeploy_validate::{
    build_for_model, kernels_for_board, FirmwareOptions, ValidateOptions, RTT_SYMBOL,
};
use tokio::net::UnixStream;

/// One build cache for all tests of this crate: each firmware is built
/// once per test run (and reused across runs of the suite).
pub fn cache_dir() -> PathBuf {
    autodeploy_testkit::models::workspace_root().join("target/autodeploy-test-cache")
}

pub fn options(board: &str) -> ValidateOptions {
    let mut options = ValidateOptions::new(Board::resolve(board).expect("built-in board"));
    options.cache_dir = cache_dir();
    options
}

pub fn model_bytes(name: &str) -> Vec<u8> {
    std::fs::read(autodeploy_testkit::models::model_path(name)).unwrap()
}

pub fn stem(name: &str) -> &str {
    name.rsplit('/').next().unwrap()
}

pub fn samples(bytes: &[u8], seed: u64, count: usize) -> Vec<Vec<TensorValue>> {
    autodeploy_testkit::bundle::default_samples(&Model::from_bytes(bytes).unwrap(), seed, count)
}

/// kws_ref_model's RTT validator firmware running on qemu-m4 with QEMU's gdbstub.
pub struct RttKws {
    pub generated: Generated,
    pub firmware: Firmware,
    /// The RTT control block's address.
    pub address: u32,
    pub session: QemuSession,
}

/// Builds kws's RTT validator for qemu-m4 (optimised kernels) and starts it with the gdbstub.
pub async fn start_rtt_kws() -> RttKws {
    let board = Board::builtin("qemu-m4").unwrap();
    let bytes = model_bytes("mlperf-tiny/kws_ref_model");
    let model = Model::from_bytes(&bytes).unwrap();
    let options = FirmwareOptions {
        rtt: true,
        ..FirmwareOptions::default()
    };
    let (generated, firmware) = build_for_model(
        &model,
        &bytes,
        "kws_ref_model",
        kernels_for_board(&board, true),
        &board,
        &cache_dir(),
        &options,
    )
    .unwrap();
    let address = symbol_address(&firmware.elf, RTT_SYMBOL).unwrap().unwrap() as u32;
    let qemu = QemuOptions {
        gdb: true,
        ..QemuOptions::default()
    };
    let session = QemuRunner::discover()
        .unwrap()
        .start(&board, &firmware.elf, &qemu)
        .await
        .unwrap();
    RttKws {
        generated,
        firmware,
        address,
        session,
    }
}

/// A connection to QEMU's gdbstub at `socket`, waiting up to 5 s for the socket to appear.
pub async fn connect_gdb(socket: &Path) -> Result<GdbRemote<UnixStream>, RpcError> {
    let mut stream = None;
    for _ in 0..500 {
        if let Ok(s) = UnixStream::connect(socket).await {
            stream = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let stream = stream.expect("QEMU's gdbstub socket");
    GdbRemote::connect(stream, "test gdbstub".into(), Duration::from_secs(5)).await
}
