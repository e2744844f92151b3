//! The persistent state of streaming models: resource variables in a region
//! of their own, apart from the scratch arena (docs/streaming.md).
//!
//! - Each variable gets a 16-byte aligned slot, those whose size is a
//!   multiple of 16 first; the region ends with the last slot, so it is
//!   exactly the sum of the variable sizes when at most one is not a
//!   multiple of 16 (alexa 3,024 B, hey_jarvis 2,840 B).
//! - The init subgraphs take no input, so their result is a constant of the
//!   model: the reference interpreter computes it at generation time and it
//!   becomes the region's initial data (flash), copied by `NAME_reset()`.
//!   CALL_ONCE then runs nothing. This needs every CALL_ONCE to come before
//!   any READ_VARIABLE or ASSIGN_VARIABLE of subgraph 0.
//! - READ_VARIABLE's output is the variable's slot itself (no copy) when no
//!   write to the variable happens while that output is still read.
//! - ASSIGN_VARIABLE's value is written straight into the slot by the layer
//!   that produces it (no copy) when the value is read only by the
//!   assignment, its producer is a real kernel, the variable has no other
//!   assignment, and no read of the old value happens from the producer's
//!   step on. The window shift of microWakeWord (read, concatenate, slice,
//!   assign) thus costs the concatenation and the slice and nothing else.
//! - Otherwise the READ or ASSIGN is a byte copy (`ad_reshape`).

use autodeploy_model::{Model, OpKind};
use autodeploy_reference::Interpreter;

use crate::plan::{align_up, ALIGNMENT};
use crate::CodegenError;

/// One variable's slot in the state region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateSlot {
    pub name: String,
    pub offset: usize,
    pub bytes: usize,
}

/// What a state layer of subgraph 0 does at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateOp {
    /// Not a state operator: a kernel layer.
    Kernel,
    /// VAR_HANDLE, and CALL_ONCE (its result is the initial data).
    Nothing,
    /// READ_VARIABLE whose output is the variable's slot.
    ReadAlias,
    /// READ_VARIABLE copying the slot into the output's arena bytes.
    ReadCopy { variable: usize },
    /// ASSIGN_VARIABLE whose value was written into the slot by its producer.
    AssignAlias,
    /// ASSIGN_VARIABLE copying the value into the slot.
    AssignCopy { variable: usize },
}

/// Where the state lives and how each state layer runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatePlan {
    /// Bytes of the state region (0 without variables).
    pub size: usize,
    /// Per variable id.
    pub slots: Vec<StateSlot>,
    /// The region's contents after `NAME_reset()`.
    pub initial: Vec<u8>,
    /// Per tensor of subgraph 0: its offset in the state region, if it lives there.
    pub in_state: Vec<Option<usize>>,
    /// Resource handle tensors: no storage at all.
    pub handles: Vec<usize>,
    /// Per layer of subgraph 0.
    pub ops: Vec<StateOp>,
}

impl StatePlan {
    /// Tensors the arena planner must leave out.
    pub fn external(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.handles.clone();
        all.extend(
            self.in_state
                .iter()
                .enumerate()
                .filter_map(|(t, o)| o.map(|_| t)),
        );
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Bytes the variables themselves take (without alignment padding).
    pub fn variable_bytes(&self) -> usize {
        self.slots.iter().map(|s| s.bytes).sum()
    }
}

fn refuse(layer: usize, op: &str, reason: String) -> CodegenError {
    CodegenError::State {
        layer,
        op: op.to_string(),
        reason,
    }
}

/// Plans the state region of `model` (empty for a model without variables).
pub fn plan_state(model: &Model) -> Result<StatePlan, CodegenError> {
    let graph = model.main_graph();
    let state = &model.state;
    let n = graph.operators.len();
    let mut plan = StatePlan {
        in_state: vec![None; graph.tensors.len()],
        ops: vec![StateOp::Kernel; n],
        ..StatePlan::default()
    };
    // Every slot starts 16-byte aligned; the slots whose size is a multiple
    // of 16 come first so that padding, if any, is only between the others.
    let mut layout: Vec<&autodeploy_model::Variable> = state.variables.iter().collect();
    layout.sort_by_key(|v| (v.bytes % ALIGNMENT != 0, v.id));
    plan.slots = state
        .variables
        .iter()
        .map(|v| StateSlot {
            name: v.shared_name.clone(),
            offset: 0,
            bytes: v.bytes,
        })
        .collect();
    let mut offset = 0;
    for v in layout {
        offset = align_up(offset);
        plan.slots[v.id].offset = offset;
        offset += v.bytes;
    }
    plan.size = offset;
    if state.variables.is_empty() && state.init_subgraphs.is_empty() {
        return Ok(plan);
    }

    // The variable a READ/ASSIGN layer names.
    let variable_of = |op: &autodeploy_model::Operator| -> Result<usize, CodegenError> {
        op.input(0)
            .and_then(|h| state.variable_of(0, h))
            .map(|v| v.id)
            .ok_or_else(|| refuse(op.index, op.name(), "names no resolved variable".into()))
    };

    // Per tensor: the step that writes it and the last step that reads it.
    let mut producer: Vec<Option<usize>> = vec![None; graph.tensors.len()];
    let mut last_read: Vec<Option<usize>> = vec![None; graph.tensors.len()];
    let mut readers: Vec<usize> = vec![0; graph.tensors.len()];
    for op in &graph.operators {
        for &t in &op.outputs {
            producer[t] = Some(op.index);
        }
        for t in op.present_inputs() {
            last_read[t] = Some(op.index);
            readers[t] += 1;
        }
    }
    let pinned = |t: usize| graph.inputs.contains(&t) || graph.outputs.contains(&t);

    let mut first_access: Option<usize> = None;
    let mut assigns: Vec<Vec<usize>> = vec![Vec::new(); state.variables.len()];
    for op in &graph.operators {
        match op.kind {
            OpKind::VarHandle { .. } => {
                plan.ops[op.index] = StateOp::Nothing;
                plan.handles.extend(op.outputs.iter().copied());
            }
            OpKind::CallOnce { init_subgraph } => {
                if let Some(access) = first_access {
                    return Err(refuse(
                        op.index,
                        op.name(),
                        format!(
                            "layer {access} touches a variable before this CALL_ONCE, so its \
                             init subgraph cannot be applied at reset"
                        ),
                    ));
                }
                let init = &model.subgraphs[init_subgraph as usize];
                if !init.inputs.is_empty() {
                    return Err(refuse(
                        op.index,
                        op.name(),
                        format!(
                            "init subgraph {init_subgraph} takes {} input(s), so its result is \
                             not a constant the generator can evaluate",
                            init.inputs.len()
                        ),
                    ));
                }
                plan.ops[op.index] = StateOp::Nothing;
            }
            OpKind::ReadVariable | OpKind::AssignVariable => {
                first_access.get_or_insert(op.index);
                let v = variable_of(op)?;
                if matches!(op.kind, OpKind::AssignVariable) {
                    assigns[v].push(op.index);
                    plan.ops[op.index] = StateOp::AssignCopy { variable: v };
                } else {
                    plan.ops[op.index] = StateOp::ReadCopy { variable: v };
                }
            }
            _ => {}
        }
    }

    // Assignments written in place: the window during which the slot holds
    // the new value (from the producer's step to the assignment).
    let mut windows: Vec<Vec<(usize, usize)>> = vec![Vec::new(); state.variables.len()];
    for (v, layers) in assigns.iter().enumerate() {
        for &a in layers {
            windows[v].push((a, a));
        }
        let [a] = layers[..] else { continue };
        let Some(s) = graph.operators[a].input(1) else {
            continue;
        };
        let Some(p) = producer[s] else { continue };
        let producer_op = &graph.operators[p];
        let plain_kernel = plan.ops[p] == StateOp::Kernel
            && producer_op.outputs.len() == 1
            && !matches!(producer_op.name(), "RESHAPE" | "SQUEEZE" | "EXPAND_DIMS");
        let reads_old = graph.operators[p..a].iter().any(|op| {
            matches!(op.kind, OpKind::ReadVariable) && variable_of(op).is_ok_and(|w| w == v)
        });
        if plain_kernel && readers[s] == 1 && !pinned(s) && !reads_old {
            plan.in_state[s] = Some(plan.slots[v].offset);
            plan.ops[a] = StateOp::AssignAlias;
            windows[v] = vec![(p, a)];
        }
    }

    // Reads that are the slot itself: no write window of the variable meets
    // the output's life after the read (nor the step of its last reader).
    for op in &graph.operators {
        let StateOp::ReadCopy { variable: v } = plan.ops[op.index] else {
            continue;
        };
        let r = op.outputs[0];
        let q = op.index;
        let e = last_read[r].unwrap_or(q);
        let clashes = windows[v].iter().any(|&(p, a)| p <= e && a > q);
        if !pinned(r) && !clashes {
            plan.in_state[r] = Some(plan.slots[v].offset);
            plan.ops[op.index] = StateOp::ReadAlias;
        }
    }

    plan.initial = initial_data(model, &plan)?;
    Ok(plan)
}

/// The state after the init subgraphs, laid out in the region.
fn initial_data(model: &Model, plan: &StatePlan) -> Result<Vec<u8>, CodegenError> {
    let mut interpreter =
        Interpreter::new(model.clone()).map_err(|e| CodegenError::Model(e.to_string()))?;
    let values = interpreter
        .initial_variables()
        .map_err(|e| CodegenError::Model(e.to_string()))?;
    let mut data = vec![0u8; plan.size];
    for (slot, value) in plan.slots.iter().zip(values) {
        data[slot.offset..slot.offset + slot.bytes].copy_from_slice(&value.bytes);
    }
    Ok(data)
}
