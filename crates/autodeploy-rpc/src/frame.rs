//! Byte-stream framing: `0x00 | COBS(payload | CRC-32 LE) | 0x00` (see `docs/rpc.md`).
//!
//! COBS removes every zero byte from the encoded frame, so `0x00` only ever means "frame
//! boundary": the decoder resynchronises on the next zero after any garbage, truncation or
//! bit flip, and at most the frame that was touched is lost. The CRC catches corruption
//! inside a frame. The decoder holds at most `max_payload + 4` bytes.

use crate::crc::crc32;

/// Largest payload (one encoded protobuf message) either side sends by default; equals
/// `AD_RPC_MAX_PAYLOAD` in the firmware codec (max chunk 1024 + 128 bytes of fields).
pub const MAX_PAYLOAD: usize = 1024 + 128;

/// Bytes a payload of `len` bytes takes on the wire, worst case.
pub const fn max_encoded_len(len: usize) -> usize {
    let n = len + 4;
    n + n / 254 + 1 + 2
}

/// Encodes one frame, delimiters included. Payloads are 1 to [`MAX_PAYLOAD`] bytes; decoders
/// drop a frame with an empty payload (every protobuf message we send has at least one byte).
pub fn encode(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(max_encoded_len(payload.len()));
    encode_into(payload, &mut out);
    out
}

/// Appends one encoded frame, delimiters included, to `out`.
///
/// Byte for byte the same output as the firmware's `ad_rpc_frame_write`.
pub fn encode_into(payload: &[u8], out: &mut Vec<u8>) {
    let mut data = Vec::with_capacity(payload.len() + 4);
    data.extend_from_slice(payload);
    data.extend_from_slice(&crc32(payload).to_le_bytes());
    out.push(0);
    // Each block: a code byte n, then n-1 non-zero bytes; a code below 0xFF also stands for
    // one zero after its bytes, except after the last block.
    let mut i = 0;
    loop {
        let start = i;
        while i < data.len() && i - start < 254 && data[i] != 0 {
            i += 1;
        }
        let n = i - start;
        out.push((n + 1) as u8);
        out.extend_from_slice(&data[start..i]);
        if i >= data.len() {
            break;
        }
        if n < 254 {
            i += 1; // the zero this block stands for
            if i == data.len() {
                out.push(1); // the data ended in a zero: an empty last block says so
                break;
            }
        }
    }
    out.push(0);
}

/// Why a frame was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// The CRC over the decoded bytes did not match the one in the frame.
    Crc {
        /// CRC carried by the frame.
        received: u32,
        /// CRC computed over the payload.
        computed: u32,
    },
    /// A delimiter arrived in the middle of a COBS block, or the frame had no payload byte
    /// before its CRC.
    Malformed,
    /// The frame grew past the decoder's maximum; it was skipped up to the next delimiter.
    Oversize,
}

/// Counts of what the decoder has seen since it was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Good frames delivered.
    pub frames: u64,
    /// Frames dropped for a CRC mismatch.
    pub crc_errors: u64,
    /// Frames dropped for a broken COBS structure or a missing CRC.
    pub malformed: u64,
    /// Frames dropped for being longer than the maximum.
    pub oversize: u64,
}

impl FrameStats {
    /// All dropped frames, whatever the reason.
    pub fn dropped(&self) -> u64 {
        self.crc_errors + self.malformed + self.oversize
    }
}

/// Incremental frame decoder: feed it bytes as they arrive, get payloads out.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    max_payload: usize,
    buf: Vec<u8>,
    block_left: u8,
    prev_code: u8,
    discarding: bool,
    stats: FrameStats,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(MAX_PAYLOAD)
    }
}

impl FrameDecoder {
    /// A decoder that accepts payloads of up to `max_payload` bytes.
    pub fn new(max_payload: usize) -> Self {
        Self {
            max_payload,
            buf: Vec::with_capacity(max_payload + 4),
            block_left: 0,
            prev_code: 0,
            discarding: false,
            stats: FrameStats::default(),
        }
    }

    /// What the decoder has seen so far.
    pub fn stats(&self) -> FrameStats {
        self.stats
    }

    fn restart(&mut self) {
        self.buf.clear();
        self.block_left = 0;
        self.prev_code = 0;
        self.discarding = false;
    }

    fn push(&mut self, b: u8) {
        if self.buf.len() >= self.max_payload + 4 {
            if !self.discarding {
                self.stats.oversize += 1;
                self.discarding = true;
            }
            return;
        }
        self.buf.push(b);
    }

    /// Feeds one byte. Returns `Some(Ok(payload))` when it completed a good frame,
    /// `Some(Err(_))` when it completed a frame that had to be dropped, `None` otherwise.
    pub fn push_byte(&mut self, byte: u8) -> Option<Result<Vec<u8>, FrameError>> {
        if byte == 0 {
            return self.end_of_frame();
        }
        if self.discarding {
            return None;
        }
        if self.block_left == 0 {
            if self.prev_code != 0 && self.prev_code != 0xFF {
                self.push(0);
            }
            self.prev_code = byte;
            self.block_left = byte - 1;
        } else {
            self.block_left -= 1;
            self.push(byte);
        }
        None
    }

    fn end_of_frame(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        if self.discarding {
            self.restart();
            return Some(Err(FrameError::Oversize));
        }
        if self.prev_code == 0 {
            self.restart();
            return None;
        }
        // An empty payload is refused: its CRC is 0, so four zero bytes (five 0x01 bytes on
        // the wire, common inside runs of zeros) would pass as a frame.
        if self.block_left != 0 || self.buf.len() < 5 {
            self.stats.malformed += 1;
            self.restart();
            return Some(Err(FrameError::Malformed));
        }
        let n = self.buf.len() - 4;
        let mut crc_bytes = [0u8; 4];
        crc_bytes.copy_from_slice(&self.buf[n..]);
        let received = u32::from_le_bytes(crc_bytes);
        let computed = crc32(&self.buf[..n]);
        let result = if received == computed {
            self.stats.frames += 1;
            self.buf.truncate(n);
            Ok(std::mem::take(&mut self.buf))
        } else {
            self.stats.crc_errors += 1;
            Err(FrameError::Crc { received, computed })
        };
        self.restart();
        if self.buf.capacity() == 0 {
            self.buf.reserve(self.max_payload + 4);
        }
        Some(result)
    }

    /// Feeds a slice; returns every completed frame (good or dropped) in order.
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Vec<Result<Vec<u8>, FrameError>> {
        bytes.iter().filter_map(|&b| self.push_byte(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good(frames: Vec<Result<Vec<u8>, FrameError>>) -> Vec<Vec<u8>> {
        frames.into_iter().filter_map(Result::ok).collect()
    }

    #[test]
    fn round_trip_edge_lengths() {
        for len in [
            1usize, 2, 3, 250, 251, 252, 253, 254, 255, 256, 508, 509, 1000, 1152,
        ] {
            for fill in [0u8, 1, 0xFF] {
                let payload: Vec<u8> = (0..len)
                    .map(|i| if fill == 1 { (i % 7) as u8 } else { fill })
                    .collect();
                let wire = encode(&payload);
                assert!(wire.len() <= max_encoded_len(len), "len {len}");
                assert_eq!(wire.iter().filter(|&&b| b == 0).count(), 2);
                let mut d = FrameDecoder::default();
                assert_eq!(
                    good(d.push_bytes(&wire)),
                    vec![payload],
                    "len {len} fill {fill}"
                );
                assert_eq!(d.stats().dropped(), 0);
            }
        }
    }

    #[test]
    fn empty_payload_is_refused() {
        let mut d = FrameDecoder::default();
        assert_eq!(d.push_bytes(&encode(b"")), vec![Err(FrameError::Malformed)]);
        // Five 0x01 bytes decode to four zeros, the CRC of nothing: still refused.
        assert_eq!(
            d.push_bytes(&[0, 1, 1, 1, 1, 1, 0]),
            vec![Err(FrameError::Malformed)]
        );
    }

    #[test]
    fn garbage_between_frames_is_skipped() {
        let mut wire = b"boot banner\r\n".to_vec();
        wire.extend(encode(b"one"));
        wire.extend([0x55, 0x13, 0x00, 0x00, 0x42]);
        wire.extend(encode(b"two"));
        let mut d = FrameDecoder::default();
        assert_eq!(
            good(d.push_bytes(&wire)),
            vec![b"one".to_vec(), b"two".to_vec()]
        );
    }

    #[test]
    fn bit_flip_is_rejected_and_next_frame_survives() {
        let mut first = encode(b"payload with some length");
        first[5] ^= 0x10;
        let mut wire = first;
        wire.extend(encode(b"next"));
        let mut d = FrameDecoder::default();
        assert_eq!(good(d.push_bytes(&wire)), vec![b"next".to_vec()]);
        assert_eq!(d.stats().dropped(), 1);
    }

    #[test]
    fn truncated_frame_costs_only_itself() {
        let first = encode(b"this frame is cut short");
        let mut wire = first[..10].to_vec();
        wire.extend(encode(b"next"));
        let mut d = FrameDecoder::default();
        assert_eq!(good(d.push_bytes(&wire)), vec![b"next".to_vec()]);
    }

    #[test]
    fn oversize_frame_is_dropped_without_growing() {
        let mut d = FrameDecoder::new(16);
        let mut wire = encode(&[7u8; 100]);
        wire.extend(encode(&[9u8; 16]));
        let out = d.push_bytes(&wire);
        assert_eq!(out[0], Err(FrameError::Oversize));
        assert_eq!(good(out), vec![vec![9u8; 16]]);
        assert_eq!(d.stats().oversize, 1);
    }
}
