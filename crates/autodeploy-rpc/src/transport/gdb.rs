//! Memory access through a GDB remote-protocol stub (QEMU's `-gdb`): the small subset an RTT
//! host needs. `?` on connect (the stub halts the CPU and answers with a stop reply), `m`/`M`
//! to read and write memory while halted, `c` to resume and a `0x03` byte to stop again.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::rtt::MemoryAccess;
use crate::RpcError;

/// Bytes per `m`/`M` packet: QEMU offers 4096-byte packets and hex doubles the size.
const CHUNK: usize = 1024;

/// A GDB remote-protocol client over any byte stream (a Unix or TCP socket to the stub).
#[derive(Debug)]
pub struct GdbRemote<S> {
    stream: S,
    target: String,
    running: bool,
    timeout: Duration,
    pending: Vec<u8>,
    pending_pos: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> GdbRemote<S> {
    /// Takes over a fresh connection to the stub (`target` names it in errors) and asks why the
    /// CPU stopped; the CPU is halted afterwards. Every reply must come within `timeout`.
    pub async fn connect(stream: S, target: String, timeout: Duration) -> Result<Self, RpcError> {
        let mut gdb = GdbRemote {
            stream,
            target,
            running: false,
            timeout,
            pending: Vec::new(),
            pending_pos: 0,
        };
        let reply = gdb.request("?").await?;
        if !reply.starts_with('T') && !reply.starts_with('S') {
            return Err(gdb.error("ask the stop reason", format!("answered {reply:?}")));
        }
        Ok(gdb)
    }

    /// Whether the CPU runs (resumed and not stopped since).
    pub fn is_running(&self) -> bool {
        self.running
    }

    fn error(&self, action: impl Into<String>, detail: impl Into<String>) -> RpcError {
        RpcError::MemoryAccess {
            target: self.target.clone(),
            action: action.into(),
            detail: detail.into(),
        }
    }

    async fn byte(&mut self, awaiting: &str) -> Result<u8, RpcError> {
        if self.pending_pos < self.pending.len() {
            self.pending_pos += 1;
            return Ok(self.pending[self.pending_pos - 1]);
        }
        let mut buf = [0u8; 4096];
        let n = match tokio::time::timeout(self.timeout, self.stream.read(&mut buf)).await {
            Err(_) => {
                return Err(self.error(awaiting, format!("no answer within {:?}", self.timeout)))
            }
            Ok(Err(e)) => return Err(self.error(awaiting, e.to_string())),
            Ok(Ok(0)) => return Err(self.error(awaiting, "the stub closed the connection")),
            Ok(Ok(n)) => n,
        };
        self.pending.clear();
        self.pending.extend_from_slice(&buf[1..n]);
        self.pending_pos = 0;
        Ok(buf[0])
    }

    async fn send_raw(&mut self, bytes: &[u8], action: &str) -> Result<(), RpcError> {
        let result = self.stream.write_all(bytes).await;
        result.map_err(|e| self.error(action, e.to_string()))
    }

    /// Sends one packet and waits for the stub's `+`.
    async fn send_packet(&mut self, data: &str) -> Result<(), RpcError> {
        let sum = data.bytes().fold(0u8, u8::wrapping_add);
        let packet = format!("${data}#{sum:02x}");
        let action = command_name(data);
        for _ in 0..3 {
            self.send_raw(packet.as_bytes(), &action).await?;
            loop {
                match self.byte(&action).await? {
                    b'+' => return Ok(()),
                    b'-' => break,
                    _ => continue,
                }
            }
        }
        Err(self.error(action, "the stub refused the packet three times"))
    }

    /// Receives one packet, checks its checksum and acknowledges it.
    async fn receive_packet(&mut self, action: &str) -> Result<String, RpcError> {
        loop {
            while self.byte(action).await? != b'$' {}
            let mut data = Vec::new();
            loop {
                match self.byte(action).await? {
                    b'#' => break,
                    b => data.push(b),
                }
            }
            let hi = self.byte(action).await?;
            let lo = self.byte(action).await?;
            let sum = data.iter().fold(0u8, |a, &b| a.wrapping_add(b));
            let given = std::str::from_utf8(&[hi, lo])
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok());
            if given != Some(sum) {
                self.send_raw(b"-", action).await?;
                continue;
            }
            self.send_raw(b"+", action).await?;
            return Ok(String::from_utf8_lossy(&data).into_owned());
        }
    }

    async fn request(&mut self, data: &str) -> Result<String, RpcError> {
        self.send_packet(data).await?;
        let reply = self.receive_packet(&command_name(data)).await?;
        if reply.len() == 3 && reply.starts_with('E') {
            return Err(self.error(command_name(data), format!("the stub answered {reply}")));
        }
        Ok(reply)
    }

    /// Stops the CPU (no-op when halted).
    pub async fn halt(&mut self) -> Result<(), RpcError> {
        if !self.running {
            return Ok(());
        }
        self.send_raw(&[0x03], "interrupt").await?;
        let reply = self.receive_packet("interrupt").await?;
        self.running = false;
        stop_reply(&reply).map_err(|detail| self.error("interrupt", detail))
    }

    /// Resumes the CPU (no-op when running).
    pub async fn resume(&mut self) -> Result<(), RpcError> {
        if self.running {
            return Ok(());
        }
        self.send_packet("c").await?;
        self.running = true;
        Ok(())
    }

    /// Reads `buf.len()` bytes at `address` (the CPU must be halted).
    pub async fn read_memory(&mut self, address: u32, buf: &mut [u8]) -> Result<(), RpcError> {
        for (i, chunk) in buf.chunks_mut(CHUNK).enumerate() {
            let at = address.wrapping_add((i * CHUNK) as u32);
            let reply = self.request(&format!("m{at:x},{:x}", chunk.len())).await?;
            let bytes = unhex(&reply)
                .filter(|b| b.len() == chunk.len())
                .ok_or_else(|| {
                    self.error(
                        format!("read {} bytes at {at:#010x}", chunk.len()),
                        format!("answered {} hex digits", reply.len()),
                    )
                })?;
            chunk.copy_from_slice(&bytes);
        }
        Ok(())
    }

    /// Writes `data` at `address` (the CPU must be halted).
    pub async fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), RpcError> {
        for (i, chunk) in data.chunks(CHUNK).enumerate() {
            let at = address.wrapping_add((i * CHUNK) as u32);
            let mut packet = format!("M{at:x},{:x}:", chunk.len());
            for b in chunk {
                packet.push_str(&format!("{b:02x}"));
            }
            let reply = self.request(&packet).await?;
            if reply != "OK" {
                return Err(self.error(
                    format!("write {} bytes at {at:#010x}", chunk.len()),
                    format!("answered {reply:?}"),
                ));
            }
        }
        Ok(())
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> MemoryAccess for GdbRemote<S> {
    fn describe(&self) -> String {
        self.target.clone()
    }

    async fn pause(&mut self) -> Result<(), RpcError> {
        self.halt().await
    }

    async fn resume(&mut self) -> Result<(), RpcError> {
        GdbRemote::resume(self).await
    }

    async fn read(&mut self, address: u32, buf: &mut [u8]) -> Result<(), RpcError> {
        self.read_memory(address, buf).await
    }

    async fn write(&mut self, address: u32, data: &[u8]) -> Result<(), RpcError> {
        self.write_memory(address, data).await
    }
}

/// The command letter of a packet, for messages (`m`, `M`, `?`), with its address.
fn command_name(data: &str) -> String {
    data.split(':').next().unwrap_or(data).to_string()
}

/// Checks a stop reply: `S`/`T` is a stop; `W`/`X` means the program ended.
fn stop_reply(reply: &str) -> Result<(), String> {
    match reply.as_bytes().first() {
        Some(b'S' | b'T') => Ok(()),
        Some(b'W') => Err(format!(
            "the firmware exited with status {}",
            reply[1..].split(';').next().unwrap_or("")
        )),
        Some(b'X') => Err("the firmware was terminated by a signal".to_string()),
        _ => Err(format!("unexpected stop reply {reply:?}")),
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_stop_replies() {
        assert_eq!(unhex("00ff1a"), Some(vec![0, 255, 0x1a]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
        assert!(stop_reply("T05thread:01;").is_ok());
        assert_eq!(
            stop_reply("W00").unwrap_err(),
            "the firmware exited with status 00"
        );
        assert!(stop_reply("OK").is_err());
        assert_eq!(command_name("M20000000,4:00000000"), "M20000000,4");
    }
}
