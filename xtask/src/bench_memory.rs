//! `cargo xtask bench memory`: the arena of the generated C code (and the
//! planner's best) against TFLite Micro on the MLPerf Tiny int8 models and,
//! for the streaming microWakeWord models, arena plus state region (TFLite
//! Micro's total includes its resource variables). Runs
//! the `plan_report` example of `autodeploy-codegen` (release) and prints a
//! table with ratios. The ratios and targets use the arena the generated
//! code declares, so the benchmark cannot claim more than the product
//! delivers.

use std::process::Command;

use crate::workspace_root;

/// (model file under examples/models, TFLite Micro arena total, head) from
/// examples/models/SOURCES.md and the shared models' SOURCES.md
/// (RecordingMicroAllocator on the x86-64 host build).
const MODELS: &[(&str, usize, usize)] = &[
    ("mlperf-tiny/kws_ref_model", 24_272, 16_000),
    ("mlperf-tiny/vww_96_int8", 103_680, 73_728),
    ("mlperf-tiny/ic_resnet8_int8", 55_984, 49_152),
    ("mlperf-tiny/ad01_int8", 3_984, 768),
    ("mlperf-tiny/str_ww_ref_model", 16_640, 6_656),
    ("microwakeword/alexa", 20_432, 3_648),
    ("microwakeword/hey_jarvis", 19_808, 3_424),
];

pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("memory") => memory(),
        _ => Err("usage: cargo xtask bench memory".into()),
    }
}

fn memory() -> Result<(), String> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let paths: Vec<String> = MODELS
        .iter()
        .map(|(m, _, _)| format!("examples/models/{m}.tflite"))
        .collect();
    let output = Command::new(&cargo)
        .current_dir(&root)
        .args(["run", "--quiet", "--release", "-p", "autodeploy-codegen"])
        .args(["--example", "plan_report", "--"])
        .args(&paths)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "plan_report failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!(
        "{:<18} {:>9} {:>6} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9}  targets",
        "model",
        "generated",
        "state",
        "planner",
        "bound",
        "plain",
        "TFLM tot",
        "head",
        "vs total",
        "vs head",
    );
    let mut all_met = true;
    for line in stdout.lines().filter(|l| l.starts_with("model=")) {
        let field = |key: &str| -> Option<&str> {
            line.split('\t')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        };
        let num = |key: &str| {
            field(key)
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0)
        };
        let name = field("model").unwrap_or("?");
        let Some(&(_, total, head)) = MODELS
            .iter()
            .find(|(m, _, _)| m.rsplit('/').next() == Some(name))
        else {
            continue;
        };
        let planner = num("arena");
        // The generated code's arena; a model the emitter refuses has none
        // and misses its targets.
        let generated = field("generated_arena").and_then(|v| v.parse::<usize>().ok());
        let arena = generated.unwrap_or(usize::MAX);
        // The state region is memory TFLite Micro's total counts too.
        let state = num("generated_state");
        let used = arena.saturating_add(state);
        let mut met = used.saturating_mul(10) <= total * 6 && arena <= head;
        if name == "kws_ref_model" {
            met &= arena <= 12_000;
        }
        all_met &= met;
        println!(
            "{:<18} {:>9} {:>6} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8.3}x {:>8.3}x  {}",
            name,
            generated.map_or_else(|| "none".to_string(), |a| a.to_string()),
            state,
            planner,
            num("lower_bound"),
            num("plain_lower_bound"),
            total,
            head,
            used as f64 / total as f64,
            arena as f64 / head as f64,
            if met { "met" } else { "MISSED" }
        );
    }
    println!(
        "\ngenerated: the arena the generated C declares (NAME_ARENA_SIZE; activations, scratch, line \
         buffers); state: the generated state region (NAME_STATE_SIZE, resource variables of\nstreaming models, apart from the arena); ratios and targets use generated + state;\nplanner: the planner's best arena with every option; bound: the largest sum of bytes live at \
         one step for our order and schemes;\nplain: the same bound in the model's order without \
         in-place execution; TFLM: arena total and head from examples/models/SOURCES.md.\n\
         targets: arena + state <= 0.6x TFLM total and arena <= TFLM head (kws also <= 12,000 bytes)."
    );
    for line in stdout.lines().filter(|l| l.starts_with("model=")) {
        let get = |key: &str| {
            line.split('\t')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or("")
                .to_string()
        };
        println!(
            "{}: order {}, schemes {}",
            get("model"),
            if get("reordered") == "true" {
                "changed"
            } else {
                "as in the model"
            },
            if get("schemes").is_empty() {
                "none".into()
            } else {
                get("schemes")
            }
        );
        if let Some(why) = get("generated_arena").strip_prefix("error: ") {
            println!("{}: no generated code: {why}", get("model"));
        }
    }
    if all_met {
        Ok(())
    } else {
        Err("some memory targets were missed".into())
    }
}
