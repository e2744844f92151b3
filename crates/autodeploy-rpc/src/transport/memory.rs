//! An in-memory transport pair for tests, with a line that can drop, flip and inject bytes.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use autodeploy_rpc::transport::memory;
//! let (host, board) = memory::pair(4096);
//! // Everything the board writes from now on is preceded by a burst of noise.
//! board.line().inject(b"\xff\x00garbage");
//! # drop(host); }
//! ```

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

use super::Transport;

/// Random impairments applied to each byte written, in parts per million.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Noise {
    /// Seed of the generator; the same seed gives the same impairments.
    pub seed: u64,
    /// Chance that a byte vanishes.
    pub drop_ppm: u32,
    /// Chance that one bit of a byte flips.
    pub flip_ppm: u32,
    /// Chance that 1 to 8 random bytes are inserted before a byte.
    pub garbage_ppm: u32,
}

#[derive(Debug, Default)]
struct LineState {
    inject: Vec<u8>,
    drop_next: usize,
    flip: Option<(usize, u8)>,
    mute: bool,
    noise: Option<Noise>,
    rng: u64,
    written: u64,
}

impl LineState {
    fn next_random(&mut self) -> u64 {
        // splitmix64: tiny, good enough for test noise.
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn chance(&mut self, ppm: u32) -> bool {
        ppm > 0 && self.next_random() % 1_000_000 < u64::from(ppm)
    }

    fn apply(&mut self, byte: u8, out: &mut Vec<u8>) {
        if self.mute {
            return;
        }
        out.append(&mut self.inject);
        if self.drop_next > 0 {
            self.drop_next -= 1;
            return;
        }
        let mut b = byte;
        if let Some((skip, mask)) = self.flip {
            if skip == 0 {
                b ^= mask;
                self.flip = None;
            } else {
                self.flip = Some((skip - 1, mask));
            }
        }
        if let Some(noise) = self.noise {
            if self.chance(noise.garbage_ppm) {
                let n = 1 + self.next_random() % 8;
                for _ in 0..n {
                    out.push(self.next_random() as u8);
                }
            }
            if self.chance(noise.drop_ppm) {
                return;
            }
            if self.chance(noise.flip_ppm) {
                b ^= 1 << (self.next_random() % 8);
            }
        }
        self.written += 1;
        out.push(b);
    }
}

/// Controls the impairments of one direction of a memory pair: what its transport writes.
#[derive(Debug, Clone)]
pub struct LineControl(Arc<Mutex<LineState>>);

impl LineControl {
    fn state(&self) -> MutexGuard<'_, LineState> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Inserts `bytes` before the next byte written.
    pub fn inject(&self, bytes: &[u8]) {
        self.state().inject.extend_from_slice(bytes);
    }

    /// Drops the next `n` bytes written.
    pub fn drop_next(&self, n: usize) {
        self.state().drop_next = n;
    }

    /// Xors `mask` into the byte written `skip` bytes from now (0: the next one).
    pub fn flip(&self, skip: usize, mask: u8) {
        self.state().flip = Some((skip, mask));
    }

    /// While muted, everything written vanishes (the board "hangs").
    pub fn set_mute(&self, mute: bool) {
        self.state().mute = mute;
    }

    /// Random impairments from now on; `None` turns them off.
    pub fn set_noise(&self, noise: Option<Noise>) {
        let mut st = self.state();
        st.rng = noise.map_or(0, |n| n.seed);
        st.noise = noise;
    }

    /// Bytes that went through (not dropped, not counting injected ones).
    pub fn written(&self) -> u64 {
        self.state().written
    }
}

/// One end of an in-memory pair.
#[derive(Debug)]
pub struct MemoryTransport {
    inner: DuplexStream,
    name: &'static str,
    line: LineControl,
    pending: Vec<u8>,
    pending_pos: usize,
}

/// Two connected ends, `host` first; `buffer` is the capacity of each direction in bytes.
pub fn pair(buffer: usize) -> (MemoryTransport, MemoryTransport) {
    let (a, b) = tokio::io::duplex(buffer.max(1));
    (
        MemoryTransport::new(a, "host"),
        MemoryTransport::new(b, "board"),
    )
}

impl MemoryTransport {
    fn new(inner: DuplexStream, name: &'static str) -> Self {
        Self {
            inner,
            name,
            line: LineControl(Arc::new(Mutex::new(LineState::default()))),
            pending: Vec::new(),
            pending_pos: 0,
        }
    }

    /// The impairments applied to what this end writes.
    pub fn line(&self) -> LineControl {
        self.line.clone()
    }

    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.pending_pos < self.pending.len() {
            match Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.pending_pos..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::Error::from(io::ErrorKind::WriteZero)))
                }
                Poll::Ready(Ok(n)) => self.pending_pos += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.pending.clear();
        self.pending_pos = 0;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for MemoryTransport {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for MemoryTransport {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other.map(|r| r.map(|()| 0)),
        }
        {
            let mut st = this.line.state();
            for &b in buf {
                st.apply(b, &mut this.pending);
            }
        }
        // Push out what we can now; the rest goes with the next write or flush.
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_flush(cx),
            other => other,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match this.poll_drain(cx) {
            Poll::Ready(Ok(())) => Pin::new(&mut this.inner).poll_shutdown(cx),
            other => other,
        }
    }
}

impl Transport for MemoryTransport {
    fn describe(&self) -> String {
        format!("memory ({} end)", self.name)
    }
}
