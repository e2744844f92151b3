//! Tensor lifetimes over an execution order (the planner's view).
//!
//! Step `i` is the `i`-th layer of the order; a fused ADD shares the step of
//! its convolution. A tensor is live from the step that writes it (step 0
//! for graph inputs) to the last step that reads it (the last step for graph
//! outputs), both included. Variables live throughout. Constants are not in
//! the arena; neither is the output of a convolution with a fused ADD, nor
//! an external tensor (resource handles, the state region).

use autodeploy_model::Graph;

use super::inplace::Schemes;
use super::InPlace;

pub(crate) struct Liveness {
    /// Per layer, its step.
    pub step: Vec<usize>,
    /// Number of steps.
    pub steps: usize,
    /// Per tensor, `(first, last)` step, inclusive; `None` if not in the arena.
    pub interval: Vec<Option<(usize, usize)>>,
}

impl Liveness {
    pub fn new(graph: &Graph, order: &[usize], schemes: &Schemes, external: &[usize]) -> Liveness {
        let n = graph.operators.len();
        let mut step = vec![0; n];
        for (i, &l) in order.iter().enumerate() {
            step[l] = i;
        }
        for (l, s) in schemes.0.iter().enumerate() {
            if let InPlace::FusedInto { layer } = s {
                step[l] = step[*layer];
            }
        }
        let steps = n.max(1);
        let last = steps - 1;
        let mut first: Vec<Option<usize>> = vec![None; graph.tensors.len()];
        let mut end: Vec<Option<usize>> = vec![None; graph.tensors.len()];
        let mut touch = |t: usize, s: usize, first: &mut Vec<Option<usize>>| {
            first[t] = Some(first[t].map_or(s, |f: usize| f.min(s)));
            end[t] = Some(end[t].map_or(s, |e: usize| e.max(s)));
        };
        for &t in &graph.inputs {
            touch(t, 0, &mut first);
        }
        for op in &graph.operators {
            let s = step[op.index];
            for t in op.present_inputs().chain(op.outputs.iter().copied()) {
                touch(t, s, &mut first);
            }
            for &t in &op.intermediates {
                touch(t, s, &mut first);
            }
        }
        for &t in &graph.outputs {
            touch(t, last, &mut first);
        }
        for t in &graph.tensors {
            if t.is_variable && t.data.is_none() {
                touch(t.index, 0, &mut first);
                touch(t.index, last, &mut first);
            }
        }
        let mut interval: Vec<Option<(usize, usize)>> = first
            .iter()
            .zip(&end)
            .map(|(f, e)| Some(((*f)?, (*e)?)))
            .collect();
        for (t, tensor) in graph.tensors.iter().enumerate() {
            if tensor.data.is_some() || external.contains(&t) {
                interval[t] = None;
            }
        }
        for s in &schemes.0 {
            if let InPlace::FusedAdd { conv_output, .. } = s {
                interval[*conv_output] = None;
            }
        }
        Liveness {
            step,
            steps,
            interval,
        }
    }

    /// Whether tensor `t` is read for the last time at `step` (and is not a
    /// graph output or variable, which live to the end).
    pub fn dies_at(&self, t: usize, step: usize) -> bool {
        self.interval[t].is_some_and(|(_, e)| e == step)
    }
}
