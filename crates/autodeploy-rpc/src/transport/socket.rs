//! Stream sockets: TCP (QEMU `-serial tcp:127.0.0.1:PORT,server`) and Unix
//! (QEMU `-serial unix:PATH,server`).

use std::path::{Path, PathBuf};

use tokio::net::{TcpStream, UnixStream};

use super::{forward_async_io, Transport};
use crate::RpcError;

/// A TCP connection to a board (in practice QEMU's serial backend).
#[derive(Debug)]
pub struct TcpTransport {
    inner: TcpStream,
    peer: String,
}

impl TcpTransport {
    /// Connects to `addr`, e.g. `"127.0.0.1:4321"`; disables Nagle so small frames go out now.
    pub async fn connect(addr: &str) -> Result<Self, RpcError> {
        let io_err = |action, source| RpcError::Io {
            transport: format!("tcp {addr}"),
            action,
            source,
        };
        let inner = TcpStream::connect(addr)
            .await
            .map_err(|e| io_err("connect", e))?;
        inner
            .set_nodelay(true)
            .map_err(|e| io_err("set_nodelay", e))?;
        Ok(Self::from_stream(inner, addr.to_owned()))
    }

    /// Wraps an already connected stream (e.g. one accepted from a listener).
    pub fn from_stream(inner: TcpStream, peer: String) -> Self {
        Self { inner, peer }
    }
}

forward_async_io!(TcpTransport);

impl Transport for TcpTransport {
    fn describe(&self) -> String {
        format!("tcp {}", self.peer)
    }
}

/// A Unix stream socket connection.
#[derive(Debug)]
pub struct UnixTransport {
    inner: UnixStream,
    path: PathBuf,
}

impl UnixTransport {
    /// Connects to the socket at `path`.
    pub async fn connect(path: impl AsRef<Path>) -> Result<Self, RpcError> {
        let path = path.as_ref().to_path_buf();
        let inner = UnixStream::connect(&path)
            .await
            .map_err(|source| RpcError::Io {
                transport: format!("unix {}", path.display()),
                action: "connect",
                source,
            })?;
        Ok(Self { inner, path })
    }

    /// Wraps an already connected stream.
    pub fn from_stream(inner: UnixStream, path: PathBuf) -> Self {
        Self { inner, path }
    }
}

forward_async_io!(UnixTransport);

impl Transport for UnixTransport {
    fn describe(&self) -> String {
        format!("unix {}", self.path.display())
    }
}
