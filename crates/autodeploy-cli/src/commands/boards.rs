//! `autodeploy boards`: the built-in boards with their core, clock, memories and how they load.

use std::io::Write;

use anyhow::Context;
use autodeploy_toolchain::{Board, Placement};

use crate::ExitStatus;

pub fn run() -> anyhow::Result<ExitStatus> {
    let boards = Board::builtins().context("a built-in board file is invalid")?;
    let mut out = std::io::stdout().lock();
    for (i, board) in boards.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_board(&mut out, board)?;
    }
    writeln!(
        out,
        "\nA board file of your own works anywhere a name does: --board ./my-board.toml (docs/boards.md)."
    )?;
    Ok(ExitStatus::Success)
}

fn write_board(out: &mut impl Write, board: &Board) -> std::io::Result<()> {
    writeln!(out, "{}: {}", board.name, board.description)?;
    writeln!(
        out,
        "  core {}, {} MHz, counter {}",
        board.core,
        board.clock_hz as f64 / 1e6,
        board.counter.macro_name().to_ascii_lowercase()
    )?;
    writeln!(out, "  runs on: {}", board.run.describe())?;
    for region in &board.memory {
        let holds: Vec<&str> = Placement::ALL
            .iter()
            .filter(|p| region.holds.contains(p))
            .map(|p| p.as_str())
            .collect();
        writeln!(
            out,
            "  {:<6} 0x{:08x}  {:>6} KiB  {}",
            region.name,
            region.origin,
            region.length / 1024,
            if holds.is_empty() {
                "-".to_owned()
            } else {
                holds.join(", ")
            }
        )?;
    }
    Ok(())
}
