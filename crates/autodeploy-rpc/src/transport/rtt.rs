//! RTT: ring buffers in the board's RAM, read and written by the host through the debug port.
//!
//! The firmware (`firmware-templates/validator/rtt/ad_rtt.h`) keeps a control block in the
//! layout SEGGER's RTT uses: a 16-byte id starting `SEGGER RTT`, the number of up and down
//! rings, then one 24-byte descriptor per ring (name, buffer, size, write offset, read offset,
//! flags). The writer of a ring owns its write offset and the reader its read offset; one byte
//! stays free so that a full ring differs from an empty one. The host here reads ring 0 up
//! (board to host) and writes ring 0 down.
//!
//! Everything is written against [`MemoryAccess`], so the same code runs over QEMU's gdbstub
//! ([`super::gdb::GdbRemote`]) and over a debug probe. Each exchange re-reads and checks the
//! whole control block, so a block that was overwritten, or ring offsets out of range, come back
//! as [`RpcError::RttControlBlock`] or [`RpcError::RttRing`] instead of garbage bytes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

use super::Transport;
use crate::RpcError;

/// The id the control block starts with.
pub const RTT_ID: &[u8] = b"SEGGER RTT";
/// Bytes of the block's header: the id and the two ring counts.
const HEADER: usize = 24;
/// Bytes of one ring descriptor.
const DESCRIPTOR: usize = 24;
/// More rings than this in either direction is taken as a corrupt block.
const MAX_RINGS: u32 = 16;
/// A ring larger than this is taken as corrupt (debug-port RAM rings are kilobytes).
const MAX_RING_SIZE: u32 = 16 << 20;

/// Reads and writes the target's memory. Implementations: QEMU's gdbstub, a probe-rs core.
pub trait MemoryAccess: Send {
    /// Names the target in errors, e.g. `QEMU gdbstub /tmp/.../gdb.sock`.
    fn describe(&self) -> String;
    /// Makes memory accessible: a GDB stub halts the CPU; a probe with background access
    /// may do nothing.
    fn pause(&mut self) -> impl Future<Output = Result<(), RpcError>> + Send;
    /// Lets the CPU run again after [`MemoryAccess::pause`].
    fn resume(&mut self) -> impl Future<Output = Result<(), RpcError>> + Send;
    /// Reads `buf.len()` bytes at `address`.
    fn read(
        &mut self,
        address: u32,
        buf: &mut [u8],
    ) -> impl Future<Output = Result<(), RpcError>> + Send;
    /// Writes `data` at `address`.
    fn write(
        &mut self,
        address: u32,
        data: &[u8],
    ) -> impl Future<Output = Result<(), RpcError>> + Send;
}

/// One ring as its descriptor says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ring {
    /// Address of the descriptor.
    pub descriptor: u32,
    /// Address of the ring's storage.
    pub buffer: u32,
    pub size: u32,
    pub write_offset: u32,
    pub read_offset: u32,
}

impl Ring {
    /// Field offsets inside a descriptor.
    const WRITE: u32 = 12;
    const READ: u32 = 16;

    /// Bytes waiting to be read.
    fn used(&self) -> u32 {
        if self.write_offset >= self.read_offset {
            self.write_offset - self.read_offset
        } else {
            self.size - self.read_offset + self.write_offset
        }
    }

    /// Bytes that can be written (one stays free).
    fn free(&self) -> u32 {
        self.size - 1 - self.used()
    }
}

/// A parsed, checked control block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlBlock {
    pub address: u32,
    pub max_up: u32,
    pub max_down: u32,
    /// Up ring 0 (board to host).
    pub up: Ring,
    /// Down ring 0 (host to board).
    pub down: Ring,
}

fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

impl ControlBlock {
    /// Bytes to read for a block with these ring counts.
    fn len(max_up: u32, max_down: u32) -> usize {
        HEADER + DESCRIPTOR * (max_up + max_down) as usize
    }

    /// Checks and parses `bytes` read at `address` (header and all descriptors).
    pub fn parse(target: &str, address: u32, bytes: &[u8]) -> Result<ControlBlock, RpcError> {
        let bad = |problem: String| RpcError::RttControlBlock {
            target: target.to_string(),
            address,
            problem,
        };
        if bytes.len() < HEADER {
            return Err(bad(format!("only {} bytes given", bytes.len())));
        }
        let id_ok = bytes[..RTT_ID.len()] == *RTT_ID && bytes[RTT_ID.len()] == 0;
        if !id_ok {
            return Err(bad(format!(
                "no {:?} id (the first bytes are {})",
                String::from_utf8_lossy(RTT_ID),
                hex_preview(&bytes[..16])
            )));
        }
        let (max_up, max_down) = (word(bytes, 16), word(bytes, 20));
        for (what, n) in [("up", max_up), ("down", max_down)] {
            if n == 0 || n > MAX_RINGS {
                return Err(bad(format!("{n} {what} rings (expected 1 to {MAX_RINGS})")));
            }
        }
        if bytes.len() < Self::len(max_up, max_down) {
            return Err(bad(format!(
                "{} bytes given, the descriptors need {}",
                bytes.len(),
                Self::len(max_up, max_down)
            )));
        }
        let ring = |name: &'static str, at: usize| -> Result<Ring, RpcError> {
            let ring = Ring {
                descriptor: address + at as u32,
                buffer: word(bytes, at + 4),
                size: word(bytes, at + 8),
                write_offset: word(bytes, at + 12),
                read_offset: word(bytes, at + 16),
            };
            let out_of_range = |field, value| RpcError::RttRing {
                target: target.to_string(),
                ring: name,
                field,
                value,
                size: ring.size,
            };
            if ring.size < 2 || ring.size > MAX_RING_SIZE {
                return Err(out_of_range("size", ring.size));
            }
            if ring.buffer == 0 || ring.buffer.checked_add(ring.size).is_none() {
                return Err(out_of_range("buffer", ring.buffer));
            }
            if ring.write_offset >= ring.size {
                return Err(out_of_range("write_offset", ring.write_offset));
            }
            if ring.read_offset >= ring.size {
                return Err(out_of_range("read_offset", ring.read_offset));
            }
            Ok(ring)
        };
        Ok(ControlBlock {
            address,
            max_up,
            max_down,
            up: ring("up", HEADER)?,
            down: ring("down", HEADER + DESCRIPTOR * max_up as usize)?,
        })
    }
}

fn hex_preview(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Looks for a control block in `ranges` (start, length) by its id, word-aligned, the CPU
/// paused. For images without symbols; the ELF symbol is the better way.
pub async fn find_control_block<M: MemoryAccess>(
    memory: &mut M,
    ranges: &[(u32, u32)],
) -> Result<Option<u32>, RpcError> {
    const STEP: u32 = 4096;
    memory.pause().await?;
    let mut buf = vec![0u8; (STEP as usize) + RTT_ID.len()];
    for &(start, length) in ranges {
        let end = start.saturating_add(length);
        let mut at = start;
        while at < end {
            let n = (end - at).min(STEP + RTT_ID.len() as u32) as usize;
            memory.read(at, &mut buf[..n]).await?;
            if let Some(i) = (0..n.saturating_sub(RTT_ID.len()))
                .step_by(4)
                .find(|&i| buf[i..i + RTT_ID.len()] == *RTT_ID)
            {
                return Ok(Some(at + i as u32));
            }
            at = at.saturating_add(STEP);
        }
    }
    Ok(None)
}

/// The host end of one RTT channel: ring 0 up and down.
#[derive(Debug)]
pub struct Rtt<M> {
    memory: M,
    address: u32,
    target: String,
}

impl<M: MemoryAccess> Rtt<M> {
    /// Attaches to the control block at `address`, waiting up to `wait` for the firmware to
    /// initialise it (its id is written last). A block that never gets its id, or has one with
    /// bad descriptors, is an error. The CPU runs afterwards.
    pub async fn attach(mut memory: M, address: u32, wait: Duration) -> Result<Self, RpcError> {
        let target = memory.describe();
        let deadline = Instant::now() + wait;
        loop {
            memory.pause().await?;
            let mut header = [0u8; HEADER];
            memory.read(address, &mut header).await?;
            let has_id = header[..RTT_ID.len()] == *RTT_ID;
            if has_id || Instant::now() >= deadline {
                memory.resume().await?;
                let mut rtt = Rtt {
                    memory,
                    address,
                    target,
                };
                rtt.control_block().await?;
                return Ok(rtt);
            }
            memory.resume().await?;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The memory access, e.g. for tests that scribble on the block.
    pub fn memory(&mut self) -> &mut M {
        &mut self.memory
    }

    /// The control block's address.
    pub fn address(&self) -> u32 {
        self.address
    }

    /// Reads and checks the control block (pausing and resuming the CPU).
    pub async fn control_block(&mut self) -> Result<ControlBlock, RpcError> {
        self.memory.pause().await?;
        let block = self.read_block().await;
        self.memory.resume().await?;
        block
    }

    async fn read_block(&mut self) -> Result<ControlBlock, RpcError> {
        let mut header = [0u8; HEADER];
        self.memory.read(self.address, &mut header).await?;
        let (up, down) = (word(&header, 16), word(&header, 20));
        if up == 0 || up > MAX_RINGS || down == 0 || down > MAX_RINGS {
            // Let `parse` word the error.
            return ControlBlock::parse(&self.target, self.address, &header);
        }
        let mut bytes = vec![0u8; ControlBlock::len(up, down)];
        self.memory.read(self.address, &mut bytes).await?;
        ControlBlock::parse(&self.target, self.address, &bytes)
    }

    /// One exchange: moves what the board wrote into `incoming` and as much of `outgoing` as
    /// fits into the down ring (removing it from `outgoing`). Returns whether any byte moved.
    pub async fn exchange(
        &mut self,
        outgoing: &mut Vec<u8>,
        incoming: &mut Vec<u8>,
    ) -> Result<bool, RpcError> {
        self.memory.pause().await?;
        let result = self.exchange_paused(outgoing, incoming).await;
        self.memory.resume().await?;
        result
    }

    async fn exchange_paused(
        &mut self,
        outgoing: &mut Vec<u8>,
        incoming: &mut Vec<u8>,
    ) -> Result<bool, RpcError> {
        let block = self.read_block().await?;
        let mut moved = false;

        let up = block.up;
        let used = up.used();
        if used > 0 {
            let first = used.min(up.size - up.read_offset);
            let start = incoming.len();
            incoming.resize(start + used as usize, 0);
            let (a, b) = incoming[start..].split_at_mut(first as usize);
            self.memory.read(up.buffer + up.read_offset, a).await?;
            if !b.is_empty() {
                self.memory.read(up.buffer, b).await?;
            }
            let read = (up.read_offset + used) % up.size;
            self.memory
                .write(up.descriptor + Ring::READ, &read.to_le_bytes())
                .await?;
            moved = true;
        }

        let down = block.down;
        let n = (down.free() as usize).min(outgoing.len());
        if n > 0 {
            let first = n.min((down.size - down.write_offset) as usize);
            self.memory
                .write(down.buffer + down.write_offset, &outgoing[..first])
                .await?;
            if n > first {
                self.memory.write(down.buffer, &outgoing[first..n]).await?;
            }
            let write = (down.write_offset + n as u32) % down.size;
            self.memory
                .write(down.descriptor + Ring::WRITE, &write.to_le_bytes())
                .await?;
            outgoing.drain(..n);
            moved = true;
        }
        Ok(moved)
    }
}

/// How often an idle channel is polled at most: halting costs the firmware time, so the
/// interval doubles while nothing moves, from 0 up to this.
const MAX_POLL_INTERVAL: Duration = Duration::from_millis(8);

/// RTT as a byte-stream [`Transport`]: a task exchanges with the rings and feeds an in-memory
/// pipe. When the control block goes bad the pipe ends and the next read returns the error.
#[derive(Debug)]
pub struct RttTransport {
    inner: DuplexStream,
    target: String,
    failure: Arc<Mutex<Option<RpcError>>>,
    pump: tokio::task::JoinHandle<()>,
}

impl RttTransport {
    /// Starts exchanging over `rtt` (needs a tokio runtime).
    pub fn start<M: MemoryAccess + 'static>(rtt: Rtt<M>) -> RttTransport {
        let (inner, pump_end) = tokio::io::duplex(64 * 1024);
        let target = rtt.target.clone();
        let failure = Arc::new(Mutex::new(None));
        let pump = tokio::spawn(pump(rtt, pump_end, Arc::clone(&failure)));
        RttTransport {
            inner,
            target,
            failure,
            pump,
        }
    }

    fn take_failure(&self) -> Option<RpcError> {
        self.failure.lock().ok().and_then(|mut f| f.take())
    }
}

async fn pump<M: MemoryAccess>(
    mut rtt: Rtt<M>,
    mut pipe: DuplexStream,
    failure: Arc<Mutex<Option<RpcError>>>,
) {
    let mut outgoing = Vec::new();
    let mut incoming = Vec::new();
    let mut interval = Duration::ZERO;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        // Wait for the host to write, or for the poll interval to pass.
        let read = if outgoing.is_empty() {
            tokio::time::timeout(interval, pipe.read(&mut buf)).await
        } else {
            tokio::time::timeout(Duration::ZERO, pipe.read(&mut buf)).await
        };
        match read {
            Ok(Ok(0)) | Ok(Err(_)) => return, // the transport was dropped
            Ok(Ok(n)) => outgoing.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
        match rtt.exchange(&mut outgoing, &mut incoming).await {
            Ok(true) => interval = Duration::ZERO,
            Ok(false) => {
                interval = (interval * 2 + Duration::from_micros(250)).min(MAX_POLL_INTERVAL)
            }
            Err(e) => {
                tracing::debug!(error = %e, "RTT exchange failed");
                if let Ok(mut f) = failure.lock() {
                    *f = Some(e);
                }
                return;
            }
        }
        if !incoming.is_empty() {
            if pipe.write_all(&incoming).await.is_err() {
                return;
            }
            incoming.clear();
        }
    }
}

impl Drop for RttTransport {
    fn drop(&mut self) {
        self.pump.abort();
    }
}

impl AsyncRead for RttTransport {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => {
                // End of the pipe: the pump stopped; say why if it failed.
                match self.take_failure() {
                    Some(e) => Poll::Ready(Err(io::Error::other(e))),
                    None => Poll::Ready(Ok(())),
                }
            }
            other => other,
        }
    }
}

impl AsyncWrite for RttTransport {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Transport for RttTransport {
    fn describe(&self) -> String {
        format!("RTT over {}", self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(max_up: u32, up: [u32; 4], down: [u32; 4]) -> Vec<u8> {
        let mut b = vec![0u8; 16];
        b[..10].copy_from_slice(RTT_ID);
        b.extend(max_up.to_le_bytes());
        b.extend(1u32.to_le_bytes());
        for ring in [up, down] {
            b.extend(0u32.to_le_bytes()); // name
            for w in ring {
                b.extend(w.to_le_bytes());
            }
            b.extend(0u32.to_le_bytes()); // flags
        }
        b
    }

    #[test]
    fn parses_and_checks_rings() {
        let good = block(1, [0x2000_0000, 64, 10, 3], [0x2000_0100, 64, 0, 0]);
        let cb = ControlBlock::parse("t", 0x2000_1000, &good).unwrap();
        assert_eq!(cb.up.used(), 7);
        assert_eq!(cb.down.free(), 63);
        assert_eq!(cb.down.descriptor, 0x2000_1000 + 48);

        let bad = block(1, [0x2000_0000, 64, 64, 3], [0x2000_0100, 64, 0, 0]);
        match ControlBlock::parse("t", 0, &bad) {
            Err(RpcError::RttRing {
                ring: "up",
                field: "write_offset",
                value: 64,
                size: 64,
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
        let mut no_id = good.clone();
        no_id[0] = b'X';
        assert!(matches!(
            ControlBlock::parse("t", 0, &no_id),
            Err(RpcError::RttControlBlock { .. })
        ));
        let many = block(99, [0x2000_0000, 64, 0, 0], [0x2000_0100, 64, 0, 0]);
        assert!(matches!(
            ControlBlock::parse("t", 0, &many),
            Err(RpcError::RttControlBlock { .. })
        ));
    }
}
