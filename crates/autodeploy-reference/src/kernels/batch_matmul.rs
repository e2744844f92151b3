//! BATCH_MATMUL: `output[b] = lhs[b] x rhs[b]` with optional transposition of
//! either operand (`adj_x`, `adj_y`) and broadcasting of up to three leading
//! batch dimensions (ranks 2 to 5).
//!
//! Reproduces TFLite Micro's reference kernel:
//! - int8: `sum((lhs - lhs_zp) * (rhs - rhs_zp))` in 32 bits, one double-rounding
//!   multiplier (`prepare::fully_connected_quant(lhs_scale, rhs_scale,
//!   out_scale)`: the scale product is taken in f32), plus the output zero point,
//!   clamped to the int8 range (BATCH_MATMUL has no fused activation);
//! - int16: the same in 64 bits with the 64-bit multiply, clamped to int16;
//! - float32: products summed in depth order.

use super::quant::{multiply_by_quantized_multiplier, multiply_by_quantized_multiplier_i64};
use super::{check_len, shape_len, KernelError};

/// Parameters of a quantised BATCH_MATMUL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMatMulQuant {
    /// Zero point of the left operand.
    pub lhs_zero_point: i32,
    /// Zero point of the right operand.
    pub rhs_zero_point: i32,
    /// Output zero point.
    pub output_zero_point: i32,
    /// Q0.31 multiplier for `lhs_scale * rhs_scale / output_scale`.
    pub multiplier: i32,
    /// Its shift (positive = left).
    pub shift: i32,
}

/// Operand layout of a BATCH_MATMUL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchMatMulParams {
    /// Use the transpose of the last two dimensions of `lhs`.
    pub adj_x: bool,
    /// Use the transpose of the last two dimensions of `rhs`.
    pub adj_y: bool,
}

struct Plan {
    batch: [usize; 3],
    lhs_batch_strides: [usize; 3],
    rhs_batch_strides: [usize; 3],
    rows: usize,
    cols: usize,
    depth: usize,
    /// (stride per row, stride per depth step).
    lhs_strides: (usize, usize),
    /// (stride per depth step, stride per column).
    rhs_strides: (usize, usize),
}

/// Output shape of a BATCH_MATMUL (broadcast batch dims, then rows and columns).
pub fn batch_matmul_output_shape(
    params: &BatchMatMulParams,
    lhs_shape: &[usize],
    rhs_shape: &[usize],
) -> Result<Vec<usize>, KernelError> {
    let plan = plan(params, lhs_shape, rhs_shape)?;
    let rank = lhs_shape.len().max(rhs_shape.len());
    let mut shape: Vec<usize> = plan.batch[3 - (rank - 2)..].to_vec();
    shape.push(plan.rows);
    shape.push(plan.cols);
    Ok(shape)
}

fn plan(
    params: &BatchMatMulParams,
    lhs_shape: &[usize],
    rhs_shape: &[usize],
) -> Result<Plan, KernelError> {
    for (name, s) in [("lhs", lhs_shape), ("rhs", rhs_shape)] {
        if !(2..=5).contains(&s.len()) {
            return Err(KernelError::shape(name, "rank must be between 2 and 5"));
        }
    }
    let extend = |s: &[usize]| {
        let mut e = [1usize; 5];
        e[5 - s.len()..].copy_from_slice(s);
        e
    };
    let (l, r) = (extend(lhs_shape), extend(rhs_shape));
    let mut batch = [0usize; 3];
    for d in 0..3 {
        if l[d] != r[d] && l[d] != 1 && r[d] != 1 {
            return Err(KernelError::shape(
                "rhs",
                format!("batch dimension {d} does not broadcast"),
            ));
        }
        batch[d] = if l[d] == 1 { r[d] } else { l[d] };
    }
    let batch_strides = |e: &[usize; 5]| {
        let mut st = [0usize; 3];
        let mut acc = e[3] * e[4];
        for d in (0..3).rev() {
            st[d] = if e[d] == 1 { 0 } else { acc };
            acc *= e[d];
        }
        st
    };
    let (rows, depth, lhs_strides) = if params.adj_x {
        (l[4], l[3], (1, l[4]))
    } else {
        (l[3], l[4], (l[4], 1))
    };
    let (rhs_depth, cols, rhs_strides) = if params.adj_y {
        (r[4], r[3], (1, r[4]))
    } else {
        (r[3], r[4], (r[4], 1))
    };
    if depth != rhs_depth {
        return Err(KernelError::shape(
            "rhs",
            format!("depth {rhs_depth} differs from lhs depth {depth}"),
        ));
    }
    Ok(Plan {
        batch,
        lhs_batch_strides: batch_strides(&l),
        rhs_batch_strides: batch_strides(&r),
        rows,
        cols,
        depth,
        lhs_strides,
        rhs_strides,
    })
}

#[allow(clippy::too_many_arguments)]
fn driver<T: Copy, A: Copy, O>(
    params: &BatchMatMulParams,
    lhs_shape: &[usize],
    lhs: &[T],
    rhs_shape: &[usize],
    rhs: &[T],
    output: &mut [O],
    zero: A,
    mac: impl Fn(A, T, T) -> A,
    finish: impl Fn(A) -> O,
) -> Result<(), KernelError> {
    check_len("lhs", lhs.len(), shape_len("lhs", lhs_shape)?)?;
    check_len("rhs", rhs.len(), shape_len("rhs", rhs_shape)?)?;
    let p = plan(params, lhs_shape, rhs_shape)?;
    let total = p.batch.iter().product::<usize>() * p.rows * p.cols;
    check_len("output", output.len(), total)?;
    let mut o = 0;
    for b0 in 0..p.batch[0] {
        for b1 in 0..p.batch[1] {
            for b2 in 0..p.batch[2] {
                let lb = b0 * p.lhs_batch_strides[0]
                    + b1 * p.lhs_batch_strides[1]
                    + b2 * p.lhs_batch_strides[2];
                let rb = b0 * p.rhs_batch_strides[0]
                    + b1 * p.rhs_batch_strides[1]
                    + b2 * p.rhs_batch_strides[2];
                for i in 0..p.rows {
                    for j in 0..p.cols {
                        let mut acc = zero;
                        for k in 0..p.depth {
                            let a = lhs[lb + i * p.lhs_strides.0 + k * p.lhs_strides.1];
                            let b = rhs[rb + k * p.rhs_strides.0 + j * p.rhs_strides.1];
                            acc = mac(acc, a, b);
                        }
                        output[o] = finish(acc);
                        o += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// int8 BATCH_MATMUL.
pub fn batch_matmul_s8(
    params: &BatchMatMulParams,
    quant: &BatchMatMulQuant,
    lhs_shape: &[usize],
    lhs: &[i8],
    rhs_shape: &[usize],
    rhs: &[i8],
    output: &mut [i8],
) -> Result<(), KernelError> {
    let q = *quant;
    driver(
        params,
        lhs_shape,
        lhs,
        rhs_shape,
        rhs,
        output,
        0i32,
        |acc, a, b| {
            acc.wrapping_add(
                i32::from(a)
                    .wrapping_sub(q.lhs_zero_point)
                    .wrapping_mul(i32::from(b).wrapping_sub(q.rhs_zero_point)),
            )
        },
        |acc| {
            (multiply_by_quantized_multiplier(acc, q.multiplier, q.shift)
                .wrapping_add(q.output_zero_point))
            .clamp(-128, 127) as i8
        },
    )
}

/// int16 BATCH_MATMUL (64-bit accumulation).
pub fn batch_matmul_s16(
    params: &BatchMatMulParams,
    quant: &BatchMatMulQuant,
    lhs_shape: &[usize],
    lhs: &[i16],
    rhs_shape: &[usize],
    rhs: &[i16],
    output: &mut [i16],
) -> Result<(), KernelError> {
    let q = *quant;
    driver(
        params,
        lhs_shape,
        lhs,
        rhs_shape,
        rhs,
        output,
        0i64,
        |acc, a, b| {
            acc.wrapping_add(
                (i64::from(a) - i64::from(q.lhs_zero_point))
                    .wrapping_mul(i64::from(b) - i64::from(q.rhs_zero_point)),
            )
        },
        |acc| {
            (multiply_by_quantized_multiplier_i64(acc, q.multiplier, q.shift)
                .wrapping_add(q.output_zero_point))
            .clamp(-32768, 32767) as i16
        },
    )
}

/// float32 BATCH_MATMUL.
pub fn batch_matmul_f32(
    params: &BatchMatMulParams,
    lhs_shape: &[usize],
    lhs: &[f32],
    rhs_shape: &[usize],
    rhs: &[f32],
    output: &mut [f32],
) -> Result<(), KernelError> {
    driver(
        params,
        lhs_shape,
        lhs,
        rhs_shape,
        rhs,
        output,
        0.0f32,
        |acc, a, b| acc + a * b,
        |acc| acc,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matmul_with_transposes_and_broadcast() {
        let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]; // [2, 3]
        let b = [1.0f32, 0.0, 0.0, 1.0, 1.0, 1.0]; // [3, 2]
        let p = BatchMatMulParams {
            adj_x: false,
            adj_y: false,
        };
        let mut out = [0f32; 4];
        batch_matmul_f32(&p, &[2, 3], &a, &[3, 2], &b, &mut out).unwrap();
        assert_eq!(out, [4.0, 5.0, 10.0, 11.0]);
        // Same with b given transposed ([2, 3]) and adj_y.
        let bt = [1.0f32, 0.0, 1.0, 0.0, 1.0, 1.0];
        let p = BatchMatMulParams {
            adj_x: false,
            adj_y: true,
        };
        batch_matmul_f32(&p, &[2, 3], &a, &[2, 3], &bt, &mut out).unwrap();
        assert_eq!(out, [4.0, 5.0, 10.0, 11.0]);
        // a transposed ([3, 2]) with adj_x.
        let at = [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0];
        let p = BatchMatMulParams {
            adj_x: true,
            adj_y: false,
        };
        batch_matmul_f32(&p, &[3, 2], &at, &[3, 2], &b, &mut out).unwrap();
        assert_eq!(out, [4.0, 5.0, 10.0, 11.0]);
        // Broadcast: lhs [2, 1, 3] x rhs [3, 2] -> [2, 1, 2].
        let p = BatchMatMulParams {
            adj_x: false,
            adj_y: false,
        };
        assert_eq!(
            batch_matmul_output_shape(&p, &[2, 1, 3], &[3, 2]).unwrap(),
            vec![2, 1, 2]
        );
        batch_matmul_f32(&p, &[2, 1, 3], &a, &[3, 2], &b, &mut out).unwrap();
        assert_eq!(out, [4.0, 5.0, 10.0, 11.0]);
    }

    #[test]
    fn matmul_s8() {
        let q = BatchMatMulQuant {
            lhs_zero_point: 1,
            rhs_zero_point: -1,
            output_zero_point: 2,
            multiplier: 1 << 30,
            shift: 1,
        };
        let p = BatchMatMulParams {
            adj_x: false,
            adj_y: false,
        };
        let mut out = [0i8; 1];
        batch_matmul_s8(&p, &q, &[1, 2], &[2, 3], &[2, 1], &[0, 1], &mut out).unwrap();
        // (2-1)*(0+1) + (3-1)*(1+1) = 5, + 2
        assert_eq!(out, [7]);
    }
}
