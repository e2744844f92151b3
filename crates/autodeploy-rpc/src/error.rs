//! `RpcError`: everything that can go wrong between the host and the board.

use std::fmt;
use std::time::Duration;

use crate::proto;

/// Errors of the RPC layer. Each variant carries what a user needs to act on it.
#[derive(Debug, thiserror::Error)]
pub enum RpcError {
    /// No answer arrived in time (after all retries).
    #[error("timed out after {timeout:?} waiting for {awaited} ({attempts} attempt(s), transport {transport:?})")]
    Timeout {
        /// What the host was waiting for, e.g. "tensor_chunk for read_tensor(output 0, offset 1024)".
        awaited: String,
        /// The timeout of one attempt.
        timeout: Duration,
        /// How many times the request was sent.
        attempts: u32,
        /// The transport's description.
        transport: String,
    },

    /// No valid answer arrived in time, and frames failed their CRC or framing checks while
    /// waiting: the line is noisy or the two sides disagree on framing or baud rate.
    #[error("{corrupt_frames} corrupt frame(s) ({crc_failures} CRC failure(s)) and no valid answer while waiting for {awaited} ({attempts} attempt(s))")]
    CorruptFrames {
        /// What the host was waiting for.
        awaited: String,
        /// Frames dropped for a CRC mismatch while waiting.
        crc_failures: u64,
        /// Frames dropped for any reason (CRC, broken COBS, oversize) while waiting.
        corrupt_frames: u64,
        /// How many times the request was sent.
        attempts: u32,
    },

    /// The board answered with an Error message.
    #[error("board reported {code:?} for {request}: {message:?} (detail {detail})")]
    Board {
        /// The request that failed.
        request: String,
        /// The board's error code.
        code: proto::ErrorCode,
        /// The board's explanation.
        message: String,
        /// Extra number, e.g. the generated model's status code.
        detail: i32,
    },

    /// The board speaks another protocol version.
    #[error(
        "protocol version mismatch: host speaks {host}, board {board:?} speaks {board_version}"
    )]
    ProtocolVersion {
        /// `PROTOCOL_VERSION` of this crate.
        host: u32,
        /// The version in the board's Info.
        board_version: u32,
        /// The board's name.
        board: String,
    },

    /// The firmware was built from another model than the one expected (stale firmware).
    #[error("model hash mismatch: expected {}, firmware on {board:?} has {}", hex(.expected), hex(.actual))]
    ModelHash {
        /// The hash the host expected.
        expected: Vec<u8>,
        /// The hash the board reported.
        actual: Vec<u8>,
        /// The board's name.
        board: String,
    },

    /// The board answered with something that does not fit the request.
    #[error("unexpected response to {request}: expected {expected}, got {got}")]
    UnexpectedResponse {
        /// The request sent.
        request: String,
        /// What should have come back.
        expected: &'static str,
        /// What came back.
        got: String,
    },

    /// A frame passed its CRC but did not hold a valid BoardMessage.
    #[error("undecodable message from the board ({len} bytes)")]
    Decode {
        /// Payload length.
        len: usize,
        /// The prost error.
        #[source]
        source: prost::DecodeError,
    },

    /// Reading or writing the transport failed.
    #[error("transport {transport:?}: {action} failed")]
    Io {
        /// The transport's description.
        transport: String,
        /// What was being done: "open", "read", "write"...
        action: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The other side closed the transport.
    #[error("transport {transport:?} closed by the other side while waiting for {awaited}")]
    Closed {
        /// The transport's description.
        transport: String,
        /// What the host was waiting for.
        awaited: String,
    },

    /// The board reported a hard fault and has stopped.
    #[error("board fault: {0}")]
    Fault(Box<Fault>),

    /// The RTT control block is missing or does not hold sane values.
    #[error("RTT control block at {address:#010x} on {target}: {problem}")]
    RttControlBlock {
        /// The memory-access target, e.g. `QEMU gdbstub /tmp/.../gdb.sock`.
        target: String,
        /// Where the block was looked for.
        address: u32,
        /// What is wrong with it.
        problem: String,
    },

    /// An RTT ring's offset or size is out of range: the firmware or something else scribbled on
    /// the control block.
    #[error("RTT {ring} ring on {target}: {field} = {value} is out of range (ring size {size})")]
    RttRing {
        /// The memory-access target.
        target: String,
        /// `up` (board to host) or `down` (host to board).
        ring: &'static str,
        /// The offending field (`write_offset`, `read_offset`, `size`).
        field: &'static str,
        /// Its value.
        value: u32,
        /// The ring's size as the block says.
        size: u32,
    },

    /// Reading or writing the board's memory failed (GDB remote protocol or debug probe).
    #[error("memory access on {target}: {action} failed: {detail}")]
    MemoryAccess {
        /// The memory-access target.
        target: String,
        /// What was being done, e.g. `read 72 bytes at 0x20000100`.
        action: String,
        /// The target's answer or the I/O error.
        detail: String,
    },

    /// No USB serial port is attached and no `--port` was given.
    #[error("no USB serial port found (found: {}); connect the board's USB cable, or name the port with --port PATH or --port VID:PID[:SERIAL]", listed(.found))]
    NoSerialPort {
        /// Every serial port the system has, described.
        found: Vec<String>,
    },

    /// No serial port matches `--port VID:PID[:SERIAL]`.
    #[error("no serial port matches --port {selector} (found: {})", listed(.found))]
    SerialPortNotFound {
        /// The selector given.
        selector: String,
        /// Every serial port the system has, described.
        found: Vec<String>,
    },

    /// Several serial ports match and none was chosen.
    #[error("{} serial ports match{}: {}; pick one with --port VID:PID[:SERIAL] (ids in hex, the serial number tells boards of one kind apart) or --port PATH", .found.len(), selector_text(.selector), .found.join(", "))]
    SeveralSerialPorts {
        /// The selector given, if any.
        selector: Option<String>,
        /// The matching ports, described.
        found: Vec<String>,
    },

    /// The system refused to open a serial port (EACCES).
    #[error("cannot open serial port \"{}\": permission denied; the device belongs to {}: add your user to it with `sudo usermod -aG {} $USER` and log in again, or give the device to the desktop user with a udev rule, e.g. /etc/udev/rules.d/50-autodeploy-serial.rules holding `SUBSYSTEM==\"tty\", ATTRS{{idVendor}}==\"VID\", ATTRS{{idProduct}}==\"PID\", MODE=\"0660\", TAG+=\"uaccess\"` (ids in hex, see docs/boards.md), then `sudo udevadm control --reload && sudo udevadm trigger` and re-plug", .port.display(), group_text(.group, .gid), .group.as_deref().unwrap_or("dialout"))]
    SerialPermission {
        /// The port.
        port: std::path::PathBuf,
        /// The device file's group id, when it could be read.
        gid: Option<u32>,
        /// That group's name, when `/etc/group` has it.
        group: Option<String>,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// A caller-side argument is out of range (e.g. a tensor larger than the protocol allows).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// A Cortex-M fault report sent by the firmware's fault handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// Configurable Fault Status Register (0xE000ED28).
    pub cfsr: u32,
    /// HardFault Status Register (0xE000ED2C).
    pub hfsr: u32,
    /// MemManage Fault Address Register.
    pub mmfar: u32,
    /// BusFault Address Register.
    pub bfar: u32,
    /// Stacked program counter.
    pub pc: u32,
    /// Stacked link register.
    pub lr: u32,
    /// Stacked xPSR.
    pub xpsr: u32,
    /// Layer (operator index) that was running, if any.
    pub layer: Option<u32>,
}

impl From<&proto::FaultReport> for Fault {
    fn from(f: &proto::FaultReport) -> Self {
        Self {
            cfsr: f.cfsr,
            hfsr: f.hfsr,
            mmfar: f.mmfar,
            bfar: f.bfar,
            pc: f.pc,
            lr: f.lr,
            xpsr: f.xpsr,
            layer: u32::try_from(f.layer).ok(),
        }
    }
}

const CFSR_BITS: &[(u32, &str)] = &[
    (1 << 0, "IACCVIOL"),
    (1 << 1, "DACCVIOL"),
    (1 << 3, "MUNSTKERR"),
    (1 << 4, "MSTKERR"),
    (1 << 5, "MLSPERR"),
    (1 << 7, "MMARVALID"),
    (1 << 8, "IBUSERR"),
    (1 << 9, "PRECISERR"),
    (1 << 10, "IMPRECISERR"),
    (1 << 11, "UNSTKERR"),
    (1 << 12, "STKERR"),
    (1 << 13, "LSPERR"),
    (1 << 15, "BFARVALID"),
    (1 << 16, "UNDEFINSTR"),
    (1 << 17, "INVSTATE"),
    (1 << 18, "INVPC"),
    (1 << 19, "NOCP"),
    (1 << 20, "STKOF"),
    (1 << 24, "UNALIGNED"),
    (1 << 25, "DIVBYZERO"),
];

const HFSR_BITS: &[(u32, &str)] = &[
    (1 << 1, "VECTTBL"),
    (1 << 30, "FORCED"),
    (1 << 31, "DEBUGEVT"),
];

impl Fault {
    /// Names of the CFSR and HFSR bits that are set, e.g. `["DIVBYZERO", "FORCED"]`.
    pub fn flags(&self) -> Vec<&'static str> {
        let cfsr = CFSR_BITS.iter().filter(|(bit, _)| self.cfsr & bit != 0);
        let hfsr = HFSR_BITS.iter().filter(|(bit, _)| self.hfsr & bit != 0);
        cfsr.chain(hfsr).map(|(_, name)| *name).collect()
    }

    /// The faulting data address, when the CFSR says it is valid.
    pub fn fault_address(&self) -> Option<u32> {
        if self.cfsr & (1 << 7) != 0 {
            Some(self.mmfar)
        } else if self.cfsr & (1 << 15) != 0 {
            Some(self.bfar)
        } else {
            None
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.layer {
            Some(layer) => write!(f, "in layer {layer}")?,
            None => write!(f, "outside any layer")?,
        }
        write!(
            f,
            ": pc=0x{:08x} lr=0x{:08x} xpsr=0x{:08x} cfsr=0x{:08x} hfsr=0x{:08x} mmfar=0x{:08x} bfar=0x{:08x}",
            self.pc, self.lr, self.xpsr, self.cfsr, self.hfsr, self.mmfar, self.bfar
        )?;
        let flags = self.flags();
        if !flags.is_empty() {
            write!(f, " [{}]", flags.join(", "))?;
        }
        if let Some(addr) = self.fault_address() {
            write!(f, " address=0x{addr:08x}")?;
        }
        Ok(())
    }
}

fn listed(found: &[String]) -> String {
    if found.is_empty() {
        "no serial port at all".to_owned()
    } else {
        found.join(", ")
    }
}

fn selector_text(selector: &Option<String>) -> String {
    selector
        .as_ref()
        .map(|s| format!(" --port {s}"))
        .unwrap_or_default()
}

fn group_text(group: &Option<String>, gid: &Option<u32>) -> String {
    match (group, gid) {
        (Some(name), Some(gid)) => format!("group \"{name}\" (gid {gid})"),
        (Some(name), None) => format!("group \"{name}\""),
        (None, Some(gid)) => format!("group gid {gid} (no name in /etc/group)"),
        (None, None) => "a group this user is not in".to_owned(),
    }
}

/// Lower-case hex of a byte string, "<none>" when empty.
pub(crate) fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "<none>".to_owned();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_display_names_bits_and_layer() {
        let fault = Fault {
            cfsr: (1 << 25) | (1 << 15) | (1 << 9),
            hfsr: 1 << 30,
            mmfar: 0,
            bfar: 0x2000_1000,
            pc: 0x0800_1234,
            lr: 0x0800_0101,
            xpsr: 0x0100_0000,
            layer: Some(3),
        };
        let text = fault.to_string();
        assert!(text.starts_with("in layer 3: pc=0x08001234"), "{text}");
        assert!(
            text.contains("DIVBYZERO") && text.contains("FORCED") && text.contains("PRECISERR")
        );
        assert!(text.ends_with("address=0x20001000"), "{text}");
    }

    #[test]
    fn hash_mismatch_shows_both_hashes() {
        let err = RpcError::ModelHash {
            expected: vec![0xab, 0x01],
            actual: vec![0xcd],
            board: "qemu-m4".into(),
        };
        assert_eq!(
            err.to_string(),
            "model hash mismatch: expected ab01, firmware on \"qemu-m4\" has cd"
        );
    }
}
