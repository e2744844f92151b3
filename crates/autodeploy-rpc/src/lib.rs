//! Host side of the autodeploy host/board RPC.
//!
//! A validator firmware on a Cortex-M board (real, or QEMU) answers requests over a byte
//! stream: hand-shake (protocol version, board, core, clock, model hash, arena size), chunked
//! input upload, invoke, chunked output and intermediate tensor download, partial runs of
//! layers, per-layer profile, stack statistics, reset; it may also send an unsolicited fault
//! report. This crate holds the message types generated from `proto/autodeploy.proto`, the
//! framing ([`frame`]: COBS + CRC-32, resynchronising after garbage), the transports
//! ([`transport`]: serial, TCP, Unix socket, in-memory pair) and the [`Client`].
//!
//! It knows nothing of boards, toolchains or models; the firmware half of the codec lives in
//! `firmware-templates/validator/rpc/`. The frame format is described in `docs/rpc.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), autodeploy_rpc::RpcError> {
//! use autodeploy_rpc::{transport::SerialTransport, Client, ClientConfig};
//!
//! let port = SerialTransport::open("/dev/pts/3", 115_200)?;
//! let config = ClientConfig { expected_model_hash: Some(vec![0xab; 32]), ..ClientConfig::default() };
//! let mut client = Client::connect_with(port, config).await?;
//! client.set_input(0, &[0u8; 490]).await?;
//! let run = client.invoke(1, 0).await?;
//! let output = client.get_output(0).await?;
//! # let _ = (run, output); Ok(()) }
//! ```

mod client;
mod crc;
mod error;
pub mod frame;
pub mod proto;
pub mod transport;

pub use client::{Client, ClientConfig, MAX_CHUNK, PROTOCOL_VERSION};
pub use crc::crc32;
pub use error::{Fault, RpcError};
pub use proto::{CounterKind, ErrorCode, Info, LayerCount, RunResult, Stats, TensorKind};
pub use transport::Transport;
