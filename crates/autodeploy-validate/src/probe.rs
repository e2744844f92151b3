//! Real boards: find the probe before anything is built (so a missing probe is reported in
//! seconds), then attach, reuse the firmware already running when it is this model's (else
//! load), and talk RTT through the probe's memory access or the board's serial port.

use std::sync::{Arc, Mutex};

use autodeploy_rpc::transport::{MemoryAccess, Rtt, RttTransport, SerialTransport};
use autodeploy_rpc::{RpcError, Transport};
use autodeploy_toolchain::probe::probe_rs::{self, MemoryInterface, Session};
use autodeploy_toolchain::probe::{self, Lister};
use autodeploy_toolchain::{Board, Firmware, ToolchainError, TransportKind};

use crate::error::ValidateError;
use crate::reuse::{image_difference, reuse_or_load, FirmwareStart, REUSE_CHECK_TIMEOUT};
use crate::transport::{real_serial_port, rtt_address, RTT_ATTACH_WAIT};
use crate::ValidateOptions;

fn toolchain_err(board: &Board, source: ToolchainError) -> ValidateError {
    ValidateError::Toolchain {
        board: board.name.clone(),
        source: Box::new(source),
    }
}

/// Fails fast when no (or no unique) probe is attached.
pub(crate) fn check(options: &ValidateOptions) -> Result<(), ValidateError> {
    let lister = Lister::new();
    probe::choose_probe(
        &options.board.name,
        lister.list_all(),
        options.probe.as_ref(),
    )
    .map(drop)
    .map_err(|e| toolchain_err(&options.board, e))
}

/// Attaches; reuses the firmware already running if it was built from the model
/// `expected_hash`, else loads `firmware`; opens the transport to it.
pub(crate) async fn start(
    firmware: &Firmware,
    options: &ValidateOptions,
    expected_hash: &str,
) -> Result<(Box<dyn Transport>, FirmwareStart), ValidateError> {
    let board = &options.board;
    let session = probe::attach(board, &Lister::new(), options.probe.as_ref())
        .map_err(|e| toolchain_err(board, e))?;
    let session = Arc::new(Mutex::new(session));
    let load = async || {
        let mut session = session.lock().map_err(|_| {
            toolchain_err(
                board,
                ToolchainError::ProbeLoad {
                    board: board.name.clone(),
                    step: "lock the probe session".into(),
                    message: "poisoned".into(),
                },
            )
        })?;
        probe::load(&mut session, board, &firmware.elf).map_err(|e| toolchain_err(board, e))
    };
    let (segments, _) = autodeploy_toolchain::loadable_segments(&firmware.elf)
        .map_err(|e| toolchain_err(board, e))?;
    let memory = || ProbeMemory {
        session: Arc::clone(&session),
        target: format!("{} through probe-rs", board.name),
    };
    let same_image = async || {
        let mut memory = memory();
        match image_difference(&mut memory, &segments).await {
            Ok(None) => Ok(()),
            Ok(Some(at)) => Err(format!(
                "the board's memory differs from this build's image at {at:#010x}"
            )),
            Err(e) => Err(format!("cannot read the image on the board: {e}")),
        }
    };
    let link_err = |during: &str, source: RpcError| ValidateError::Rpc {
        during: during.to_string(),
        source: Box::new(source),
    };
    // The serial port, or the RTT control block's address: found once, before any load.
    enum Link {
        Serial(std::path::PathBuf, u32),
        Rtt(u32),
    }
    let link = match options.transport() {
        TransportKind::Serial => Link::Serial(real_serial_port(options)?, board.uart.baud),
        _ => Link::Rtt(rtt_address(firmware, &board.name)?),
    };
    let open = async |loaded: bool| -> Result<Box<dyn Transport>, ValidateError> {
        match &link {
            Link::Serial(path, baud) => {
                let port = SerialTransport::open(path, *baud)
                    .map_err(|e| link_err("opening the board's serial port", e))?;
                let link: Box<dyn Transport> = Box::new(port);
                Ok(link)
            }
            Link::Rtt(address) => {
                // Before a load: look once; after it: give the firmware time to set up.
                let wait = if loaded {
                    RTT_ATTACH_WAIT
                } else {
                    std::time::Duration::ZERO
                };
                let rtt = Rtt::attach(memory(), *address, wait)
                    .await
                    .map_err(|e| link_err("finding the RTT control block", e))?;
                let link: Box<dyn Transport> = Box::new(RttTransport::start(rtt));
                Ok(link)
            }
        }
    };
    reuse_or_load(
        same_image,
        open,
        load,
        expected_hash,
        options.reload,
        REUSE_CHECK_TIMEOUT,
    )
    .await
}

/// probe-rs's memory access on core 0. A Cortex-M's memory is reachable while it runs, so
/// pause and resume do nothing. probe-rs is synchronous: each call blocks briefly.
pub struct ProbeMemory {
    session: Arc<Mutex<Session>>,
    target: String,
}

impl ProbeMemory {
    fn with_core<T>(
        &self,
        action: String,
        f: impl FnOnce(&mut probe_rs::Core<'_>) -> Result<T, probe_rs::Error>,
    ) -> Result<T, RpcError> {
        let err = |detail: String| RpcError::MemoryAccess {
            target: self.target.clone(),
            action: action.clone(),
            detail,
        };
        let mut session = self
            .session
            .lock()
            .map_err(|_| err("the probe session is poisoned".into()))?;
        let mut core = session.core(0).map_err(|e| err(e.to_string()))?;
        f(&mut core).map_err(|e| err(e.to_string()))
    }
}

impl MemoryAccess for ProbeMemory {
    fn describe(&self) -> String {
        self.target.clone()
    }

    async fn pause(&mut self) -> Result<(), RpcError> {
        Ok(())
    }

    async fn resume(&mut self) -> Result<(), RpcError> {
        Ok(())
    }

    async fn read(&mut self, address: u32, buf: &mut [u8]) -> Result<(), RpcError> {
        let action = format!("read {} bytes at {address:#010x}", buf.len());
        self.with_core(action, |core| core.read_8(u64::from(address), buf))
    }

    async fn write(&mut self, address: u32, data: &[u8]) -> Result<(), RpcError> {
        let action = format!("write {} bytes at {address:#010x}", data.len());
        self.with_core(action, |core| core.write_8(u64::from(address), data))
    }
}
