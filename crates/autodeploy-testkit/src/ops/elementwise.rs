//! ADD, SUB, MUL, MAXIMUM, MINIMUM with broadcasting.

use autodeploy_model::{Activation, ElementType, OpKind};

use super::*;

/// Shapes of `a`, `b` and the broadcast output (ranks 1..=5; `b` may have
/// fewer dimensions; any dimension of either may be 1).
fn broadcast_shapes(rng: &mut Rng) -> [Vec<usize>; 3] {
    let max_rank = if rng.chance(0.1) { 5 } else { 4 };
    let rank = rng.usize(1, max_rank);
    let out = rng.shape(rank, 6);
    let mut a = out.clone();
    let mut b = out.clone();
    if rng.chance(0.6) {
        for d in 0..rank {
            match rng.usize(0, 3) {
                0 => a[d] = 1,
                1 => b[d] = 1,
                _ => {}
            }
        }
    }
    if rng.chance(0.2) {
        let keep = rng.usize(0, rank);
        b = b[rank - keep..].to_vec();
    }
    if rng.chance(0.5) {
        std::mem::swap(&mut a, &mut b);
    }
    let out = (0..rank)
        .map(|d| {
            let get = |s: &Vec<usize>| (d + s.len()).checked_sub(rank).map_or(1, |i| s[i]);
            get(&a).max(get(&b))
        })
        .collect();
    [a, b, out]
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Maximum,
    Minimum,
}

fn case(rng: &mut Rng, op: Op, dtype: ElementType) -> Case {
    let [sa, sb, so] = broadcast_shapes(rng);
    let activation = if matches!(op, Op::Maximum | Op::Minimum) {
        Activation::None
    } else {
        rng.activation()
    };
    let (qa, qb, qo) = if matches!(op, Op::Maximum | Op::Minimum) {
        // TFLite Micro compares the raw values: one quantization for all.
        let q = act_quant(rng, dtype);
        (q, q, q)
    } else {
        (
            act_quant(rng, dtype),
            act_quant(rng, dtype),
            act_quant(rng, dtype),
        )
    };
    let kind = match op {
        Op::Add => OpKind::Add {
            activation,
            pot_scale_int16: false,
        },
        Op::Sub => OpKind::Sub {
            activation,
            pot_scale_int16: false,
        },
        Op::Mul => OpKind::Mul { activation },
        Op::Maximum => OpKind::Maximum,
        Op::Minimum => OpKind::Minimum,
    };
    let desc = format!("{op:?} a {sa:?} {qa:?} b {sb:?} {qb:?} out {so:?} {qo:?} {activation:?}");
    let bytes = model(|g| {
        let a = g.tensor(act_spec("a", dtype, &sa, qa));
        let b = g.tensor(act_spec("b", dtype, &sb, qb));
        let o = g.tensor(act_spec("out", dtype, &so, qo));
        g.operator(kind, &[a, b], &[o])
            .inputs(&[a, b])
            .outputs(&[o]);
    });
    let name = format!("{op:?}").to_uppercase();
    Case::new(format!("{name} {}", type_name(dtype)), desc, bytes)
}

/// `n` cases per operator and type.
pub fn elementwise_binary_ops(n: usize) -> Vec<Case> {
    let mut rng = Rng::new(0xE1E);
    let mut cases = Vec::new();
    for (op, types) in [
        (Op::Add, &[I8, I16, F32][..]),
        (Op::Sub, &[I8, I16, F32]),
        (Op::Mul, &[I8, I16, F32]),
        (Op::Maximum, &[I8, F32]),
        (Op::Minimum, &[I8, F32]),
    ] {
        for &dtype in types {
            for _ in 0..n {
                cases.push(case(&mut rng, op, dtype));
            }
        }
    }
    cases
}
