//! Data-movement operators, generic over the element type (they never look at
//! quantisation; TFLite Micro requires inputs and outputs to share it):
//! RESHAPE / SQUEEZE / EXPAND_DIMS ([`copy`]), PAD / PADV2 ([`pad`]),
//! STRIDED_SLICE ([`strided_slice`]), TRANSPOSE ([`transpose`]),
//! CONCATENATION ([`concatenation`]), PACK ([`pack`]), UNPACK ([`unpack`]),
//! SPLIT ([`split`]) and SPLIT_V ([`split_v`]).
//!
//! Behaviour reproduced from TFLite Micro:
//! - PAD's fill value is the caller's choice, as in TFLite Micro: the
//!   `constant_values` input when present, otherwise the output zero point for
//!   int8 and zero for int16 and float;
//! - STRIDED_SLICE supports begin/end/shrink-axis masks (TFLite Micro forces the
//!   ellipsis and new-axis masks to zero and ignores `offset`); starts and stops
//!   are clamped per axis after negative indices are wrapped, and a begin/end mask
//!   bit replaces the clamped value by the axis start/end for the stride's sign;
//! - axes may be negative (counted from the end) wherever TFLite allows it.

use super::{check_len, shape_len, KernelError};

fn resolve_axis(axis: i32, rank: usize) -> Result<usize, KernelError> {
    let r = if axis < 0 { axis + rank as i32 } else { axis };
    if r < 0 || r as usize >= rank.max(1) {
        return Err(KernelError::shape(
            "axis",
            format!("axis '{axis}' out of range for rank {rank}"),
        ));
    }
    Ok(r as usize)
}

/// RESHAPE, SQUEEZE and EXPAND_DIMS: the bytes do not change.
pub fn copy<T: Copy>(input: &[T], output: &mut [T]) -> Result<(), KernelError> {
    check_len("output", output.len(), input.len())?;
    output.copy_from_slice(input);
    Ok(())
}

/// PAD / PADV2 on up to 5 dimensions. `paddings[d] = (before, after)`; both must
/// be non-negative.
pub fn pad<T: Copy>(
    input_shape: &[usize],
    input: &[T],
    paddings: &[(i32, i32)],
    pad_value: T,
    output: &mut [T],
) -> Result<(), KernelError> {
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    check_len("paddings", paddings.len(), input_shape.len())?;
    if input_shape.len() > 5 {
        return Err(KernelError::shape(
            "input",
            "PAD supports at most 5 dimensions",
        ));
    }
    let mut out_shape = Vec::with_capacity(input_shape.len());
    let mut before = Vec::with_capacity(input_shape.len());
    for (&d, &(b, a)) in input_shape.iter().zip(paddings) {
        if b < 0 || a < 0 {
            return Err(KernelError::shape("paddings", "negative padding"));
        }
        before.push(b as usize);
        out_shape.push(d + b as usize + a as usize);
    }
    check_len("output", output.len(), shape_len("output", &out_shape)?)?;
    output.iter_mut().for_each(|o| *o = pad_value);
    if input.is_empty() {
        return Ok(());
    }
    let rank = input_shape.len();
    if rank == 0 {
        output[0] = input[0];
        return Ok(());
    }
    let mut out_strides = vec![1usize; rank];
    for d in (0..rank - 1).rev() {
        out_strides[d] = out_strides[d + 1] * out_shape[d + 1];
    }
    let inner = input_shape[rank - 1];
    let mut index = vec![0usize; rank];
    for row in input.chunks_exact(inner) {
        let start: usize = (0..rank)
            .map(|d| (index[d] + before[d]) * out_strides[d])
            .sum();
        output[start..start + inner].copy_from_slice(row);
        let mut d = rank - 1;
        while d > 0 {
            d -= 1;
            index[d] += 1;
            if index[d] < input_shape[d] {
                break;
            }
            index[d] = 0;
        }
    }
    Ok(())
}

/// Options of a STRIDED_SLICE (one entry per input dimension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StridedSliceParams<'a> {
    /// Start index per axis (negative counts from the end).
    pub begin: &'a [i32],
    /// Stop index per axis (exclusive; negative counts from the end).
    pub end: &'a [i32],
    /// Step per axis (non-zero).
    pub strides: &'a [i32],
    /// Bit `i` set: ignore `begin[i]` and start at the axis start.
    pub begin_mask: u32,
    /// Bit `i` set: ignore `end[i]` and run to the axis end.
    pub end_mask: u32,
    /// Bit `i` set: take only `begin[i]` and drop axis `i`.
    pub shrink_axis_mask: u32,
}

fn clamp(v: i32, lo: i32, hi: i32) -> i32 {
    if hi < v {
        hi
    } else if v < lo {
        lo
    } else {
        v
    }
}

/// Resolved `(start, stop, stride)` per axis.
#[allow(clippy::needless_range_loop)]
fn slice_ranges(
    params: &StridedSliceParams<'_>,
    input_shape: &[usize],
) -> Result<Vec<(i32, i32, i32)>, KernelError> {
    let rank = input_shape.len();
    check_len("begin", params.begin.len(), rank)?;
    check_len("end", params.end.len(), rank)?;
    check_len("strides", params.strides.len(), rank)?;
    if rank > 5 {
        return Err(KernelError::shape(
            "input",
            "STRIDED_SLICE supports at most 5 dimensions",
        ));
    }
    let mut ranges = Vec::with_capacity(rank);
    for axis in 0..rank {
        let size = i32::try_from(input_shape[axis])
            .map_err(|_| KernelError::shape("input", "dimension too large"))?;
        let stride = params.strides[axis];
        if stride == 0 {
            return Err(KernelError::shape("strides", "stride must be non-zero"));
        }
        let bit = 1u32 << axis;
        let mut start = params.begin[axis];
        if start < 0 {
            start = start.wrapping_add(size);
        }
        start = if stride > 0 {
            clamp(start, 0, size)
        } else {
            clamp(start, -1, size - 1)
        };
        if params.begin_mask & bit != 0 {
            start = if stride > 0 { 0 } else { size - 1 };
        }
        let stop = if params.shrink_axis_mask & bit != 0 {
            if start >= size {
                start
            } else {
                start + 1
            }
        } else {
            let mut stop = params.end[axis];
            if stop < 0 {
                stop = stop.wrapping_add(size);
            }
            stop = if stride > 0 {
                clamp(stop, 0, size)
            } else {
                clamp(stop, -1, size - 1)
            };
            if params.end_mask & bit != 0 {
                stop = if stride > 0 { size } else { -1 };
            }
            stop
        };
        ranges.push((start, stop, stride));
    }
    Ok(ranges)
}

fn range_len(start: i32, stop: i32, stride: i32) -> usize {
    let n = if stride > 0 {
        (i64::from(stop) - i64::from(start) + i64::from(stride) - 1) / i64::from(stride)
    } else {
        (i64::from(start) - i64::from(stop) - i64::from(stride) - 1) / -i64::from(stride)
    };
    n.max(0) as usize
}

/// Number of elements a STRIDED_SLICE produces, per input axis (shrunk axes
/// included, with length 0 or 1).
pub fn strided_slice_extents(
    params: &StridedSliceParams<'_>,
    input_shape: &[usize],
) -> Result<Vec<usize>, KernelError> {
    Ok(slice_ranges(params, input_shape)?
        .into_iter()
        .map(|(s, e, st)| range_len(s, e, st))
        .collect())
}

/// STRIDED_SLICE on up to 5 dimensions; output elements are written in
/// row-major order of the selected indices.
pub fn strided_slice<T: Copy>(
    params: &StridedSliceParams<'_>,
    input_shape: &[usize],
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    let ranges = slice_ranges(params, input_shape)?;
    let count = ranges
        .iter()
        .map(|&(s, e, st)| range_len(s, e, st))
        .try_fold(1usize, |a, n| a.checked_mul(n))
        .ok_or(KernelError::shape(
            "output",
            "element count overflows usize",
        ))?;
    check_len("output", output.len(), count)?;
    if count == 0 {
        return Ok(());
    }
    let rank = input_shape.len();
    if rank == 0 {
        output[0] = input[0];
        return Ok(());
    }
    let mut strides = vec![1usize; rank];
    for d in (0..rank - 1).rev() {
        strides[d] = strides[d + 1] * input_shape[d + 1];
    }
    let mut index: Vec<i32> = ranges.iter().map(|r| r.0).collect();
    for o in output.iter_mut() {
        let offset: usize = (0..rank).map(|d| index[d] as usize * strides[d]).sum();
        *o = input[offset];
        let mut d = rank;
        while d > 0 {
            d -= 1;
            let (start, _, stride) = ranges[d];
            index[d] += stride;
            let stop = ranges[d].1;
            let inside = if stride > 0 {
                index[d] < stop
            } else {
                index[d] > stop
            };
            if inside {
                break;
            }
            index[d] = start;
        }
    }
    Ok(())
}

/// TRANSPOSE: `output` dimension `i` is input dimension `perm[i]` (up to 8
/// dimensions; TFLite Micro allows 5).
pub fn transpose<T: Copy>(
    input_shape: &[usize],
    perm: &[i32],
    input: &[T],
    output: &mut [T],
) -> Result<(), KernelError> {
    let rank = input_shape.len();
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    check_len("perm", perm.len(), rank)?;
    check_len("output", output.len(), input.len())?;
    let mut seen = vec![false; rank];
    let mut p = Vec::with_capacity(rank);
    for &a in perm {
        let r = resolve_axis(a, rank)?;
        if seen[r] {
            return Err(KernelError::shape("perm", "not a permutation"));
        }
        seen[r] = true;
        p.push(r);
    }
    if input.is_empty() {
        return Ok(());
    }
    let mut in_strides = vec![1usize; rank];
    for d in (0..rank.saturating_sub(1)).rev() {
        in_strides[d] = in_strides[d + 1] * input_shape[d + 1];
    }
    let out_shape: Vec<usize> = p.iter().map(|&d| input_shape[d]).collect();
    let src_strides: Vec<usize> = p.iter().map(|&d| in_strides[d]).collect();
    let mut index = vec![0usize; rank];
    let mut src = 0usize;
    for o in output.iter_mut() {
        *o = input[src];
        let mut d = rank;
        while d > 0 {
            d -= 1;
            index[d] += 1;
            src += src_strides[d];
            if index[d] < out_shape[d] {
                break;
            }
            src -= src_strides[d] * index[d];
            index[d] = 0;
        }
    }
    Ok(())
}

/// Splits a shape around `axis` into (outer, axis length, inner).
fn around_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// CONCATENATION along `axis`. All inputs must agree on every other dimension.
pub fn concatenation<T: Copy>(
    axis: i32,
    input_shapes: &[&[usize]],
    inputs: &[&[T]],
    output: &mut [T],
) -> Result<(), KernelError> {
    check_len("inputs", inputs.len(), input_shapes.len())?;
    let Some(first) = input_shapes.first() else {
        return Err(KernelError::shape("inputs", "no inputs"));
    };
    let rank = first.len();
    let axis = resolve_axis(axis, rank)?;
    let (outer, _, inner) = around_axis(first, axis);
    let mut total = 0usize;
    for (shape, data) in input_shapes.iter().zip(inputs) {
        if shape.len() != rank
            || shape
                .iter()
                .zip(first.iter())
                .enumerate()
                .any(|(d, (a, b))| d != axis && a != b)
        {
            return Err(KernelError::shape(
                "inputs",
                "shapes differ outside the concatenation axis",
            ));
        }
        check_len("input", data.len(), shape_len("input", shape)?)?;
        total += data.len();
    }
    check_len("output", output.len(), total)?;
    let mut pos = 0;
    for o in 0..outer {
        for (shape, data) in input_shapes.iter().zip(inputs) {
            let chunk = shape[axis] * inner;
            output[pos..pos + chunk].copy_from_slice(&data[o * chunk..(o + 1) * chunk]);
            pos += chunk;
        }
    }
    Ok(())
}

/// PACK: stacks equally shaped inputs along a new `axis` (in `0..=rank`).
pub fn pack<T: Copy>(
    axis: i32,
    input_shape: &[usize],
    inputs: &[&[T]],
    output: &mut [T],
) -> Result<(), KernelError> {
    let rank = input_shape.len();
    let axis = resolve_axis(axis, rank + 1)?;
    let n = shape_len("input", input_shape)?;
    for data in inputs {
        check_len("input", data.len(), n)?;
    }
    check_len("output", output.len(), n * inputs.len())?;
    let outer: usize = input_shape[..axis].iter().product();
    let chunk: usize = input_shape[axis..].iter().product();
    let mut pos = 0;
    for o in 0..outer {
        for data in inputs {
            output[pos..pos + chunk].copy_from_slice(&data[o * chunk..(o + 1) * chunk]);
            pos += chunk;
        }
    }
    Ok(())
}

/// UNPACK: the inverse of [`pack`]; there must be one output per slice along
/// `axis`.
pub fn unpack<T: Copy>(
    axis: i32,
    input_shape: &[usize],
    input: &[T],
    outputs: &mut [&mut [T]],
) -> Result<(), KernelError> {
    let rank = input_shape.len();
    let axis = resolve_axis(axis, rank)?;
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    let (outer, n, inner) = around_axis(input_shape, axis);
    check_len("outputs", outputs.len(), n)?;
    for out in outputs.iter() {
        check_len("output", out.len(), outer * inner)?;
    }
    for o in 0..outer {
        for (k, out) in outputs.iter_mut().enumerate() {
            let src = (o * n + k) * inner;
            out[o * inner..(o + 1) * inner].copy_from_slice(&input[src..src + inner]);
        }
    }
    Ok(())
}

/// SPLIT_V: splits `axis` into pieces of the given sizes (one output each).
pub fn split_v<T: Copy>(
    axis: i32,
    input_shape: &[usize],
    input: &[T],
    sizes: &[usize],
    outputs: &mut [&mut [T]],
) -> Result<(), KernelError> {
    let rank = input_shape.len();
    let axis = resolve_axis(axis, rank)?;
    check_len("input", input.len(), shape_len("input", input_shape)?)?;
    check_len("outputs", outputs.len(), sizes.len())?;
    let (outer, n, inner) = around_axis(input_shape, axis);
    if sizes.iter().sum::<usize>() != n {
        return Err(KernelError::shape(
            "sizes",
            format!("do not add up to axis length {n}"),
        ));
    }
    for (out, &s) in outputs.iter().zip(sizes) {
        check_len("output", out.len(), outer * s * inner)?;
    }
    let mut src = 0;
    for o in 0..outer {
        for (out, &s) in outputs.iter_mut().zip(sizes) {
            let chunk = s * inner;
            out[o * chunk..(o + 1) * chunk].copy_from_slice(&input[src..src + chunk]);
            src += chunk;
        }
    }
    Ok(())
}

/// SPLIT: splits `axis` into `outputs.len()` equal pieces.
pub fn split<T: Copy>(
    axis: i32,
    input_shape: &[usize],
    input: &[T],
    outputs: &mut [&mut [T]],
) -> Result<(), KernelError> {
    let rank = input_shape.len();
    let a = resolve_axis(axis, rank)?;
    let parts = outputs.len();
    if parts == 0 || input_shape[a] % parts != 0 {
        return Err(KernelError::shape(
            "outputs",
            "axis length is not divisible by the number of outputs",
        ));
    }
    let sizes = vec![input_shape[a] / parts; parts];
    split_v(axis, input_shape, input, &sizes, outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_2d() {
        let mut out = [0i8; 12];
        pad(&[2, 2], &[1, 2, 3, 4], &[(1, 0), (0, 2)], -1, &mut out).unwrap();
        assert_eq!(out, [-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1]);
    }

    #[test]
    fn strided_slice_cases() {
        let input: Vec<i32> = (0..12).collect(); // [3, 4]
        let p = StridedSliceParams {
            begin: &[0, 1],
            end: &[3, -1],
            strides: &[2, 1],
            begin_mask: 0,
            end_mask: 0,
            shrink_axis_mask: 0,
        };
        let mut out = [0; 4];
        strided_slice(&p, &[3, 4], &input, &mut out).unwrap();
        assert_eq!(out, [1, 2, 9, 10]);
        // Reverse the columns of row 1 with shrink on axis 0.
        let p = StridedSliceParams {
            begin: &[1, 0],
            end: &[2, 0],
            strides: &[1, -1],
            begin_mask: 0b10,
            end_mask: 0b10,
            shrink_axis_mask: 0b01,
        };
        assert_eq!(strided_slice_extents(&p, &[3, 4]).unwrap(), vec![1, 4]);
        strided_slice(&p, &[3, 4], &input, &mut out).unwrap();
        assert_eq!(out, [7, 6, 5, 4]);
    }

    #[test]
    fn transpose_and_concat() {
        let input: Vec<i32> = (0..6).collect(); // [2, 3]
        let mut out = [0; 6];
        transpose(&[2, 3], &[1, 0], &input, &mut out).unwrap();
        assert_eq!(out, [0, 3, 1, 4, 2, 5]);
        let a = [1, 2, 3, 4]; // [2, 2]
        let b = [5, 6]; // [2, 1]
        let mut c = [0; 6];
        concatenation(1, &[&[2, 2], &[2, 1]], &[&a, &b], &mut c).unwrap();
        assert_eq!(c, [1, 2, 5, 3, 4, 6]);
        let mut p = [0; 8];
        pack(1, &[2, 2], &[&a, &[7, 8, 9, 10]], &mut p).unwrap();
        assert_eq!(p, [1, 2, 7, 8, 3, 4, 9, 10]);
        let (mut x, mut y) = ([0; 4], [0; 4]);
        unpack(1, &[2, 2, 2], &p, &mut [&mut x, &mut y]).unwrap();
        assert_eq!((x, y), ([1, 2, 3, 4], [7, 8, 9, 10]));
        let (mut s1, mut s2) = ([0; 2], [0; 4]);
        split_v(-1, &[2, 3], &input, &[1, 2], &mut [&mut s1, &mut s2]).unwrap();
        assert_eq!((s1, s2), ([0, 3], [1, 2, 4, 5]));
    }
}
