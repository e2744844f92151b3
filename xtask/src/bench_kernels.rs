//! `cargo xtask bench kernels [--board B]... [--model M]...`: the generated code's instructions
//! per inference with the kernels the code generator picks for each board's core, against
//! TFLite Micro + CMSIS-NN on the same QEMU boards (the anchor table below), per MLPerf Tiny
//! int8 model; then kws_ref_model per layer beside the anchor's per-layer figures.
//!
//! The measuring is done in-process by the `bench_kernels` example of `autodeploy-validate`
//! (release): one validated sample and two profiled runs through `validate_and_profile`, the
//! path of `autodeploy validate`/`deploy`, so the counts are the reports' counts. Columns:
//! instructions per inference and per MAC (ours, anchor), their ratio and the target
//! (at most 0.8x), the code of the model and its kernels without weights (function sizes in
//! the firmware ELF), and the planned arena against `--kernels portable` (at most +5%).

use std::collections::BTreeMap;
use std::process::Command;

use crate::bench::MLPERF_TINY;
use crate::workspace_root;

/// TFLite Micro (tensorflow/tflite-micro @ 90b983c2) + CMSIS-NN (4ab83cc3), arm-none-eabi-gcc
/// 12.2 -O2, QEMU 7.2 `-icount`: executed instructions of one `Invoke()` after a warm-up.
/// Source: the team's shared guide `anchors.md`, section 1 (measured there, not here).
/// (model, MACs, qemu-m4, qemu-m7, qemu-m55)
const ANCHORS: &[(&str, u64, u64, u64, u64)] = &[
    ("kws_ref_model", 2_656_768, 7_697_864, 7_643_641, 1_813_647),
    ("vww_96_int8", 7_489_664, 24_101_894, 24_025_520, 6_558_259),
    (
        "ic_resnet8_int8",
        12_501_632,
        29_865_022,
        30_027_778,
        4_913_232,
    ),
    ("ad01_int8", 264_192, 582_956, 583_241, 149_970),
    ("str_ww_ref_model", 826_368, 2_227_048, 2_188_128, 407_361),
];

/// kws_ref_model per layer (layers 0..=12), same source: qemu-m4, and qemu-m55 (Helium).
const KWS_LAYERS_M4: [u64; 13] = [
    1_118_395, 561_347, 1_069_240, 561_347, 1_069_240, 561_347, 1_069_240, 561_347, 1_069_240,
    50_966, 167, 2_450, 3_023,
];
const KWS_LAYERS_M55: [u64; 13] = [
    306_452, 169_104, 203_143, 169_104, 203_143, 169_104, 203_143, 169_104, 203_143, 13_309, 162,
    945, 3_278,
];

const BOARDS: &[&str] = &["qemu-m4", "qemu-m7", "qemu-m55"];

/// Issue 8's goal: at most this fraction of TFLite Micro + CMSIS-NN.
const TARGET_RATIO: f64 = 0.8;
/// Issue 8: the arena may grow at most this much over the portable kernels'.
const ARENA_GROWTH: f64 = 0.05;

fn anchor(model: &str, board: &str) -> Option<(u64, u64)> {
    let (_, macs, m4, m7, m55) = ANCHORS.iter().find(|a| a.0 == model)?;
    let count = match board {
        "qemu-m4" => m4,
        "qemu-m7" => m7,
        "qemu-m55" => m55,
        _ => return None,
    };
    Some((*macs, *count))
}

/// Whether issue 8 sets the 0.8x goal for `model` on `board` (qemu-m7: kws and ic_resnet8).
fn has_target(model: &str, board: &str) -> bool {
    match board {
        "qemu-m4" | "qemu-m55" => true,
        "qemu-m7" => matches!(model, "kws_ref_model" | "ic_resnet8_int8"),
        _ => false,
    }
}

struct Total {
    instructions: u64,
    macs: u64,
    code: u64,
    arena: u64,
    arena_portable: u64,
    passed: bool,
    runs_equal: bool,
}

struct Layer {
    op: String,
    kernel: String,
    macs: u64,
    count: u64,
}

fn parse_args(args: &[String]) -> Result<(Vec<String>, Vec<String>), String> {
    let (mut boards, mut models) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let list = match arg.as_str() {
            "--board" => &mut boards,
            "--model" => &mut models,
            other => {
                return Err(format!(
                    "unknown argument '{other}'\nusage: cargo xtask bench kernels [--board B]... [--model M]..."
                ))
            }
        };
        let value = it.next().ok_or(format!("{arg} needs a value"))?;
        list.extend(value.split(',').map(str::to_string));
    }
    for model in &models {
        if !MLPERF_TINY.contains(&model.as_str()) {
            return Err(format!(
                "unknown model '{model}' (one of {})",
                MLPERF_TINY.join(", ")
            ));
        }
    }
    if boards.is_empty() {
        boards = BOARDS.iter().map(|b| b.to_string()).collect();
    }
    if models.is_empty() {
        models = MLPERF_TINY.iter().map(|m| m.to_string()).collect();
    }
    Ok((boards, models))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (boards, models) = parse_args(args)?;
    crate::bench::release_build(&["-p", "autodeploy-validate", "--example", "bench_kernels"])?;
    let root = workspace_root();
    let exe = root.join("target/release/examples/bench_kernels");
    let paths: Vec<String> = models
        .iter()
        .map(|m| {
            root.join(format!("examples/models/mlperf-tiny/{m}.tflite"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();

    let mut totals: BTreeMap<(String, String), Total> = BTreeMap::new();
    let mut layers: BTreeMap<(String, String), Vec<Layer>> = BTreeMap::new();
    for board in &boards {
        let output = Command::new(&exe)
            .arg(board)
            .args(&paths)
            .env("AUTODEPLOY_CACHE", root.join("target/bench-cache"))
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!(
                "bench_kernels on {board} failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        parse(
            &String::from_utf8_lossy(&output.stdout),
            &mut totals,
            &mut layers,
        )?;
    }

    print_totals(&boards, &models, &totals);
    for board in &boards {
        let anchor = match board.as_str() {
            "qemu-m4" => KWS_LAYERS_M4,
            "qemu-m55" => KWS_LAYERS_M55,
            _ => continue,
        };
        if let Some(rows) = layers.get(&("kws_ref_model".to_string(), board.clone())) {
            print_kws_layers(board, rows, &anchor);
        }
    }
    Ok(())
}

fn number(field: Option<&str>, what: &str) -> Result<u64, String> {
    field
        .and_then(|f| f.parse().ok())
        .ok_or(format!("bench_kernels printed no {what}"))
}

fn parse(
    text: &str,
    totals: &mut BTreeMap<(String, String), Total>,
    layers: &mut BTreeMap<(String, String), Vec<Layer>>,
) -> Result<(), String> {
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let get = |i: usize| f.get(i).copied();
        let key = (
            get(1).unwrap_or("").to_string(),
            get(2).unwrap_or("").to_string(),
        );
        match f.first().copied() {
            Some("total") => {
                totals.insert(
                    key,
                    Total {
                        instructions: number(get(3), "instruction count")?,
                        macs: number(get(4), "MACs")?,
                        code: number(get(5), "code size")?,
                        arena: number(get(6), "arena")?,
                        arena_portable: number(get(7), "portable arena")?,
                        passed: get(8) == Some("true"),
                        runs_equal: get(9) == Some("true"),
                    },
                );
            }
            Some("layer") => layers.entry(key).or_default().push(Layer {
                op: get(4).unwrap_or("?").to_string(),
                kernel: get(5).unwrap_or("?").to_string(),
                macs: number(get(6), "layer MACs")?,
                count: number(get(7), "layer count")?,
            }),
            _ => {}
        }
    }
    Ok(())
}

fn per_mac(count: u64, macs: u64) -> String {
    if macs == 0 {
        "-".into()
    } else {
        format!("{:.2}", count as f64 / macs as f64)
    }
}

fn print_totals(boards: &[String], models: &[String], totals: &BTreeMap<(String, String), Total>) {
    println!(
        "instructions per inference, generated code (kernels chosen for the core) vs TFLite Micro + \
         CMSIS-NN (anchors.md section 1), QEMU -icount"
    );
    println!(
        "{:<17} {:<9} {:>12} {:>12} {:>7} {:>6} {:>6} {:>13} {:>7} {:>7} {:>7} {:>7} {:>5}",
        "model",
        "board",
        "ours",
        "TFLM+CMSIS",
        "ratio",
        "i/MAC",
        "TFLM",
        "target 0.8x",
        "code B",
        "arena",
        "portbl",
        "change",
        "exact"
    );
    for board in boards {
        for model in models {
            let Some(t) = totals.get(&(model.clone(), board.clone())) else {
                continue;
            };
            let anchor = anchor(model, board);
            let (tflm, ratio, tflm_mac, target) = match anchor {
                Some((macs, count)) => {
                    let ratio = t.instructions as f64 / count as f64;
                    let target = if !has_target(model, board) {
                        "-".to_string()
                    } else if ratio <= TARGET_RATIO {
                        "met".to_string()
                    } else {
                        "NOT met".to_string()
                    };
                    (
                        count.to_string(),
                        format!("{ratio:.2}x"),
                        per_mac(count, macs),
                        target,
                    )
                }
                None => ("-".into(), "-".into(), "-".into(), "-".into()),
            };
            let change = (t.arena as f64 - t.arena_portable as f64) / t.arena_portable as f64;
            let arena_note = if change > ARENA_GROWTH { " (>5%)" } else { "" };
            println!(
                "{model:<17} {board:<9} {:>12} {tflm:>12} {ratio:>7} {:>6} {tflm_mac:>6} {target:>13} {:>7} {:>7} {:>7} {:>6.1}%{arena_note} {:>5}",
                t.instructions,
                per_mac(t.instructions, t.macs),
                t.code,
                t.arena,
                t.arena_portable,
                change * 100.0,
                if t.passed && t.runs_equal { "yes" } else { "NO" },
            );
        }
    }
    println!(
        "exact: the board's outputs matched the reference bit for bit and both profiled runs \
         counted the same; code B: the model's and its kernels' functions, no weights or tables"
    );
}

fn print_kws_layers(board: &str, rows: &[Layer], anchor: &[u64; 13]) {
    println!();
    println!("kws_ref_model per layer on {board}: ours vs TFLite Micro + CMSIS-NN (anchors.md)");
    println!(
        "{:>2} {:<18} {:<34} {:>8} {:>11} {:>11} {:>7} {:>6} {:>6}",
        "#", "op", "kernel", "MACs", "ours", "TFLM+CMSIS", "ratio", "i/MAC", "TFLM"
    );
    for (i, row) in rows.iter().enumerate() {
        let (tflm, ratio, tflm_mac) = match anchor.get(i) {
            Some(&a) => (
                a.to_string(),
                format!("{:.2}x", row.count as f64 / a as f64),
                per_mac(a, row.macs),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!(
            "{i:>2} {:<18} {:<34} {:>8} {:>11} {tflm:>11} {ratio:>7} {:>6} {tflm_mac:>6}",
            row.op,
            row.kernel,
            row.macs,
            row.count,
            per_mac(row.count, row.macs)
        );
    }
}
