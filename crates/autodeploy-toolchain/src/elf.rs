//! Reading a firmware ELF: where each section landed and how full each memory is.

use std::fmt;
use std::path::Path;

use object::elf;
use object::read::elf::{ElfFile32, FileHeader, ProgramHeader};
use object::{Object, ObjectSection, SectionFlags};

use crate::board::Board;
use crate::error::{RegionOverflow, ToolchainError};

/// One allocated section of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionPlacement {
    /// Section name (`.text`).
    pub name: String,
    /// Run-time address.
    pub address: u64,
    /// Size in bytes.
    pub size: u64,
    /// Whether it occupies space in the file (false for `.bss`, stack, arena).
    pub has_contents: bool,
    /// Memory holding it at run time; `None` when it lies outside every memory.
    pub region: Option<String>,
}

/// How full one memory is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionUsage {
    /// Region name.
    pub name: String,
    /// Origin.
    pub origin: u64,
    /// Capacity in bytes.
    pub length: u64,
    /// Bytes used: sections placed there, plus load images stored there (the initial values of
    /// `.data` in the code memory).
    pub used: u64,
}

/// Section sizes and memory use of a firmware image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryReport {
    /// Allocated, non-empty sections in address order.
    pub sections: Vec<SectionPlacement>,
    /// One entry per board memory, in board-file order.
    pub regions: Vec<RegionUsage>,
}

impl MemoryReport {
    /// Read `elf` and place its sections in `board`'s memories.
    ///
    /// A section that starts outside every memory is attributed to the nearest memory below it
    /// (that is where the linker put it when that memory overflowed); if there is none, it is an
    /// error.
    pub fn from_elf(board: &Board, elf_path: &Path) -> Result<MemoryReport, ToolchainError> {
        let elf_err = |message: String| elf_error(elf_path, message);
        let data = read(elf_path)?;
        let file = parse(elf_path, &data)?;

        let mut used: Vec<u64> = vec![0; board.memory.len()];
        let attribute = |address: u64| -> Option<usize> {
            board
                .memory
                .iter()
                .position(|r| r.contains(address))
                .or_else(|| {
                    board
                        .memory
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.origin <= address)
                        .max_by_key(|(_, r)| r.origin)
                        .map(|(i, _)| i)
                })
        };

        let mut sections = Vec::new();
        for section in file.sections() {
            let SectionFlags::Elf { sh_flags } = section.flags() else {
                continue;
            };
            if sh_flags & u64::from(elf::SHF_ALLOC) == 0 || section.size() == 0 {
                continue;
            }
            let name = section
                .name()
                .map_err(|e| elf_err(e.to_string()))?
                .to_owned();
            let address = section.address();
            let size = section.size();
            let region = attribute(address);
            match region {
                Some(i) => used[i] += size,
                None => {
                    return Err(ToolchainError::SectionOutsideMemory {
                        board: board.name.clone(),
                        elf: elf_path.to_owned(),
                        section: name,
                        address,
                        size,
                    })
                }
            }
            let has_contents = section.kind() != object::SectionKind::UninitializedData
                && section.file_range().is_some();
            sections.push(SectionPlacement {
                name,
                address,
                size,
                has_contents,
                region: region.map(|i| board.memory[i].name.clone()),
            });
        }
        sections.sort_by_key(|s| s.address);

        // Load images stored away from their run address (.data's initial values).
        let endian = file.endian();
        for segment in file.elf_program_headers() {
            if segment.p_type(endian) != elf::PT_LOAD {
                continue;
            }
            let paddr = u64::from(segment.p_paddr(endian));
            let vaddr = u64::from(segment.p_vaddr(endian));
            let filesz = u64::from(segment.p_filesz(endian));
            if paddr == vaddr || filesz == 0 {
                continue;
            }
            if let Some(i) = attribute(paddr) {
                used[i] += filesz;
            }
        }

        let regions = board
            .memory
            .iter()
            .zip(used)
            .map(|(r, used)| RegionUsage {
                name: r.name.clone(),
                origin: r.origin,
                length: r.length,
                used,
            })
            .collect();
        Ok(MemoryReport { sections, regions })
    }

    /// Memories the image overflows (empty when it fits).
    pub fn overflows(&self) -> Vec<RegionOverflow> {
        self.regions
            .iter()
            .filter(|r| r.used > r.length)
            .map(|r| RegionOverflow {
                region: r.name.clone(),
                capacity: r.length,
                needed: r.used,
            })
            .collect()
    }

    /// Total bytes of sections named `name`, 0 when absent.
    pub fn section_size(&self, name: &str) -> u64 {
        self.sections
            .iter()
            .filter(|s| s.name == name)
            .map(|s| s.size)
            .sum()
    }
}

impl fmt::Display for MemoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<16} {:>10} {:>10}  memory",
            "section", "address", "size"
        )?;
        for s in &self.sections {
            writeln!(
                f,
                "{:<16} 0x{:08x} {:>10}  {}",
                s.name,
                s.address,
                s.size,
                s.region.as_deref().unwrap_or("-")
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<16} {:>10} {:>10} {:>10} {:>6}",
            "memory", "origin", "used", "size", "use"
        )?;
        for r in &self.regions {
            let percent = if r.length == 0 {
                0.0
            } else {
                r.used as f64 * 100.0 / r.length as f64
            };
            writeln!(
                f,
                "{:<16} 0x{:08x} {:>10} {:>10} {:>5.1}%",
                r.name, r.origin, r.used, r.length, percent
            )?;
        }
        Ok(())
    }
}

/// Sizes of the function symbols in `elf_path`, as (name, bytes), sorted by name.
///
/// Used to attribute code size to kernels: a kernel's functions share its name as a prefix.
pub fn function_sizes(elf_path: &Path) -> Result<Vec<(String, u64)>, ToolchainError> {
    use object::{ObjectSymbol, SymbolKind};
    let data = std::fs::read(elf_path).map_err(|e| elf_error(elf_path, e.to_string()))?;
    let file = parse(elf_path, &data)?;
    let mut sizes: Vec<(String, u64)> = file
        .symbols()
        .filter(|s| s.kind() == SymbolKind::Text && s.size() > 0)
        .filter_map(|s| Some((s.name().ok()?.to_string(), s.size())))
        .collect();
    sizes.sort();
    sizes.dedup();
    Ok(sizes)
}

/// The address of the data or function symbol `name` in `elf_path`, if it has one.
pub fn symbol_address(elf_path: &Path, name: &str) -> Result<Option<u64>, ToolchainError> {
    use object::ObjectSymbol;
    let data = std::fs::read(elf_path).map_err(|e| elf_error(elf_path, e.to_string()))?;
    let file = parse(elf_path, &data)?;
    Ok(file
        .symbols()
        .find(|s| s.is_definition() && s.name() == Ok(name))
        .map(|s| s.address()))
}

/// A loadable segment: where it goes and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub address: u32,
    pub bytes: Vec<u8>,
}

/// The ELF's loadable segments at their load (physical) addresses, and the vector table's
/// address (the lowest segment holding `.vectors`, which the linker script puts first).
pub fn loadable_segments(elf: &Path) -> Result<(Vec<Segment>, u32), ToolchainError> {
    let elf_err = |message: String| elf_error(elf, message);
    let data = read(elf)?;
    let file = parse(elf, &data)?;
    let endian = file.endian();
    let mut segments = Vec::new();
    for ph in file
        .elf_header()
        .program_headers(endian, &*data)
        .map_err(|e| elf_err(e.to_string()))?
    {
        if ph.p_type(endian) != object::elf::PT_LOAD || ph.p_filesz(endian) == 0 {
            continue;
        }
        let bytes = ph
            .data(endian, &*data)
            .map_err(|_| elf_err("segment outside the file".into()))?;
        segments.push(Segment {
            address: ph.p_paddr(endian),
            bytes: bytes.to_vec(),
        });
    }
    let vectors = file
        .section_by_name(".vectors")
        .map(|s| s.address() as u32)
        .ok_or_else(|| elf_err("no .vectors section".into()))?;
    Ok((segments, vectors))
}

/// The bytes of the ELF file at `path`.
fn read(path: &Path) -> Result<Vec<u8>, ToolchainError> {
    std::fs::read(path).map_err(|source| ToolchainError::Io {
        action: "read ELF file",
        path: path.to_owned(),
        source,
    })
}

/// `data`, read from `path`, as a 32-bit ELF file.
fn parse<'d>(
    path: &Path,
    data: &'d [u8],
) -> Result<ElfFile32<'d, object::Endianness>, ToolchainError> {
    ElfFile32::parse(data).map_err(|e| elf_error(path, e.to_string()))
}

/// What is wrong with the ELF file at `path`.
fn elf_error(path: &Path, message: String) -> ToolchainError {
    ToolchainError::Elf {
        path: path.to_owned(),
        message,
    }
}
