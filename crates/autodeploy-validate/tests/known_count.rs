//! The profiler reports a layer's executed instructions exactly.
//!
//! Every layer of a small real model is replaced, in the generated C, by a kernel whose executed
//! instructions can be counted from the disassembly: a few straight-line instructions and a
//! fixed-trip loop in inline assembly. The firmware is the validator's own (same hooks, same
//! counter reads, same calibration), the figure is the one `build_profile` puts in the report.
//! The expected count is worked out here from `arm-none-eabi-objdump -d` of the built ELF:
//! the layer function, run instruction by instruction, plus what the model's layer loop
//! executes between the two hooks, minus what the hooks' calibration executes between them.
//! (Seen failing with the former `-icount shift=6`: qemu-m55 layer 0 of a shorter version
//! counted 122,890 and 122,889 in two runs for 122,891.) The whole inference is longer than the
//! 32-bit counter's wrap, to check the firmware's 64-bit run count.

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
/// The layers replaced, each with its loop's trip count: different, so the counter windows fall
/// at different phases of the counter's ticks, and large enough that the whole inference (about
/// 180 M instructions) is longer than the 32-bit counter's wrap (about 167 M on MPS2) while
/// each layer stays below it.
const KNOWN: [(usize, u32); 3] = [(0, 30_000_001), (1, 12_345), (2, 30_000_777)];

/// Most instructions the layer loop may spend outside the layers of one inference.
const MAX_GLUE: u64 = 200;

/// The replacement of a layer: four straight-line instructions, then a loop. The trip count
/// is written here; the test reads it back from the disassembly like the rest.
fn known_kernel(layer: usize, trips: u32) -> String {
    let (low, high) = (trips & 0xffff, trips >> 16);
    format!(
        r#"
static ad_status {NAME}_layer{layer}(void)
{{
    __asm__ volatile(
        "nop\n\t"
        "nop\n\t"
        "movw r3, #{low}\n\t"
        "movt r3, #{high}\n"
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

/// What the known kernel is made of, decoded once from the disassembly.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// `movw`/`movs`/`mov` with an immediate.
    Move(usize, i64),
    /// `movt`: the upper half.
    MoveTop(usize, i64),
    /// `subs dst, [src,] #imm`, setting Z.
    Subtract(usize, usize, i64),
    /// `bne`, to an instruction index.
    BranchNotZero(usize),
    Nop,
    Return,
}

fn register(name: &str) -> usize {
    name.strip_prefix('r')
        .and_then(|n| n.parse().ok())
        .filter(|&n: &usize| n < 13)
        .unwrap_or_else(|| panic!("register {name}"))
}

/// The instructions up to the first `bx lr` (what follows is padding, never reached).
fn decode(body: &[Insn]) -> Vec<Op> {
    let last = body
        .iter()
        .position(|i| i.mnemonic == "bx" && i.operands == "lr")
        .expect("the layer returns");
    body[..=last]
        .iter()
        .map(|insn| {
            let ops: Vec<&str> = insn.operands.split(',').map(str::trim).collect();
            match insn.mnemonic.split('.').next().unwrap() {
                "bx" if ops[0] == "lr" => Op::Return,
                "movw" | "movs" | "mov" => Op::Move(register(ops[0]), immediate(ops[1])),
                "movt" => Op::MoveTop(register(ops[0]), immediate(ops[1])),
                "subs" => match ops.as_slice() {
                    [d, i] => Op::Subtract(register(d), register(d), immediate(i)),
                    [d, s, i] => Op::Subtract(register(d), register(s), immediate(i)),
                    _ => panic!("subs {}", insn.operands),
                },
                "bne" => {
                    let target = u64::from_str_radix(ops[0].split(' ').next().unwrap(), 16)
                        .expect("branch target");
                    Op::BranchNotZero(
                        body.iter()
                            .position(|i| i.address == target)
                            .expect("target in the layer"),
                    )
                }
                "nop" => Op::Nop,
                other => panic!("the known kernel has an unexpected instruction {other}"),
            }
        })
        .collect()
}

/// Runs `body` from its first instruction to its `bx lr`, modelling just what the known kernel
/// uses (immediate moves, subtract-immediate with flags, bne), and counts what executes.
fn executed(body: &[Insn]) -> u64 {
    let program = decode(body);
    let mut registers = [0i64; 13];
    let mut zero = false;
    let mut pc = 0;
    let mut count = 0u64;
    loop {
        count += 1;
        assert!(count < 1_000_000_000, "no return from the layer");
        match program[pc] {
            Op::Return => return count,
            Op::Move(r, imm) => registers[r] = imm,
            Op::MoveTop(r, imm) => registers[r] = (registers[r] & 0xffff) | (imm << 16),
            Op::Subtract(d, s, imm) => {
                registers[d] = registers[s] - imm;
                zero = registers[d] == 0;
            }
            Op::BranchNotZero(target) if !zero => {
                pc = target;
                continue;
            }
            Op::BranchNotZero(_) | Op::Nop => {}
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
        let header = format!("static ad_status {NAME}_layer{layer}(void)\n{{\n");
        let start = source.contents.find(&header).expect("layer function");
        let end = start + source.contents[start..].find("\n}\n").unwrap() + 3;
        let original = source.contents[start..end].replacen(
            &format!("static ad_status {NAME}_layer{layer}(void)"),
            &format!("__attribute__((unused)) static ad_status {NAME}_layer{layer}_replaced(void)"),
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
            let kernel = executed(&functions[&format!("{NAME}_layer{layer}")]);
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
        // The whole inference, longer than the counter's wrap, is counted right: the layers
        // plus a little glue, the same in both runs.
        let layers: u64 = expected.iter().map(|e| e.2).sum();
        let total = measured.totals[0];
        assert_eq!(measured.totals, vec![total, total], "{board}");
        assert!(
            total >= layers && total - layers < MAX_GLUE,
            "{board}: the run counted {total}, its layers {layers}"
        );
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
