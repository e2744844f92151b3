//! Choosing in-place schemes, and the buffer groups they create.
//!
//! A group is a set of tensors whose offsets are tied together by in-place
//! schemes (an alias, or an output written over its input); the allocator
//! places a group as one piece, each member at its offset relative to the
//! group. Rules, in the order they are tried for each layer:
//! 1. fused ADD: an ADD whose operand comes from a convolution used only by
//!    it, and whose other operand (the residual) dies at the ADD, runs
//!    inside that convolution and writes over the residual;
//! 2. alias: RESHAPE, SQUEEZE, EXPAND_DIMS share their input's bytes;
//! 3. element-wise: the output is written exactly over an input of the
//!    same shape that dies there;
//! 4. row buffer: a convolution, depthwise convolution or pooling layer
//!    writes over its dying input 0, start- or end-aligned, saving the input
//!    units it still needs in a line buffer, if that costs fewer bytes than
//!    a separate output.

use autodeploy_model::{ElementType, Graph, OpKind, Operator, Padding};

use super::liveness::Liveness;
use super::{InPlace, RowUnit, ALIGNMENT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Enabled {
    pub alias: bool,
    pub elementwise: bool,
    pub row_buffer: bool,
    pub fused_add: bool,
}

/// Per layer, its scheme (line buffers not yet placed).
#[derive(Debug, Clone)]
pub(crate) struct Schemes(pub Vec<InPlace>);

impl Schemes {
    pub fn none(graph: &Graph) -> Schemes {
        Schemes(vec![InPlace::None; graph.operators.len()])
    }
}

fn is_reshape_like(kind: &OpKind) -> bool {
    matches!(
        kind,
        OpKind::Reshape { .. } | OpKind::Squeeze { .. } | OpKind::ExpandDims
    )
}

/// Operators where output element `i` depends on input elements at `i`
/// only (for inputs of the output's shape).
fn is_elementwise(kind: &OpKind) -> bool {
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

/// Follows RESHAPE-like layers back to the tensor whose bytes they share
/// when aliased (used to stay conservative before aliases are decided).
fn alias_root(graph: &Graph, producers: &[Option<usize>], mut t: usize) -> usize {
    while let Some(p) = producers[t] {
        let op = &graph.operators[p];
        match op.input(0) {
            Some(i) if is_reshape_like(&op.kind) && graph.tensors[i].data.is_none() => t = i,
            _ => break,
        }
    }
    t
}

/// Chooses a scheme for every layer; may move fused ADDs right after their
/// convolution, so returns the order too.
///
/// `allowed[l]` says whether layer `l` may use an element-wise or row-buffer
/// scheme (the planner switches them on one by one where they pay).
pub(crate) fn choose(
    graph: &Graph,
    order: &[usize],
    enabled: &Enabled,
    allowed: &[bool],
    external: &[usize],
) -> (Vec<usize>, Schemes) {
    let mut order = order.to_vec();
    let mut schemes = Schemes::none(graph);
    if enabled.fused_add {
        fuse_adds(graph, &mut order, &mut schemes);
    }
    // External tensors have no interval, so no scheme below picks them.
    let live = Liveness::new(graph, &order, &schemes, external);
    let mut groups = Groups::singletons(graph, &live);
    for &l in &order {
        let op = &graph.operators[l];
        let step = live.step[l];
        if let InPlace::FusedAdd {
            add_layer,
            residual,
            ..
        } = schemes.0[l]
        {
            let out = graph.operators[add_layer].outputs[0];
            if groups.can_write_over(graph, &live, out, residual, 0, step) {
                groups.join(out, residual, 0);
            } else {
                // Cannot happen with the checks in fuse_adds; stay safe.
                schemes.0[l] = InPlace::None;
                schemes.0[add_layer] = InPlace::None;
            }
            continue;
        }
        if !matches!(schemes.0[l], InPlace::None) || op.outputs.len() != 1 {
            continue;
        }
        let out = op.outputs[0];
        let out_t = &graph.tensors[out];
        if out_t.is_variable || live.interval[out].is_none() {
            continue;
        }
        let Some(x) = op.input(0) else { continue };
        let x_live = live.interval[x].is_some() && !graph.tensors[x].is_variable;
        if enabled.alias && is_reshape_like(&op.kind) {
            if x_live && graph.tensors[x].byte_size() == out_t.byte_size() {
                schemes.0[l] = InPlace::Alias { of: x };
                groups.join(out, x, 0);
            }
            continue;
        }
        if !allowed[l] {
            continue;
        }
        if enabled.elementwise && is_elementwise(&op.kind) {
            let candidate = op.present_inputs().find(|&i| {
                let t = &graph.tensors[i];
                live.interval[i].is_some()
                    && !t.is_variable
                    && !graph.outputs.contains(&i)
                    && live.dies_at(i, step)
                    && t.shape == out_t.shape
                    && t.dtype.bits() == out_t.dtype.bits()
                    && t.byte_size() == out_t.byte_size()
                    && groups.can_write_over(graph, &live, out, i, 0, step)
            });
            if let Some(i) = candidate {
                schemes.0[l] = InPlace::Elementwise { input: i };
                groups.join(out, i, 0);
            }
            continue;
        }
        if enabled.row_buffer && x_live && !graph.outputs.contains(&x) && live.dies_at(x, step) {
            if let Some(g) = RowGeom::of(graph, op) {
                let si = graph.tensors[x].byte_size() as i64;
                let so = out_t.byte_size() as i64;
                // (bytes at this step, growth of the group, delta, rows)
                let mut best: Option<(i64, i64, i64, usize)> = None;
                let down = |v: i64| v.div_euclid(ALIGNMENT as i64) * ALIGNMENT as i64;
                let (gmin, gmax) = groups.extent(x);
                let rx = groups.rel[x];
                // Start-aligned, end-aligned, or flush with the group's ends
                // (so that a chain of in-place layers does not drift).
                for delta in [0, down(si - so), down(gmin - rx), down(gmax - so - rx)] {
                    if !groups.can_write_over(graph, &live, out, x, delta, step) {
                        continue;
                    }
                    let Some(rows) = g.line_rows(delta) else {
                        continue;
                    };
                    let overlap = (si.min(delta + so) - delta.max(0)).max(0);
                    let here = si + so - overlap + (rows * g.in_unit) as i64;
                    let grown = gmax.max(rx + delta + so) - gmin.min(rx + delta) - (gmax - gmin);
                    let key = (here, grown, delta, rows);
                    if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
                        best = Some(key);
                    }
                }
                if let Some((here, _, delta, rows)) = best {
                    if here < si + so {
                        schemes.0[l] = InPlace::RowBuffer {
                            input: x,
                            unit: g.unit,
                            delta,
                            in_unit_bytes: g.in_unit,
                            out_unit_bytes: g.out_unit,
                            rows,
                            line_buffer: None,
                        };
                        groups.join(out, x, delta);
                    }
                }
            }
        }
    }
    (order, schemes)
}

fn fuse_adds(graph: &Graph, order: &mut Vec<usize>, schemes: &mut Schemes) {
    let producers = super::order::producers(graph);
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); graph.tensors.len()];
    for op in &graph.operators {
        for t in op.present_inputs() {
            consumers[t].push(op.index);
        }
    }
    let adds: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&l| matches!(graph.operators[l].kind, OpKind::Add { .. }))
        .collect();
    for a in adds {
        let add = &graph.operators[a];
        let (Some(i0), Some(i1)) = (add.input(0), add.input(1)) else {
            continue;
        };
        if add.outputs.len() != 1 || i0 == i1 {
            continue;
        }
        let out = add.outputs[0];
        // The runtime fuses int8 convolutions only (`ad_conv2d_add_s8`).
        if graph.tensors[out].dtype == ElementType::Int16 {
            continue;
        }
        let same = |t: usize| {
            graph.tensors[t].shape == graph.tensors[out].shape
                && graph.tensors[t].dtype == graph.tensors[out].dtype
                && graph.tensors[t].data.is_none()
                && !graph.tensors[t].is_variable
        };
        if !same(i0) || !same(i1) || graph.tensors[out].is_variable {
            continue;
        }
        for (conv_out, residual) in [(i0, i1), (i1, i0)] {
            let Some(c) = producers[conv_out] else {
                continue;
            };
            let conv = &graph.operators[c];
            if !matches!(conv.kind, OpKind::Conv2d(_) | OpKind::DepthwiseConv2d(_))
                || !matches!(schemes.0[c], InPlace::None)
                || conv.outputs.len() != 1
                || consumers[conv_out] != [a]
                || graph.outputs.contains(&conv_out)
                || graph.outputs.contains(&residual)
            {
                continue;
            }
            let pos = |l: usize| order.iter().position(|&x| x == l).unwrap_or(usize::MAX);
            let pc = pos(c);
            // The residual must exist before the convolution runs...
            if let Some(p) = producers[residual] {
                if pos(p) >= pc {
                    continue;
                }
            }
            // ...and be read by nothing after the convolution but the ADD,
            // through any alias either.
            let root = alias_root(graph, &producers, residual);
            let class: Vec<usize> = (0..graph.tensors.len())
                .filter(|&t| alias_root(graph, &producers, t) == root)
                .collect();
            if class.iter().any(|&t| {
                graph.outputs.contains(&t) || consumers[t].iter().any(|&u| u != a && pos(u) > pc)
            }) {
                continue;
            }
            // The convolution must not read the residual's bytes.
            if conv
                .present_inputs()
                .any(|i| alias_root(graph, &producers, i) == root)
            {
                continue;
            }
            order.retain(|&l| l != a);
            let pc = order.iter().position(|&x| x == c).unwrap_or(0);
            order.insert(pc + 1, a);
            schemes.0[c] = InPlace::FusedAdd {
                add_layer: a,
                conv_output: conv_out,
                residual,
            };
            schemes.0[a] = InPlace::FusedInto { layer: c };
            break;
        }
    }
}

/// Tensors whose offsets are tied together.
#[derive(Debug, Clone)]
pub(crate) struct Groups {
    /// Per tensor in the arena, its group.
    pub of: Vec<Option<usize>>,
    /// Per tensor, its offset relative to its group (multiple of 16).
    pub rel: Vec<i64>,
    /// Members of each group (empty for merged-away groups).
    pub members: Vec<Vec<usize>>,
    /// Per tensor, its byte size.
    pub sizes: Vec<i64>,
}

impl Groups {
    fn singletons(graph: &Graph, live: &Liveness) -> Groups {
        let mut of = vec![None; graph.tensors.len()];
        let mut members = Vec::new();
        for (t, iv) in live.interval.iter().enumerate() {
            if iv.is_some() {
                of[t] = Some(members.len());
                members.push(vec![t]);
            }
        }
        Groups {
            of,
            rel: vec![0; graph.tensors.len()],
            members,
            sizes: graph.tensors.iter().map(|t| t.byte_size() as i64).collect(),
        }
    }

    /// The groups the schemes of a finished choice imply.
    pub fn build(graph: &Graph, live: &Liveness, schemes: &Schemes) -> Groups {
        let mut groups = Groups::singletons(graph, live);
        let mut layers: Vec<usize> = (0..graph.operators.len()).collect();
        layers.sort_by_key(|&l| live.step[l]);
        for l in layers {
            match &schemes.0[l] {
                InPlace::Alias { of } => groups.join(graph.operators[l].outputs[0], *of, 0),
                InPlace::Elementwise { input } => {
                    groups.join(graph.operators[l].outputs[0], *input, 0)
                }
                InPlace::RowBuffer { input, delta, .. } => {
                    groups.join(graph.operators[l].outputs[0], *input, *delta)
                }
                InPlace::FusedAdd {
                    add_layer,
                    residual,
                    ..
                } => groups.join(graph.operators[*add_layer].outputs[0], *residual, 0),
                InPlace::None | InPlace::FusedInto { .. } => {}
            }
        }
        groups
    }

    /// The lowest and highest relative byte of `x`'s group.
    fn extent(&self, x: usize) -> (i64, i64) {
        let Some(g) = self.of[x] else { return (0, 0) };
        let lo = self.members[g]
            .iter()
            .map(|&m| self.rel[m])
            .min()
            .unwrap_or(0);
        let hi = self.members[g]
            .iter()
            .map(|&m| self.rel[m] + self.sizes[m])
            .max()
            .unwrap_or(0);
        (lo, hi)
    }

    /// Moves `y`'s group into `x`'s, with `y` at `delta` bytes from `x`.
    pub fn join(&mut self, y: usize, x: usize, delta: i64) {
        let (Some(gy), Some(gx)) = (self.of[y], self.of[x]) else {
            return;
        };
        if gy == gx {
            return;
        }
        let shift = self.rel[x] + delta - self.rel[y];
        let moved = std::mem::take(&mut self.members[gy]);
        for &m in &moved {
            self.rel[m] += shift;
            self.of[m] = Some(gx);
        }
        self.members[gx].extend(moved);
    }

    /// Whether output `y`, born at `step`, may sit `delta` bytes from `x`
    /// without touching another member of `x`'s group still live at or
    /// after `step` (members identical to `x`, dying here, are `x`).
    fn can_write_over(
        &self,
        graph: &Graph,
        live: &Liveness,
        y: usize,
        x: usize,
        delta: i64,
        step: usize,
    ) -> bool {
        let (Some(gx), Some(gy)) = (self.of[x], self.of[y]) else {
            return false;
        };
        if gx == gy || self.members[gy].len() != 1 {
            return false;
        }
        let start = self.rel[x] + delta;
        let end = start + graph.tensors[y].byte_size() as i64;
        self.members[gx].iter().all(|&m| {
            let Some((_, last)) = live.interval[m] else {
                return true;
            };
            if last < step {
                return true;
            }
            let ms = self.rel[m];
            let me = ms + graph.tensors[m].byte_size() as i64;
            let disjoint = me <= start || end <= ms;
            let same_as_x = ms == self.rel[x]
                && graph.tensors[m].byte_size() == graph.tensors[x].byte_size()
                && last == step
                && !graph.outputs.contains(&m)
                && !graph.tensors[m].is_variable;
            m == x || disjoint || same_as_x
        })
    }

    /// The number of bytes live at each step: per group, the union of its
    /// live members' ranges; plus scratch and line buffers. The largest is
    /// a lower bound for the arena.
    pub fn live_bytes(&self, live: &Liveness, scratch: &[usize], schemes: &Schemes) -> Vec<usize> {
        let mut per_step = vec![0usize; live.steps];
        for (l, &s) in scratch.iter().enumerate() {
            per_step[live.step[l]] += s;
        }
        for (l, s) in schemes.0.iter().enumerate() {
            if let InPlace::RowBuffer {
                rows,
                in_unit_bytes,
                ..
            } = s
            {
                per_step[live.step[l]] += rows * in_unit_bytes;
            }
        }
        for members in &self.members {
            if members.is_empty() {
                continue;
            }
            for (step, total) in per_step.iter_mut().enumerate() {
                let mut ranges: Vec<(i64, i64)> = members
                    .iter()
                    .filter(|&&m| live.interval[m].is_some_and(|(f, e)| f <= step && step <= e))
                    .map(|&m| (self.rel[m], self.rel[m] + self.sizes[m]))
                    .collect();
                ranges.sort_unstable();
                let mut covered = 0i64;
                let mut reach = i64::MIN;
                for (s, e) in ranges {
                    let s = s.max(reach);
                    if e > s {
                        covered += e - s;
                    }
                    reach = reach.max(e);
                }
                *total += covered as usize;
            }
        }
        per_step
    }
}

/// A layer seen as units (rows or pixels) of input and output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RowGeom {
    pub unit: RowUnit,
    pub units_in: usize,
    pub in_unit: usize,
    pub units_out: usize,
    pub out_unit: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    pad: usize,
}

impl RowGeom {
    /// The geometry of a CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D or
    /// MAX_POOL_2D with batch 1, or `None`.
    pub fn of(graph: &Graph, op: &Operator) -> Option<RowGeom> {
        let x = graph.tensors.get(op.input(0)?)?;
        let y = graph.tensors.get(*op.outputs.first()?)?;
        if x.shape.len() != 4 || y.shape.len() != 4 || x.shape[0] != 1 || y.shape[0] != 1 {
            return None;
        }
        let bits = x.dtype.bits()?;
        // The runtime has row-buffer kernels for int8 and float32 only.
        if bits % 8 != 0 || bits == 16 || y.dtype.bits()? != bits {
            return None;
        }
        let e = bits / 8;
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3]);
        let (ho, wo, co) = (y.shape[1], y.shape[2], y.shape[3]);
        let (kh, kw, sh, sw, dh, padding) = match &op.kind {
            OpKind::Conv2d(o) => {
                let f = graph.tensors.get(op.input(1)?)?;
                if f.shape.len() != 4 {
                    return None;
                }
                let (sh, sw, dh) = (o.stride_h, o.stride_w, o.dilation_h);
                (f.shape[1], f.shape[2], sh, sw, dh, o.padding)
            }
            OpKind::DepthwiseConv2d(o) => {
                let f = graph.tensors.get(op.input(1)?)?;
                if f.shape.len() != 4 {
                    return None;
                }
                (
                    f.shape[1],
                    f.shape[2],
                    o.stride_h,
                    o.stride_w,
                    o.dilation_h,
                    o.padding,
                )
            }
            OpKind::AveragePool2d(o) | OpKind::MaxPool2d(o) => (
                usize::try_from(o.filter_h).ok()?,
                usize::try_from(o.filter_w).ok()?,
                o.stride_h,
                o.stride_w,
                1,
                o.padding,
            ),
            _ => return None,
        };
        let sh = usize::try_from(sh).ok().filter(|&s| s > 0)?;
        let sw = usize::try_from(sw).ok().filter(|&s| s > 0)?;
        let dh = usize::try_from(dh).ok().filter(|&d| d > 0)?;
        if kh == 0 || h == 0 || ho == 0 || w == 0 || wo == 0 {
            return None;
        }
        if matches!(op.kind, OpKind::Conv2d(_))
            && kh == 1
            && kw == 1
            && sh == 1
            && sw == 1
            && h == ho
            && w == wo
        {
            return Some(RowGeom {
                unit: RowUnit::Pixels,
                units_in: h * w,
                in_unit: c * e,
                units_out: h * w,
                out_unit: co * e,
                kernel: 1,
                stride: 1,
                dilation: 1,
                pad: 0,
            });
        }
        let pad = match padding {
            Padding::Valid => 0,
            Padding::Same => (((ho - 1) * sh + (kh - 1) * dh + 1).saturating_sub(h)) / 2,
        };
        Some(RowGeom {
            unit: RowUnit::Rows,
            units_in: h,
            in_unit: w * c * e,
            units_out: ho,
            out_unit: wo * co * e,
            kernel: kh,
            stride: sh,
            dilation: dh,
            pad,
        })
    }

    /// Input units read by output unit `y`, inclusive, or `None`.
    fn need(&self, y: usize) -> Option<(usize, usize)> {
        let lo = (y * self.stride) as i64 - self.pad as i64;
        let hi = lo + ((self.kernel - 1) * self.dilation) as i64;
        let lo = lo.max(0);
        let hi = hi.min(self.units_in as i64 - 1);
        (lo <= hi).then_some((lo as usize, hi as usize))
    }

    /// The fewest line-buffer slots that make writing the output `delta`
    /// bytes from the input safe, or `None` if more than the input's units.
    pub fn line_rows(&self, delta: i64) -> Option<usize> {
        (0..=self.units_in.min(64)).find(|&k| self.simulate(delta, k))
    }

    fn simulate(&self, delta: i64, k: usize) -> bool {
        // Input units read by output units >= y, as a range (conservative).
        let mut later: Vec<Option<(usize, usize)>> = vec![None; self.units_out + 1];
        for y in (0..self.units_out).rev() {
            later[y] = match (self.need(y), later[y + 1]) {
                (None, l) => l,
                (Some(n), None) => Some(n),
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            };
        }
        let mut slots: Vec<Option<usize>> = vec![None; k];
        let mut clobbered = vec![false; self.units_in];
        let mut saved = vec![false; self.units_in];
        let (ri, ro) = (self.in_unit as i64, self.out_unit as i64);
        for (y, later_y) in later.iter().take(self.units_out).enumerate() {
            let start = delta + y as i64 * ro;
            let end = start + ro;
            let still_needed = |r: usize| later_y.is_some_and(|(a, b)| a <= r && r <= b);
            if end > 0 && start < self.units_in as i64 * ri {
                let first = (start.max(0) / ri) as usize;
                let last = (((end - 1) / ri) as usize).min(self.units_in - 1);
                for r in first..=last {
                    if !clobbered[r] && !saved[r] && still_needed(r) {
                        if k == 0 {
                            return false;
                        }
                        if let Some(u) = slots[r % k] {
                            if still_needed(u) {
                                return false;
                            }
                        }
                        slots[r % k] = Some(r);
                        saved[r] = true;
                    }
                    clobbered[r] = true;
                }
            }
            if let Some((a, b)) = self.need(y) {
                for r in a..=b {
                    if clobbered[r] && !(saved[r] && slots[r % k.max(1)] == Some(r)) {
                        return false;
                    }
                }
            }
        }
        true
    }
}
