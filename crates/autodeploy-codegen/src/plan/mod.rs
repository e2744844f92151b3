//! The memory planner: one static arena, every buffer at a fixed offset.
//!
//! [`plan`] decides, for a graph:
//! - an execution order ([`MemoryPlan::order`]), a topological order of the
//!   layers chosen to keep the peak small;
//! - an in-place scheme per layer ([`InPlace`]): what the C kernel of that
//!   layer must do so that its output may share bytes with its input;
//! - a 16-byte aligned [`Placement`] for every activation tensor, every
//!   layer's scratch buffer and every line buffer;
//! - the arena size, and the lower bound for this order and these schemes.
//!
//! [`check`] proves a plan safe without using the planner's code. The rules
//! are described in `docs/memory-plan.md`; each [`InPlace`] variant states
//! the contract its kernel must satisfy.

mod allocate;
mod check;
mod inplace;
mod liveness;
mod order;

use autodeploy_model::{Graph, Operator};
use serde::Serialize;

use crate::CodegenError;

pub use check::check;

/// Every offset in the arena is a multiple of this.
pub const ALIGNMENT: usize = 16;

/// Bytes `offset..offset + size` of the arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    pub offset: usize,
    pub size: usize,
}

impl Placement {
    pub fn end(&self) -> usize {
        self.offset + self.size
    }

    /// Whether the two byte ranges share a byte (empty ranges share none).
    pub fn overlaps(&self, other: &Placement) -> bool {
        self.size > 0 && other.size > 0 && self.offset < other.end() && other.offset < self.end()
    }
}

/// What a layer's input-output units are, for [`InPlace::RowBuffer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowUnit {
    /// One unit is one row (all of W and C for one H index) of an NHWC tensor
    /// with batch 1: convolutions, depthwise convolutions, pooling.
    Rows,
    /// One unit is one pixel (all of C for one (H, W) index): 1x1 stride-1
    /// convolutions, where output pixel p reads input pixel p only.
    Pixels,
}

/// How a layer's output shares memory with its input; what the C kernel of
/// the layer must do to stay bit-exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum InPlace {
    /// The output has its own bytes; the kernel may assume it overlaps no input.
    None,
    /// RESHAPE, SQUEEZE, EXPAND_DIMS: the output *is* tensor `of` (same
    /// offset, same bytes). The kernel does nothing.
    Alias { of: usize },
    /// An element-wise layer writes its output exactly over tensor `input`
    /// (same offset, same byte size, same shape), which dies here.
    ///
    /// Kernel contract: for each index `i`, every operand element at `i` is
    /// read before `out[i]` is written, and no operand element at `i` is
    /// read after `out[i]` is written (loading a vector, computing and
    /// storing it back in ascending blocks is fine).
    Elementwise { input: usize },
    /// A convolution, depthwise convolution or pooling layer writes its
    /// output over tensor `input` (its input 0, which dies here), the output
    /// starting `delta` bytes after the input (negative: before), keeping
    /// the input units it still needs in a line buffer.
    ///
    /// Kernel contract (`u` = unit, see [`RowUnit`]; `need(y)` = the input
    /// units output unit `y` reads, from its kernel window, stride, dilation
    /// and top padding):
    /// 1. Output units are computed in ascending order; nothing of output
    ///    unit `y` is written before output unit `y - 1` is complete.
    /// 2. Before writing any byte of output unit `y`, copy into the line
    ///    buffer every input unit `r` that overlaps output unit `y`'s bytes,
    ///    is not yet saved, has not been overwritten, and is in `need(y')`
    ///    for some `y' >= y`. Unit `r` goes to slot `r % rows`
    ///    (`in_unit_bytes` bytes per slot, slots contiguous from
    ///    `line_buffer.offset`).
    /// 3. When computing output unit `y`, read input unit `r` from slot
    ///    `r % rows` if it was saved, from the arena otherwise.
    ///
    /// The planner and the checker guarantee that a slot is never refilled
    /// while its unit is still needed and that every unsaved unit read is
    /// intact.
    RowBuffer {
        input: usize,
        unit: RowUnit,
        /// Output offset minus input offset, in bytes (a multiple of 16).
        delta: i64,
        in_unit_bytes: usize,
        out_unit_bytes: usize,
        /// Line-buffer slots (0: nothing needs saving).
        rows: usize,
        line_buffer: Option<Placement>,
    },
    /// This convolution also performs the ADD at layer `add_layer`, whose
    /// other operand is `residual`; its own output tensor `conv_output` is
    /// never stored. The ADD's output is written exactly over `residual`
    /// (which dies at the ADD).
    ///
    /// Kernel contract: for each output element `i` (same index in the
    /// convolution's output, the residual and the ADD's output, which have
    /// one shape), compute the convolution's int8 value exactly as the plain
    /// kernel would (requantisation and fused activation included), then the
    /// ADD of that value and `residual[i]` exactly as the ADD kernel would,
    /// reading `residual[i]` before writing the result to `residual`'s
    /// bytes at `i`. The convolution's input is never overwritten.
    FusedAdd {
        add_layer: usize,
        conv_output: usize,
        residual: usize,
    },
    /// This ADD runs inside layer `layer` (see [`InPlace::FusedAdd`]); the
    /// emitter generates no call for it.
    FusedInto { layer: usize },
}

impl InPlace {
    /// A short name for reports and errors.
    pub fn name(&self) -> &'static str {
        match self {
            InPlace::None => "none",
            InPlace::Alias { .. } => "alias",
            InPlace::Elementwise { .. } => "elementwise",
            InPlace::RowBuffer { .. } => "row_buffer",
            InPlace::FusedAdd { .. } => "fused_add",
            InPlace::FusedInto { .. } => "fused_into",
        }
    }
}

/// Scratch bytes a layer's C kernel needs (the `ad_<op>_<type>_scratch_size()`
/// of the kernel the emitter will call).
pub type ScratchFn = dyn Fn(&Graph, &Operator) -> usize + Send + Sync;

/// What the planner may do.
pub struct PlanOptions {
    /// Scratch bytes per layer; 0 for every layer by default (the portable
    /// int8 kernels need none, except TRANSPOSE_CONV).
    pub scratch_bytes: Box<ScratchFn>,
    /// RESHAPE, SQUEEZE and EXPAND_DIMS share their input's bytes.
    pub alias: bool,
    /// Element-wise layers and activations overwrite an input that dies there.
    pub elementwise_in_place: bool,
    /// Convolutions, depthwise convolutions and pooling overwrite their input
    /// with a line buffer ([`InPlace::RowBuffer`]).
    pub row_buffer: bool,
    /// An ADD fused into the convolution producing one operand, accumulating
    /// into the other ([`InPlace::FusedAdd`]).
    pub fused_add: bool,
    /// Try other topological orders than the model's.
    pub reorder: bool,
    /// At most this many topological orders are tried exhaustively; beyond
    /// that, only the model's order and heuristic orders are.
    pub max_orders: usize,
}

impl Default for PlanOptions {
    /// Everything enabled.
    fn default() -> Self {
        PlanOptions {
            scratch_bytes: Box::new(|_, _| 0),
            alias: true,
            elementwise_in_place: true,
            row_buffer: true,
            fused_add: true,
            reorder: true,
            max_orders: 512,
        }
    }
}

impl PlanOptions {
    /// No in-place execution, no aliasing, the model's order: every kernel
    /// may assume its output overlaps none of its inputs.
    pub fn conservative() -> Self {
        PlanOptions {
            alias: false,
            elementwise_in_place: false,
            row_buffer: false,
            fused_add: false,
            reorder: false,
            ..PlanOptions::default()
        }
    }

    pub fn with_scratch(
        mut self,
        scratch: impl Fn(&Graph, &Operator) -> usize + Send + Sync + 'static,
    ) -> Self {
        self.scratch_bytes = Box::new(scratch);
        self
    }
}

impl std::fmt::Debug for PlanOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanOptions")
            .field("alias", &self.alias)
            .field("elementwise_in_place", &self.elementwise_in_place)
            .field("row_buffer", &self.row_buffer)
            .field("fused_add", &self.fused_add)
            .field("reorder", &self.reorder)
            .field("max_orders", &self.max_orders)
            .finish_non_exhaustive()
    }
}

/// Where everything lives, and what every kernel must do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryPlan {
    /// Bytes of the arena (a multiple of 16).
    pub arena_size: usize,
    /// The largest number of bytes live at one step for this order and these
    /// in-place schemes (a tensor and the output written over it counted
    /// once): no placement can do better than this.
    pub lower_bound: usize,
    /// The same bound in the model's order without any in-place scheme or
    /// aliasing: what a plain planner like TFLite Micro's can at best reach.
    pub plain_lower_bound: usize,
    /// Per tensor of the graph: its bytes in the arena; `None` for constants,
    /// unused tensors and outputs of a [`InPlace::FusedAdd`] convolution.
    pub buffers: Vec<Option<Placement>>,
    /// Per layer: the kernel's scratch buffer (live only during the layer).
    pub scratch: Vec<Option<Placement>>,
    /// Per layer: the in-place scheme its kernel must follow.
    pub in_place: Vec<InPlace>,
    /// The execution order: a permutation of the layers, topologically valid.
    /// A fused ADD directly follows its convolution.
    pub order: Vec<usize>,
    /// Which placement heuristic produced the arena (for reports).
    pub strategy: String,
    /// Tensors stored outside the arena (see [`plan_with_external`]).
    pub external: Vec<usize>,
}

impl MemoryPlan {
    /// Layers that use an in-place scheme other than [`InPlace::None`].
    pub fn in_place_layers(&self) -> impl Iterator<Item = (usize, &InPlace)> {
        self.in_place
            .iter()
            .enumerate()
            .filter(|(_, s)| !matches!(s, InPlace::None))
    }
}

/// Grows each layer's scratch in place, up to `up_to[l]` bytes, into arena
/// bytes that nothing else uses during the layer, so a kernel that takes
/// what it is given (the Helium convolutions' channel blocks) runs faster in
/// the same arena. The plan still passes [`check`].
pub fn grow_scratch(graph: &Graph, plan: &mut MemoryPlan, up_to: &[usize]) {
    for l in 0..plan.scratch.len() {
        let Some(p) = plan.scratch[l] else {
            continue;
        };
        let want = up_to
            .get(l)
            .copied()
            .unwrap_or(0)
            .min(plan.arena_size.saturating_sub(p.offset));
        // The largest size in p.size..=want that passes the check (which
        // fails from some size on, once the scratch meets a live buffer).
        let (mut ok, mut bad) = (p.size, want + 1);
        while ok + 1 < bad {
            let mid = ok + (bad - ok) / 2;
            plan.scratch[l] = Some(Placement { size: mid, ..p });
            if check(graph, plan).is_ok() {
                ok = mid;
            } else {
                bad = mid;
            }
        }
        plan.scratch[l] = Some(Placement { size: ok, ..p });
    }
}

/// Plans the arena of `graph`. The returned plan has passed [`check`].
pub fn plan(graph: &Graph, options: &PlanOptions) -> Result<MemoryPlan, CodegenError> {
    plan_with_external(graph, options, &[])
}

/// Plans the arena of `graph` leaving out the tensors `external` (resource
/// handles, and tensors that live in the state region of a streaming model,
/// `crate::state`): they get no placement and take part in no in-place
/// scheme.
pub fn plan_with_external(
    graph: &Graph,
    options: &PlanOptions,
    external: &[usize],
) -> Result<MemoryPlan, CodegenError> {
    plan_with_scratch(graph, options, external, &[])
}

/// [`plan_with_external`] with at least `at_least[l]` bytes of scratch for
/// layer `l` (beyond the slice: none), on top of
/// [`PlanOptions::scratch_bytes`]: the emitter's second round, once it knows
/// the kernels it calls.
pub fn plan_with_scratch(
    graph: &Graph,
    options: &PlanOptions,
    external: &[usize],
    at_least: &[usize],
) -> Result<MemoryPlan, CodegenError> {
    for t in &graph.tensors {
        if t.data.is_none() && t.dtype.bits().is_none() && !external.contains(&t.index) {
            return Err(CodegenError::UnsizedTensor {
                tensor: t.label(),
                dtype: t.dtype.name().to_string(),
            });
        }
    }
    let scratch: Vec<usize> = graph
        .operators
        .iter()
        .map(|op| {
            let planned = at_least.get(op.index).copied().unwrap_or(0);
            (options.scratch_bytes)(graph, op).max(planned)
        })
        .collect();
    let model_order: Vec<usize> = (0..graph.operators.len()).collect();
    order::check_topological(graph, &model_order)?;
    let plain_lower_bound = {
        let schemes = inplace::Schemes::none(graph);
        let live = liveness::Liveness::new(graph, &model_order, &schemes, external);
        let groups = inplace::Groups::build(graph, &live, &schemes);
        let per_step = groups.live_bytes(&live, &scratch, &schemes);
        per_step.into_iter().max().unwrap_or(0)
    };

    let orders = if options.reorder {
        order::candidates(graph, options.max_orders)
    } else {
        vec![model_order.clone()]
    };
    let configs: Vec<inplace::Enabled> = {
        let full = inplace::Enabled {
            alias: options.alias,
            elementwise: options.elementwise_in_place,
            row_buffer: options.row_buffer,
            fused_add: options.fused_add,
        };
        let plain = inplace::Enabled {
            alias: options.alias,
            elementwise: false,
            row_buffer: false,
            fused_add: false,
        };
        if full == plain {
            vec![full]
        } else {
            vec![full, plain]
        }
    };

    let mut candidates: Vec<MemoryPlan> = Vec::new();
    let n = graph.operators.len();
    for order in &orders {
        let evaluate = |enabled: &inplace::Enabled, allowed: &[bool]| {
            let (order, schemes) = inplace::choose(graph, order, enabled, allowed, external);
            let live = liveness::Liveness::new(graph, &order, &schemes, external);
            let groups = inplace::Groups::build(graph, &live, &schemes);
            let per_step = groups.live_bytes(&live, &scratch, &schemes);
            let lower_bound = per_step.iter().copied().max().unwrap_or(0);
            let total: usize = per_step.iter().sum();

            let best = allocate::best(graph, &live, &groups, &schemes, &scratch);
            let plan = MemoryPlan {
                arena_size: best.arena_size,
                lower_bound,
                plain_lower_bound,
                buffers: best.buffers,
                scratch: best.scratch,
                in_place: best.in_place,
                order,
                strategy: best.strategy,
                external: external.to_vec(),
            };
            (plan, total)
        };
        for enabled in &configs {
            candidates.push(evaluate(enabled, &vec![true; n]).0);
        }
        // Switch element-wise and row-buffer schemes on one layer at a
        // time, keeping each that shrinks the arena (or, at equal arena,
        // the lower bound, or the bytes live summed over all steps, which
        // lets two schemes that only help together pass one by one): a
        // scheme that does not help only constrains.
        let full = configs[0];
        if full.elementwise || full.row_buffer {
            let mut allowed = vec![false; n];
            let mut current = evaluate(&full, &allowed);
            let everything = evaluate(&full, &vec![true; n]).0;
            let useful: Vec<usize> = (0..n)
                .filter(|&l| {
                    matches!(
                        everything.in_place[l],
                        InPlace::Elementwise { .. } | InPlace::RowBuffer { .. }
                    )
                })
                .collect();
            for _pass in 0..3 {
                let mut changed = false;
                for &l in &useful {
                    if allowed[l] {
                        continue;
                    }
                    allowed[l] = true;
                    let trial = evaluate(&full, &allowed);
                    if (trial.0.arena_size, trial.0.lower_bound, trial.1)
                        < (current.0.arena_size, current.0.lower_bound, current.1)
                    {
                        current = trial;
                        changed = true;
                    } else {
                        allowed[l] = false;
                    }
                }
                if !changed {
                    break;
                }
            }
            candidates.push(current.0);
        }
    }
    // Smallest arena first; on ties prefer the model's order and fewer
    // in-place layers (simpler kernels).
    candidates.sort_by_key(|p| {
        (
            p.arena_size,
            p.in_place_layers()
                .filter(|(_, s)| !matches!(s, InPlace::Alias { .. }))
                .count(),
            p.order != model_order,
        )
    });
    let mut last = None;
    for candidate in candidates {
        match check(graph, &candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) => last = Some(e),
        }
    }
    Err(CodegenError::NoValidPlan {
        last: Box::new(last.unwrap_or(CodegenError::ShapeMismatch {
            what: "candidate plans".into(),
            found: 0,
            expected: 1,
        })),
    })
}

/// Rounds up to the alignment.
pub(crate) fn align_up(n: usize) -> usize {
    n.div_ceil(ALIGNMENT) * ALIGNMENT
}
