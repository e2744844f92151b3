//! The C emitter: a model and its memory plan become `NAME.h`, `NAME.c`,
//! `NAME_weights.{h,c}`, the validator binding `adm_binding.h`, and the
//! runtime files of exactly the kernels the model calls.
//!
//! Files are returned in memory ([`Generated::files`]); [`crate::write`]
//! puts them on disk. Nothing here depends on the time or the machine:
//! the same model and options give the same bytes.

mod c;
mod inplace;
mod layer;
mod select;
mod shared;
mod state;
mod weights;

use std::collections::BTreeSet;

use autodeploy_model::{ElementType, Model};
use autodeploy_reference::layer::Layer;
use autodeploy_runtime::Kernel;
use handlebars::Handlebars;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::MissingKernel;
use crate::plan::{grow_scratch, plan_with_scratch, MemoryPlan, PlanOptions};
use crate::state::{plan_state, StateOp, StatePlan};
use crate::CodegenError;

pub use c::identifier;
pub use select::{scratch, variants_for, KernelChoice, VARIANTS};

const HEADER_TEMPLATE: &str = include_str!("../../../../firmware-templates/model/model.h.hbs");
const SOURCE_TEMPLATE: &str = include_str!("../../../../firmware-templates/model/model.c.hbs");
const BINDING_TEMPLATE: &str =
    include_str!("../../../../firmware-templates/model/adm_binding.h.hbs");

/// What to generate.
#[derive(Debug)]
pub struct GenerateOptions {
    /// Prefix of every symbol (a C identifier, lower case).
    pub name: String,
    /// The model's file name, for the "generated from" line.
    pub model_file: String,
    /// Memory-planning choices; see [`GenerateOptions::new`] for the default.
    pub plan: PlanOptions,
    /// Portable kernels, or the optimised variants for a core
    /// (`emit/select.rs`); [`GenerateOptions::new`] picks portable.
    pub kernels: KernelChoice,
}

impl GenerateOptions {
    /// The default plan: every in-place scheme (aliases, element-wise in
    /// place, row buffers, fused ADDs; each emitted with a kernel that
    /// follows its contract, see `inplace.rs`), in the model's operator
    /// order (the emitter runs layers in that order, and layer numbers in
    /// reports stay the model's).
    pub fn new(name: &str, model_file: &str) -> Self {
        GenerateOptions {
            name: identifier(name),
            model_file: model_file.to_string(),
            plan: PlanOptions {
                reorder: false,
                ..PlanOptions::default()
            },
            kernels: KernelChoice::Portable,
        }
    }
}

/// One generated file, by path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// The generated code, and what went into it.
#[derive(Debug, Clone)]
pub struct Generated {
    pub name: String,
    pub files: Vec<GeneratedFile>,
    pub plan: MemoryPlan,
    /// The state region of a streaming model (size 0 without variables),
    /// apart from the arena.
    pub state: StatePlan,
    /// Per layer: the kernel it calls (`None` for aliases and state layers
    /// that run nothing).
    pub layer_kernels: Vec<Option<Kernel>>,
    /// SHA-256 of the model file, hex.
    pub model_hash: String,
    /// Bytes of constant data in the weights section: the model's weights
    /// and biases and the tables made from them at generation time
    /// (pre-widened filters).
    pub weight_bytes: usize,
}

impl Generated {
    pub fn file(&self, path: &str) -> Option<&GeneratedFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The distinct kernels the model calls.
    pub fn kernels(&self) -> BTreeSet<Kernel> {
        self.layer_kernels.iter().flatten().copied().collect()
    }
}

/// Generates C for `model` (whose file held `model_bytes`).
pub fn generate(
    model: &Model,
    model_bytes: &[u8],
    options: &GenerateOptions,
) -> Result<Generated, CodegenError> {
    model
        .check_supported()
        .map_err(|e| CodegenError::Model(e.to_string()))?;
    let graph = model.main_graph();
    let name = options.name.as_str();
    let state = plan_state(model)?;
    // State layers (VAR_HANDLE, READ/ASSIGN_VARIABLE, CALL_ONCE) have no
    // reference preparation: `state.rs` emits them.
    let layers = graph
        .operators
        .iter()
        .filter(|op| state.ops[op.index] == StateOp::Kernel)
        .map(|op| Layer::prepare(graph, op).map_err(|e| CodegenError::Model(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    // The variants' scratch goes into the arena: plan without it, emit to
    // learn the kernels, plan again with their scratch (`scratch_plan`), and
    // repeat while a layer's kernel lacks scratch (a kernel's choice can
    // follow the plan). Needs only grow, and each is one of a layer's
    // kernels' sizes, so this ends: in two rounds on every model we have.
    let external = state.external();
    let base = plan_with_scratch(graph, &options.plan, &external, &[])?;
    let layer_count = graph.operators.len();
    let (mut fastest, mut least) = (vec![0; layer_count], vec![0; layer_count]);
    let mut memory = base.clone();
    let round = loop {
        let round = emit_layers(graph, &memory, &state, &layers, name, options.kernels)?;
        let has_scratch = |l: usize| {
            let need = round.least_scratch[l];
            need == 0 || memory.scratch[l].is_some_and(|p| p.size >= need)
        };
        if (0..layer_count).all(has_scratch) {
            break round;
        }
        for l in 0..layer_count {
            fastest[l] = fastest[l].max(round.fastest_scratch[l]);
            least[l] = least[l].max(round.least_scratch[l]);
        }
        memory = scratch_plan(
            graph,
            &options.plan,
            &external,
            &fastest,
            &least,
            base.arena_size,
        )?;
    };
    let Round {
        functions,
        shared,
        layer_kernels,
        mut used_constants,
        ..
    } = round;
    // A variant on generation-time tables no longer reads its layer's int8
    // filter: leave out constants no emitted code names.
    used_constants.retain(|&i| names_symbol(&functions, &format!("{name}_t{i}")));

    let model_hash = hex(&Sha256::digest(model_bytes));
    let (weights_h, weights_c, constant_bytes) =
        weights::emit(graph, name, &used_constants, &options.model_file)?;
    let weight_bytes = constant_bytes + weights::layer_table_bytes(&functions);
    let tensor_table = tensor_table(model, &memory, name)?;

    let io = |indices: &[usize]| -> Vec<serde_json::Value> {
        indices
            .iter()
            .map(|&i| json!({ "bytes": graph.tensor(i).byte_size() }))
            .collect()
    };
    let layer_summaries: Vec<String> = graph
        .operators
        .iter()
        .zip(&layer_kernels)
        .map(|(op, k)| {
            let why = if state.ops[op.index] == StateOp::Kernel {
                memory.in_place[op.index].name()
            } else {
                "state"
            };
            format!(
                "{:>3} {:<20} {}",
                op.index,
                op.name(),
                k.map_or_else(|| format!("(no call: {why})"), |k| k.c_name().to_string())
            )
        })
        .collect();
    let data = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "model_file": options.model_file.replace("*/", "* /"),
        "name": name,
        "NAME": name.to_uppercase(),
        "arena_size": memory.arena_size,
        "lower_bound": memory.lower_bound,
        "strategy": memory.strategy,
        "input_count": graph.inputs.len(),
        "output_count": graph.outputs.len(),
        "layer_count": graph.operators.len(),
        "tensor_count": graph.tensors.len(),
        "inputs": io(&graph.inputs),
        "outputs": io(&graph.outputs),
        "model_hash": model_hash,
        "layer_functions": format!("{}\n{functions}", shared.definitions()),
        "layer_names": (0..graph.operators.len()).map(|i| format!("{name}_layer{i}")).collect::<Vec<_>>(),
        "layer_ops": graph.operators.iter().map(|op| op.name().to_string()).collect::<Vec<_>>(),
        "state_size": state.size,
        "state_variable_bytes": state.variable_bytes(),
        "state_variable_count": state.slots.len(),
        "state_table": state_table(&state, name),
        "state_slots": state.slots.iter().map(|s| format!("{:>6} {:>6}  {}", s.offset, s.bytes, s.name.replace("*/", "* /"))).collect::<Vec<_>>(),
        "layer_summaries": layer_summaries,
        "tensor_table": tensor_table,
    });
    let files = vec![
        GeneratedFile {
            path: format!("{name}.h"),
            contents: render("model.h", HEADER_TEMPLATE, &data)?,
        },
        GeneratedFile {
            path: format!("{name}.c"),
            contents: render("model.c", SOURCE_TEMPLATE, &data)?,
        },
        GeneratedFile {
            path: format!("{name}_weights.h"),
            contents: weights_h,
        },
        GeneratedFile {
            path: format!("{name}_weights.c"),
            contents: weights_c,
        },
        GeneratedFile {
            path: "adm_binding.h".into(),
            contents: render("adm_binding.h", BINDING_TEMPLATE, &data)?,
        },
    ];
    let mut generated = Generated {
        name: name.to_string(),
        files,
        plan: memory,
        state,
        layer_kernels,
        model_hash,
        weight_bytes,
    };
    let runtime = runtime_files(&generated.kernels());
    generated.files.extend(runtime);
    Ok(generated)
}

/// The layers emitted on one memory plan.
struct Round {
    functions: String,
    shared: shared::SharedConsts,
    layer_kernels: Vec<Option<Kernel>>,
    used_constants: BTreeSet<usize>,
    /// Per layer: the scratch bytes its kernel runs fastest with, and the
    /// fewest it runs with ([`select::scratch`]).
    fastest_scratch: Vec<usize>,
    least_scratch: Vec<usize>,
}

/// Percent of the arena without scratch that the kernels' fastest scratch
/// may add; beyond it, each layer gets its least scratch, grown into the
/// bytes the arena has free during the layer (docs/memory-plan.md).
pub const SCRATCH_BUDGET_PERCENT: usize = 3;

/// The plan with each layer's `fastest` scratch if that keeps the arena
/// within [`SCRATCH_BUDGET_PERCENT`] of `base_arena`; otherwise with the
/// `least` scratch, grown into the arena's free bytes ([`grow_scratch`]),
/// whichever arena is smaller.
fn scratch_plan(
    graph: &autodeploy_model::Graph,
    options: &PlanOptions,
    external: &[usize],
    fastest: &[usize],
    least: &[usize],
    base_arena: usize,
) -> Result<MemoryPlan, CodegenError> {
    let budget = base_arena + base_arena * SCRATCH_BUDGET_PERCENT / 100;
    let fast = plan_with_scratch(graph, options, external, fastest)?;
    if fast.arena_size <= budget || fastest == least {
        return Ok(fast);
    }
    let mut small = plan_with_scratch(graph, options, external, least)?;
    grow_scratch(graph, &mut small, fastest);
    Ok(if small.arena_size < fast.arena_size {
        small
    } else {
        fast
    })
}

/// Emits every layer of `graph` on `memory` (`layers`: the prepared kernel
/// layers, in order); all layers without a C kernel in one error.
fn emit_layers(
    graph: &autodeploy_model::Graph,
    memory: &MemoryPlan,
    state: &StatePlan,
    layers: &[Layer],
    name: &str,
    kernels: KernelChoice,
) -> Result<Round, CodegenError> {
    if memory
        .order
        .iter()
        .enumerate()
        .any(|(position, &layer)| position != layer)
    {
        return Err(CodegenError::Model(
            "the emitter runs layers in the model's order; plan without reordering".into(),
        ));
    }
    let mut emitter = layer::Emitter {
        graph,
        plan: memory,
        state,
        name,
        used_constants: BTreeSet::new(),
        kernels,
    };
    let mut functions = String::new();
    let mut shared = shared::SharedConsts::new(name);
    let mut layer_kernels = Vec::new();
    let mut fastest_scratch = vec![0; graph.operators.len()];
    let mut least_scratch = vec![0; graph.operators.len()];
    let mut missing = Vec::new();
    let mut prepared = layers.iter();
    for op in &graph.operators {
        let result = match state.ops[op.index] {
            StateOp::Kernel => match prepared.next() {
                Some(layer) => emitter.layer(layer).inspect(|emitted| {
                    if let Some(k) = emitted.kernel {
                        fastest_scratch[op.index] = select::scratch::bytes(k, layer);
                        least_scratch[op.index] = select::scratch::least(k, layer);
                    }
                }),
                None => unreachable!("one prepared layer per kernel layer"),
            },
            what => emitter.state_layer(op, what),
        };
        match result {
            Ok(emitted) => {
                functions.push_str(&shared.pool(&emitted.code));
                functions.push('\n');
                layer_kernels.push(emitted.kernel);
            }
            Err(layer::LayerError::NoKernel) => missing.push(MissingKernel {
                layer: op.index,
                op: op.name().to_string(),
                dtype: graph
                    .input_of(op, 0)
                    .map_or("?".into(), |t| t.dtype.to_string()),
            }),
            Err(layer::LayerError::Other(e)) => return Err(e),
        }
    }
    if !missing.is_empty() {
        return Err(CodegenError::NoKernels(missing));
    }
    Ok(Round {
        functions,
        shared,
        layer_kernels,
        used_constants: emitter.used_constants,
        fastest_scratch,
        least_scratch,
    })
}

/// The state region's initial data (flash) and, per tensor, its offset in
/// the state region (-1: not there); empty without state.
fn state_table(state: &StatePlan, name: &str) -> String {
    if state.size == 0 {
        return String::new();
    }
    let offsets: Vec<i64> = state
        .in_state
        .iter()
        .map(|o| o.map_or(-1, |o| o as i64))
        .collect();
    let mut out = c::int_array(
        "static const",
        "uint8_t",
        &format!("{name}_state_initial"),
        &state.initial,
    );
    out.push_str(&c::int_array(
        "static const",
        "int32_t",
        &format!("{name}_tensor_state_offsets"),
        &offsets,
    ));
    out
}

/// The runtime headers and the sources of `kernels`, under `runtime/`.
fn runtime_files(kernels: &BTreeSet<Kernel>) -> Vec<GeneratedFile> {
    let mut files: Vec<GeneratedFile> = Vec::new();
    let all = autodeploy_runtime::headers().iter().chain(
        kernels
            .iter()
            .flat_map(|&k| autodeploy_runtime::sources_for(k)),
    );
    for file in all {
        let path = format!("runtime/{}", file.path);
        if !files.iter().any(|f| f.path == path) {
            files.push(GeneratedFile {
                path,
                contents: file.contents.to_string(),
            });
        }
    }
    files
}

fn render(name: &str, template: &str, data: &serde_json::Value) -> Result<String, CodegenError> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    // The templates write C, not HTML: no escaping.
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(template, data)
        .map_err(|e| CodegenError::Template {
            template: name.to_string(),
            reason: e.to_string(),
        })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn type_enum(name: &str, t: ElementType) -> Result<String, CodegenError> {
    let suffix = match t {
        ElementType::Float32 => "FLOAT32",
        ElementType::Int8 => "INT8",
        ElementType::Uint8 => "UINT8",
        ElementType::Int16 => "INT16",
        ElementType::Int32 => "INT32",
        ElementType::Int64 => "INT64",
        other => {
            return Err(CodegenError::Unrepresentable {
                what: "a tensor".into(),
                reason: format!("element type {other} has no C type in the generated API"),
            })
        }
    };
    Ok(format!("{}_{suffix}", name.to_uppercase()))
}

/// Arena offsets and descriptions of every tensor, the model's inputs and
/// outputs, and each layer's outputs.
fn tensor_table(model: &Model, memory: &MemoryPlan, name: &str) -> Result<String, CodegenError> {
    let graph = model.main_graph();
    let offsets: Vec<i64> = memory
        .buffers
        .iter()
        .map(|p| p.map_or(-1, |p| p.offset as i64))
        .collect();
    let mut out = c::int_array(
        "static const",
        "int32_t",
        &format!("{name}_tensor_offsets"),
        &offsets,
    );
    let named: BTreeSet<usize> = graph.inputs.iter().chain(&graph.outputs).copied().collect();
    let entry = |t: &autodeploy_model::Tensor| -> Result<String, CodegenError> {
        let what = format!("tensor {}", t.label());
        if t.shape.len() > 6 {
            return Err(CodegenError::Unrepresentable {
                what,
                reason: format!("rank {} is above the API's 6", t.shape.len()),
            });
        }
        let mut dims: Vec<String> = t.shape.iter().map(ToString::to_string).collect();
        dims.resize(6, "0".into());
        let ty = if t.dtype.bits().is_some()
            && !matches!(
                t.dtype,
                ElementType::Int4 | ElementType::Int2 | ElementType::Uint4
            ) {
            type_enum(name, t.dtype).unwrap_or_else(|_| format!("{}_INT8", name.to_uppercase()))
        } else {
            format!("{}_INT8", name.to_uppercase())
        };
        let label = if named.contains(&t.index) {
            c::string_literal(&t.name)
        } else {
            "NULL".into()
        };
        let scale = t.quant.as_ref().map_or(0.0, |q| q.scale());
        Ok(format!(
            "    {{.name = {label}, .type = {ty}, .rank = {}, .dims = {{{}}}, .bytes = {}u, .scale = {}, .zero_point = {}}},\n",
            t.shape.len(),
            dims.join(", "),
            t.byte_size(),
            c::f32_literal(scale, &what)?,
            t.quant.as_ref().map_or(0, |q| q.zero_point())
        ))
    };
    // Every tensor's description, for layer-by-layer debugging; a firmware
    // that never calls NAME_tensor_info_of drops it (-fdata-sections).
    out.push_str(&format!(
        "\nstatic const {name}_tensor_info {name}_tensor_infos[{}] = {{\n",
        graph.tensors.len().max(1)
    ));
    for t in &graph.tensors {
        out.push_str(&entry(t)?);
    }
    out.push_str("};\n\n");
    // The model's inputs then outputs again, for the public accessors.
    let io: Vec<usize> = graph.inputs.iter().chain(&graph.outputs).copied().collect();
    out.push_str(&format!(
        "static const {name}_tensor_info {name}_io_infos[{}] = {{\n",
        io.len().max(1)
    ));
    for &t in &io {
        out.push_str(&entry(graph.tensor(t))?);
    }
    out.push_str("};\n\n");
    let io_offsets: Vec<i64> = io.iter().map(|&t| offsets[t]).collect();
    out.push_str(&c::int_array(
        "static const",
        "int32_t",
        &format!("{name}_io_offsets"),
        &io_offsets,
    ));
    for t in graph.inputs.iter().chain(&graph.outputs) {
        type_enum(name, graph.tensor(*t).dtype)?;
    }
    let counts: Vec<usize> = graph.operators.iter().map(|op| op.outputs.len()).collect();
    let starts: Vec<usize> = counts
        .iter()
        .scan(0, |acc, &n| {
            let start = *acc;
            *acc += n;
            Some(start)
        })
        .collect();
    let outputs: Vec<usize> = graph
        .operators
        .iter()
        .flat_map(|op| op.outputs.iter().copied())
        .collect();
    out.push_str(&c::int_array(
        "static const",
        "uint8_t",
        &format!("{name}_layer_output_counts"),
        &counts,
    ));
    out.push_str(&c::int_array(
        "static const",
        "uint16_t",
        &format!("{name}_layer_output_starts"),
        &starts,
    ));
    out.push_str(&c::int_array(
        "static const",
        "uint16_t",
        &format!("{name}_layer_outputs"),
        &outputs,
    ));
    Ok(out)
}

/// Whether `code` contains `symbol` as a whole C identifier.
fn names_symbol(code: &str, symbol: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    code.match_indices(symbol).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + symbol.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}
