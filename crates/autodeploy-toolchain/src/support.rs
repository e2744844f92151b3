//! Board support files: the C sources from `firmware-templates/board/`, the generated
//! `ad_board_config.h`, and the linker script rendered from the board's memory regions.

use handlebars::Handlebars;
use serde_json::json;

use crate::board::{Board, Placement};
use crate::error::ToolchainError;

macro_rules! template {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../../firmware-templates/board/", $name)),
        )
    };
}

/// Header every firmware includes.
const HEADER: (&str, &str) = template!("ad_board.h");
/// Sources compiled into every firmware, whatever the board.
const COMMON_SOURCES: &[(&str, &str)] = &[
    template!("ad_startup.c"),
    template!("ad_fault.c"),
    template!("ad_semihost.c"),
    template!("ad_uart_common.c"),
    template!("ad_counter.c"),
    template!("ad_syscalls.c"),
];
/// UART drivers, picked by the board's UART kind.
const UART_SOURCES: &[(&str, &str)] = &[template!("ad_uart_cmsdk.c"), template!("ad_uart_pl011.c")];
const LINKER_TEMPLATE: &str = include_str!("../../../firmware-templates/board/linker.ld.hbs");
const CONFIG_TEMPLATE: &str =
    include_str!("../../../firmware-templates/board/ad_board_config.h.hbs");

/// Name of the generated linker script.
pub const LINKER_SCRIPT_NAME: &str = "ad_board.ld";
/// Name of the generated configuration header.
pub const CONFIG_HEADER_NAME: &str = "ad_board_config.h";

/// One file of board support, ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportFile {
    /// File name (no directory).
    pub name: String,
    /// Contents.
    pub contents: String,
    /// Whether it is a C source to compile.
    pub is_source: bool,
}

fn hex(value: u64) -> String {
    format!("0x{value:08x}")
}

fn render(
    board: &Board,
    file: &str,
    template: &str,
    data: &serde_json::Value,
) -> Result<String, ToolchainError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(template, data)
        .map_err(|e| ToolchainError::Template {
            board: board.name.clone(),
            file: file.to_owned(),
            message: e.to_string(),
        })
}

fn region_name(board: &Board, what: Placement) -> Result<String, ToolchainError> {
    board
        .region_for(what)
        .map(|r| r.name.clone())
        .ok_or_else(|| ToolchainError::InvalidBoard {
            board: board.name.clone(),
            origin: "board".into(),
            reason: format!("no memory holds \"{what}\""),
        })
}

/// The GNU ld script for `board`.
pub fn linker_script(board: &Board) -> Result<String, ToolchainError> {
    let regions: Vec<_> = board
        .memory
        .iter()
        .map(|r| json!({ "name": r.name, "origin": hex(r.origin), "length": hex(r.length) }))
        .collect();
    let code = region_name(board, Placement::Code)?;
    let data = json!({
        "board": board.name,
        "regions": regions,
        "code": code,
        "rodata": region_name(board, Placement::Rodata)?,
        "data": region_name(board, Placement::Data)?,
        "data_load": code,
        "bss": region_name(board, Placement::Bss)?,
        "arena": region_name(board, Placement::Arena)?,
        "heap": region_name(board, Placement::Heap)?,
        "stack": region_name(board, Placement::Stack)?,
        "heap_size": hex(board.heap_size),
        "stack_size": hex(board.stack_size),
    });
    render(board, "linker.ld.hbs", LINKER_TEMPLATE, &data)
}

/// The generated `ad_board_config.h` for `board`: every per-board value the C code uses.
pub fn config_header(board: &Board) -> Result<String, ToolchainError> {
    let (counter_addr, ratio) = match &board.counter {
        crate::board::Counter::QemuFpgaio {
            address,
            instructions_per_tick,
        } => (Some(hex(*address)), Some(*instructions_per_tick)),
        crate::board::Counter::DwtCyccnt | crate::board::Counter::PmuCcntr => (None, None),
    };
    let data = json!({
        "board": board.name,
        "core": board.core,
        "clock_hz": board.clock_hz,
        "irq_count": board.irq_count,
        "uart_kind_macro": board.uart.kind.macro_name(),
        "uart_base": hex(board.uart.base),
        "uart_baud": board.uart.baud,
        "counter_kind_macro": board.counter.macro_name(),
        "counter_addr": counter_addr,
        "has_ratio": ratio.is_some(),
        "ratio_num": ratio.map(|r| r.num()).unwrap_or(1),
        "ratio_den": ratio.map(|r| r.den()).unwrap_or(1),
        "stack_size": board.stack_size,
        "heap_size": board.heap_size,
    });
    render(board, "ad_board_config.h.hbs", CONFIG_TEMPLATE, &data)
}

/// Every board support file for `board`: `ad_board.h`, `ad_board_config.h`, the C sources
/// (startup, fault, semihosting exit, UART driver, counter, syscalls) and the linker script.
pub fn support_files(board: &Board) -> Result<Vec<SupportFile>, ToolchainError> {
    let mut files = vec![
        SupportFile {
            name: HEADER.0.to_owned(),
            contents: HEADER.1.to_owned(),
            is_source: false,
        },
        SupportFile {
            name: CONFIG_HEADER_NAME.to_owned(),
            contents: config_header(board)?,
            is_source: false,
        },
        SupportFile {
            name: LINKER_SCRIPT_NAME.to_owned(),
            contents: linker_script(board)?,
            is_source: false,
        },
    ];
    let uart = board.uart.kind.source_file();
    for (name, contents) in COMMON_SOURCES
        .iter()
        .chain(UART_SOURCES.iter().filter(|(name, _)| *name == uart))
    {
        files.push(SupportFile {
            name: (*name).to_owned(),
            contents: (*contents).to_owned(),
            is_source: true,
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linker_script_lists_every_region_and_places_every_kind() {
        for board in Board::builtins().unwrap() {
            let script = linker_script(&board).unwrap();
            for region in &board.memory {
                let line = format!(
                    "{} (rwx) : ORIGIN = {}, LENGTH = {}",
                    region.name,
                    hex(region.origin),
                    hex(region.length)
                );
                assert!(script.contains(&line), "{}: missing {line}", board.name);
            }
            let stack = board.region_for(Placement::Stack).unwrap();
            assert!(script.contains(&format!("__stack_top = .;\n    }} > {}", stack.name)));
            assert!(!script.contains("&#x"), "no HTML escaping");
        }
    }

    #[test]
    fn fault_exit_code_matches_the_header() {
        assert!(HEADER.1.contains(&format!(
            "#define AD_BOARD_EXIT_FAULT {}",
            crate::FAULT_EXIT_CODE
        )));
    }

    #[test]
    fn config_header_has_the_board_values() {
        let board = Board::builtin("qemu-m55").unwrap();
        let header = config_header(&board).unwrap();
        assert!(header.contains("#define AD_BOARD_UART_BASE 0x49303000u"));
        assert!(header.contains("#define AD_BOARD_COUNTER_ADDR 0x49302018u"));
        assert!(header.contains("#define AD_BOARD_COUNTER_KIND_QEMU_FPGAIO 1"));
        assert!(header.contains("#define AD_BOARD_NAME \"qemu-m55\""));
    }
}
