//! Execution orders: checking one, and proposing candidates.
//!
//! Any topological order of the layers computes the same outputs (tensors
//! are written once), so the planner may pick the order that keeps the
//! fewest bytes live. Small graphs get every topological order (up to
//! `max_orders`); larger ones the model's order plus a greedy order that
//! always runs the ready layer which frees the most bytes.

use autodeploy_model::Graph;

use crate::CodegenError;

/// For each tensor, the layer writing it.
pub(crate) fn producers(graph: &Graph) -> Vec<Option<usize>> {
    let mut p = vec![None; graph.tensors.len()];
    for op in &graph.operators {
        for &o in &op.outputs {
            p[o] = Some(op.index);
        }
    }
    p
}

/// Layers each layer depends on (reads a tensor they write).
fn dependencies(graph: &Graph) -> Vec<Vec<usize>> {
    let producers = producers(graph);
    graph
        .operators
        .iter()
        .map(|op| {
            let mut d: Vec<usize> = op
                .present_inputs()
                .filter_map(|t| producers[t])
                .filter(|&p| p != op.index)
                .collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect()
}

/// Fails unless `order` is a permutation of the layers in which every layer
/// comes after the layers producing its inputs.
pub(crate) fn check_topological(graph: &Graph, order: &[usize]) -> Result<(), CodegenError> {
    let n = graph.operators.len();
    if order.len() != n {
        return Err(CodegenError::ShapeMismatch {
            what: "the execution order".into(),
            found: order.len(),
            expected: n,
        });
    }
    let deps = dependencies(graph);
    let mut position = vec![usize::MAX; n];
    for (i, &l) in order.iter().enumerate() {
        if l >= n || position[l] != usize::MAX {
            return Err(CodegenError::InvalidOrder {
                layer: l,
                op: graph.operators.get(l).map_or("?", |o| o.name()).into(),
                reason: "appears twice in the order or does not exist".into(),
            });
        }
        position[l] = i;
    }
    for (l, d) in deps.iter().enumerate() {
        for &p in d {
            if position[p] > position[l] {
                return Err(CodegenError::InvalidOrder {
                    layer: l,
                    op: graph.operators[l].name().into(),
                    reason: format!("runs before layer {p}, which produces one of its inputs"),
                });
            }
        }
    }
    Ok(())
}

/// Candidate orders, the model's first.
pub(crate) fn candidates(graph: &Graph, max_orders: usize) -> Vec<Vec<usize>> {
    let n = graph.operators.len();
    let model: Vec<usize> = (0..n).collect();
    // Variables are read and written by layers in the model's order; keep it.
    if graph.tensors.iter().any(|t| t.is_variable) {
        return vec![model];
    }
    let deps = dependencies(graph);
    let mut out = vec![model.clone()];
    let mut all = Vec::new();
    let mut indegree: Vec<usize> = deps.iter().map(Vec::len).collect();
    let users = users(&deps);
    let mut current = Vec::with_capacity(n);
    let complete = enumerate(&users, &mut indegree, &mut current, &mut all, max_orders);
    if complete {
        out.extend(all.into_iter().filter(|o| *o != model));
    } else {
        let g = greedy(graph, &deps);
        if g != model {
            out.push(g);
        }
    }
    out
}

fn users(deps: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut users = vec![Vec::new(); deps.len()];
    for (l, d) in deps.iter().enumerate() {
        for &p in d {
            users[p].push(l);
        }
    }
    users
}

/// All topological orders by backtracking; `false` if there are more than
/// `max`.
fn enumerate(
    users: &[Vec<usize>],
    indegree: &mut [usize],
    current: &mut Vec<usize>,
    all: &mut Vec<Vec<usize>>,
    max: usize,
) -> bool {
    let n = indegree.len();
    if current.len() == n {
        all.push(current.clone());
        return all.len() <= max;
    }
    for l in 0..n {
        if indegree[l] == 0 && !current.contains(&l) {
            current.push(l);
            for &u in &users[l] {
                indegree[u] -= 1;
            }
            let ok = enumerate(users, indegree, current, all, max);
            for &u in &users[l] {
                indegree[u] += 1;
            }
            current.pop();
            if !ok {
                return false;
            }
        }
    }
    true
}

/// Always runs the ready layer with the smallest (bytes it allocates minus
/// bytes it frees); ties go to the lowest layer index.
fn greedy(graph: &Graph, deps: &[Vec<usize>]) -> Vec<usize> {
    let n = graph.operators.len();
    let mut remaining_uses = vec![0usize; graph.tensors.len()];
    for op in &graph.operators {
        for t in op.present_inputs() {
            remaining_uses[t] += 1;
        }
    }
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let mut best: Option<(i64, usize)> = None;
        for l in 0..n {
            if done[l] || deps[l].iter().any(|&d| !done[d]) {
                continue;
            }
            let op = &graph.operators[l];
            let alloc: i64 = op
                .outputs
                .iter()
                .map(|&t| graph.tensors[t].byte_size() as i64)
                .sum();
            let mut inputs: Vec<usize> = op.present_inputs().collect();
            inputs.sort_unstable();
            inputs.dedup();
            let freed: i64 = inputs
                .iter()
                .filter(|&&t| {
                    let uses = op.present_inputs().filter(|&u| u == t).count();
                    graph.tensors[t].data.is_none()
                        && remaining_uses[t] == uses
                        && !graph.outputs.contains(&t)
                })
                .map(|&t| graph.tensors[t].byte_size() as i64)
                .sum();
            let score = alloc - freed;
            if best.is_none_or(|(s, _)| score < s) {
                best = Some((score, l));
            }
        }
        let Some((_, l)) = best else { break };
        done[l] = true;
        for t in graph.operators[l].present_inputs() {
            remaining_uses[t] -= 1;
        }
        order.push(l);
    }
    order
}
