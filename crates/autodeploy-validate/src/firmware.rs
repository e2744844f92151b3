//! The validator firmware: the generated model, the runtime kernels, the
//! RPC codec and the validator main loop, built for a board.

use std::path::{Path, PathBuf};

use autodeploy_codegen::{
    generate, write_files, GenerateOptions, Generated, GeneratedFile, KernelChoice,
};
use autodeploy_model::Model;
use autodeploy_toolchain::{Board, Builder, Firmware, FirmwareSpec, Toolchain};

use crate::error::ValidateError;

/// The validator's own sources, embedded so the installed binary needs no
/// source tree.
const VALIDATOR_FILES: &[(&str, &str)] = &[
    (
        "validator/ad_validator.c",
        include_str!("../../../firmware-templates/validator/ad_validator.c"),
    ),
    (
        "validator/rpc/ad_rpc.c",
        include_str!("../../../firmware-templates/validator/rpc/ad_rpc.c"),
    ),
    (
        "validator/rpc/ad_rpc.h",
        include_str!("../../../firmware-templates/validator/rpc/ad_rpc.h"),
    ),
    (
        "validator/rtt/ad_rtt.c",
        include_str!("../../../firmware-templates/validator/rtt/ad_rtt.c"),
    ),
    (
        "validator/rtt/ad_rtt.h",
        include_str!("../../../firmware-templates/validator/rtt/ad_rtt.h"),
    ),
];

/// The symbol of the RTT control block in an RTT validator image.
pub const RTT_SYMBOL: &str = "ad_rtt_cb";

/// Extra compile-time switches of the validator (for tests of fault paths).
#[derive(Debug, Clone, Default)]
pub struct FirmwareOptions {
    /// Make layer `n` fault on purpose (a bus fault in its begin hook).
    pub fault_at_layer: Option<usize>,
    /// Make layer `n` never finish (an endless loop in its begin hook).
    pub hang_at_layer: Option<usize>,
    /// Flip one bit of layer `n`'s output after it runs.
    pub corrupt_layer: Option<usize>,
    /// Speak RPC over RTT ring buffers in RAM instead of the board's UART.
    pub rtt: bool,
}

/// Writes the sources under `work_dir` and builds them for `board` (the
/// toolchain caches builds by content, so an unchanged model rebuilds in
/// no time).
pub fn build(
    generated: &Generated,
    board: &Board,
    work_dir: &Path,
    cache_dir: &Path,
    options: &FirmwareOptions,
) -> Result<Firmware, ValidateError> {
    let toolchain_err = |source| ValidateError::Toolchain {
        board: board.name.clone(),
        source: Box::new(source),
    };
    let model_dir = work_dir.join("model");
    write_files(&model_dir, &generated.files, true)
        .map_err(|e| ValidateError::Codegen(Box::new(e)))?;
    let validator_files: Vec<GeneratedFile> = VALIDATOR_FILES
        .iter()
        .map(|(path, contents)| GeneratedFile {
            path: path.to_string(),
            contents: contents.to_string(),
        })
        .collect();
    write_files(work_dir, &validator_files, true)
        .map_err(|e| ValidateError::Codegen(Box::new(e)))?;

    let mut spec = FirmwareSpec::new(format!("validator-{}", generated.name))
        .include_dir(&model_dir)
        .include_dir(model_dir.join("runtime/include"))
        .include_dir(work_dir.join("validator/rpc"))
        .source(work_dir.join("validator/ad_validator.c"))
        .source(work_dir.join("validator/rpc/ad_rpc.c"));
    for file in &generated.files {
        if file.path.ends_with(".c") {
            spec = spec.source(model_dir.join(&file.path));
        }
    }
    if options.rtt {
        spec = spec
            .include_dir(work_dir.join("validator/rtt"))
            .source(work_dir.join("validator/rtt/ad_rtt.c"))
            .define("AD_VALIDATOR_RTT", None);
    }
    if let Some(layer) = options.fault_at_layer {
        spec = spec.define("AD_VALIDATOR_TEST_FAULT_LAYER", Some(&layer.to_string()));
    }
    if let Some(layer) = options.corrupt_layer {
        spec = spec.define("AD_VALIDATOR_TEST_CORRUPT_LAYER", Some(&layer.to_string()));
    }
    if let Some(layer) = options.hang_at_layer {
        spec = spec.define("AD_VALIDATOR_TEST_HANG_LAYER", Some(&layer.to_string()));
    }
    let toolchain = Toolchain::discover().map_err(toolchain_err)?;
    Builder::new(toolchain, cache_dir)
        .build(board, &spec)
        .map_err(toolchain_err)
}

/// Generates the C for `model` (named `name`) and builds the validator firmware for `board`
/// under `cache_dir` (sources in a directory of its own under `work/`,
/// removed afterwards; builds in `builds/`).
pub fn build_for_model(
    model: &Model,
    model_bytes: &[u8],
    name: &str,
    kernels: KernelChoice,
    board: &Board,
    cache_dir: &Path,
    options: &FirmwareOptions,
) -> Result<(Generated, Firmware), ValidateError> {
    let mut generate_options = GenerateOptions::new(name, name);
    generate_options.kernels = kernels;
    let generated = generate(model, model_bytes, &generate_options)
        .map_err(|e| ValidateError::Codegen(Box::new(e)))?;
    // A directory of this build's own: two builds of one model for one board
    // (two tests, two terminals) must not rewrite each other's sources while
    // the compiler reads them. The builds cache by content, so the sources
    // are not needed afterwards.
    let parent = cache_dir.join("work").join(&generated.model_hash[..16]);
    let io_err = |source| ValidateError::Io {
        path: parent.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&parent).map_err(io_err)?;
    let work_dir = tempfile::Builder::new()
        .prefix(&format!("{}-", board.name))
        .tempdir_in(&parent)
        .map_err(io_err)?;
    let firmware = build(
        &generated,
        board,
        work_dir.path(),
        &cache_dir.join("builds"),
        options,
    )?;
    Ok((generated, firmware))
}

/// Where builds are cached by default: `$AUTODEPLOY_CACHE`, else
/// `$XDG_CACHE_HOME/autodeploy`, else `~/.cache/autodeploy`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AUTODEPLOY_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("autodeploy");
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(".cache/autodeploy"))
        .unwrap_or_else(|| std::env::temp_dir().join("autodeploy-cache"))
}
