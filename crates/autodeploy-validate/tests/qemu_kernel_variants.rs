//! On-board property tests of the optimised kernel variants
//! (`autodeploy_codegen::VARIANTS`, chosen by `emit/select.rs`): random
//! one-operator models generated with `--kernels optimized` for the board's
//! core must compute on the board, bit for bit, what the reference
//! interpreter computes (which the portable kernels match: op_codegen.rs).
//!
//! Per board one firmware and one QEMU run (`autodeploy_testkit::bundle`):
//! the models are compiled as a few unity translation units with the
//! variants' runtime files, the inputs and the reference's outputs are
//! embedded, and the firmware reports every case on the UART. Cases come from
//! `autodeploy_testkit::ops::variants::GENERATORS` until every variant listed
//! for the core was chosen in at least [`MIN_CASES`] of them; a variant that
//! is listed but never reached, or chosen but not listed, fails the test.

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use autodeploy_codegen::{
    generate, variants_for, Core, GenerateOptions, Generated, KernelChoice, VARIANTS,
};
use autodeploy_model::Model;
use autodeploy_reference::Interpreter;
use autodeploy_testkit::bundle::{self, Bundled, ModelSources};
use autodeploy_testkit::ops::{variants, Case, Rng};
use autodeploy_toolchain::{Board, Builder, FirmwareSpec, QemuOptions, QemuRunner, Toolchain};

/// Cases per variant (the minimum).
const MIN_CASES: usize = 100;
/// Candidates drawn per variant before giving up on reaching it.
const MAX_CANDIDATES: usize = 3000;

/// The variant C names of a generated model's layers, and an error for a
/// layer whose kernel differs from the portable one but is not in
/// `VARIANTS` for `core`.
fn chosen_variants(
    optimized: &Generated,
    portable: &Generated,
    core: Core,
) -> Result<Vec<&'static str>, String> {
    let listed = variants_for(core);
    let mut chosen = Vec::new();
    for (opt, plain) in optimized.layer_kernels.iter().zip(&portable.layer_kernels) {
        if let (Some(k), Some(p)) = (opt, plain) {
            if k != p {
                if !listed.contains(k) {
                    return Err(format!(
                        "{} replaces {} on {core:?} but is not in autodeploy_codegen::VARIANTS for that core",
                        k.c_name(),
                        p.c_name()
                    ));
                }
                chosen.push(k.c_name());
            }
        }
    }
    Ok(chosen)
}

/// A model of `case` generated for `core`, with the reference's outputs on
/// one seeded sample; `None` when the reference refuses it or no C kernel
/// exists.
fn prepare(k: usize, case: &Case, core: Core) -> Result<Option<(Bundled, Generated)>, String> {
    let model = Model::from_bytes(&case.model).expect("generated model parses");
    let Ok(mut interpreter) = Interpreter::new(model.clone()) else {
        return Ok(None);
    };
    let name = format!("v{k}");
    let mut options = GenerateOptions::new(&name, &name);
    let Ok(portable) = generate(&model, &case.model, &options) else {
        return Ok(None);
    };
    options.kernels = KernelChoice::Optimized(core);
    let optimized = generate(&model, &case.model, &options).map_err(|e| {
        format!(
            "{} {}: optimized generation failed: {e}",
            case.label, case.desc
        )
    })?;
    let files = optimized
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()));
    let sources = ModelSources::from_files(&name, files).expect("the model's four C files");
    let tags: Vec<String> = chosen_variants(&optimized, &portable, core)?
        .into_iter()
        .map(String::from)
        .collect();
    let samples = case
        .samples
        .clone()
        .map(|mut s| {
            s.truncate(1);
            s
        })
        .unwrap_or_else(|| bundle::default_samples(&model, 0xB0A2D ^ k as u64, 1));
    let mut expected = Vec::new();
    for sample in &samples {
        for (i, v) in sample.iter().enumerate() {
            interpreter.set_input(i, v.clone()).expect("set input");
        }
        if interpreter.invoke().is_err() {
            return Ok(None);
        }
        expected.push(interpreter.outputs());
    }
    Ok(Some((
        Bundled {
            label: case.label.clone(),
            desc: case.desc.clone(),
            name,
            sources,
            arena_size: optimized.plan.arena_size,
            samples,
            expected,
            tags,
        },
        optimized,
    )))
}

/// Draws cases until every variant of `core` has [`MIN_CASES`]; cases that
/// call no variant still short of cases are dropped.
fn draw_cases(core: Core) -> (Vec<(Bundled, Generated)>, BTreeMap<&'static str, usize>) {
    let mut counts: BTreeMap<&'static str, usize> =
        variants_for(core).iter().map(|k| (k.c_name(), 0)).collect();
    let mut kept = Vec::new();
    let mut k = 0;
    for (seed, variant) in counts
        .keys()
        .copied()
        .collect::<Vec<_>>()
        .into_iter()
        .enumerate()
    {
        let Some(generate_case) = variants::generator(variant) else {
            panic!("no case generator for variant {variant}: add one to autodeploy_testkit::ops::variants::GENERATORS");
        };
        let mut rng = Rng::new(0x7A21_0000 + seed as u64);
        let mut candidates = 0;
        while counts[variant] < MIN_CASES && candidates < MAX_CANDIDATES {
            candidates += 1;
            let case = generate_case(&mut rng);
            let Some((bundled, generated)) =
                prepare(k, &case, core).unwrap_or_else(|e| panic!("{e}"))
            else {
                continue;
            };
            if !bundled
                .tags
                .iter()
                .any(|t| counts.get(t.as_str()).is_some_and(|&n| n < MIN_CASES))
            {
                continue;
            }
            for t in &bundled.tags {
                if let Some(n) = counts.get_mut(t.as_str()) {
                    *n += 1;
                }
            }
            kept.push((bundled, generated));
            k += 1;
        }
    }
    (kept, counts)
}

async fn variants_are_bit_exact_on(board_name: &str, core: Core) {
    assert!(
        !variants_for(core).is_empty(),
        "no variants listed for {core:?} in {VARIANTS:?}"
    );
    let (cases, counts) = draw_cases(core);
    let root_dir = tempfile::tempdir().expect("temp dir");
    let root = root_dir.path();
    // The union of the runtime files the models use.
    let mut runtime: BTreeMap<String, String> = BTreeMap::new();
    for (_, generated) in &cases {
        for f in generated
            .files
            .iter()
            .filter(|f| f.path.starts_with("runtime/"))
        {
            runtime.insert(f.path.clone(), f.contents.clone());
        }
    }
    for (path, contents) in &runtime {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("runtime dir");
        std::fs::write(path, contents).expect("write runtime file");
    }
    let refs: Vec<&Bundled> = cases.iter().map(|(b, _)| b).collect();
    let main = root.join("main.c");
    std::fs::write(&main, bundle::firmware_main(&refs)).expect("write main.c");
    let mut spec = FirmwareSpec::new("kernel-variants")
        .source(&main)
        .include_dir(root)
        .include_dir(root.join("runtime/include"))
        .cflag("-std=c99")
        .cflag("-Wall")
        .cflag("-Wextra")
        .cflag("-Werror");
    for unit in bundle::write_units(root, &refs, 4, true).expect("write units") {
        spec = spec.source(unit);
    }
    for path in runtime.keys().filter(|p| p.ends_with(".c")) {
        spec = spec.source(root.join(path));
    }
    let board = Board::resolve(board_name).expect("built-in board");
    let cache: PathBuf =
        autodeploy_testkit::models::workspace_root().join("target/autodeploy-test-cache");
    let firmware = Builder::new(
        Toolchain::discover().expect("arm-none-eabi-gcc is needed for this test"),
        cache,
    )
    .build(&board, &spec)
    .unwrap_or_else(|e| panic!("firmware build for {board_name}: {e}"));
    let output = QemuRunner::discover()
        .expect("qemu-system-arm is needed for this test")
        .run(
            &board,
            &firmware.elf,
            &QemuOptions::default().timeout(Duration::from_secs(300)),
        )
        .await
        .unwrap_or_else(|e| panic!("QEMU run on {board_name}: {e}"));
    let uart = output.uart_text();
    for (variant, n) in &counts {
        println!("{board_name}: {variant:<40} {n:>4} cases");
    }
    println!(
        "{board_name}: {} cases in one firmware (.text {} bytes, .rodata {}, .ad_weights {})",
        refs.len(),
        firmware.memory.section_size(".text"),
        firmware.memory.section_size(".rodata"),
        firmware.memory.section_size(".ad_weights")
    );
    assert_eq!(
        output.exit_code, 0,
        "{board_name}: firmware exit code {} ({})\n{}",
        output.exit_code, output.stderr, uart
    );
    let failures =
        bundle::check_firmware_report(&refs, &uart).unwrap_or_else(|e| panic!("{board_name}: {e}"));
    assert!(
        failures.is_empty(),
        "{board_name}: {} of {} cases differ from the reference:\n{}",
        failures.len(),
        refs.len(),
        bundle::failure_list(&failures, 20)
    );
    let short: Vec<String> = counts
        .iter()
        .filter(|(_, &n)| n < MIN_CASES)
        .map(|(v, n)| format!("{v}: {n} cases of {MIN_CASES} (steer its generator in autodeploy_testkit::ops::variants)"))
        .collect();
    assert!(short.is_empty(), "{board_name}: {}", short.join("\n"));
}

#[tokio::test]
async fn dsp_variants_are_bit_exact_on_qemu_m4() {
    variants_are_bit_exact_on("qemu-m4", Core::CortexM4).await;
}

#[tokio::test]
async fn variants_are_bit_exact_on_qemu_m55() {
    variants_are_bit_exact_on("qemu-m55", Core::CortexM55).await;
}
