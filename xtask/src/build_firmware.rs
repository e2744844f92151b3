//! `cargo xtask build-firmware [--board B|--all]`: builds the validator firmware for kws_ref_model
//! for each built-in board (QEMU and real) with `autodeploy validate --build-only`, which fails
//! when an image does not fit, and prints a size table: bytes per kind and the memory holding
//! it, read from the ELF's section addresses.

use std::path::Path;
use std::process::Command;

use crate::setup;

const MODEL: &str = "examples/models/mlperf-tiny/kws_ref_model.tflite";

/// The table's columns and the sections that count for each.
const COLUMNS: &[(&str, &[&str])] = &[
    ("text", &[".vectors", ".text", ".ARM.exidx"]),
    ("rodata", &[".rodata", ".ad_weights"]),
    ("data", &[".data"]),
    ("bss", &[".bss"]),
    ("arena", &[".ad_arena"]),
    ("stack", &[".stack"]),
];

pub fn run(args: &[String]) -> Result<(), String> {
    let root = crate::workspace_root();
    let boards = match args {
        [] => builtin_boards(&root)?,
        [flag] if flag == "--all" => builtin_boards(&root)?,
        [flag, board] if flag == "--board" => vec![board.clone()],
        _ => return Err("usage: cargo xtask build-firmware [--board B|--all]".into()),
    };
    let autodeploy = setup::build_cli(&root)?;
    let mut rows = Vec::new();
    for board in &boards {
        let output = Command::new(&autodeploy)
            .current_dir(&root)
            .args(["validate", MODEL, "--board", board, "--build-only"])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", autodeploy.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            return Err(format!(
                "board {board}: the firmware does not build or fit\n{stdout}{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        rows.push((board.clone(), columns(&stdout)));
    }
    println!("validator firmware for kws_ref_model, bytes (memory)");
    print!("{:<15}", "board");
    for (name, _) in COLUMNS {
        print!(" {name:>20}");
    }
    println!();
    for (board, cells) in rows {
        print!("{board:<15}");
        for cell in cells {
            print!(" {cell:>20}");
        }
        println!();
    }
    Ok(())
}

/// The board files compiled into the toolchain crate.
fn builtin_boards(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("crates/autodeploy-toolchain/boards");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(String::from))
        .collect();
    names.sort();
    Ok(names)
}

/// One cell per column from the section table `autodeploy validate --build-only` prints
/// (`NAME 0xADDRESS SIZE MEMORY`): total size and the memory (or memories) holding it.
fn columns(report: &str) -> Vec<String> {
    let sections: Vec<(&str, u64, &str)> = report
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [name, address, size, memory] if address.starts_with("0x") => {
                    Some((*name, size.parse().ok()?, *memory))
                }
                _ => None,
            }
        })
        .collect();
    COLUMNS
        .iter()
        .map(|(_, names)| {
            let matching = sections
                .iter()
                .filter(|(name, _, _)| names.iter().any(|n| name.starts_with(n)));
            let size: u64 = matching.clone().map(|(_, size, _)| size).sum();
            let mut memories: Vec<&str> = matching.map(|(_, _, memory)| *memory).collect();
            memories.dedup();
            if memories.is_empty() {
                "-".to_string()
            } else {
                format!("{size} ({})", memories.join("+"))
            }
        })
        .collect()
}
