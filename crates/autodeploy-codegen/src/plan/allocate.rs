//! Placing groups and scratch buffers in the arena.
//!
//! Every item is a set of rectangles (a lifetime in steps x a byte range
//! relative to the item); an item goes to the lowest 16-byte aligned offset
//! where none of its rectangles meets a rectangle already placed. Items are
//! placed in several orders (largest first, as TFLite Micro's greedy planner
//! does; longest-lived first; by the step where most bytes are live; by
//! start) and the smallest arena wins.

use autodeploy_model::Graph;

use super::inplace::{Groups, Schemes};
use super::liveness::Liveness;
use super::{align_up, InPlace, Placement, ALIGNMENT};

#[derive(Debug, Clone, Copy)]
struct Rect {
    first: usize,
    last: usize,
    rel: usize,
    size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Group(usize),
    Scratch(usize),
    LineBuffer(usize),
}

struct Item {
    what: What,
    rects: Vec<Rect>,
}

impl Item {
    fn first(&self) -> usize {
        self.rects.iter().map(|r| r.first).min().unwrap_or(0)
    }
    fn last(&self) -> usize {
        self.rects.iter().map(|r| r.last).max().unwrap_or(0)
    }
    fn biggest(&self) -> usize {
        self.rects.iter().map(|r| r.size).max().unwrap_or(0)
    }
    fn area(&self) -> usize {
        self.rects
            .iter()
            .map(|r| r.size * (r.last - r.first + 1))
            .sum()
    }
    fn live_at(&self, step: usize) -> usize {
        self.rects
            .iter()
            .filter(|r| r.first <= step && step <= r.last)
            .map(|r| r.size)
            .sum()
    }
}

pub(crate) struct Best {
    pub arena_size: usize,
    pub buffers: Vec<Option<Placement>>,
    pub scratch: Vec<Option<Placement>>,
    pub in_place: Vec<InPlace>,
    pub strategy: String,
}

pub(crate) fn best(
    graph: &Graph,
    live: &Liveness,
    groups: &Groups,
    schemes: &Schemes,
    scratch: &[usize],
) -> Best {
    let items = items(graph, live, groups, schemes, scratch);
    let mut per_step = vec![0usize; live.steps];
    for item in &items {
        for (s, total) in per_step.iter_mut().enumerate() {
            *total += item.live_at(s);
        }
    }
    type Key = fn(&Item, &[usize]) -> (usize, usize, usize);
    let strategies: [(&str, Key); 5] = [
        ("greedy by size", |i, _| {
            (
                usize::MAX - i.biggest(),
                usize::MAX - (i.last() - i.first()),
                i.first(),
            )
        }),
        ("greedy by lifetime", |i, _| {
            (
                usize::MAX - (i.last() - i.first()),
                usize::MAX - i.biggest(),
                i.first(),
            )
        }),
        ("greedy by area", |i, _| {
            (usize::MAX - i.area(), i.first(), 0)
        }),
        ("greedy by breadth", |i, per_step| {
            let busiest = (i.first()..=i.last())
                .map(|s| per_step[s])
                .max()
                .unwrap_or(0);
            (usize::MAX - busiest, usize::MAX - i.biggest(), i.first())
        }),
        ("first come", |i, _| {
            (i.first(), usize::MAX - i.biggest(), 0)
        }),
    ];
    let mut best: Option<(usize, &str, Vec<usize>)> = None;
    for (name, key) in strategies {
        let mut idx: Vec<usize> = (0..items.len()).collect();
        idx.sort_by_key(|&i| key(&items[i], &per_step));
        let bases = place(&items, &idx);
        let arena = items
            .iter()
            .zip(&bases)
            .flat_map(|(item, &b)| item.rects.iter().map(move |r| b + r.rel + r.size))
            .max()
            .unwrap_or(0);
        if best.as_ref().is_none_or(|(a, _, _)| arena < *a) {
            best = Some((arena, name, bases));
        }
    }
    let (arena, name, bases) = best.unwrap_or((0, "empty", Vec::new()));

    let mut buffers = vec![None; graph.tensors.len()];
    let mut scratch_out = vec![None; graph.operators.len()];
    let mut in_place = schemes.0.clone();
    for (item, &base) in items.iter().zip(&bases) {
        match item.what {
            What::Group(g) => {
                let min = groups.members[g]
                    .iter()
                    .map(|&m| groups.rel[m])
                    .min()
                    .unwrap_or(0);
                for &m in &groups.members[g] {
                    buffers[m] = Some(Placement {
                        offset: base + (groups.rel[m] - min) as usize,
                        size: graph.tensors[m].byte_size(),
                    });
                }
            }
            What::Scratch(l) => {
                scratch_out[l] = Some(Placement {
                    offset: base,
                    size: scratch[l],
                })
            }
            What::LineBuffer(l) => {
                if let InPlace::RowBuffer { line_buffer, .. } = &mut in_place[l] {
                    *line_buffer = Some(Placement {
                        offset: base,
                        size: item.rects[0].size,
                    });
                }
            }
        }
    }
    Best {
        arena_size: align_up(arena),
        buffers,
        scratch: scratch_out,
        in_place,
        strategy: name.to_string(),
    }
}

fn items(
    graph: &Graph,
    live: &Liveness,
    groups: &Groups,
    schemes: &Schemes,
    scratch: &[usize],
) -> Vec<Item> {
    let mut items = Vec::new();
    for (g, members) in groups.members.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let min = members.iter().map(|&m| groups.rel[m]).min().unwrap_or(0);
        let rects = members
            .iter()
            .filter_map(|&m| {
                let (first, last) = live.interval[m]?;
                Some(Rect {
                    first,
                    last,
                    rel: (groups.rel[m] - min) as usize,
                    size: graph.tensors[m].byte_size(),
                })
            })
            .collect();
        items.push(Item {
            what: What::Group(g),
            rects,
        });
    }
    for (l, &bytes) in scratch.iter().enumerate() {
        if bytes > 0 {
            let s = live.step[l];
            items.push(Item {
                what: What::Scratch(l),
                rects: vec![Rect {
                    first: s,
                    last: s,
                    rel: 0,
                    size: bytes,
                }],
            });
        }
    }
    for (l, scheme) in schemes.0.iter().enumerate() {
        if let InPlace::RowBuffer {
            rows,
            in_unit_bytes,
            ..
        } = scheme
        {
            if *rows > 0 {
                let s = live.step[l];
                items.push(Item {
                    what: What::LineBuffer(l),
                    rects: vec![Rect {
                        first: s,
                        last: s,
                        rel: 0,
                        size: rows * in_unit_bytes,
                    }],
                });
            }
        }
    }
    items
}

/// Lowest aligned base for each item, in the order `idx`.
fn place(items: &[Item], idx: &[usize]) -> Vec<usize> {
    let mut bases = vec![0usize; items.len()];
    // (first, last, start, end) of placed rectangles.
    let mut placed: Vec<(usize, usize, usize, usize)> = Vec::new();
    for &i in idx {
        let item = &items[i];
        // Forbidden bases: half-open intervals [lo, hi).
        let mut forbidden: Vec<(usize, usize)> = Vec::new();
        for r in item.rects.iter().filter(|r| r.size > 0) {
            for &(f, l, s, e) in &placed {
                if r.first <= l && f <= r.last {
                    // base + rel < e && base + rel + size > s
                    let lo = (s + 1).saturating_sub(r.rel + r.size);
                    let hi = e.saturating_sub(r.rel);
                    if hi > lo {
                        forbidden.push((lo, hi));
                    }
                }
            }
        }
        forbidden.sort_unstable();
        let mut base = 0usize;
        for (lo, hi) in forbidden {
            if lo > base {
                break;
            }
            if hi > base {
                base = align_up(hi);
            }
        }
        debug_assert_eq!(base % ALIGNMENT, 0);
        bases[i] = base;
        for r in item.rects.iter().filter(|r| r.size > 0) {
            placed.push((r.first, r.last, base + r.rel, base + r.rel + r.size));
        }
    }
    bases
}
