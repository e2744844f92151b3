//! The recorded numbers a profile is made of: plain data, filled by whoever
//! measured them (the `deploy` command), read by the reports.

use serde::{Deserialize, Serialize};

/// What a layer's or a run's `count` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Counter {
    /// Instructions retired, as QEMU counts them (`-icount`). Not time: a
    /// time derived from it assumes one instruction per clock.
    Instructions,
    /// Clock cycles measured on hardware (DWT cycle counter).
    Cycles,
}

impl Counter {
    /// `"instructions"` or `"cycles"`, as in the CSV `Counter` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Counter::Instructions => "instructions",
            Counter::Cycles => "cycles",
        }
    }

    /// A label for headings: `"instructions (QEMU)"` or `"cycles"`.
    pub fn label(self) -> &'static str {
        match self {
            Counter::Instructions => "instructions (QEMU)",
            Counter::Cycles => "cycles",
        }
    }

    /// What a time derived from this counter means.
    pub fn time_note(self) -> &'static str {
        match self {
            Counter::Instructions => {
                "QEMU counts instructions, not cycles; times assume one instruction per clock at \
                 the board's clock and are not measured"
            }
            Counter::Cycles => "cycles measured on the board; times are cycles / clock",
        }
    }
}

/// The board the numbers were recorded on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardInfo {
    /// Board name, e.g. `"qemu-m4"`.
    pub name: String,
    /// Core, e.g. `"cortex-m4"`.
    pub core: String,
    /// The clock times are computed at, in Hz.
    pub clock_hz: u64,
    /// What `count` means throughout the profile.
    pub counter: Counter,
}

/// One layer (operator) as it ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerRecord {
    /// Position in execution order (the layer number used in every message).
    pub index: usize,
    /// TFLite operator name, e.g. `"CONV_2D"`.
    pub tag: String,
    /// The C kernel that ran it, e.g. `"ad_conv2d_s8"`, if known.
    pub kernel: Option<String>,
    /// Shape of output 0.
    pub output_shape: Vec<usize>,
    /// Multiply-accumulates (as `autodeploy-model` counts them).
    pub macs: u64,
    /// Cycles or instructions spent in the layer (see [`BoardInfo::counter`]);
    /// the median over the measured runs if there were several.
    pub count: u64,
    /// Bytes of constant inputs (weights, biases).
    pub weight_bytes: u64,
    /// Bytes of non-constant inputs and outputs.
    pub activation_bytes: u64,
}

/// Whole-inference counts over repeated runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RunStats {
    /// Runs done before measuring, not recorded.
    pub warmup: u32,
    /// The whole-inference count of each measured run, in run order.
    pub counts: Vec<u64>,
}

/// Memory the deployed model uses, in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemoryUse {
    /// Flash taken by everything but the weights: code (kernels, generated
    /// model code, runtime), constant tables (requantisation, tensor
    /// descriptions) and initial data.
    pub flash_code: u64,
    /// Flash taken by the weights section: constant tensors (weights, biases)
    /// and the tables made from them at generation time (pre-widened filters).
    pub flash_weights: u64,
    /// Code size per kernel (name, bytes), part of `flash_code`.
    pub flash_by_kernel: Vec<(String, u64)>,
    /// The tensor arena (activations and scratch).
    pub arena: u64,
    /// The planner's lower bound for the arena (largest set of live tensors), if known.
    pub arena_lower_bound: Option<u64>,
    /// The arena the same model needs with the portable kernels, when the
    /// profiled code uses optimised ones (so the report can say what the
    /// choice cost); `None` for portable code.
    #[serde(default)]
    pub arena_portable: Option<u64>,
    /// Statically allocated RAM (`.data` + `.bss`) besides the arena and the stack.
    pub static_ram: u64,
    /// The state region of a streaming model (resource variables kept
    /// between invocations), part of `static_ram`; 0 without state.
    #[serde(default)]
    pub state: u64,
    /// Deepest stack use seen during inference, if measured.
    pub stack_high_water: Option<u64>,
    /// Stack reserved for the firmware, if known.
    pub stack_size: Option<u64>,
}

/// How one model output agreed with the PC reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputAgreement {
    /// Output tensor name.
    pub name: String,
    /// Percent of elements that are exactly equal.
    pub exact_percent: f64,
    pub max_abs_diff: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean square error.
    pub rmse: f64,
    /// Cosine similarity between board and reference outputs.
    pub cosine: f64,
    /// Samples whose arg-max (top-1 class) agrees, for classifier outputs.
    pub top1_agree: Option<usize>,
}

/// The result of validating the model on the board against the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationSummary {
    /// Number of input samples compared.
    pub samples: usize,
    /// Whether every output was within tolerance.
    pub passed: bool,
    pub outputs: Vec<OutputAgreement>,
    /// The first layer whose output differs, described, if one was found.
    pub first_divergence: Option<String>,
    /// Streaming models: output 0's first value at every step of the
    /// stream, on the board and on the reference (`report.html` plots it).
    #[serde(default)]
    pub trace: Option<OutputTrace>,
}

/// One value per step of a stream, for several sources (board, reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputTrace {
    /// What the values are, e.g. `"output 0 'StatefulPartitionedCall:0' (uint8)"`.
    pub what: String,
    pub series: Vec<Series>,
}

/// One line of an [`OutputTrace`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Model name (file stem).
    pub model: String,
    /// Hash of the model file, as the firmware reports it.
    pub model_hash: String,
    pub board: BoardInfo,
    /// Layers in execution order.
    pub layers: Vec<LayerRecord>,
    pub runs: RunStats,
    pub memory: MemoryUse,
    pub validation: Option<ValidationSummary>,
    /// Version of autodeploy that made the profile.
    pub tool_version: String,
}
