//! Random chains and graphs (branches, residual ADDs, reshapes) built with
//! `autodeploy_model::builder`: every plan passes the checker, and running
//! the graph with toy kernels that follow each in-place contract inside one
//! arena gives the same outputs as running it with a buffer per tensor.
#![allow(clippy::needless_range_loop)]

use autodeploy_codegen::plan::{check, plan, InPlace, MemoryPlan, PlanOptions, RowUnit};
use autodeploy_model::builder::{GraphBuilder, TensorSpec};
use autodeploy_model::{
    Activation, Conv2dOptions, DepthwiseConv2dOptions, ElementType, Graph, Model, OpKind, Padding,
    Pool2dOptions,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Conv {
        k: usize,
        s: usize,
        same: bool,
        cout: usize,
        pick: usize,
    },
    Depthwise {
        k: usize,
        s: usize,
        same: bool,
        pick: usize,
    },
    Pool {
        k: usize,
        s: usize,
        same: bool,
        max: bool,
        pick: usize,
    },
    Relu {
        pick: usize,
    },
    Add {
        pick: usize,
    },
    Reshape {
        pick: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let k = prop_oneof![Just(1usize), Just(3), Just(2)];
    let s = 1usize..=2;
    prop_oneof![
        (
            k.clone(),
            s.clone(),
            any::<bool>(),
            1usize..=6,
            any::<usize>()
        )
            .prop_map(|(k, s, same, cout, pick)| Step::Conv {
                k,
                s,
                same,
                cout,
                pick
            }),
        (k.clone(), s.clone(), any::<bool>(), any::<usize>())
            .prop_map(|(k, s, same, pick)| Step::Depthwise { k, s, same, pick }),
        (k, s, any::<bool>(), any::<bool>(), any::<usize>()).prop_map(|(k, s, same, max, pick)| {
            Step::Pool {
                k,
                s,
                same,
                max,
                pick,
            }
        }),
        any::<usize>().prop_map(|pick| Step::Relu { pick }),
        any::<usize>().prop_map(|pick| Step::Add { pick }),
        any::<usize>().prop_map(|pick| Step::Reshape { pick }),
    ]
}

fn out_size(n: usize, k: usize, s: usize, same: bool) -> Option<usize> {
    if same {
        Some(n.div_ceil(s))
    } else {
        (n >= k).then(|| (n - k) / s + 1)
    }
}

/// Builds a graph; `branchy` picks inputs among all tensors, not only the last.
fn build(h: usize, w: usize, c: usize, steps: &[Step], branchy: bool) -> Graph {
    let mut g = GraphBuilder::new();
    let act = |g: &mut GraphBuilder, name: String, shape: [usize; 4]| {
        let s: Vec<i32> = shape.iter().map(|&d| d as i32).collect();
        g.tensor(TensorSpec::new(&name, ElementType::Int8, &s).scale(0.5, 0))
    };
    let input = act(&mut g, "in".into(), [1, h, w, c]);
    let mut acts: Vec<(usize, [usize; 4])> = vec![(input, [1, h, w, c])];
    let mut consumed = vec![false; 1];
    let choose = |acts: &Vec<(usize, [usize; 4])>, pick: usize| {
        if branchy {
            acts.len() - 1 - pick % acts.len().min(3)
        } else {
            acts.len() - 1
        }
    };
    for (i, st) in steps.iter().enumerate() {
        let name = format!("t{i}");
        match *st {
            Step::Conv {
                k, s, same, pick, ..
            }
            | Step::Depthwise { k, s, same, pick } => {
                let a = choose(&acts, pick);
                let (x, [_, xh, xw, xc]) = acts[a];
                let (Some(oh), Some(ow)) = (out_size(xh, k, s, same), out_size(xw, k, s, same))
                else {
                    continue;
                };
                let depthwise = matches!(st, Step::Depthwise { .. });
                let co = match st {
                    Step::Conv { cout, .. } => *cout,
                    _ => xc,
                };
                let fshape = if depthwise {
                    [1, k, k, xc]
                } else {
                    [co, k, k, xc]
                };
                let fdata = vec![1i8; fshape.iter().product()];
                let f = g.tensor(
                    TensorSpec::new(
                        &format!("f{i}"),
                        ElementType::Int8,
                        &fshape.map(|d| d as i32),
                    )
                    .scale(0.5, 0)
                    .data_i8(&fdata),
                );
                let b = g.tensor(
                    TensorSpec::new(&format!("b{i}"), ElementType::Int32, &[co as i32])
                        .scale(0.25, 0)
                        .data_i32(&vec![0; co]),
                );
                let y = act(&mut g, name, [1, oh, ow, co]);
                let padding = if same { Padding::Same } else { Padding::Valid };
                let kind = if depthwise {
                    OpKind::DepthwiseConv2d(DepthwiseConv2dOptions {
                        padding,
                        stride_w: s as i32,
                        stride_h: s as i32,
                        dilation_w: 1,
                        dilation_h: 1,
                        depth_multiplier: 1,
                        activation: Activation::None,
                    })
                } else {
                    OpKind::Conv2d(Conv2dOptions {
                        padding,
                        stride_w: s as i32,
                        stride_h: s as i32,
                        dilation_w: 1,
                        dilation_h: 1,
                        activation: Activation::Relu,
                    })
                };
                g.operator(kind, &[x, f, b], &[y]);
                consumed[a] = true;
                acts.push((y, [1, oh, ow, co]));
                consumed.push(false);
            }
            Step::Pool {
                k,
                s,
                same,
                max,
                pick,
            } => {
                let a = choose(&acts, pick);
                let (x, [_, xh, xw, xc]) = acts[a];
                let (Some(oh), Some(ow)) = (out_size(xh, k, s, same), out_size(xw, k, s, same))
                else {
                    continue;
                };
                let y = act(&mut g, name, [1, oh, ow, xc]);
                let o = Pool2dOptions {
                    padding: if same { Padding::Same } else { Padding::Valid },
                    stride_w: s as i32,
                    stride_h: s as i32,
                    filter_w: k as i32,
                    filter_h: k as i32,
                    activation: Activation::None,
                };
                g.operator(
                    if max {
                        OpKind::MaxPool2d(o)
                    } else {
                        OpKind::AveragePool2d(o)
                    },
                    &[x],
                    &[y],
                );
                consumed[a] = true;
                acts.push((y, [1, oh, ow, xc]));
                consumed.push(false);
            }
            Step::Relu { pick } => {
                let a = choose(&acts, pick);
                let (x, shape) = acts[a];
                let y = act(&mut g, name, shape);
                g.operator(OpKind::Relu, &[x], &[y]);
                consumed[a] = true;
                acts.push((y, shape));
                consumed.push(false);
            }
            Step::Add { pick } => {
                let a = acts.len() - 1;
                let (x, shape) = acts[a];
                let others: Vec<usize> = (0..a).filter(|&j| acts[j].1 == shape).collect();
                if others.is_empty() {
                    continue;
                }
                let b = others[pick % others.len()];
                let y = act(&mut g, name, shape);
                g.operator(
                    OpKind::Add {
                        activation: Activation::None,
                        pot_scale_int16: true,
                    },
                    &[x, acts[b].0],
                    &[y],
                );
                consumed[a] = true;
                consumed[b] = true;
                acts.push((y, shape));
                consumed.push(false);
            }
            Step::Reshape { pick } => {
                let a = choose(&acts, pick);
                let (x, [_, xh, xw, xc]) = acts[a];
                let shape = [1, xw, xh, xc];
                let y = act(&mut g, name, shape);
                g.operator(
                    OpKind::Reshape {
                        new_shape: Some(shape.iter().map(|&d| d as i32).collect()),
                    },
                    &[x],
                    &[y],
                );
                consumed[a] = true;
                acts.push((y, shape));
                consumed.push(false);
            }
        }
    }
    let mut outputs: Vec<usize> = (0..acts.len())
        .filter(|&j| !consumed[j] && j > 0)
        .map(|j| acts[j].0)
        .collect();
    if outputs.is_empty() {
        outputs.push(acts.last().unwrap().0);
    }
    g.inputs(&[input]).outputs(&outputs);
    let bytes = g.into_model().finish().unwrap();
    Model::from_bytes(&bytes).unwrap().main_graph().clone()
}

/// Input units output unit `y` reads (rows, or pixels for 1x1 convolutions).
fn units(graph: &Graph, l: usize, unit: RowUnit) -> (usize, usize, Vec<(usize, usize)>) {
    let op = &graph.operators[l];
    let x = &graph.tensors[op.input(0).unwrap()].shape;
    let y = &graph.tensors[op.outputs[0]].shape;
    if unit == RowUnit::Pixels {
        let n = x[1] * x[2];
        return (x[3], y[3], (0..n).map(|p| (p, p)).collect());
    }
    let (k, s, padding) = match &op.kind {
        OpKind::Conv2d(o) => (
            graph.tensors[op.input(1).unwrap()].shape[1],
            o.stride_h as usize,
            o.padding,
        ),
        OpKind::DepthwiseConv2d(o) => (
            graph.tensors[op.input(1).unwrap()].shape[1],
            o.stride_h as usize,
            o.padding,
        ),
        OpKind::AveragePool2d(o) | OpKind::MaxPool2d(o) => {
            (o.filter_h as usize, o.stride_h as usize, o.padding)
        }
        _ => unreachable!(),
    };
    let pad = match padding {
        Padding::Same => ((y[1] - 1) * s + k).saturating_sub(x[1]) / 2,
        Padding::Valid => 0,
    } as i64;
    let need = (0..y[1])
        .map(|j| {
            let lo = (j * s) as i64 - pad;
            let hi = (lo + k as i64 - 1).min(x[1] as i64 - 1);
            (lo.max(0) as usize, hi.max(lo.max(0)) as usize)
        })
        .collect();
    (x[2] * x[3], y[2] * y[3], need)
}

/// A toy output unit: every byte depends on every byte of the units read.
fn toy_unit(read: &[u8], out_bytes: usize, salt: usize) -> Vec<u8> {
    (0..out_bytes)
        .map(|j| {
            read.iter().enumerate().fold(salt as u8, |acc, (i, &b)| {
                acc.wrapping_mul(31).wrapping_add(b ^ ((i + j) as u8))
            })
        })
        .collect()
}

/// Runs the graph with one buffer per tensor.
fn reference(graph: &Graph, order: &[usize], input: &[u8]) -> Vec<Option<Vec<u8>>> {
    let mut v: Vec<Option<Vec<u8>>> = vec![None; graph.tensors.len()];
    v[graph.inputs[0]] = Some(input.to_vec());
    for &l in order {
        let op = &graph.operators[l];
        let out = op.outputs[0];
        let x = v[op.input(0).unwrap()].clone().unwrap();
        v[out] = Some(match &op.kind {
            OpKind::Relu => x.iter().map(|&b| b.wrapping_mul(3)).collect(),
            OpKind::Add { .. } => {
                let y = v[op.input(1).unwrap()].clone().unwrap();
                x.iter()
                    .zip(&y)
                    .map(|(&a, &b)| a.wrapping_add(b.wrapping_mul(7)))
                    .collect()
            }
            OpKind::Reshape { .. } => x,
            _ => {
                let unit = if is_pointwise(graph, l) {
                    RowUnit::Pixels
                } else {
                    RowUnit::Rows
                };
                let (ri, ro, need) = units(graph, l, unit);
                need.iter()
                    .enumerate()
                    .flat_map(|(y, &(a, b))| toy_unit(&x[a * ri..(b + 1) * ri], ro, l + y))
                    .collect()
            }
        });
    }
    v
}

fn is_pointwise(graph: &Graph, l: usize) -> bool {
    let op = &graph.operators[l];
    let (x, y) = (
        &graph.tensors[op.input(0).unwrap()].shape,
        &graph.tensors[op.outputs[0]].shape,
    );
    matches!(&op.kind, OpKind::Conv2d(o) if o.stride_h == 1 && o.stride_w == 1
        && graph.tensors[op.input(1).unwrap()].shape[1..3] == [1, 1] && x[1..3] == y[1..3])
}

/// Runs the graph inside one arena, each kernel following its contract.
fn in_arena(graph: &Graph, p: &MemoryPlan, input: &[u8]) -> Vec<u8> {
    let mut arena = vec![0xEEu8; p.arena_size];
    let at = |t: usize| p.buffers[t].unwrap();
    let i0 = at(graph.inputs[0]);
    arena[i0.offset..i0.end()].copy_from_slice(input);
    let mut pending_add: Option<(usize, Vec<u8>)> = None;
    for &l in &p.order {
        let op = &graph.operators[l];
        let out = op.outputs[0];
        match (&p.in_place[l], &op.kind) {
            (InPlace::FusedInto { .. }, _) => {
                // The convolution already computed its values; add them into
                // the residual element by element.
                let (conv_out, values) = pending_add.take().unwrap();
                let residual = op.present_inputs().find(|&t| t != conv_out).unwrap();
                let (r, o) = (at(residual), at(out));
                let conv_first = op.input(0) == Some(conv_out);
                for (i, &v) in values.iter().enumerate() {
                    let res = arena[r.offset + i];
                    let (a, b) = if conv_first { (v, res) } else { (res, v) };
                    arena[o.offset + i] = a.wrapping_add(b.wrapping_mul(7));
                }
            }
            (_, OpKind::Relu) | (_, OpKind::Add { .. }) => {
                let o = at(out);
                let xs: Vec<_> = op.present_inputs().map(at).collect();
                for i in 0..o.size {
                    let a = arena[xs[0].offset + i];
                    let v = if xs.len() == 2 {
                        a.wrapping_add(arena[xs[1].offset + i].wrapping_mul(7))
                    } else {
                        a.wrapping_mul(3)
                    };
                    arena[o.offset + i] = v;
                }
            }
            (InPlace::Alias { .. }, _) => {}
            (_, OpKind::Reshape { .. }) => {
                let (x, o) = (at(op.input(0).unwrap()), at(out));
                let copy = arena[x.offset..x.end()].to_vec();
                arena[o.offset..o.end()].copy_from_slice(&copy);
            }
            (scheme, _) => {
                let unit = match scheme {
                    InPlace::RowBuffer { unit, .. } => *unit,
                    _ if is_pointwise(graph, l) => RowUnit::Pixels,
                    _ => RowUnit::Rows,
                };
                let (ri, ro, need) = units(graph, l, unit);
                let x = at(op.input(0).unwrap());
                let fused = matches!(scheme, InPlace::FusedAdd { .. });
                let mut values = Vec::new();
                let (rows, lb) = match scheme {
                    InPlace::RowBuffer {
                        rows, line_buffer, ..
                    } => (*rows, line_buffer.map(|b| b.offset)),
                    _ => (0, None),
                };
                let o = if fused { None } else { Some(at(out)) };
                let mut last_read = vec![None; x.size / ri.max(1)];
                for (y, &(a, b)) in need.iter().enumerate() {
                    for r in a..=b {
                        last_read[r] = Some(y);
                    }
                }
                let mut saved = vec![false; last_read.len()];
                let mut overwritten = vec![false; last_read.len()];
                for (y, &(a, b)) in need.iter().enumerate() {
                    if let Some(o) = o {
                        let (s, e) = (o.offset + y * ro, o.offset + (y + 1) * ro);
                        for r in 0..last_read.len() {
                            let (rs, re) = (x.offset + r * ri, x.offset + (r + 1) * ri);
                            if rs < e && s < re {
                                if !saved[r]
                                    && !overwritten[r]
                                    && last_read[r].is_some_and(|q| q >= y)
                                {
                                    let slot = lb.unwrap() + (r % rows) * ri;
                                    arena.copy_within(rs..re, slot);
                                    saved[r] = true;
                                }
                                overwritten[r] = true;
                            }
                        }
                    }
                    let mut read = Vec::new();
                    for r in a..=b {
                        let src = if saved[r] {
                            lb.unwrap() + (r % rows) * ri
                        } else {
                            x.offset + r * ri
                        };
                        read.extend_from_slice(&arena[src..src + ri]);
                    }
                    let v = toy_unit(&read, ro, l + y);
                    match o {
                        Some(o) => {
                            arena[o.offset + y * ro..o.offset + (y + 1) * ro].copy_from_slice(&v)
                        }
                        None => values.extend(v),
                    }
                }
                if fused {
                    pending_add = Some((out, values));
                }
            }
        }
    }
    graph
        .outputs
        .iter()
        .flat_map(|&t| arena[at(t).offset..at(t).end()].to_vec())
        .collect()
}

fn run_and_compare(graph: &Graph, options: PlanOptions) -> Result<(), TestCaseError> {
    let p = plan(graph, &options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    check(graph, &p).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(p.lower_bound <= p.arena_size);
    let n = graph.tensors[graph.inputs[0]].byte_size();
    let input: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
    let want = reference(graph, &p.order, &input);
    let want: Vec<u8> = graph
        .outputs
        .iter()
        .flat_map(|&t| want[t].clone().unwrap())
        .collect();
    prop_assert_eq!(in_arena(graph, &p, &input), want);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_chains(h in 1usize..10, w in 1usize..6, c in 1usize..6,
                     steps in proptest::collection::vec(step(), 1..8)) {
        let graph = build(h, w, c, &steps, false);
        run_and_compare(&graph, PlanOptions::default())?;
        run_and_compare(&graph, PlanOptions::conservative())?;
    }

    #[test]
    fn random_branching_graphs(h in 1usize..10, w in 1usize..6, c in 1usize..6,
                               steps in proptest::collection::vec(step(), 1..10)) {
        let graph = build(h, w, c, &steps, true);
        run_and_compare(&graph, PlanOptions::default())?;
        run_and_compare(&graph, PlanOptions::conservative())?;
    }
}
