//! Boards as data: the serde schema of a board file, its validation, and the built-in boards.
//!
//! A board file is TOML; `docs/boards.md` describes every field. Built-in boards are embedded
//! in the crate; a user's board file is read with [`Board::from_path`], and
//! [`Board::resolve`] accepts either a built-in name or a path.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::ToolchainError;
use crate::ratio::Ratio;

/// Name of the board used when none is given.
pub const DEFAULT_BOARD: &str = "qemu-m4";

/// The built-in board files: (name, TOML text).
const BUILTIN: &[(&str, &str)] = &[
    ("qemu-m4", include_str!("../boards/qemu-m4.toml")),
    ("qemu-m7", include_str!("../boards/qemu-m7.toml")),
    ("qemu-m55", include_str!("../boards/qemu-m55.toml")),
    ("apollo4p-evb", include_str!("../boards/apollo4p-evb.toml")),
    (
        "apollo510-evb",
        include_str!("../boards/apollo510-evb.toml"),
    ),
];

/// What a memory region holds. Every kind is placed in exactly one region of a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// The vector table, `.text`, and the initial values of `.data`.
    Code,
    /// Constant data: `.rodata`, model weights (`.ad_weights`).
    Rodata,
    /// Initialised variables (`.data`), copied at reset.
    Data,
    /// Zero-initialised variables (`.bss`), zeroed at reset.
    Bss,
    /// Tensor arenas (`.ad_arena`), left as they are at reset.
    Arena,
    /// The `malloc` heap (`heap_size` bytes).
    Heap,
    /// The main stack (`stack_size` bytes).
    Stack,
}

impl Placement {
    /// Every kind, in linker-script order.
    pub const ALL: [Placement; 7] = [
        Placement::Code,
        Placement::Rodata,
        Placement::Data,
        Placement::Bss,
        Placement::Arena,
        Placement::Heap,
        Placement::Stack,
    ];

    /// The name used in board files.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Code => "code",
            Placement::Rodata => "rodata",
            Placement::Data => "data",
            Placement::Bss => "bss",
            Placement::Arena => "arena",
            Placement::Heap => "heap",
            Placement::Stack => "stack",
        }
    }
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One memory of the board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryRegion {
    /// Name, used in the linker script and in messages (letters, digits, `_`).
    pub name: String,
    /// First address.
    pub origin: u64,
    /// Size in bytes.
    pub length: u64,
    /// What goes there.
    #[serde(default)]
    pub holds: Vec<Placement>,
}

impl MemoryRegion {
    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.origin + self.length
    }

    /// Whether `address` lies in this region.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.origin && address < self.end()
    }
}

/// The UART the firmware talks on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uart {
    /// Which driver to use.
    pub kind: UartKind,
    /// Base address of its registers.
    pub base: u64,
    /// Baud rate (ignored by QEMU, used for the divider on real boards).
    #[serde(default = "default_baud")]
    pub baud: u32,
}

fn default_baud() -> u32 {
    115_200
}

/// UART drivers in `firmware-templates/board/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UartKind {
    /// Arm CMSDK APB UART (MPS2, MPS3).
    Cmsdk,
    /// Arm PL011 or a compatible block (Ambiq Apollo4/Apollo5 UART).
    Pl011,
}

impl UartKind {
    /// Suffix of the `AD_BOARD_UART_KIND_*` define.
    pub fn macro_name(self) -> &'static str {
        match self {
            UartKind::Cmsdk => "CMSDK",
            UartKind::Pl011 => "PL011",
        }
    }

    /// The board support source implementing this driver.
    pub fn source_file(self) -> &'static str {
        match self {
            UartKind::Cmsdk => "ad_uart_cmsdk.c",
            UartKind::Pl011 => "ad_uart_pl011.c",
        }
    }
}

/// The free-running counter the profiler reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Counter {
    /// The MPS2/MPS3 FPGAIO COUNTER register under QEMU with `-icount`: it advances at an exact
    /// rational rate per executed instruction.
    QemuFpgaio {
        /// Address of the 32-bit COUNTER register.
        address: u64,
        /// Executed instructions per counter tick, exact (for the board's `icount_shift`).
        instructions_per_tick: Ratio,
    },
    /// The DWT cycle counter of a real core: counts core clock cycles.
    DwtCyccnt,
    /// The Armv8.1-M PMU cycle counter (Cortex-M55, M85): counts core clock cycles.
    PmuCcntr,
}

impl Counter {
    /// Suffix of the `AD_BOARD_COUNTER_KIND_*` define.
    pub fn macro_name(&self) -> &'static str {
        match self {
            Counter::QemuFpgaio { .. } => "QEMU_FPGAIO",
            Counter::DwtCyccnt => "DWT_CYCCNT",
            Counter::PmuCcntr => "PMU_CCNTR",
        }
    }

    /// Instructions per tick, when the counter counts instructions.
    pub fn instructions_per_tick(&self) -> Option<Ratio> {
        match self {
            Counter::QemuFpgaio {
                instructions_per_tick,
                ..
            } => Some(*instructions_per_tick),
            Counter::DwtCyccnt | Counter::PmuCcntr => None,
        }
    }

    /// Executed instructions for a tick difference, rounded to the nearest integer; `None` when
    /// the counter does not count instructions.
    pub fn instructions_from_ticks(&self, ticks: u64) -> Option<u128> {
        self.instructions_per_tick().map(|r| r.mul_round(ticks))
    }
}

/// How the board is started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RunTarget {
    /// A QEMU machine.
    Qemu {
        /// `-M` value.
        machine: String,
        /// `-cpu` value, when given.
        #[serde(default)]
        cpu: Option<String>,
        /// `-icount shift=N`; the counter ratio is only exact for this value.
        #[serde(default = "default_icount_shift")]
        icount_shift: u8,
    },
    /// A real board through a debug probe and probe-rs.
    ProbeRs {
        /// probe-rs target name (built in, or from a target description file).
        chip: String,
        /// A probe-rs target description (YAML, made by `target-gen`) defining `chip`, when
        /// probe-rs does not know it; relative paths are relative to the working directory.
        #[serde(default)]
        target_file: Option<String>,
        /// How the image gets onto the chip.
        #[serde(default)]
        load: LoadMethod,
        /// How the host talks to the firmware.
        #[serde(default)]
        transport: TransportKind,
    },
}

/// How a probe-rs board is loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoadMethod {
    /// Write every section to RAM, set VTOR, SP and PC, run: no flash algorithm, nothing kept
    /// over a reset. Every memory the image uses must be RAM.
    #[default]
    Ram,
    /// Program the non-volatile memory with the target's flash algorithm, then reset.
    Flash,
}

impl LoadMethod {
    /// The name used in board files.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadMethod::Ram => "ram",
            LoadMethod::Flash => "flash",
        }
    }
}

/// The channel between host and firmware on a real board.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransportKind {
    /// SEGGER-RTT-compatible ring buffers in RAM, read and written by the probe.
    #[default]
    Rtt,
    /// The board's UART, seen on the host as a serial port (USB-CDC bridge or adapter; on
    /// QEMU the pseudo-terminal of `-serial pty`).
    Serial,
    /// The board's UART through the runner's own socket (QEMU's `-serial tcp`): the default on
    /// QEMU boards.
    Uart,
}

impl TransportKind {
    /// The name used in board files.
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Rtt => "rtt",
            TransportKind::Serial => "serial",
            TransportKind::Uart => "uart",
        }
    }
}

impl RunTarget {
    /// The transport used when the user names none: the UART socket on QEMU, the board
    /// file's `transport` on real boards.
    pub fn default_transport(&self) -> TransportKind {
        match self {
            RunTarget::Qemu { .. } => TransportKind::Uart,
            RunTarget::ProbeRs { transport, .. } => *transport,
        }
    }

    /// One line saying how the board is started, for listings.
    pub fn describe(&self) -> String {
        match self {
            RunTarget::Qemu { machine, .. } => format!("qemu -M {machine}, serial over TCP"),
            RunTarget::ProbeRs {
                chip,
                load,
                transport,
                ..
            } => format!(
                "probe-rs {chip}, {} load, {} transport",
                load.as_str(),
                transport.as_str()
            ),
        }
    }
}

fn default_icount_shift() -> u8 {
    6
}

/// A board: everything needed to build for it and run on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// Name (`qemu-m4`).
    pub name: String,
    /// One line for humans.
    #[serde(default)]
    pub description: String,
    /// Core name (`cortex-m4`), informative.
    pub core: String,
    /// Core clock in Hz.
    pub clock_hz: u64,
    /// Compiler flags selecting core, instruction set and float ABI (used to compile and link).
    pub cflags: Vec<String>,
    /// Number of external interrupt vectors in the vector table.
    #[serde(default = "default_irq_count")]
    pub irq_count: u32,
    /// Bytes reserved for the main stack.
    pub stack_size: u64,
    /// Bytes reserved for the `malloc` heap (0 for none).
    #[serde(default)]
    pub heap_size: u64,
    /// The memories, each with what it holds.
    pub memory: Vec<MemoryRegion>,
    /// The UART.
    pub uart: Uart,
    /// The counter.
    pub counter: Counter,
    /// How to start it.
    pub run: RunTarget,
}

fn default_irq_count() -> u32 {
    32
}

impl Board {
    /// Names of the built-in boards.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(name, _)| *name).collect()
    }

    /// Every built-in board, parsed and validated.
    pub fn builtins() -> Result<Vec<Board>, ToolchainError> {
        BUILTIN
            .iter()
            .map(|(name, text)| Board::from_toml_str(text, &format!("builtin:{name}")))
            .collect()
    }

    /// A built-in board by name. An exact name wins; otherwise a unique match by name prefix or
    /// by QEMU machine name (`mps3-an547`) is accepted.
    pub fn builtin(name: &str) -> Result<Board, ToolchainError> {
        if let Some((n, text)) = BUILTIN.iter().find(|(n, _)| *n == name) {
            return Board::from_toml_str(text, &format!("builtin:{n}"));
        }
        let boards = Board::builtins()?;
        let candidates: Vec<&Board> = boards
            .iter()
            .filter(|b| {
                b.name.starts_with(name)
                    || matches!(&b.run, RunTarget::Qemu { machine, .. } if machine == name)
            })
            .collect();
        match candidates.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ToolchainError::UnknownBoard {
                name: name.to_owned(),
                known: Board::builtin_names()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            }),
            many => Err(ToolchainError::AmbiguousBoard {
                name: name.to_owned(),
                candidates: many.iter().map(|b| b.name.clone()).collect(),
            }),
        }
    }

    /// A board from a built-in name or, when `name_or_path` ends in `.toml` or contains a path
    /// separator, from that file.
    pub fn resolve(name_or_path: &str) -> Result<Board, ToolchainError> {
        let looks_like_path = name_or_path.ends_with(".toml")
            || name_or_path.contains('/')
            || name_or_path.contains(std::path::MAIN_SEPARATOR);
        if looks_like_path {
            Board::from_path(Path::new(name_or_path))
        } else {
            Board::builtin(name_or_path)
        }
    }

    /// A user's board file.
    pub fn from_path(path: &Path) -> Result<Board, ToolchainError> {
        let text = std::fs::read_to_string(path).map_err(|source| ToolchainError::Io {
            action: "read board file",
            path: path.to_owned(),
            source,
        })?;
        Board::from_toml_str(&text, &path.display().to_string())
    }

    /// Parse and validate board TOML; `origin` names the file in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Board, ToolchainError> {
        let board: Board = toml::from_str(text).map_err(|source| ToolchainError::BoardParse {
            origin: origin.to_owned(),
            source: Box::new(source),
        })?;
        board.validate(origin)?;
        Ok(board)
    }

    /// The board as TOML (the canonical form, used for cache keys).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// The region holding `what`. Validation guarantees there is exactly one.
    pub fn region_for(&self, what: Placement) -> Option<&MemoryRegion> {
        self.memory.iter().find(|r| r.holds.contains(&what))
    }

    /// The region containing `address`.
    pub fn region_at(&self, address: u64) -> Option<&MemoryRegion> {
        self.memory.iter().find(|r| r.contains(address))
    }

    /// Check everything that serde cannot.
    pub fn validate(&self, origin: &str) -> Result<(), ToolchainError> {
        let invalid = |reason: String| ToolchainError::InvalidBoard {
            board: self.name.clone(),
            origin: origin.to_owned(),
            reason,
        };
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(invalid(format!(
                "name \"{}\" must be non-empty and use only letters, digits, '-', '_' or '.'",
                self.name
            )));
        }
        if self.clock_hz == 0 {
            return Err(invalid("clock_hz must be greater than 0".into()));
        }
        if self.cflags.iter().all(|f| !f.starts_with("-mcpu=")) {
            return Err(invalid("cflags must select a core with -mcpu=...".into()));
        }
        if self.stack_size == 0 || self.stack_size % 8 != 0 {
            return Err(invalid(format!(
                "stack_size {} must be a non-zero multiple of 8",
                self.stack_size
            )));
        }
        if self.heap_size % 8 != 0 {
            return Err(invalid(format!(
                "heap_size {} must be a multiple of 8",
                self.heap_size
            )));
        }
        if self.irq_count > 496 {
            return Err(invalid(format!(
                "irq_count {} is more than the 496 an Armv7-M/Armv8-M NVIC can have",
                self.irq_count
            )));
        }
        if self.memory.is_empty() {
            return Err(invalid("no [[memory]] regions".into()));
        }
        let mut names = BTreeSet::new();
        for region in &self.memory {
            let ok_name = region
                .name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && region
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok_name {
                return Err(invalid(format!(
                    "memory name \"{}\" must start with a letter and use only letters, digits and '_'",
                    region.name
                )));
            }
            if !names.insert(region.name.as_str()) {
                return Err(invalid(format!(
                    "memory \"{}\" is defined twice",
                    region.name
                )));
            }
            if region.length == 0 {
                return Err(invalid(format!("memory \"{}\" has length 0", region.name)));
            }
            if region.end() > 1 << 32 {
                return Err(invalid(format!(
                    "memory \"{}\" (0x{:08x} + 0x{:x}) ends beyond the 32-bit address space",
                    region.name, region.origin, region.length
                )));
            }
            let mut seen = BTreeSet::new();
            for what in &region.holds {
                if !seen.insert(*what) {
                    return Err(invalid(format!(
                        "memory \"{}\" lists \"{what}\" twice",
                        region.name
                    )));
                }
            }
        }
        for (i, a) in self.memory.iter().enumerate() {
            for b in &self.memory[i + 1..] {
                if a.origin < b.end() && b.origin < a.end() {
                    return Err(invalid(format!(
                        "memories \"{}\" and \"{}\" overlap",
                        a.name, b.name
                    )));
                }
            }
        }
        for what in Placement::ALL {
            let holders: Vec<&str> = self
                .memory
                .iter()
                .filter(|r| r.holds.contains(&what))
                .map(|r| r.name.as_str())
                .collect();
            match holders.as_slice() {
                [_] => {}
                [] => return Err(invalid(format!("no memory holds \"{what}\""))),
                many => {
                    return Err(invalid(format!(
                        "\"{what}\" is held by several memories: {}",
                        many.join(", ")
                    )))
                }
            }
        }
        if self.uart.base == 0 || self.uart.base > u64::from(u32::MAX) {
            return Err(invalid(format!(
                "uart base 0x{:x} is not a 32-bit peripheral address",
                self.uart.base
            )));
        }
        if self.uart.baud == 0 {
            return Err(invalid("uart baud must be greater than 0".into()));
        }
        if let Counter::QemuFpgaio {
            address,
            instructions_per_tick,
        } = &self.counter
        {
            if *address == 0 || *address > u64::from(u32::MAX) || address % 4 != 0 {
                return Err(invalid(format!(
                    "counter address 0x{address:x} is not an aligned 32-bit address"
                )));
            }
            if instructions_per_tick.num() == 0 {
                return Err(invalid(
                    "counter instructions_per_tick must be greater than 0".into(),
                ));
            }
            if !matches!(self.run, RunTarget::Qemu { .. }) {
                return Err(invalid(
                    "counter kind \"qemu-fpgaio\" needs a QEMU board ([run] kind = \"qemu\")"
                        .into(),
                ));
            }
        }
        match &self.run {
            RunTarget::Qemu {
                machine,
                icount_shift,
                ..
            } => {
                if machine.is_empty() {
                    return Err(invalid("run.machine is empty".into()));
                }
                if *icount_shift > 10 {
                    return Err(invalid(format!(
                        "run.icount_shift {icount_shift} is above QEMU's limit of 10"
                    )));
                }
            }
            RunTarget::ProbeRs {
                chip,
                target_file,
                transport,
                ..
            } => {
                if *transport == TransportKind::Uart {
                    return Err(invalid(
                        "run.transport \"uart\" is QEMU's socket; a real board's UART is \"serial\""
                            .into(),
                    ));
                }
                if target_file.as_deref().is_some_and(str::is_empty) {
                    return Err(invalid("run.target_file is empty".into()));
                }
                if chip.is_empty() {
                    return Err(invalid("run.chip is empty".into()));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_board_parses_and_validates() {
        let boards = Board::builtins().unwrap();
        assert_eq!(boards.len(), BUILTIN.len());
        for (board, (name, _)) in boards.iter().zip(BUILTIN) {
            assert_eq!(board.name, *name, "file name and board name agree");
            // The canonical form reads back to the same board.
            let again = Board::from_toml_str(&board.to_toml(), "roundtrip").unwrap();
            assert_eq!(&again, board);
        }
    }

    #[test]
    fn default_board_is_builtin() {
        assert_eq!(Board::builtin(DEFAULT_BOARD).unwrap().name, "qemu-m4");
    }

    #[test]
    fn exact_name_wins_over_prefix() {
        // "qemu-m5" is a prefix of qemu-m55 only; "qemu-m4" is exact.
        assert_eq!(Board::builtin("qemu-m4").unwrap().name, "qemu-m4");
        assert_eq!(Board::builtin("qemu-m5").unwrap().name, "qemu-m55");
        assert_eq!(Board::builtin("mps3-an547").unwrap().name, "qemu-m55");
    }

    #[test]
    fn unknown_and_ambiguous_names() {
        match Board::builtin("stm32f4") {
            Err(ToolchainError::UnknownBoard { name, known }) => {
                assert_eq!(name, "stm32f4");
                assert_eq!(
                    known,
                    [
                        "qemu-m4",
                        "qemu-m7",
                        "qemu-m55",
                        "apollo4p-evb",
                        "apollo510-evb"
                    ]
                );
            }
            other => panic!("expected UnknownBoard, got {other:?}"),
        }
        let message = Board::builtin("stm32f4").unwrap_err().to_string();
        assert_eq!(
            message,
            "unknown board \"stm32f4\"; known boards: qemu-m4, qemu-m7, qemu-m55, apollo4p-evb, apollo510-evb"
        );
        assert!(matches!(
            Board::builtin("qemu-m"),
            Err(ToolchainError::AmbiguousBoard { .. })
        ));
    }

    fn edited(from: &str, to: &str) -> Result<Board, ToolchainError> {
        let text = BUILTIN[0].1;
        assert!(text.contains(from), "fixture text {from:?} not found");
        Board::from_toml_str(&text.replacen(from, to, 1), "test")
    }

    #[test]
    fn invalid_boards_are_refused_with_a_reason() {
        let cases = [
            ("origin = 0x20000000", "origin = 0x00100000", "overlap"),
            (
                "holds = [\"arena\"]",
                "holds = []",
                "no memory holds \"arena\"",
            ),
            (
                "holds = [\"arena\"]",
                "holds = [\"arena\", \"stack\"]",
                "several memories",
            ),
            ("stack_size = 0x10000", "stack_size = 3", "stack_size"),
            (
                "instructions_per_tick = \"40/1024\"",
                "instructions_per_tick = \"0/1024\"",
                "greater than 0",
            ),
            ("name = \"psram\"", "name = \"ps ram\"", "memory name"),
        ];
        for (from, to, expected) in cases {
            match edited(from, to) {
                Err(ToolchainError::InvalidBoard { reason, board, .. }) => {
                    assert_eq!(board, "qemu-m4");
                    assert!(reason.contains(expected), "{reason:?} lacks {expected:?}");
                }
                other => panic!("{from} -> {to}: expected InvalidBoard, got {other:?}"),
            }
        }
    }

    #[test]
    fn parse_errors_name_the_file() {
        let err = edited("clock_hz = 25_000_000", "clock_hz = \"fast\"").unwrap_err();
        assert!(matches!(err, ToolchainError::BoardParse { ref origin, .. } if origin == "test"));
        let err = edited("[uart]", "[uart]\ncolour = 3").unwrap_err();
        assert!(matches!(err, ToolchainError::BoardParse { .. }));
    }

    #[test]
    fn user_board_file_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, BUILTIN[0].1.replace("qemu-m4", "my-board")).unwrap();
        let board = Board::resolve(path.to_str().unwrap()).unwrap();
        assert_eq!(board.name, "my-board");
        let missing = Board::resolve("/nonexistent/board.toml").unwrap_err();
        assert!(matches!(missing, ToolchainError::Io { .. }));
    }

    #[test]
    fn counters_convert_ticks_exactly() {
        let m4 = Board::builtin("qemu-m4").unwrap();
        // 25.6 ticks per instruction: 100,000,005 instructions are 2,560,000,128 ticks, and a
        // reading one tick either way still rounds to them.
        for ticks in [2_560_000_127, 2_560_000_128, 2_560_000_129] {
            assert_eq!(m4.counter.instructions_from_ticks(ticks), Some(100_000_005));
        }
        let m55 = Board::builtin("qemu-m55").unwrap();
        assert_eq!(m55.counter.instructions_from_ticks(2048), Some(100));
    }
}
