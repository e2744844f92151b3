//! Measures, for `cargo xtask bench kernels`, what the optimised kernels cost on a board:
//! `bench_kernels BOARD MODEL.tflite...` validates one sample and profiles two runs through
//! `validate_and_profile` (the path `autodeploy validate`/`deploy` use), with the kernels the
//! code generator picks for the board's core, and prints tab-separated lines:
//!
//! - `total MODEL BOARD INSTRUCTIONS MACS CODE_BYTES ARENA ARENA_PORTABLE PASSED RUNS_EQUAL`
//! - `layer MODEL BOARD INDEX OP KERNEL MACS COUNT`
//!
//! CODE_BYTES: the sizes of the firmware's functions that come from the generated model and
//! the runtime kernels (`layerN`, `MODEL_*` but the profiling hooks, and `ad_*` but the board
//! support, RPC and validator ones): code without weights, tables or the C library.
//! ARENA and ARENA_PORTABLE: the planned arena (scratch buffers included) with the kernels
//! chosen for the board and with `--kernels portable`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use autodeploy_codegen::{generate, GenerateOptions, KernelChoice};
use autodeploy_model::{InputGenerator, Model, TensorValue};
use autodeploy_toolchain::{function_sizes, Board};
use autodeploy_validate::{
    build_for_model, kernels_for_board, validate_and_profile, FirmwareOptions, ProfileOptions,
    ValidateOptions,
};

/// Function-name prefixes of the validator firmware that are not the model's code.
const NOT_MODEL_CODE: &[&str] = &[
    "ad_board_",
    "ad_rpc_",
    "ad_validator_",
    "ad_fault_",
    "ad_default_handler",
    "ad_init_memory",
    "ad_paint_stack",
];

fn is_model_code(function: &str, name: &str) -> bool {
    let layer = function
        .strip_prefix("layer")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let api = function.starts_with(&format!("{name}_"))
        && !function.ends_with("_layer_begin")
        && !function.ends_with("_layer_end");
    let runtime =
        function.starts_with("ad_") && !NOT_MODEL_CODE.iter().any(|p| function.starts_with(p));
    layer || api || runtime
}

fn arena(model: &Model, bytes: &[u8], name: &str, kernels: KernelChoice) -> Result<usize, String> {
    let mut options = GenerateOptions::new(name, name);
    options.kernels = kernels;
    generate(model, bytes, &options)
        .map(|g| g.plan.arena_size)
        .map_err(|e| format!("{name}: {e}"))
}

async fn measure(board: &Board, path: &Path, cache: &Path) -> Result<(), String> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("{}: no file name", path.display()))?
        .to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let model = Model::from_bytes(&bytes).map_err(|e| format!("{name}: {e}"))?;
    let graph = model.main_graph();
    let mut generator = InputGenerator::new(1);
    let sample: Vec<TensorValue> = graph
        .inputs
        .iter()
        .map(|&i| generator.value_for(graph.tensor(i)))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("{name}: an input of a type with no random generator"))?;

    let mut options = ValidateOptions::new(board.clone());
    options.cache_dir = cache.to_path_buf();
    let chosen = kernels_for_board(board, true);
    let deployed = validate_and_profile(
        &bytes,
        &name,
        std::slice::from_ref(&sample),
        &sample,
        options,
        Some(ProfileOptions { warmup: 0, runs: 2 }),
    )
    .await
    .map_err(|e| format!("{name} on {}: {e}", board.name))?;
    let profile = deployed.profile.ok_or("no profile")?;
    let passed = deployed.report.is_some_and(|r| r.passed());

    // The same build again (a cache hit) for the ELF's function sizes.
    let (_, firmware) = build_for_model(
        &model,
        &bytes,
        &name,
        chosen,
        board,
        cache,
        &FirmwareOptions::default(),
    )
    .map_err(|e| format!("{name}: {e}"))?;
    let code: u64 = function_sizes(&firmware.elf)
        .map_err(|e| format!("{name}: {e}"))?
        .iter()
        .filter(|(f, _)| is_model_code(f, &name))
        .map(|(_, size)| size)
        .sum();

    let counts = &profile.runs.counts;
    let macs: u64 = profile.layers.iter().map(|l| l.macs).sum();
    println!(
        "total\t{name}\t{}\t{}\t{macs}\t{code}\t{}\t{}\t{passed}\t{}",
        board.name,
        counts[0],
        arena(&model, &bytes, &name, chosen)?,
        arena(&model, &bytes, &name, KernelChoice::Portable)?,
        counts.iter().all(|&c| c == counts[0]),
    );
    for layer in &profile.layers {
        println!(
            "layer\t{name}\t{}\t{}\t{}\t{}\t{}\t{}",
            board.name,
            layer.index,
            layer.tag,
            layer.kernel.as_deref().unwrap_or("-"),
            layer.macs,
            layer.count
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((board, models)) = args.split_first() else {
        eprintln!("usage: bench_kernels BOARD MODEL.tflite...");
        return ExitCode::from(2);
    };
    let board = match Board::resolve(board) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let cache = std::env::var_os("AUTODEPLOY_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(autodeploy_validate::default_cache_dir);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    for model in models {
        if let Err(e) = runtime.block_on(measure(&board, Path::new(model), &cache)) {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
