//! The validator firmware for every built-in board (what `cargo xtask build-firmware --all`
//! builds, with the board's default transport: RTT on the real boards): built with the real
//! cross compiler, it fits, and the ELF's section addresses put code, weights and arena in the
//! memories the board files name.

mod common;

use autodeploy_model::Model;
use autodeploy_toolchain::{Board, Placement};
use autodeploy_validate::{build_for_model, kernels_for_board, FirmwareOptions, TransportKind};

fn check(board_name: &str) {
    let board = Board::builtin(board_name).unwrap();
    let bytes = common::model_bytes("mlperf-tiny/kws_ref_model");
    let model = Model::from_bytes(&bytes).unwrap();
    let (_, firmware) = build_for_model(
        &model,
        &bytes,
        "kws_ref_model",
        kernels_for_board(&board, true),
        &board,
        &common::cache_dir(),
        &FirmwareOptions {
            rtt: board.run.default_transport() == TransportKind::Rtt,
            ..FirmwareOptions::default()
        },
    )
    .unwrap();
    let memory = &firmware.memory;
    assert!(memory.overflows().is_empty(), "{board_name}: {memory}");
    let expect = [
        (".vectors", Placement::Code),
        (".text", Placement::Code),
        (".rodata", Placement::Rodata),
        (".data", Placement::Data),
        (".bss", Placement::Bss),
        (".ad_arena", Placement::Arena),
        (".stack", Placement::Stack),
    ];
    for (section, what) in expect {
        let placed = memory
            .sections
            .iter()
            .find(|s| s.name == section)
            .unwrap_or_else(|| panic!("{board_name}: no {section} in {memory}"));
        let region = board.region_for(what).unwrap();
        assert!(
            region.contains(placed.address) && placed.address + placed.size <= region.end(),
            "{board_name}: {section} at 0x{:08x}+{} is not inside {} (0x{:08x}..0x{:08x})",
            placed.address,
            placed.size,
            region.name,
            region.origin,
            region.end()
        );
    }
    // The weights are most of .rodata: the model's 20 KiB or more must sit in the weights memory.
    assert!(memory.section_size(".rodata") > 20_000, "{memory}");
    assert!(memory.section_size(".ad_arena") > 0, "{memory}");
}

#[test]
fn apollo4p_evb_places_code_weights_and_arena() {
    check("apollo4p-evb");
}

#[test]
fn apollo510_evb_places_code_weights_and_arena() {
    check("apollo510-evb");
}

#[test]
fn qemu_boards_place_code_weights_and_arena() {
    for board in ["qemu-m4", "qemu-m7", "qemu-m55"] {
        check(board);
    }
}
