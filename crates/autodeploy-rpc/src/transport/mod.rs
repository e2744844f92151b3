//! Byte-stream transports between the host and a board.
//!
//! A [`Transport`] is any tokio byte stream that can name itself for error messages. The client
//! does all framing, so a transport only moves bytes: a serial port (USB CDC or the
//! pseudo-terminal of QEMU's `-serial pty`), a TCP socket (QEMU's `-serial tcp:...`), a Unix
//! socket (QEMU's `-serial unix:...`), RTT ring buffers in the board's RAM reached through a
//! debug port ([`rtt`], over QEMU's gdbstub or a probe), or an in-memory pair for tests.

use tokio::io::{AsyncRead, AsyncWrite};

pub mod gdb;
pub mod memory;
pub mod ports;
pub mod rtt;
pub mod serial;
pub mod socket;

pub use gdb::GdbRemote;
pub use memory::{LineControl, MemoryTransport, Noise};
pub use ports::{available_ports, choose_port, PortInfo, PortSelector, UsbIds};
pub use rtt::{MemoryAccess, Rtt, RttTransport};
pub use serial::SerialTransport;
pub use socket::{TcpTransport, UnixTransport};

/// An async byte stream to a board.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + Send {
    /// Human-readable description used in errors and logs, e.g. `serial /dev/pts/3`.
    fn describe(&self) -> String;
}

impl Transport for Box<dyn Transport> {
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// Implements `AsyncRead` and `AsyncWrite` for a newtype by forwarding to its `inner` field.
macro_rules! forward_async_io {
    ($ty:ty) => {
        impl tokio::io::AsyncRead for $ty {
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.inner).poll_read(cx, buf)
            }
        }

        impl tokio::io::AsyncWrite for $ty {
            fn poll_write(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.inner).poll_write(cx, buf)
            }

            fn poll_flush(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.inner).poll_flush(cx)
            }

            fn poll_shutdown(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.inner).poll_shutdown(cx)
            }
        }
    };
}
pub(crate) use forward_async_io;
