//! Board descriptions, the cross-compiler build driver and the QEMU runner of autodeploy.
//!
//! This crate knows how to turn C sources into a firmware image for a board and how to run that
//! image on a virtual board. It does not generate model code or speak the RPC protocol: those
//! live in `autodeploy-codegen` and `autodeploy-rpc`.
//!
//! - [`Board`]: a board read from TOML (built-ins `qemu-m4`, `qemu-m7`, `qemu-m55`, or a file).
//! - [`Toolchain`]: finds `arm-none-eabi-gcc` (`$AUTODEPLOY_GCC` or `PATH`).
//! - [`Builder`]: compiles sources plus the board support files from
//!   `firmware-templates/board/`, links with a linker script rendered from the board's memories,
//!   caches by content hash, and reports where every section landed ([`MemoryReport`]).
//! - [`QemuRunner`]: starts `qemu-system-arm` with instruction counting, exposes the UART as a
//!   pty path or a connected TCP stream, enforces a timeout and reports the semihosting exit code.
//!
//! ```no_run
//! # async fn demo() -> Result<(), autodeploy_toolchain::ToolchainError> {
//! use autodeploy_toolchain::{Board, Builder, FirmwareSpec, QemuOptions, QemuRunner, Toolchain};
//!
//! let board = Board::resolve("qemu-m4")?;
//! let builder = Builder::new(Toolchain::discover()?, "target/autodeploy-cache");
//! let firmware = builder.build(&board, &FirmwareSpec::new("hello").source("hello.c"))?;
//! let output = QemuRunner::discover()?
//!     .run(&board, &firmware.elf, &QemuOptions::default())
//!     .await?;
//! assert_eq!(output.exit_code, 0);
//! # Ok(()) }
//! ```

mod board;
mod build;
mod discover;
mod elf;
mod error;
#[cfg(feature = "probe")]
pub mod probe;
mod probe_select;
mod qemu;
mod ratio;
mod support;

pub use board::{
    Board, Counter, LoadMethod, MemoryRegion, Placement, RunTarget, TransportKind, Uart, UartKind,
    DEFAULT_BOARD,
};
pub use build::{Builder, Firmware, FirmwareSpec, OptLevel};
pub use discover::{
    current_path, find_qemu, find_qemu_from, Toolchain, GCC_ENV, GCC_NAME, QEMU_ENV, QEMU_NAME,
};
pub use elf::{
    function_sizes, loadable_segments, symbol_address, MemoryReport, RegionUsage, SectionPlacement,
    Segment,
};
pub use error::{RegionOverflow, ToolchainError, GCC_INSTALL_HINT, QEMU_INSTALL_HINT};
pub use probe_select::ProbeSelector;
pub use qemu::{QemuOptions, QemuRunner, QemuSession, RunExit, RunOutput, SerialKind, UartPort};
pub use ratio::{Ratio, RatioParseError};
pub use support::{config_header, linker_script, support_files, SupportFile};

/// Exit code of the default fault hook (`AD_BOARD_EXIT_FAULT` in `ad_board.h`): 0xAD.
pub const FAULT_EXIT_CODE: i32 = 173;
