//! The profiler reports a layer's executed instructions exactly.
//!
//! Every layer of a small real model is replaced, in the generated C, by a kernel whose executed
//! instructions can be counted from the disassembly: a few straight-line instructions and a
//! fixed-trip loop in inline assembly. The firmware is the validator's own (same hooks, same
//! counter reads, same calibration), the figure is the one `build_profile` puts in the report.
//! The expected count is worked out here from `arm-none-eabi-objdump -d` of the built ELF:
//! the layer function, run instruction by instruction, plus what the model's layer loop
//! executes between the two hooks, minus what the hooks' calibration executes between them.
//! (Seen failing with the former `-icount shift=6`: qemu-m55 layer 0 counted 122,890 and
//! 122,889 in two runs for 122,891.)

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use autodeploy_codegen::{generate, GenerateOptions, KernelChoice};
use autodeploy_model::Model;
use autodeploy_toolchain::Toolchain;
use autodeploy_validate::{
    build_firmware, build_profile, measure, FirmwareOptions, ProfileOptions, Validator,
};
use common::{cache_dir, model_bytes, options, samples};

const MODEL: &str = "tflm-examples/hello_world_int8";
const NAME: &str = "known";
/// The layers replaced, each with its loop's trip count (different, so the counter windows fall
/// at different phases of the counter's ticks).
const KNOWN: [(usize, u32); 3] = [(0, 40_961), (1, 12_345), (2, 777)];

/// The replacement of a layer: three straight-line instructions, then a loop. The trip count
/// is written here; the test reads it back from the disassembly like the rest.
fn known_kernel(layer: usize, trips: u32) -> String {
    format!(
        r#"
static ad_status layer{layer}(void)
{{
    __asm__ volatile(
        "nop\n\t"
        "nop\n\t"
        "movw r3, #{trips}\n"
        "1:\n\t"
        "nop\n\t"
        "subs r3, r3, #1\n\t"
        "bne 1b\n"
        :
        :
        : "r3", "cc");
    return AD_OK;
}}
"#
    )
}

/// One disassembled instruction.
#[derive(Debug, Clone)]
struct Insn {
    address: u64,
    mnemonic: String,
    operands: String,
}

/// `objdump -d` of `elf`, per function symbol.
fn disassemble(elf: &Path) -> HashMap<String, Vec<Insn>> {
    let toolchain = Toolchain::discover().expect("arm-none-eabi-gcc");
    let gcc = toolchain.gcc().to_string_lossy().into_owned();
    let objdump = format!("{}objdump", gcc.strip_suffix("gcc").expect("a gcc name"));
    let output = Command::new(objdump)
        .arg("-d")
        .arg(elf)
        .output()
        .expect("run objdump");
    assert!(output.status.success(), "objdump failed");
    let mut functions: HashMap<String, Vec<Insn>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some(name) = line
            .strip_suffix(">:")
            .and_then(|l| l.split_once(" <"))
            .map(|(_, n)| n.to_string())
        {
            current = Some(name.clone());
            functions.entry(name).or_default();
            continue;
        }
        // "     194:\tf24c 3351 \tmovw\tr3, #50001\t@ 0xc351"
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(name), [address, _bytes, mnemonic, rest @ ..]) = (&current, fields.as_slice())
        else {
            continue;
        };
        let Ok(address) = u64::from_str_radix(address.trim().trim_end_matches(':'), 16) else {
            continue;
        };
        functions.get_mut(name).unwrap().push(Insn {
            address,
            mnemonic: mnemonic.trim().to_string(),
            operands: rest.first().map_or("", |r| r.trim()).to_string(),
        });
    }
    functions
}

fn is_branch(mnemonic: &str) -> bool {
    let m = mnemonic.split('.').next().unwrap();
    matches!(
        m,
        "b" | "bl" | "blx" | "bx" | "cbz" | "cbnz" | "tbb" | "tbh"
    ) || (m.len() == 3 && m.starts_with('b') && m != "bic" && m != "bfc" && m != "bfi")
        || mnemonic.starts_with("pop") && mnemonic.contains("pc")
}

fn immediate(operand: &str) -> i64 {
    let text = operand.trim().trim_start_matches('#');
    text.parse()
        .unwrap_or_else(|_| panic!("immediate {operand}"))
}

/// Runs `body` from its first instruction to its `bx lr`, modelling just what the known kernel
/// uses (immediate moves, subtract-immediate with flags, bne), and counts what executes.
fn executed(body: &[Insn]) -> u64 {
    let mut registers: HashMap<String, i64> = HashMap::new();
    let mut zero = false;
    let mut pc = 0;
    let mut count = 0u64;
    loop {
        let insn = &body[pc];
        count += 1;
        assert!(count < 10_000_000, "no return from the layer");
        let ops: Vec<&str> = insn.operands.split(',').map(str::trim).collect();
        let base = insn.mnemonic.split('.').next().unwrap();
        match base {
            "bx" if ops[0] == "lr" => return count,
            "movw" | "movs" | "mov" => {
                registers.insert(ops[0].to_string(), immediate(ops[1]));
            }
            "subs" => {
                let (dst, src, imm) = match ops.as_slice() {
                    [d, i] => (d, d, i),
                    [d, s, i] => (d, s, i),
                    _ => panic!("subs {}", insn.operands),
                };
                let value = registers[*src] - immediate(imm);
                zero = value == 0;
                registers.insert(dst.to_string(), value);
            }
            "bne" => {
                if !zero {
                    let target = u64::from_str_radix(ops[0].split(' ').next().unwrap(), 16)
                        .expect("branch target");
                    pc = body
                        .iter()
                        .position(|i| i.address == target)
                        .expect("target in the layer");
                    continue;
                }
            }
            "nop" => {}
            other => panic!("the known kernel has an unexpected instruction {other}"),
        }
        pc += 1;
    }
}

/// Instructions after each `bl HOOK_begin` up to and including the following call of
/// `HOOK_end` in `function` (straight-line code there: a branch other than a call is refused).
fn between_hooks(function: &[Insn], begin: &str, end: &str) -> Vec<u64> {
    // A call, or (for the end hook) a tail call: `b.w HOOK`.
    let calls = |insn: &Insn, hook: &str| {
        let m = insn.mnemonic.split('.').next().unwrap();
        (m == "bl" || m == "b") && insn.operands.ends_with(&format!("<{hook}>"))
    };
    let mut windows = Vec::new();
    for (i, insn) in function.iter().enumerate() {
        if !calls(insn, begin) {
            continue;
        }
        let rest = &function[i + 1..];
        let stop = rest
            .iter()
            .position(|x| calls(x, end))
            .expect("end hook after begin hook");
        for x in &rest[..stop] {
            assert!(
                !is_branch(&x.mnemonic) || x.mnemonic.starts_with("blx"),
                "a branch between the hooks: {x:?}"
            );
        }
        windows.push(stop as u64 + 1);
    }
    windows
}

fn known_count_on(board: &str) {
    let bytes = model_bytes(MODEL);
    let model = Model::from_bytes(&bytes).unwrap();
    let mut generate_options = GenerateOptions::new(NAME, NAME);
    generate_options.kernels = KernelChoice::Portable;
    let mut generated = generate(&model, &bytes, &generate_options).unwrap();

    // Each replaced layer's function becomes a known kernel; the original stays (unused) so the
    // constants it refers to are still used.
    let source = generated
        .files
        .iter_mut()
        .find(|f| f.path.ends_with(&format!("{NAME}.c")))
        .expect("the model's C file");
    for (layer, trips) in KNOWN {
        let header = format!("static ad_status layer{layer}(void)\n{{\n");
        let start = source.contents.find(&header).expect("layer function");
        let end = start + source.contents[start..].find("\n}\n").unwrap() + 3;
        let original = source.contents[start..end].replacen(
            &format!("static ad_status layer{layer}(void)"),
            &format!("__attribute__((unused)) static ad_status layer{layer}_replaced(void)"),
            1,
        );
        source.contents.replace_range(
            start..end,
            &format!("{original}{}", known_kernel(layer, trips)),
        );
    }

    let opts = options(board);
    let work_dir = cache_dir().join("work/known-count").join(board);
    let firmware = build_firmware(
        &generated,
        &opts.board,
        &work_dir,
        &cache_dir().join("builds"),
        &FirmwareOptions::default(),
    )
    .unwrap();

    let functions = disassemble(&firmware.elf);
    let (begin, end) = (format!("{NAME}_layer_begin"), format!("{NAME}_layer_end"));
    // The layer loop the profiled runs execute: the validator's invoke request calls
    // NAME_invoke, which holds its own copy of the loop when the compiler inlined it (its code
    // between the hooks can differ by an instruction from NAME_invoke_layers').
    let mut dispatch = between_hooks(&functions[&format!("{NAME}_invoke")], &begin, &end);
    if dispatch.is_empty() {
        dispatch = between_hooks(&functions[&format!("{NAME}_invoke_layers")], &begin, &end);
    }
    assert_eq!(dispatch.len(), 1, "one layer loop: {dispatch:?}");
    let calibration = between_hooks(&functions["ad_validator_calibrate_hooks"], &begin, &end);
    assert_eq!(calibration.len(), 1, "one calibration window");
    let expected: Vec<(usize, u64, u64)> = KNOWN
        .iter()
        .map(|&(layer, trips)| {
            let kernel = executed(&functions[&format!("layer{layer}")]);
            assert!(kernel > 2 * u64::from(trips), "the loop ran: {kernel}");
            (layer, kernel, kernel + dispatch[0] - calibration[0])
        })
        .collect();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut validator = Validator::start_built(&bytes, generated, firmware, opts.clone())
            .await
            .unwrap();
        let inputs = samples(&bytes, 3, 1).remove(0);
        let measured = measure(
            &mut validator,
            &inputs,
            ProfileOptions { warmup: 0, runs: 2 },
        )
        .await
        .unwrap();
        let profile = build_profile(&validator, &opts.board, &measured, None).unwrap();
        validator.shutdown().await;
        for &(layer, kernel, count) in &expected {
            assert_eq!(
                measured.layers[layer],
                vec![count, count],
                "{board} layer {layer}: both runs, exactly the disassembly's count"
            );
            assert_eq!(
                profile.layers[layer].count, count,
                "{board} layer {layer}: the report's figure (kernel {kernel}, dispatch {}, \
                 calibration {})",
                dispatch[0], calibration[0]
            );
        }
    });
}

#[test]
fn a_known_kernel_is_counted_exactly_on_qemu_m4() {
    known_count_on("qemu-m4");
}

#[test]
fn a_known_kernel_is_counted_exactly_on_qemu_m7() {
    known_count_on("qemu-m7");
}

#[test]
fn a_known_kernel_is_counted_exactly_on_qemu_m55() {
    known_count_on("qemu-m55");
}
