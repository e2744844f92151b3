//! Real boards: find the probe before anything is built (so a missing probe is reported in
//! seconds), then attach, load, and talk RTT through the probe's memory access.

use std::sync::{Arc, Mutex};

use autodeploy_rpc::transport::{MemoryAccess, Rtt, RttTransport};
use autodeploy_rpc::RpcError;
use autodeploy_toolchain::probe::probe_rs::{self, MemoryInterface, Session};
use autodeploy_toolchain::probe::{self, Lister};
use autodeploy_toolchain::{Board, Firmware, ToolchainError};

use crate::error::ValidateError;
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

/// Attaches, loads `firmware` and opens RTT on it.
pub(crate) async fn start(
    firmware: &Firmware,
    options: &ValidateOptions,
    rtt_address: u32,
) -> Result<RttTransport, ValidateError> {
    let board = &options.board;
    let mut session = probe::attach(board, &Lister::new(), options.probe.as_ref())
        .map_err(|e| toolchain_err(board, e))?;
    probe::load(&mut session, board, &firmware.elf).map_err(|e| toolchain_err(board, e))?;
    let memory = ProbeMemory {
        session: Arc::new(Mutex::new(session)),
        target: format!("{} through probe-rs", board.name),
    };
    let rtt = Rtt::attach(memory, rtt_address, std::time::Duration::from_secs(5))
        .await
        .map_err(|e| ValidateError::Rpc {
            during: "finding the RTT control block".into(),
            source: Box::new(e),
        })?;
    Ok(RttTransport::start(rtt))
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
