//! Helpers shared by the firmware tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use autodeploy_toolchain::{Board, Builder, Firmware, FirmwareSpec, Toolchain, ToolchainError};

pub const BOARDS: [&str; 3] = ["qemu-m4", "qemu-m7", "qemu-m55"];

pub fn firmware_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/firmware")
}

pub fn toolchain() -> Toolchain {
    static TOOLCHAIN: OnceLock<Toolchain> = OnceLock::new();
    TOOLCHAIN
        .get_or_init(|| Toolchain::discover().expect("arm-none-eabi-gcc is needed for these tests"))
        .clone()
}

/// A builder on a cache shared by the tests of one run.
pub fn builder() -> Builder {
    Builder::new(
        toolchain(),
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("autodeploy-toolchain-cache"),
    )
}

pub fn spec(name: &str, sources: &[&str]) -> FirmwareSpec {
    let mut spec = FirmwareSpec::new(name);
    for s in sources {
        spec = spec.source(firmware_dir().join(s));
    }
    spec
}

pub fn build(board: &str, spec: &FirmwareSpec) -> Result<Firmware, ToolchainError> {
    builder().build(&Board::builtin(board).unwrap(), spec)
}
