//! Per-layer profiling on the board, and the [`Profile`] the reports are made of.
//!
//! [`measure`] runs the model `warmup` times unmeasured, then `runs` times (the inputs sent before each),
//! reading the per-layer counts the firmware recorded after each run (the
//! firmware keeps only the last run's), so every layer gets a count per run.
//! [`validate_and_profile`] validates and profiles on one board start.
//! [`build_profile`] joins the counts with the model (MACs, bytes per layer),
//! the generated code (kernel per layer, arena) and the firmware ELF (code,
//! weights, static RAM, code size per kernel) into a [`Profile`].

use autodeploy_codegen::{generate, GenerateOptions, KernelChoice};
use autodeploy_model::TensorValue;
use autodeploy_profile::{
    BoardInfo, Counter, LayerRecord, MemoryUse, OutputAgreement, OutputTrace, Profile, RunStats,
    Series, ValidationSummary,
};
use autodeploy_toolchain::{function_sizes, Board};

use crate::{rpc_error, run_all, Outcome, Report, ValidateError, ValidateOptions, Validator};

/// How many runs to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileOptions {
    /// Runs before measuring (caches, lazily initialised state), not recorded.
    pub warmup: u32,
    /// Measured runs (at least one).
    pub runs: u32,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        ProfileOptions { warmup: 1, runs: 3 }
    }
}

/// The counts of the measured runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measurement {
    pub warmup: u32,
    /// Per layer, its count in each measured run (run order).
    pub layers: Vec<Vec<u64>>,
    /// The whole-inference count of each measured run.
    pub totals: Vec<u64>,
    /// The most stack the firmware used since reset (bytes).
    pub stack_high_water: u32,
    /// The stack the board reserves (bytes), if it said.
    pub stack_size: Option<u32>,
}

impl Measurement {
    /// Per layer: (min, median, max) over the runs.
    pub fn layer_spread(&self) -> Vec<(u64, u64, u64)> {
        self.layers.iter().map(|c| spread(c)).collect()
    }
}

/// (min, median, max) of `counts`; the median of an even number is the lower middle.
pub fn spread(counts: &[u64]) -> (u64, u64, u64) {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    match sorted.as_slice() {
        [] => (0, 0, 0),
        s => (s[0], s[(s.len() - 1) / 2], s[s.len() - 1]),
    }
}

/// Runs `inputs` on the board as [`ProfileOptions`] says and records every layer's count.
pub async fn measure(
    validator: &mut Validator,
    inputs: &[TensorValue],
    options: ProfileOptions,
) -> Result<Measurement, ValidateError> {
    let layer_count = validator.model.main_graph().operators.len();
    let mut layers = vec![Vec::new(); layer_count];
    let mut totals = Vec::new();
    let mut stack_high_water = 0;
    for run in 0..options.warmup.saturating_add(options.runs.max(1)) {
        // The inputs again before every run: the memory plan may reuse the input's bytes for
        // later tensors, and a run on what the last one left there executes a different number
        // of instructions (data-dependent clamps and branches in the kernels).
        validator.send_inputs(inputs).await?;
        let result = match validator.client.invoke(1, 0).await {
            Ok(r) => r,
            Err(e) => return Err(validator.explain(e, "while profiling").await),
        };
        if run < options.warmup {
            continue;
        }
        totals.push(result.count);
        stack_high_water = stack_high_water.max(result.stack_high_water);
        let entries = validator
            .client
            .get_profile()
            .await
            .map_err(|e| rpc_error(e, "reading the per-layer profile"))?;
        for entry in entries {
            if let Some(counts) = layers.get_mut(entry.layer as usize) {
                counts.push(entry.count);
            }
        }
    }
    let stack_size = validator.stack_size().await;
    Ok(Measurement {
        warmup: options.warmup,
        layers,
        totals,
        stack_high_water,
        stack_size,
    })
}

/// The stack the board reserves, if it says.
/// What [`validate_and_profile`] found.
#[derive(Debug, Clone)]
pub struct Deployed {
    /// The validation (`None` when no samples were given).
    pub report: Option<Report>,
    /// The profile (`None` when profiling was not asked for).
    pub profile: Option<Profile>,
}

/// Starts the board once, validates `samples` (if any) and profiles on the
/// first sample (if `profile` is set; `profile_inputs` when there are no samples).
pub async fn validate_and_profile(
    model_bytes: &[u8],
    name: &str,
    samples: &[Vec<TensorValue>],
    profile_inputs: &[TensorValue],
    options: ValidateOptions,
    profile: Option<ProfileOptions>,
) -> Result<Deployed, ValidateError> {
    let board = options.board.clone();
    let mut validator = Validator::start(model_bytes, name, options).await?;
    let result = validate_then_profile(&mut validator, samples, profile_inputs, profile).await;
    let stack_size = validator.stack_size().await;
    let (validation, measurement) = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            validator.shutdown().await;
            return Err(e);
        }
    };
    let report = validation
        .map(|outcome| validator.report(board.name.clone(), samples.len(), outcome, stack_size));
    let profile = match measurement {
        Some(m) => Some(build_profile(
            &validator,
            &board,
            &m,
            report.as_ref().map(|r| validation_summary(r, &validator)),
        )?),
        None => None,
    };
    validator.shutdown().await;
    Ok(Deployed { report, profile })
}

async fn validate_then_profile(
    validator: &mut Validator,
    samples: &[Vec<TensorValue>],
    profile_inputs: &[TensorValue],
    profile: Option<ProfileOptions>,
) -> Result<(Option<Outcome>, Option<Measurement>), ValidateError> {
    let validation = if samples.is_empty() {
        None
    } else {
        Some(run_all(validator, samples).await?)
    };
    let measurement = match profile {
        Some(options) => {
            let inputs = samples.first().map_or(profile_inputs, Vec::as_slice);
            Some(measure(validator, inputs, options).await?)
        }
        None => None,
    };
    Ok((validation, measurement))
}

fn validation_summary(report: &Report, validator: &Validator) -> ValidationSummary {
    let graph = validator.model.main_graph();
    ValidationSummary {
        samples: report.samples,
        passed: report.passed(),
        outputs: report
            .outputs
            .iter()
            .enumerate()
            .map(|(i, a)| OutputAgreement {
                name: graph.tensor(graph.outputs[i]).name.clone(),
                exact_percent: a.exact_percent(),
                max_abs_diff: a.max_abs_diff,
                mae: a.mean_abs_error,
                rmse: a.rmse,
                cosine: a.cosine,
                top1_agree: Some(a.top1_agree),
            })
            .collect(),
        first_divergence: report.divergence.as_ref().map(|d| {
            format!(
                "layer {} {} (sample {}), tensor {} '{}': {:.2}% exact, max diff {}",
                d.layer,
                d.op,
                d.sample,
                d.tensor,
                d.tensor_name,
                d.agreement.exact_percent(),
                d.agreement.max_abs_diff
            )
        }),
        trace: report.output_trace.as_ref().map(|(board, reference)| {
            let t = graph.outputs.first().map(|&o| graph.tensor(o));
            OutputTrace {
                what: t.map_or_else(
                    || "output 0".to_string(),
                    |t| format!("output 0 '{}' ({})", t.name, t.dtype),
                ),
                series: vec![
                    Series {
                        name: format!("board {}", report.board),
                        values: board.clone(),
                    },
                    Series {
                        name: "PC reference (bit-exact with TFLite Micro)".into(),
                        values: reference.clone(),
                    },
                ],
            }
        }),
    }
}

/// The arena the model plans with the portable kernels, when the firmware
/// uses optimised ones: the report says what the choice changed (issue 8
/// allows at most +5%). The plan does not depend on the kernels today, so
/// this is the same arena; it is computed, not assumed, so that a kernel
/// that one day asks for scratch shows here.
fn portable_arena(validator: &Validator) -> Option<u64> {
    if !validator.options.optimized_kernels {
        return None;
    }
    let name = &validator.generated().name;
    let mut options = GenerateOptions::new(name, name);
    options.kernels = KernelChoice::Portable;
    generate(&validator.model, &[], &options)
        .ok()
        .map(|g| g.plan.arena_size as u64)
}

/// Joins a [`Measurement`] with what is known of the model, code and image.
pub fn build_profile(
    validator: &Validator,
    board: &Board,
    measurement: &Measurement,
    validation: Option<ValidationSummary>,
) -> Result<Profile, ValidateError> {
    let generated = validator.generated();
    let summary = validator.model.summary();
    let spreads = measurement.layer_spread();
    let layers = summary
        .layers
        .iter()
        .map(|l| LayerRecord {
            index: l.index,
            tag: l.op.clone(),
            kernel: generated
                .layer_kernels
                .get(l.index)
                .copied()
                .flatten()
                .map(|k| k.c_name().to_string()),
            output_shape: l.output_shapes.first().cloned().unwrap_or_default(),
            macs: l.macs,
            count: spreads.get(l.index).map_or(0, |s| s.1),
            weight_bytes: l.weight_bytes,
            activation_bytes: l.activation_bytes,
        })
        .collect();
    let firmware = validator.firmware();
    let functions = function_sizes(&firmware.elf).map_err(|source| ValidateError::Toolchain {
        board: board.name.clone(),
        source: Box::new(source),
    })?;
    let flash_by_kernel = generated
        .kernels()
        .iter()
        .map(|k| {
            let name = k.c_name();
            let bytes = functions
                .iter()
                .filter(|(f, _)| f.starts_with(name))
                .map(|(_, size)| size)
                .sum();
            (name.to_string(), bytes)
        })
        .collect();
    let memory = &firmware.memory;
    let weights = generated.weight_bytes as u64;
    let counter = match board.counter {
        autodeploy_toolchain::Counter::QemuFpgaio { .. } => Counter::Instructions,
        autodeploy_toolchain::Counter::DwtCyccnt | autodeploy_toolchain::Counter::PmuCcntr => {
            Counter::Cycles
        }
    };
    Ok(Profile {
        model: generated.name.clone(),
        model_hash: generated.model_hash.clone(),
        board: BoardInfo {
            name: board.name.clone(),
            core: board.core.clone(),
            clock_hz: board.clock_hz,
            counter,
        },
        layers,
        runs: RunStats {
            warmup: measurement.warmup,
            counts: measurement.totals.clone(),
        },
        memory: MemoryUse {
            // Everything the image puts in flash but the weights: code,
            // constant tables (requantisation, tensor descriptions) and the
            // initial values of .data.
            flash_code: (memory.section_size(".text")
                + memory.section_size(".rodata")
                + memory.section_size(".data"))
            .saturating_sub(weights),
            flash_weights: weights,
            flash_by_kernel,
            arena: generated.plan.arena_size as u64,
            arena_lower_bound: Some(generated.plan.lower_bound as u64),
            arena_portable: portable_arena(validator),
            static_ram: memory.section_size(".data") + memory.section_size(".bss"),
            state: generated.state.size as u64,
            stack_high_water: Some(u64::from(measurement.stack_high_water)),
            stack_size: measurement.stack_size.map(u64::from),
        },
        validation,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    })
}
