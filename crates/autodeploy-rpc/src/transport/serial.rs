//! Serial ports through `tokio-serial` (no libudev: ports are opened by path).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio_serial::{SerialPortBuilderExt, SerialStream};

use super::{forward_async_io, Transport};
use crate::RpcError;

/// Baud rate used when none is given; QEMU ignores it, USB CDC ports mostly do too.
pub const DEFAULT_BAUD: u32 = 115_200;

/// A serial port: a USB CDC ACM device (`/dev/ttyACM0`), a UART adapter, or the
/// pseudo-terminal QEMU prints for `-serial pty` (`/dev/pts/N`).
///
/// The port is opened in raw mode (no echo, no line editing, no CR/LF translation, no
/// XON/XOFF, 8 data bits, no parity): `serialport` calls `cfmakeraw` on open, and the
/// pseudo-terminal test in `tests/serial_pty.rs` checks every byte value passes unchanged.
#[derive(Debug)]
pub struct SerialTransport {
    inner: SerialStream,
    path: PathBuf,
}

impl SerialTransport {
    /// Opens `path` at `baud` (8N1, no flow control), exclusively.
    pub fn open(path: impl AsRef<Path>, baud: u32) -> Result<Self, RpcError> {
        let path = path.as_ref().to_path_buf();
        let name = path.to_string_lossy().into_owned();
        let inner = tokio_serial::new(name.clone(), baud)
            .data_bits(tokio_serial::DataBits::Eight)
            .parity(tokio_serial::Parity::None)
            .stop_bits(tokio_serial::StopBits::One)
            .flow_control(tokio_serial::FlowControl::None)
            .timeout(Duration::from_millis(10))
            .open_native_async()
            .map_err(|e| super::ports::open_error_here(&path, std::io::Error::from(e)))?;
        tracing::debug!(port = %name, baud, "opened serial port");
        Ok(Self { inner, path })
    }

    /// The path the port was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

forward_async_io!(SerialTransport);

impl Transport for SerialTransport {
    fn describe(&self) -> String {
        format!("serial {}", self.path.display())
    }
}
