//! The one error type of this crate.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The install command suggested when the cross compiler is missing.
pub const GCC_INSTALL_HINT: &str = "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi";
/// The install command suggested when QEMU is missing.
pub const QEMU_INSTALL_HINT: &str = "apt-get install qemu-system-arm";

/// One memory that an image does not fit in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionOverflow {
    /// Name of the memory region in the board file.
    pub region: String,
    /// Its size in bytes.
    pub capacity: u64,
    /// Bytes the image needs there.
    pub needed: u64,
}

impl RegionOverflow {
    /// How many bytes too many.
    pub fn over_by(&self) -> u64 {
        self.needed.saturating_sub(self.capacity)
    }
}

impl fmt::Display for RegionOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "memory \"{}\" needs {} bytes but holds {} (over by {} bytes)",
            self.region,
            self.needed,
            self.capacity,
            self.over_by()
        )
    }
}

fn join_overflows(overflows: &[RegionOverflow]) -> String {
    overflows
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Everything that can go wrong while reading boards, building firmware or running it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolchainError {
    /// No built-in board has this name.
    #[error("unknown board \"{name}\"; known boards: {}", known.join(", "))]
    UnknownBoard {
        /// The name asked for.
        name: String,
        /// Names of the built-in boards.
        known: Vec<String>,
    },

    /// The name is a prefix of several boards.
    #[error("board name \"{name}\" is ambiguous: it matches {}", candidates.join(", "))]
    AmbiguousBoard {
        /// The name asked for.
        name: String,
        /// The boards it could mean.
        candidates: Vec<String>,
    },

    /// A board file could not be parsed.
    #[error("cannot parse board file \"{origin}\"")]
    BoardParse {
        /// Path of the file, or `builtin:<name>`.
        origin: String,
        /// The TOML error, with line and column.
        #[source]
        source: Box<toml::de::Error>,
    },

    /// A board file parsed but describes an impossible board.
    #[error("board \"{board}\" (from \"{origin}\") is invalid: {reason}")]
    InvalidBoard {
        /// The board's name.
        board: String,
        /// Path of the file, or `builtin:<name>`.
        origin: String,
        /// What is wrong.
        reason: String,
    },

    /// A tool is missing.
    #[error("{tool} not found ({detail}); install it with `{install_hint}`")]
    ToolNotFound {
        /// The program that was looked for.
        tool: String,
        /// Where it was looked for.
        detail: String,
        /// The command that installs it.
        install_hint: String,
    },

    /// A file or directory could not be read or written.
    #[error("cannot {action} \"{path}\"")]
    Io {
        /// What was being done ("read source", "create cache directory"...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// A program could not be started.
    #[error("cannot run \"{program}\"")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// The firmware description is unusable.
    #[error("invalid firmware \"{firmware}\": {reason}")]
    InvalidFirmware {
        /// The firmware's name.
        firmware: String,
        /// What is wrong.
        reason: String,
    },

    /// A board support template failed to render.
    #[error("cannot render board support file \"{file}\" for board \"{board}\": {message}")]
    Template {
        /// The board.
        board: String,
        /// The template.
        file: String,
        /// The renderer's message.
        message: String,
    },

    /// The compiler reported an error for one source.
    #[error("compiling \"{source_file}\" for board \"{board}\" failed:\n{stderr}")]
    CompileFailed {
        /// The board.
        board: String,
        /// The source that failed.
        source_file: PathBuf,
        /// The command line, for reproducing it.
        command: String,
        /// What the compiler printed.
        stderr: String,
    },

    /// The link failed (other than by running out of memory).
    #[error("linking firmware \"{firmware}\" for board \"{board}\" failed:\n{stderr}")]
    LinkFailed {
        /// The board.
        board: String,
        /// The firmware.
        firmware: String,
        /// The command line, for reproducing it.
        command: String,
        /// What the linker printed.
        stderr: String,
    },

    /// The image is larger than one or more memories of the board.
    #[error(
        "firmware \"{firmware}\" does not fit board \"{board}\": {}",
        join_overflows(overflows)
    )]
    DoesNotFit {
        /// The board.
        board: String,
        /// The firmware.
        firmware: String,
        /// Each memory that overflows.
        overflows: Vec<RegionOverflow>,
    },

    /// An allocated section lies outside every memory of the board.
    #[error(
        "section \"{section}\" (0x{address:08x}, {size} bytes) of \"{elf}\" lies outside every memory of board \"{board}\""
    )]
    SectionOutsideMemory {
        /// The board.
        board: String,
        /// The ELF file.
        elf: PathBuf,
        /// The section.
        section: String,
        /// Its start address.
        address: u64,
        /// Its size.
        size: u64,
    },

    /// The ELF file could not be read.
    #[error("cannot read ELF file \"{path}\": {message}")]
    Elf {
        /// The file.
        path: PathBuf,
        /// What the ELF reader said.
        message: String,
    },

    /// The board is not started through QEMU.
    #[error("board \"{board}\" does not run on QEMU")]
    NotQemuBoard {
        /// The board.
        board: String,
    },

    /// QEMU failed (bad option, cannot load the image...).
    #[error(
        "QEMU failed running \"{elf}\" on board \"{board}\" (exit status {status:?}):\n{stderr}"
    )]
    QemuFailed {
        /// The board.
        board: String,
        /// The firmware.
        elf: PathBuf,
        /// QEMU's exit status, when it exited normally.
        status: Option<i32>,
        /// What QEMU printed (stderr and stdout).
        stderr: String,
    },

    /// QEMU's serial port could not be set up or reached.
    #[error("cannot reach the UART of board \"{board}\": {detail}\nQEMU stderr:\n{stderr}")]
    Serial {
        /// The board.
        board: String,
        /// What failed.
        detail: String,
        /// What QEMU printed (stderr and stdout).so far.
        stderr: String,
    },

    /// The firmware did not end within the time limit; QEMU was killed.
    #[error(
        "firmware \"{elf}\" on board \"{board}\" did not exit within {timeout:?}; QEMU was killed"
    )]
    RunTimeout {
        /// The board.
        board: String,
        /// The firmware.
        elf: PathBuf,
        /// The time limit.
        timeout: Duration,
    },

    /// No debug probe is attached (or none this user can see).
    #[error("board \"{board}\" needs a debug probe and none was found{}; connect one (J-Link, CMSIS-DAP, ST-Link...) and check the udev rules in docs/boards.md", found_text(.found))]
    NoProbe {
        /// The board.
        board: String,
        /// What the probe listing returned (empty here, kept for the message's shape).
        found: Vec<String>,
    },

    /// Several probes are attached and none was chosen.
    #[error("board \"{board}\": {} debug probes are attached: {}; pick one with --probe VID:PID[:SERIAL]", .found.len(), .found.join(", "))]
    SeveralProbes {
        /// The board.
        board: String,
        /// The probes found.
        found: Vec<String>,
    },

    /// No attached probe matches `--probe`.
    #[error("board \"{board}\": no attached probe matches --probe {selector}{}", found_text(.found))]
    ProbeNotFound {
        /// The board.
        board: String,
        /// The selector given.
        selector: String,
        /// The probes found.
        found: Vec<String>,
    },

    /// The probe is there but cannot be opened (permissions, used by another program).
    #[error("cannot open debug probe {probe}: {message} (on Linux, check the udev rules in docs/boards.md and that no other debugger holds it)")]
    ProbeOpen {
        /// The probe.
        probe: String,
        /// What probe-rs said.
        message: String,
    },

    /// The probe opened but the chip did not answer.
    #[error("board \"{board}\": chip {chip} does not answer through {probe}: {message} (is the board powered, the SWD cable on, the chip name right?)")]
    ChipNotAnswering {
        /// The board.
        board: String,
        /// The probe-rs target name.
        chip: String,
        /// The probe.
        probe: String,
        /// What probe-rs said.
        message: String,
    },

    /// probe-rs knows no chip of this name (neither built in nor in the board's target file).
    #[error("board \"{board}\": probe-rs knows no chip \"{chip}\"{}; set run.chip to a name from `probe-rs chip list`, or run.target_file to a target description made with target-gen from the vendor's CMSIS pack (docs/boards.md)", target_file_text(.target_file))]
    UnknownChip {
        /// The board.
        board: String,
        /// The probe-rs target name asked for.
        chip: String,
        /// The board's target description, when it has one.
        target_file: Option<PathBuf>,
    },

    /// A probe-rs target description could not be used.
    #[error("board \"{board}\": probe-rs target description \"{path}\" is not usable: {message}")]
    TargetDescription {
        /// The board.
        board: String,
        /// The YAML file.
        path: PathBuf,
        /// What probe-rs said.
        message: String,
    },

    /// Loading or starting the image through the probe failed.
    #[error("board \"{board}\": cannot {step} through the probe: {message}")]
    ProbeLoad {
        /// The board.
        board: String,
        /// What was being done.
        step: String,
        /// What probe-rs said.
        message: String,
    },

    /// The board is not a probe-rs board.
    #[error("board \"{board}\" is not loaded through a debug probe")]
    NotAProbeBoard {
        /// The board.
        board: String,
    },

    /// This build of autodeploy has no probe support.
    #[error("board \"{board}\" needs a debug probe, and this build of autodeploy has no probe support (build with the `probe` feature)")]
    NoProbeSupport {
        /// The board.
        board: String,
    },
}

fn target_file_text(target_file: &Option<PathBuf>) -> String {
    match target_file {
        Some(path) => format!(" (not built in, and not in \"{}\")", path.display()),
        None => " (it has no built-in target and the board names no target_file)".into(),
    }
}

fn found_text(found: &[String]) -> String {
    if found.is_empty() {
        String::new()
    } else {
        format!(" (found: {})", found.join(", "))
    }
}
