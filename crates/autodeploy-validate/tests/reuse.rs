//! Reusing a firmware already running on a board, over RTT through QEMU's gdbstub: the same
//! decision code (`reuse_or_load`, `image_difference`) that a probe board runs, with QEMU in
//! the board's place. The firmware is started once; the decision then finds its image and this
//! model's hash and loads nothing, and the reused link validates a sample bit-exact. A wrong
//! hash, another build of the same model, `reload`, and a board where no firmware answers each
//! lead to a load, with the reason.

mod common;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use autodeploy_model::Model;
use autodeploy_reference::Interpreter;
use autodeploy_rpc::transport::{Rtt, RttTransport};
use autodeploy_rpc::{Client, ClientConfig, RpcError};
use autodeploy_toolchain::{loadable_segments, Segment};
use autodeploy_validate::reuse::{
    image_difference, reuse_or_load, FirmwareStart, REUSE_CHECK_TIMEOUT,
};

/// A fresh connection to QEMU's gdbstub and RTT on the control block at `address`.
async fn open_rtt(socket: PathBuf, address: u32) -> Result<RttTransport, RpcError> {
    open_rtt_waiting(socket, address, Duration::from_secs(5)).await
}

/// The same, waiting at most `wait` for the control block's id.
async fn open_rtt_waiting(
    socket: PathBuf,
    address: u32,
    wait: Duration,
) -> Result<RttTransport, RpcError> {
    let gdb = common::connect_gdb(&socket).await?;
    let rtt = Rtt::attach(gdb, address, wait).await?;
    Ok(RttTransport::start(rtt))
}

/// The image check as a probe board does it, through its own gdbstub connection.
/// Why `start` loaded the firmware; panics when it reused one or gave no reason.
fn load_reason(start: &FirmwareStart) -> &str {
    match start {
        FirmwareStart::Loaded { reason: Some(r) } => r,
        other => panic!("expected a load with a reason, got {other:?}"),
    }
}

async fn same_image(socket: &Path, segments: &[Segment]) -> Result<(), String> {
    let mut gdb = common::connect_gdb(socket)
        .await
        .map_err(|e| e.to_string())?;
    match image_difference(&mut gdb, segments).await {
        Ok(None) => Ok(()),
        Ok(Some(at)) => Err(format!("the image differs at {at:#010x}")),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test]
async fn a_running_firmware_of_this_model_is_reused_and_others_are_loaded() {
    // Started once: everything below talks to this one firmware.
    let common::RttKws {
        generated,
        firmware,
        address,
        session,
    } = common::start_rtt_kws().await;
    let bytes = common::model_bytes("mlperf-tiny/kws_ref_model");
    let model = Model::from_bytes(&bytes).unwrap();
    let socket = session.gdb_socket().unwrap().to_path_buf();
    let hash = generated.model_hash.clone();
    let (segments, _) = loadable_segments(&firmware.elf).unwrap();
    assert!(!segments.is_empty());

    // This model's firmware runs: nothing is loaded, and the link it gives works.
    let loads = Cell::new(0);
    let opened = Cell::new(0);
    let (link, start) = reuse_or_load(
        async || same_image(&socket, &segments).await,
        async |_| {
            opened.set(opened.get() + 1);
            open_rtt(socket.clone(), address).await
        },
        async || {
            loads.set(loads.get() + 1);
            Ok(())
        },
        &hash,
        false,
        REUSE_CHECK_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(start, FirmwareStart::Reused);
    assert!(start.reused());
    assert_eq!((loads.get(), opened.get()), (0, 1));

    let config = ClientConfig {
        expected_model_hash: Some(hash.clone().into_bytes()),
        ..ClientConfig::default()
    };
    let mut client = Client::connect_with(link, config).await.unwrap();
    let graph = model.main_graph();
    let input = common::samples(&bytes, 3, 1).remove(0).remove(0);
    let input = input.conform_to(graph.tensor(graph.inputs[0])).unwrap();
    client.set_input(0, &input.bytes).await.unwrap();
    client.invoke(1, 0).await.unwrap();
    let board_output = client.get_output(0).await.unwrap();
    let mut reference = Interpreter::new(model.clone()).unwrap();
    reference.set_input(0, input).unwrap();
    reference.invoke().unwrap();
    assert_eq!(board_output, reference.outputs()[0].bytes);
    drop(client);

    // Another model's hash: the firmware is loaded, and the log reason names the hash found.
    let other = "0".repeat(64);
    let loads = Cell::new(0);
    let (_link, start) = reuse_or_load(
        async || same_image(&socket, &segments).await,
        async |_| open_rtt(socket.clone(), address).await,
        async || {
            loads.set(loads.get() + 1);
            Ok(())
        },
        &other,
        false,
        REUSE_CHECK_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(loads.get(), 1);
    let r = load_reason(&start);
    assert!(r.contains("another model") && r.contains(&hash), "{r}");
    drop(_link);

    // --reload: loaded without asking the firmware.
    let loads = Cell::new(0);
    let opened_before_load = Cell::new(false);
    let (_link, start) = reuse_or_load(
        async || panic!("a reload compares no image"),
        async |loaded| {
            if !loaded {
                opened_before_load.set(true);
            }
            open_rtt(socket.clone(), address).await
        },
        async || {
            loads.set(loads.get() + 1);
            Ok(())
        },
        &hash,
        true,
        REUSE_CHECK_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(loads.get(), 1);
    assert!(!opened_before_load.get());
    assert!(!start.reused());
    drop(_link);

    // No control block where the image says (another firmware, or none): loaded; the link
    // opened after the load is the one returned.
    let loads = Cell::new(0);
    let (_link, start) = reuse_or_load(
        async || same_image(&socket, &segments).await,
        async |loaded| {
            if loaded {
                open_rtt(socket.clone(), address).await
            } else {
                open_rtt_waiting(socket.clone(), address + 0x40, Duration::ZERO).await
            }
        },
        async || {
            loads.set(loads.get() + 1);
            Ok(())
        },
        &hash,
        false,
        REUSE_CHECK_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(loads.get(), 1);
    let r = load_reason(&start);
    assert!(
        r.contains("cannot reach a firmware") && r.contains("SEGGER RTT"),
        "{r}"
    );
    drop(_link);

    // Another build of the same model (one byte of its code differs, as another kernel choice
    // or autodeploy version would): same hash, but the image check sees it and it is loaded.
    let mut other_build = segments.clone();
    let flipped = other_build[0].address + 0x200;
    other_build[0].bytes[0x200] ^= 0x01;
    let loads = Cell::new(0);
    let opened_before_load = Cell::new(false);
    let (_link, start) = reuse_or_load(
        async || same_image(&socket, &other_build).await,
        async |loaded| {
            if !loaded {
                opened_before_load.set(true);
            }
            open_rtt(socket.clone(), address).await
        },
        async || {
            loads.set(loads.get() + 1);
            Ok(())
        },
        &hash,
        false,
        REUSE_CHECK_TIMEOUT,
    )
    .await
    .unwrap();
    assert_eq!(loads.get(), 1);
    assert!(!opened_before_load.get());
    let r = load_reason(&start);
    assert!(r.contains(&format!("{flipped:#010x}")), "{r}");
    drop(_link);
    session.kill().await;
}
