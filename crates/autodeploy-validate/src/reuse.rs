//! Reusing a validator firmware that already runs on a real board.
//!
//! Loading through a probe takes seconds (flashing MRAM more), and a board that validated a
//! model a minute ago still runs that model's firmware. So before loading, the host compares
//! the image's loadable bytes with the board's memory ([`image_difference`], through the
//! probe), then opens the link to whatever runs there (RTT through the probe, or the serial
//! port) and asks it for its Info with a short timeout. When the bytes are this build's and the
//! firmware answers with this model's hash, the load is skipped; otherwise (another image, no
//! answer, another hash) the firmware is loaded as before. [`reuse_or_load`] is that decision,
//! written against callbacks (compare the image, open the link, load) so that it runs on QEMU's
//! gdbstub in the tests exactly as through a probe.
//!
//! The image comparison is what tells a firmware of the same model built with other options
//! (`--kernels portable`, another autodeploy version) from this one: the hash alone would not.
//! `reload` (the CLI's `--reload`) forces the load.

use std::time::Duration;

use autodeploy_rpc::transport::MemoryAccess;
use autodeploy_rpc::{Client, ClientConfig, RpcError, Transport};
use autodeploy_toolchain::Segment;
use tokio::io::AsyncReadExt;

/// How long the firmware already on a board may take to answer the reuse check.
pub const REUSE_CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// What answered before anything was loaded.
#[derive(Debug)]
pub enum Running<T> {
    /// A validator firmware built from this model: the link to it, ready for the handshake.
    ThisModel(T),
    /// Not reusable, and why (for the log).
    Other(String),
}

/// Asks the firmware behind `transport` for its Info within `timeout`; [`Running::ThisModel`]
/// when it reports `expected_hash` (the model hash in hex, as the firmware stores it). Answers
/// a previous run left unread are discarded first.
pub async fn running_firmware<T: Transport>(
    mut transport: T,
    expected_hash: &str,
    timeout: Duration,
) -> Running<T> {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(Duration::from_millis(30), transport.read(&mut buf)).await {
            Ok(Ok(0)) => return Running::Other(format!("{} is closed", transport.describe())),
            Ok(Ok(_)) => continue,
            Ok(Err(e)) => {
                return Running::Other(format!("{}: {}", transport.describe(), error_chain(&e)))
            }
            Err(_) => break,
        }
    }
    let config = ClientConfig {
        timeout,
        retries: 0,
        expected_model_hash: Some(expected_hash.as_bytes().to_vec()),
        ..ClientConfig::default()
    };
    let mut client = Client::new(transport, config);
    match client.hello().await {
        Ok(_) => Running::ThisModel(client.into_transport()),
        Err(RpcError::ModelHash { actual, .. }) => Running::Other(format!(
            "the firmware on the board was built from another model (hash {})",
            String::from_utf8_lossy(&actual)
        )),
        Err(e) => Running::Other(format!(
            "no validator firmware answers: {}",
            error_chain(&e)
        )),
    }
}

/// The first address where the board's memory differs from the image's loadable `segments`
/// (`None`: the image is there), read with the CPU paused. The firmware never writes these
/// bytes (code, constants and the load image of `.data`), so a running firmware of this very
/// build matches.
pub async fn image_difference<M: MemoryAccess>(
    memory: &mut M,
    segments: &[Segment],
) -> Result<Option<u32>, RpcError> {
    const CHUNK: usize = 4096;
    memory.pause().await?;
    let mut buf = vec![0u8; CHUNK];
    let mut found = None;
    'segments: for segment in segments {
        for (k, expected) in segment.bytes.chunks(CHUNK).enumerate() {
            let at = segment.address + (k * CHUNK) as u32;
            let got = &mut buf[..expected.len()];
            if let Err(e) = memory.read(at, got).await {
                memory.resume().await?;
                return Err(e);
            }
            if let Some(i) = got.iter().zip(expected).position(|(a, b)| a != b) {
                found = Some(at + i as u32);
                break 'segments;
            }
        }
    }
    memory.resume().await?;
    Ok(found)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Whether the firmware was loaded by this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirmwareStart {
    /// Loaded (always on QEMU); on a probe board, why the running one was not reused.
    Loaded { reason: Option<String> },
    /// The firmware already running was built from this model: nothing was loaded.
    Reused,
}

impl FirmwareStart {
    pub fn reused(&self) -> bool {
        *self == FirmwareStart::Reused
    }
}

/// Keeps the firmware running on the board when `same_image` finds this build's bytes there
/// (`Err(why not)` otherwise) and the firmware behind the link `open(false)` gives answers with
/// this model's hash (`expected_hash`). Otherwise, or when `reload` is set, calls `load` and
/// opens the link again with `open(true)` (an error then is the caller's to report).
/// `check_timeout` bounds the reuse check's request.
pub async fn reuse_or_load<T, E>(
    same_image: impl AsyncFnOnce() -> Result<(), String>,
    mut open: impl AsyncFnMut(bool) -> Result<T, E>,
    load: impl AsyncFnOnce() -> Result<(), E>,
    expected_hash: &str,
    reload: bool,
    check_timeout: Duration,
) -> Result<(T, FirmwareStart), E>
where
    T: Transport,
    E: std::error::Error,
{
    let image = if reload { Ok(()) } else { same_image().await };
    let reason = if reload {
        "a reload was asked for".to_string()
    } else if let Err(reason) = image {
        reason
    } else {
        match open(false).await {
            Ok(link) => match running_firmware(link, expected_hash, check_timeout).await {
                Running::ThisModel(link) => {
                    tracing::info!(
                        model_hash = expected_hash,
                        "the board already runs this model's firmware: not loading it again"
                    );
                    return Ok((link, FirmwareStart::Reused));
                }
                Running::Other(reason) => reason,
            },
            Err(e) => format!("cannot reach a firmware: {}", error_chain(&e)),
        }
    };
    tracing::info!(%reason, "loading the firmware");
    load().await?;
    let link = open(true).await?;
    Ok((
        link,
        FirmwareStart::Loaded {
            reason: Some(reason),
        },
    ))
}
