//! The independent checker: proves a [`MemoryPlan`] safe for a graph.
//!
//! Written apart from the planner on purpose (it shares none of its
//! liveness, geometry or grouping code), it recomputes from the graph and
//! the plan alone:
//! - the order is a permutation of the layers in which every layer follows
//!   the producers of its inputs, and a fused ADD directly follows its
//!   convolution;
//! - every tensor that must be in the arena has a placement large enough,
//!   every placement (tensors, scratch, line buffers) is 16-byte aligned and
//!   inside the arena;
//! - at every step, any two buffers live at that step are disjoint, unless
//!   one is an alias of the other (same bytes), or the step's layer writes
//!   its output over an input dying at that step under a scheme whose rules
//!   hold: exact overlap for element-wise layers and fused ADDs, and for
//!   row buffers a unit-by-unit proof that every input unit read is intact
//!   or held in its line-buffer slot.

use autodeploy_model::{Graph, OpKind, Operator, Padding, TensorLabel};

use super::{InPlace, MemoryPlan, Placement, RowUnit, ALIGNMENT};
use crate::CodegenError;

/// Checks `plan` against `graph`; the first violation found is returned.
pub fn check(graph: &Graph, plan: &MemoryPlan) -> Result<(), CodegenError> {
    let nl = graph.operators.len();
    let nt = graph.tensors.len();
    for (what, found, expected) in [
        ("tensor placements", plan.buffers.len(), nt),
        ("layer scratch buffers", plan.scratch.len(), nl),
        ("layer in-place schemes", plan.in_place.len(), nl),
        ("the execution order", plan.order.len(), nl),
    ] {
        if found != expected {
            return Err(CodegenError::ShapeMismatch {
                what: what.into(),
                found,
                expected,
            });
        }
    }
    let ctx = Ctx { graph, plan };
    let time = ctx.times()?;
    let fused_away: Vec<usize> = plan
        .in_place
        .iter()
        .filter_map(|s| match s {
            InPlace::FusedAdd { conv_output, .. } => Some(*conv_output),
            _ => None,
        })
        .collect();
    let spans = ctx.spans(&time, &fused_away)?;
    ctx.bounds()?;
    let exempt = ctx.schemes(&time, &spans)?;
    ctx.overlaps(&time, &spans, &exempt)
}

struct Ctx<'a> {
    graph: &'a Graph,
    plan: &'a MemoryPlan,
}

/// A pair of tensors allowed to overlap at one time: (time, output, input).
type Exemption = (usize, usize, usize);

impl Ctx<'_> {
    fn op_name(&self, l: usize) -> String {
        self.graph.operators[l].name().to_string()
    }

    fn label(&self, t: usize) -> TensorLabel {
        self.graph.tensors[t].label()
    }

    fn rule(&self, l: usize, reason: impl Into<String>) -> CodegenError {
        CodegenError::InPlaceRule {
            layer: l,
            op: self.op_name(l),
            scheme: self.plan.in_place[l].name().into(),
            reason: reason.into(),
        }
    }

    /// The time each layer runs at: its position in the order, except that
    /// a fused ADD runs at its convolution's time.
    fn times(&self) -> Result<Vec<usize>, CodegenError> {
        let g = self.graph;
        let n = g.operators.len();
        let mut pos = vec![None; n];
        for (i, &l) in self.plan.order.iter().enumerate() {
            if l >= n || pos[l].is_some() {
                return Err(CodegenError::InvalidOrder {
                    layer: l,
                    op: g.operators.get(l).map_or("?".into(), |o| o.name().into()),
                    reason: "is repeated in the order or does not exist".into(),
                });
            }
            pos[l] = Some(i);
        }
        let pos: Vec<usize> = pos.into_iter().map(|p| p.unwrap_or(0)).collect();
        let mut writer = vec![None; g.tensors.len()];
        for op in &g.operators {
            for &o in &op.outputs {
                writer[o] = Some(op.index);
            }
        }
        for op in &g.operators {
            for i in op.present_inputs() {
                if let Some(w) = writer[i] {
                    if w != op.index && pos[w] >= pos[op.index] {
                        return Err(CodegenError::InvalidOrder {
                            layer: op.index,
                            op: op.name().into(),
                            reason: format!("reads tensor {} before layer {w} writes it", i),
                        });
                    }
                }
            }
        }
        let mut time = pos.clone();
        for (l, s) in self.plan.in_place.iter().enumerate() {
            match s {
                InPlace::FusedAdd { add_layer, .. } => {
                    let a = *add_layer;
                    if a >= n || self.plan.in_place[a] != (InPlace::FusedInto { layer: l }) {
                        return Err(self.rule(l, "its ADD does not name it as FusedInto"));
                    }
                    if pos[a] != pos[l] + 1 {
                        return Err(self.rule(l, "the fused ADD does not directly follow it"));
                    }
                    time[a] = pos[l];
                }
                InPlace::FusedInto { layer } if !matches!(self.plan.in_place.get(*layer), Some(InPlace::FusedAdd { add_layer, .. }) if *add_layer == l) =>
                {
                    return Err(self.rule(l, "no convolution claims this ADD"));
                }
                _ => {}
            }
        }
        Ok(time)
    }

    /// Per tensor, the times it is live (inclusive), if it must be stored.
    fn spans(
        &self,
        time: &[usize],
        fused_away: &[usize],
    ) -> Result<Vec<Option<(usize, usize)>>, CodegenError> {
        let g = self.graph;
        let end = g.operators.len().saturating_sub(1);
        let mut spans: Vec<Option<(usize, usize)>> = vec![None; g.tensors.len()];
        let mut extend = |t: usize, at: usize| {
            spans[t] = Some(match spans[t] {
                None => (at, at),
                Some((a, b)) => (a.min(at), b.max(at)),
            });
        };
        for op in &g.operators {
            for t in op
                .present_inputs()
                .chain(op.outputs.iter().copied())
                .chain(op.intermediates.iter().copied())
            {
                extend(t, time[op.index]);
            }
        }
        for &t in &g.inputs {
            extend(t, 0);
        }
        for &t in &g.outputs {
            extend(t, end);
        }
        for t in &g.tensors {
            if t.is_variable {
                extend(t.index, 0);
                extend(t.index, end);
            }
        }
        for (t, tensor) in g.tensors.iter().enumerate() {
            if tensor.data.is_some() {
                spans[t] = None;
                continue;
            }
            if self.plan.external.contains(&t) {
                if self.plan.buffers[t].is_some() {
                    return Err(CodegenError::ExternalPlaced {
                        tensor: self.label(t),
                    });
                }
                spans[t] = None;
                continue;
            }
            if fused_away.contains(&t) {
                if self.plan.buffers[t].is_some() {
                    return Err(CodegenError::InPlaceRule {
                        layer: g
                            .operators
                            .iter()
                            .find(|o| o.outputs.contains(&t))
                            .map_or(0, |o| o.index),
                        op: "fused convolution".into(),
                        scheme: "fused_add".into(),
                        reason: format!(
                            "tensor {} is never stored but has a placement",
                            self.label(t)
                        ),
                    });
                }
                spans[t] = None;
                continue;
            }
            if spans[t].is_some() {
                let needed = tensor.byte_size();
                match self.plan.buffers[t] {
                    None => {
                        return Err(CodegenError::MissingPlacement {
                            tensor: self.label(t),
                        })
                    }
                    Some(p) if p.size < needed => {
                        return Err(CodegenError::TooSmall {
                            what: format!("tensor {}", self.label(t)),
                            size: p.size,
                            needed,
                        })
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(spans)
    }

    fn all_placements(&self) -> Vec<(String, Placement)> {
        let mut all = Vec::new();
        for (t, p) in self.plan.buffers.iter().enumerate() {
            if let Some(p) = p {
                all.push((format!("tensor {}", self.label(t)), *p));
            }
        }
        for (l, p) in self.plan.scratch.iter().enumerate() {
            if let Some(p) = p {
                all.push((format!("scratch of layer {l}"), *p));
            }
        }
        for (l, s) in self.plan.in_place.iter().enumerate() {
            if let InPlace::RowBuffer {
                line_buffer: Some(p),
                ..
            } = s
            {
                all.push((format!("line buffer of layer {l}"), *p));
            }
        }
        all
    }

    fn bounds(&self) -> Result<(), CodegenError> {
        if self.plan.arena_size % ALIGNMENT != 0 {
            return Err(CodegenError::Misaligned {
                what: "the arena size".into(),
                offset: self.plan.arena_size,
                alignment: ALIGNMENT,
            });
        }
        for (what, p) in self.all_placements() {
            if p.offset % ALIGNMENT != 0 {
                return Err(CodegenError::Misaligned {
                    what,
                    offset: p.offset,
                    alignment: ALIGNMENT,
                });
            }
            if p.offset + p.size > self.plan.arena_size {
                return Err(CodegenError::OutsideArena {
                    what,
                    offset: p.offset,
                    end: p.offset + p.size,
                    arena: self.plan.arena_size,
                });
            }
        }
        Ok(())
    }

    /// Verifies each layer's scheme; returns the overlaps it allows.
    fn schemes(
        &self,
        time: &[usize],
        spans: &[Option<(usize, usize)>],
    ) -> Result<Vec<Exemption>, CodegenError> {
        let g = self.graph;
        let mut exempt = Vec::new();
        let place = |t: usize| self.plan.buffers.get(t).copied().flatten();
        // The tensor dies at `at`: live, last read then, not a graph output.
        let dies = |t: usize, at: usize| {
            spans[t].is_some_and(|(_, e)| e == at)
                && !g.outputs.contains(&t)
                && !g.tensors[t].is_variable
        };
        for (l, scheme) in self.plan.in_place.iter().enumerate() {
            let op = &g.operators[l];
            let at = time[l];
            match scheme {
                InPlace::None | InPlace::FusedInto { .. } => {}
                InPlace::Alias { of } => {
                    if !matches!(
                        op.kind,
                        OpKind::Reshape { .. } | OpKind::Squeeze { .. } | OpKind::ExpandDims
                    ) {
                        return Err(self.rule(l, "only RESHAPE, SQUEEZE, EXPAND_DIMS may alias"));
                    }
                    let out = op.outputs[0];
                    if op.input(0) != Some(*of) {
                        return Err(self.rule(l, "aliases a tensor that is not its input 0"));
                    }
                    match (place(out), place(*of)) {
                        (Some(a), Some(b)) if a.offset == b.offset && a.size == b.size => {}
                        _ => return Err(self.rule(l, "output and input do not share their bytes")),
                    }
                }
                InPlace::Elementwise { input } => {
                    let out = op.outputs[0];
                    if !elementwise(&op.kind) || !op.present_inputs().any(|i| i == *input) {
                        return Err(self.rule(l, "not an element-wise layer over that input"));
                    }
                    let (ti, to) = (&g.tensors[*input], &g.tensors[out]);
                    if ti.shape != to.shape || ti.byte_size() != to.byte_size() {
                        return Err(self.rule(l, "input and output differ in shape or size"));
                    }
                    if place(out).map(|p| p.offset) != place(*input).map(|p| p.offset) {
                        return Err(self.rule(l, "output does not start exactly at the input"));
                    }
                    if !dies(*input, at) {
                        return Err(self.rule(l, "the overwritten input is read later"));
                    }
                    exempt.push((at, out, *input));
                }
                InPlace::RowBuffer {
                    input,
                    unit,
                    delta,
                    in_unit_bytes,
                    out_unit_bytes,
                    rows,
                    line_buffer,
                } => {
                    let out = op.outputs[0];
                    if op.input(0) != Some(*input) {
                        return Err(self.rule(l, "overwrites a tensor that is not its input 0"));
                    }
                    if !dies(*input, at) {
                        return Err(self.rule(l, "the overwritten input is read later"));
                    }
                    let w = Window::of(g, op)
                        .ok_or_else(|| self.rule(l, "not a batch-1 convolution or pooling"))?;
                    let (w, unit_ok) = match unit {
                        RowUnit::Rows => (w, true),
                        RowUnit::Pixels => (w.pixels(), w.pointwise),
                    };
                    if !unit_ok || w.in_bytes != *in_unit_bytes || w.out_bytes != *out_unit_bytes {
                        return Err(self.rule(l, "unit geometry does not match the layer"));
                    }
                    let (Some(pi), Some(po)) = (place(*input), place(out)) else {
                        return Err(self.rule(l, "input or output not placed"));
                    };
                    if po.offset as i64 - pi.offset as i64 != *delta {
                        return Err(self.rule(l, "delta does not match the placements"));
                    }
                    if *rows > 0 {
                        match line_buffer {
                            Some(lb) if lb.size >= rows * in_unit_bytes => {}
                            _ => return Err(self.rule(l, "line buffer missing or too small")),
                        }
                    }
                    w.prove(pi.offset as i64, po.offset as i64, *rows)
                        .map_err(|reason| self.rule(l, reason))?;
                    exempt.push((at, out, *input));
                }
                InPlace::FusedAdd {
                    add_layer,
                    conv_output,
                    residual,
                } => {
                    if !matches!(op.kind, OpKind::Conv2d(_) | OpKind::DepthwiseConv2d(_)) {
                        return Err(self.rule(l, "only convolutions may fuse an ADD"));
                    }
                    let add = &g.operators[*add_layer];
                    let ins: Vec<usize> = add.present_inputs().collect();
                    if !matches!(add.kind, OpKind::Add { .. })
                        || op.outputs.first() != Some(conv_output)
                        || ins.len() != 2
                        || !(ins == [*conv_output, *residual] || ins == [*residual, *conv_output])
                    {
                        return Err(
                            self.rule(l, "the ADD does not add this output to the residual")
                        );
                    }
                    let out = add.outputs[0];
                    let shape = &g.tensors[out].shape;
                    if &g.tensors[*conv_output].shape != shape
                        || &g.tensors[*residual].shape != shape
                    {
                        return Err(self.rule(l, "the ADD broadcasts"));
                    }
                    let others = g.operators.iter().any(|o| {
                        o.index != *add_layer && o.present_inputs().any(|i| i == *conv_output)
                    });
                    if others || g.outputs.contains(conv_output) {
                        return Err(self.rule(l, "the convolution's output is used elsewhere"));
                    }
                    match (place(out), place(*residual)) {
                        (Some(a), Some(b)) if a.offset == b.offset && a.size == b.size => {}
                        _ => {
                            return Err(self.rule(l, "the ADD's output is not exactly the residual"))
                        }
                    }
                    if !dies(*residual, at) {
                        return Err(self.rule(l, "the residual is read after the ADD"));
                    }
                    exempt.push((at, out, *residual));
                }
            }
        }
        Ok(exempt)
    }

    fn overlaps(
        &self,
        time: &[usize],
        spans: &[Option<(usize, usize)>],
        exempt: &[Exemption],
    ) -> Result<(), CodegenError> {
        let g = self.graph;
        // Alias roots (through Alias schemes only).
        let mut root: Vec<usize> = (0..g.tensors.len()).collect();
        let mut by_time: Vec<usize> = (0..g.operators.len()).collect();
        by_time.sort_by_key(|&l| time[l]);
        for &l in &by_time {
            if let InPlace::Alias { of } = self.plan.in_place[l] {
                root[g.operators[l].outputs[0]] = root[of];
            }
        }
        let steps = g.operators.len().max(1);
        for at in 0..steps {
            // (label, placement, tensor)
            let mut live: Vec<(String, Placement, Option<usize>)> = Vec::new();
            for (t, s) in spans.iter().enumerate() {
                if let (Some((a, b)), Some(p)) = (s, self.plan.buffers[t]) {
                    if *a <= at && at <= *b {
                        live.push((format!("tensor {}", self.label(t)), p, Some(t)));
                    }
                }
            }
            let mut layer_here = None;
            for (l, _) in time.iter().enumerate().filter(|(_, &t)| t == at) {
                layer_here.get_or_insert(l);
                if let Some(p) = self.plan.scratch[l] {
                    live.push((format!("scratch of layer {l}"), p, None));
                }
                if let InPlace::RowBuffer {
                    line_buffer: Some(p),
                    ..
                } = self.plan.in_place[l]
                {
                    live.push((format!("line buffer of layer {l}"), p, None));
                }
            }
            for i in 0..live.len() {
                for j in i + 1..live.len() {
                    let (a, b) = (&live[i], &live[j]);
                    if !a.1.overlaps(&b.1) {
                        continue;
                    }
                    if let (Some(x), Some(y)) = (a.2, b.2) {
                        let same_bytes = a.1 == b.1 && root[x] == root[y];
                        let allowed = exempt.iter().any(|&(t, out, input)| {
                            let is_input = |z: usize| {
                                z == input
                                    || (root[z] == root[input]
                                        && self.plan.buffers[z] == self.plan.buffers[input]
                                        && spans[z].is_some_and(|(_, e)| e == at)
                                        && !g.outputs.contains(&z)
                                        && !g.tensors[z].is_variable)
                            };
                            t == at && ((x == out && is_input(y)) || (y == out && is_input(x)))
                        });
                        if same_bytes || allowed {
                            continue;
                        }
                    }
                    let l = layer_here.unwrap_or(0);
                    return Err(CodegenError::Overlap {
                        layer: l,
                        op: g.operators.get(l).map_or("?".into(), |o| o.name().into()),
                        first: format!("{} (bytes {}..{})", a.0, a.1.offset, a.1.end()),
                        second: format!("{} (bytes {}..{})", b.0, b.1.offset, b.1.end()),
                    });
                }
            }
        }
        Ok(())
    }
}

fn elementwise(kind: &OpKind) -> bool {
    use OpKind::*;
    matches!(
        kind,
        Add { .. }
            | Sub { .. }
            | Mul { .. }
            | Div { .. }
            | SquaredDifference
            | Maximum
            | Minimum
            | Relu
            | Relu6
            | ReluN1To1
            | Relu0To1
            | LeakyRelu { .. }
            | HardSwish
            | Logistic
            | Tanh
            | Elu
            | Abs
            | Neg
            | Exp
            | Log
            | Sqrt
            | Rsqrt
            | Square
            | Floor
            | Ceil
            | Round
            | Sin
            | Cos
            | Quantize
    )
}

/// The checker's own view of a layer's window along H (or along pixels).
struct Window {
    n_in: usize,
    n_out: usize,
    in_bytes: usize,
    out_bytes: usize,
    first_offset: i64,
    span: usize,
    step: usize,
    /// Whether the layer is a 1x1, stride-1 CONV_2D (pixel units allowed).
    pointwise: bool,
    width: usize,
    width_out: usize,
}

impl Window {
    fn of(g: &Graph, op: &Operator) -> Option<Window> {
        let x = &g.tensors[op.input(0)?];
        let y = &g.tensors[*op.outputs.first()?];
        let (&[1, h, w, c], &[1, ho, wo, co]) = (x.shape.as_slice(), y.shape.as_slice()) else {
            return None;
        };
        let bytes = x.dtype.bits().filter(|b| b % 8 == 0)? / 8;
        if y.dtype.bits()? != bytes * 8 {
            return None;
        }
        let filter = |op: &Operator| -> Option<(usize, usize)> {
            let f = &g.tensors[op.input(1)?];
            Some((*f.shape.get(1)?, *f.shape.get(2)?))
        };
        let (kh, kw, sh, sw, dh, pad, conv) = match &op.kind {
            OpKind::Conv2d(o) => {
                let (kh, kw) = filter(op)?;
                (
                    kh,
                    kw,
                    o.stride_h,
                    o.stride_w,
                    o.dilation_h,
                    o.padding,
                    true,
                )
            }
            OpKind::DepthwiseConv2d(o) => {
                let (kh, kw) = filter(op)?;
                (
                    kh,
                    kw,
                    o.stride_h,
                    o.stride_w,
                    o.dilation_h,
                    o.padding,
                    false,
                )
            }
            OpKind::AveragePool2d(o) | OpKind::MaxPool2d(o) => (
                o.filter_h as usize,
                o.filter_w as usize,
                o.stride_h,
                o.stride_w,
                1,
                o.padding,
                false,
            ),
            _ => return None,
        };
        if sh < 1 || sw < 1 || dh < 1 || kh < 1 {
            return None;
        }
        let (sh, dh) = (sh as usize, dh as usize);
        let span = (kh - 1) * dh + 1;
        let top = match pad {
            Padding::Valid => 0,
            Padding::Same => ((ho - 1) * sh + span).saturating_sub(h) / 2,
        };
        Some(Window {
            n_in: h,
            n_out: ho,
            in_bytes: w * c * bytes,
            out_bytes: wo * co * bytes,
            first_offset: -(top as i64),
            span,
            step: sh,
            pointwise: conv && kh == 1 && kw == 1 && sh == 1 && sw == 1 && h == ho && w == wo,
            width: w,
            width_out: wo,
        })
    }

    /// The same layer with one pixel per unit (only for pointwise layers).
    fn pixels(&self) -> Window {
        Window {
            n_in: self.n_in * self.width,
            n_out: self.n_out * self.width_out,
            in_bytes: self.in_bytes / self.width.max(1),
            out_bytes: self.out_bytes / self.width_out.max(1),
            first_offset: 0,
            span: 1,
            step: 1,
            pointwise: true,
            width: 1,
            width_out: 1,
        }
    }

    /// Input units output unit `y` reads: `lo..=hi` clipped, or `None`.
    fn reads(&self, y: usize) -> Option<(usize, usize)> {
        let lo = (y * self.step) as i64 + self.first_offset;
        let hi = lo + self.span as i64 - 1;
        let (lo, hi) = (lo.max(0), hi.min(self.n_in as i64 - 1));
        (lo <= hi).then_some((lo as usize, hi as usize))
    }

    /// Proves that the kernel contract of [`InPlace::RowBuffer`] with `rows`
    /// slots keeps every read intact, input at byte `i`, output at `o`.
    fn prove(&self, i: i64, o: i64, rows: usize) -> Result<(), String> {
        let (ri, ro) = (self.in_bytes as i64, self.out_bytes as i64);
        // Last output unit reading each input unit.
        let mut last_read: Vec<Option<usize>> = vec![None; self.n_in];
        for y in 0..self.n_out {
            if let Some((a, b)) = self.reads(y) {
                for slot in &mut last_read[a..=b] {
                    *slot = Some(y);
                }
            }
        }
        // Saved units: (unit, saved before output unit w, held through last read).
        let mut saved: Vec<(usize, usize, usize)> = Vec::new();
        for (r, last) in last_read.iter().enumerate() {
            let Some(last) = *last else { continue };
            let start = i + r as i64 * ri;
            let end = start + ri;
            // First output unit whose bytes meet input unit r.
            let w = (start - o).div_euclid(ro).max(0);
            let clobbered = w < self.n_out as i64 && o + w * ro < end;
            if clobbered && (w as usize) <= last {
                saved.push((r, w as usize, last));
            }
        }
        if !saved.is_empty() && rows == 0 {
            return Err(format!(
                "input unit {} is overwritten by output unit {} before its last read, with no line buffer",
                saved[0].0, saved[0].1
            ));
        }
        for (k, &(r1, w1, l1)) in saved.iter().enumerate() {
            for &(r2, w2, l2) in &saved[k + 1..] {
                if r1 % rows == r2 % rows && w1 <= l2 && w2 <= l1 {
                    return Err(format!(
                        "input units {r1} and {r2} need line-buffer slot {} at the same time",
                        r1 % rows
                    ));
                }
            }
        }
        Ok(())
    }
}
