//! RTT over QEMU's gdbstub: the validator firmware built for RTT validates bit-exact with the
//! same instruction count as over the UART (halting the CPU for memory access does not move
//! QEMU's `-icount` clock), and a scribbled-on control block or ring offset is reported as such.

mod common;

use std::time::Duration;

use autodeploy_rpc::transport::{GdbRemote, Rtt, RttTransport};
use autodeploy_rpc::{Client, ClientConfig, RpcError};
use autodeploy_validate::{validate, TransportKind};
use tokio::net::UnixStream;

async fn validate_over(transport: TransportKind, name: &str) -> autodeploy_validate::Report {
    let bytes = common::model_bytes(name);
    let samples = common::samples(&bytes, 7, 2);
    let mut options = common::options("qemu-m4");
    options.transport = Some(transport);
    validate(&bytes, common::stem(name), &samples, options)
        .await
        .unwrap()
}

#[tokio::test]
async fn kws_over_rtt_is_bit_exact_with_the_uart_instruction_count() {
    let rtt = validate_over(TransportKind::Rtt, "mlperf-tiny/kws_ref_model").await;
    assert!(rtt.passed(), "{:?}", rtt.outputs);
    assert_eq!(rtt.samples, 2);
    let uart = validate_over(TransportKind::Uart, "mlperf-tiny/kws_ref_model").await;
    assert!(uart.passed());
    assert_eq!(rtt.counts, uart.counts);
}

/// Builds the RTT validator for kws, starts it under QEMU with the gdbstub and attaches.
async fn attached() -> (
    autodeploy_toolchain::QemuSession,
    Rtt<GdbRemote<UnixStream>>,
) {
    let common::RttKws {
        address, session, ..
    } = common::start_rtt_kws().await;
    let gdb = common::connect_gdb(session.gdb_socket().unwrap())
        .await
        .unwrap();
    let rtt = Rtt::attach(gdb, address, Duration::from_secs(5))
        .await
        .unwrap();
    (session, rtt)
}

#[tokio::test]
async fn corrupt_control_block_and_ring_offsets_are_reported() {
    let (session, mut rtt) = attached().await;
    let block = rtt.control_block().await.unwrap();
    assert_eq!((block.max_up, block.max_down), (1, 1));
    assert!(block.up.size >= 1024 && block.down.size >= 1024);

    // The board's write offset of the up ring, far out of range.
    let field = block.up.descriptor + 12;
    let gdb = rtt.memory();
    gdb.halt().await.unwrap();
    gdb.write_memory(field, &0x00FF_0000u32.to_le_bytes())
        .await
        .unwrap();
    let (mut out, mut inc) = (Vec::new(), Vec::new());
    match rtt.exchange(&mut out, &mut inc).await {
        Err(RpcError::RttRing {
            ring: "up",
            field: "write_offset",
            value: 0x00FF_0000,
            size,
            ..
        }) => assert_eq!(size, block.up.size),
        other => panic!("expected an up-ring offset error, got {other:?}"),
    }
    // Put it back: the channel works again.
    let gdb = rtt.memory();
    gdb.halt().await.unwrap();
    gdb.write_memory(field, &block.up.write_offset.to_le_bytes())
        .await
        .unwrap();
    rtt.exchange(&mut out, &mut inc).await.unwrap();

    // The id overwritten: the block is no longer recognised.
    let gdb = rtt.memory();
    gdb.halt().await.unwrap();
    gdb.write_memory(block.address, b"JUNK").await.unwrap();
    let err = rtt.exchange(&mut out, &mut inc).await.unwrap_err();
    assert!(
        matches!(err, RpcError::RttControlBlock { address, .. } if address == block.address),
        "{err:?}"
    );
    assert!(err.to_string().contains("no \"SEGGER RTT\" id"), "{err}");
    let gdb = rtt.memory();
    gdb.halt().await.unwrap();
    gdb.write_memory(block.address, b"SEGG").await.unwrap();

    // The board's read offset of the down ring out of range, seen through the client: the
    // handshake fails and the error chain names the ring and the field.
    let down_read = block.down.descriptor + 16;
    let gdb = rtt.memory();
    gdb.halt().await.unwrap();
    gdb.write_memory(down_read, &block.down.size.to_le_bytes())
        .await
        .unwrap();
    let transport = RttTransport::start(rtt);
    let config = ClientConfig {
        timeout: Duration::from_secs(2),
        ..ClientConfig::default()
    };
    let err = match Client::connect_with(transport, config).await {
        Ok(_) => panic!("the handshake passed over a corrupt ring"),
        Err(e) => e,
    };
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(
        chain.contains("RTT down ring") && chain.contains("read_offset"),
        "{chain}"
    );
    session.kill().await;
}

#[tokio::test]
async fn ic_resnet8_over_rtt_is_bit_exact() {
    let report = validate_over(TransportKind::Rtt, "mlperf-tiny/ic_resnet8_int8").await;
    assert!(report.passed(), "{:?}", report.outputs);
}
