//! Real boards through a debug probe, with probe-rs used as a library: list the probes, pick
//! one, attach to the board's chip (a probe-rs target name, or a target description YAML from
//! `target-gen`), and load the firmware: RAM-load (write the ELF's loadable segments, point
//! VTOR, SP and PC at its vector table, run) or flash-and-reset.
//!
//! Probe discovery goes through probe-rs's `Lister`, which takes any `ProbeLister`: the tests
//! give it one that lists probe-rs's own `FakeProbe`, so selection and attach run without
//! hardware.

use std::path::{Path, PathBuf};

pub use probe_rs;
use probe_rs::config::Registry;
use probe_rs::flashing::{download_file, ElfLoader, ElfOptions};
pub use probe_rs::probe::list::Lister;
use probe_rs::probe::{DebugProbeInfo, DebugProbeSelector};
use probe_rs::{MemoryInterface, Permissions, RegisterValue, Session};

use crate::board::{Board, LoadMethod, RunTarget};
pub use crate::elf::{loadable_segments, Segment};
use crate::error::ToolchainError;
pub use crate::probe_select::ProbeSelector;

/// The Cortex-M Vector Table Offset Register.
const VTOR: u64 = 0xE000_ED08;

/// One probe as listed, for messages: `J-Link (1366:0105, serial 000123456)`.
fn describe(info: &DebugProbeInfo) -> String {
    match &info.serial_number {
        Some(serial) => format!(
            "{} ({:04x}:{:04x}, serial {serial})",
            info.identifier, info.vendor_id, info.product_id
        ),
        None => format!(
            "{} ({:04x}:{:04x})",
            info.identifier, info.vendor_id, info.product_id
        ),
    }
}

/// The probes `lister` sees, described.
pub fn list_probes(lister: &Lister) -> Vec<String> {
    lister.list_all().iter().map(describe).collect()
}

/// Picks the probe for `board`: the one `selector` names, or the only one attached.
pub fn choose_probe(
    board: &str,
    found: Vec<DebugProbeInfo>,
    selector: Option<&ProbeSelector>,
) -> Result<DebugProbeInfo, ToolchainError> {
    let listed: Vec<String> = found.iter().map(describe).collect();
    let mut matching: Vec<DebugProbeInfo> = found
        .into_iter()
        .filter(|p| {
            selector
                .is_none_or(|s| s.matches(p.vendor_id, p.product_id, p.serial_number.as_deref()))
        })
        .collect();
    match (matching.len(), selector) {
        (1, _) => Ok(matching.remove(0)),
        (0, None) => Err(ToolchainError::NoProbe {
            board: board.to_string(),
            found: listed,
        }),
        (0, Some(s)) => Err(ToolchainError::ProbeNotFound {
            board: board.to_string(),
            selector: s.to_string(),
            found: listed,
        }),
        (_, _) => Err(ToolchainError::SeveralProbes {
            board: board.to_string(),
            found: matching.iter().map(describe).collect(),
        }),
    }
}

/// The probe-rs chip name and target file of a probe-rs board.
fn chip_of(board: &Board) -> Result<(&str, Option<&str>, LoadMethod), ToolchainError> {
    match &board.run {
        RunTarget::ProbeRs {
            chip,
            target_file,
            load,
            ..
        } => Ok((chip, target_file.as_deref(), *load)),
        RunTarget::Qemu { .. } => Err(ToolchainError::NotAProbeBoard {
            board: board.name.clone(),
        }),
    }
}

/// probe-rs's built-in targets plus the board's target description, if it names one.
fn registry_for(board: &Board, target_file: Option<&str>) -> Result<Registry, ToolchainError> {
    let mut registry = Registry::from_builtin_families();
    if let Some(file) = target_file {
        let path = PathBuf::from(file);
        let yaml = std::fs::read_to_string(&path).map_err(|source| ToolchainError::Io {
            action: "read probe-rs target description",
            path: path.clone(),
            source,
        })?;
        registry.add_target_family_from_yaml(&yaml).map_err(|e| {
            ToolchainError::TargetDescription {
                board: board.name.clone(),
                path,
                message: e.to_string(),
            }
        })?;
    }
    Ok(registry)
}

/// Opens the chosen probe and attaches to the board's chip.
pub fn attach(
    board: &Board,
    lister: &Lister,
    selector: Option<&ProbeSelector>,
) -> Result<Session, ToolchainError> {
    let (chip, target_file, _) = chip_of(board)?;
    let registry = registry_for(board, target_file)?;
    let info = choose_probe(&board.name, lister.list_all(), selector)?;
    let probe_name = describe(&info);
    // Opened through the lister, so that a test lister's probes open too.
    let probe =
        lister
            .open(DebugProbeSelector::from(&info))
            .map_err(|e| ToolchainError::ProbeOpen {
                probe: probe_name.clone(),
                message: e.to_string(),
            })?;
    probe
        .attach_with_registry(chip, Permissions::default(), &registry)
        .map_err(|e| match e {
            probe_rs::Error::ChipNotFound(_) => ToolchainError::UnknownChip {
                board: board.name.clone(),
                chip: chip.to_string(),
                target_file: target_file.map(PathBuf::from),
            },
            e => ToolchainError::ChipNotAnswering {
                board: board.name.clone(),
                chip: chip.to_string(),
                probe: probe_name,
                message: e.to_string(),
            },
        })
}

/// Loads `elf` as the board says (`load = "ram"` or `"flash"`) and starts it.
pub fn load(session: &mut Session, board: &Board, elf: &Path) -> Result<(), ToolchainError> {
    let (_, _, method) = chip_of(board)?;
    match method {
        LoadMethod::Ram => ram_load(session, board, elf),
        LoadMethod::Flash => {
            download_file(session, elf, ElfLoader(ElfOptions::default())).map_err(|e| {
                ToolchainError::ProbeLoad {
                    board: board.name.clone(),
                    step: "flash the image".into(),
                    message: e.to_string(),
                }
            })?;
            let mut core = session
                .core(0)
                .map_err(|e| load_err(board, "reach core 0", e))?;
            core.reset().map_err(|e| load_err(board, "reset", e))?;
            Ok(())
        }
    }
}

fn load_err(board: &Board, step: &str, e: impl std::fmt::Display) -> ToolchainError {
    ToolchainError::ProbeLoad {
        board: board.name.clone(),
        step: step.to_string(),
        message: e.to_string(),
    }
}

/// RAM-load: halt, write every loadable segment, set VTOR to the vector table, SP and PC from
/// its first two words, run. Needs no flash algorithm; every memory the image uses must be RAM.
fn ram_load(session: &mut Session, board: &Board, elf: &Path) -> Result<(), ToolchainError> {
    let (segments, vectors) = loadable_segments(elf)?;
    let mut core = session
        .core(0)
        .map_err(|e| load_err(board, "reach core 0", e))?;
    core.halt(std::time::Duration::from_millis(500))
        .map_err(|e| load_err(board, "halt the core", e))?;
    for segment in &segments {
        core.write_8(u64::from(segment.address), &segment.bytes)
            .map_err(|e| {
                load_err(
                    board,
                    &format!(
                        "write {} bytes at {:#010x}",
                        segment.bytes.len(),
                        segment.address
                    ),
                    e,
                )
            })?;
    }
    let mut table = [0u32; 2];
    core.read_32(u64::from(vectors), &mut table)
        .map_err(|e| load_err(board, "read the vector table back", e))?;
    core.write_word_32(VTOR, vectors)
        .map_err(|e| load_err(board, "set VTOR", e))?;
    let sp = core.stack_pointer().id();
    let pc = core.program_counter().id();
    core.write_core_reg(sp, RegisterValue::U32(table[0]))
        .map_err(|e| load_err(board, "set SP", e))?;
    core.write_core_reg(pc, RegisterValue::U32(table[1] & !1))
        .map_err(|e| load_err(board, "set PC", e))?;
    core.run().map_err(|e| load_err(board, "run", e))?;
    Ok(())
}
