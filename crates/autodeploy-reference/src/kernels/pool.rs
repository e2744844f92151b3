//! AVERAGE_POOL_2D and MAX_POOL_2D.
//!
//! Reproduces TFLite Micro's reference kernels:
//! - windows are clipped to the input; padded positions are neither summed nor
//!   counted, so border averages divide by the number of real elements;
//! - quantised pooling works directly on the stored integers (TFLite Micro
//!   requires identical input and output scale and zero point): the integer
//!   average is `(sum +- count/2) / count` with C division, i.e. rounded half away
//!   from zero, then clamped to the activation range;
//! - an average window that covers no input element makes TFLite fail, and
//!   returns [`KernelError::EmptyPoolWindow`] here; a max window like that yields
//!   the type's lowest value (clamped);
//! - float average divides the float sum by the float count.

use super::{check_len, clamp_f32, dims_len, Dims4, FloatActivation, KernelError, QuantActivation};

/// Geometry of a pooling operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolParams {
    /// Vertical stride (>= 1).
    pub stride_h: usize,
    /// Horizontal stride (>= 1).
    pub stride_w: usize,
    /// Window height.
    pub filter_h: usize,
    /// Window width.
    pub filter_w: usize,
    /// Padding rows before the input (`prepare::compute_padding`, dilation 1).
    pub pad_h: usize,
    /// Padding columns before the input.
    pub pad_w: usize,
}

fn check_pool(
    params: &PoolParams,
    input_dims: &Dims4,
    input_len: usize,
    output_dims: &Dims4,
    output_len: usize,
) -> Result<(), KernelError> {
    check_len("input", input_len, dims_len("input", input_dims)?)?;
    check_len("output", output_len, dims_len("output", output_dims)?)?;
    if params.stride_h == 0 || params.stride_w == 0 {
        return Err(KernelError::shape("params", "stride must be at least 1"));
    }
    if input_dims.n != output_dims.n || input_dims.c != output_dims.c {
        return Err(KernelError::shape(
            "output",
            "batch and channels must match the input's",
        ));
    }
    Ok(())
}

/// Clipped window `[start, end)` along one axis, in input coordinates.
#[inline]
fn window(out: usize, stride: usize, pad: usize, filter: usize, size: usize) -> (usize, usize) {
    let origin = (out * stride) as isize - pad as isize;
    let start = origin.max(0) as usize;
    let end = (origin + filter as isize).clamp(0, size as isize) as usize;
    (start, end.max(start))
}

/// Visits every output element with its clipped window; `reduce` gets the
/// input, the window and the channel offsets and returns the output value.
fn pool_driver<I, O>(
    params: &PoolParams,
    input_dims: &Dims4,
    input: &[I],
    output_dims: &Dims4,
    output: &mut [O],
    mut reduce: impl FnMut(
        &[I],
        usize,
        (usize, usize),
        (usize, usize),
        usize,
    ) -> Result<O, (usize, usize)>,
) -> Result<(), KernelError> {
    let c = input_dims.c;
    let mut idx = 0;
    for b in 0..output_dims.n {
        let batch_base = b * input_dims.h * input_dims.w * c;
        for oy in 0..output_dims.h {
            let ys = window(
                oy,
                params.stride_h,
                params.pad_h,
                params.filter_h,
                input_dims.h,
            );
            for ox in 0..output_dims.w {
                let xs = window(
                    ox,
                    params.stride_w,
                    params.pad_w,
                    params.filter_w,
                    input_dims.w,
                );
                for ch in 0..c {
                    output[idx] = reduce(input, batch_base + ch, ys, xs, input_dims.w * c)
                        .map_err(|_| KernelError::EmptyPoolWindow { y: oy, x: ox })?;
                    idx += 1;
                }
            }
        }
    }
    Ok(())
}

fn avg_pool_int<T: Copy + Into<i32>>(
    params: &PoolParams,
    activation: QuantActivation,
    input_dims: Dims4,
    input: &[T],
    output_dims: Dims4,
    output: &mut [T],
    narrow: impl Fn(i32) -> T,
) -> Result<(), KernelError> {
    check_pool(params, &input_dims, input.len(), &output_dims, output.len())?;
    let c = input_dims.c;
    pool_driver(
        params,
        &input_dims,
        input,
        &output_dims,
        output,
        |inp, base, ys, xs, row| {
            let mut acc = 0i32;
            let mut count = 0i32;
            for y in ys.0..ys.1 {
                for x in xs.0..xs.1 {
                    acc = acc.wrapping_add(inp[base + y * row + x * c].into());
                    count += 1;
                }
            }
            if count == 0 {
                return Err((0, 0));
            }
            let avg = if acc > 0 {
                acc.wrapping_add(count / 2) / count
            } else {
                acc.wrapping_sub(count / 2) / count
            };
            Ok(narrow(avg.max(activation.min).min(activation.max)))
        },
    )
}

/// int8 AVERAGE_POOL_2D.
pub fn avg_pool2d_s8(
    params: &PoolParams,
    activation: QuantActivation,
    input_dims: Dims4,
    input: &[i8],
    output_dims: Dims4,
    output: &mut [i8],
) -> Result<(), KernelError> {
    avg_pool_int(
        params,
        activation,
        input_dims,
        input,
        output_dims,
        output,
        |v| v as i8,
    )
}

/// int16 AVERAGE_POOL_2D.
pub fn avg_pool2d_s16(
    params: &PoolParams,
    activation: QuantActivation,
    input_dims: Dims4,
    input: &[i16],
    output_dims: Dims4,
    output: &mut [i16],
) -> Result<(), KernelError> {
    avg_pool_int(
        params,
        activation,
        input_dims,
        input,
        output_dims,
        output,
        |v| v as i16,
    )
}

/// float32 AVERAGE_POOL_2D.
pub fn avg_pool2d_f32(
    params: &PoolParams,
    activation: FloatActivation,
    input_dims: Dims4,
    input: &[f32],
    output_dims: Dims4,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_pool(params, &input_dims, input.len(), &output_dims, output.len())?;
    let c = input_dims.c;
    pool_driver(
        params,
        &input_dims,
        input,
        &output_dims,
        output,
        |inp, base, ys, xs, row| {
            let mut total = 0.0f32;
            let mut count = 0.0f32;
            for y in ys.0..ys.1 {
                for x in xs.0..xs.1 {
                    total += inp[base + y * row + x * c];
                    count += 1.0;
                }
            }
            if count == 0.0 {
                return Err((0, 0));
            }
            Ok(clamp_f32(total / count, activation))
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn max_pool_int<T: Copy + Ord>(
    params: &PoolParams,
    input_dims: Dims4,
    input: &[T],
    output_dims: Dims4,
    output: &mut [T],
    lowest: T,
    act_min: T,
    act_max: T,
) -> Result<(), KernelError> {
    check_pool(params, &input_dims, input.len(), &output_dims, output.len())?;
    let c = input_dims.c;
    pool_driver(
        params,
        &input_dims,
        input,
        &output_dims,
        output,
        |inp, base, ys, xs, row| {
            let mut m = lowest;
            for y in ys.0..ys.1 {
                for x in xs.0..xs.1 {
                    m = m.max(inp[base + y * row + x * c]);
                }
            }
            Ok(m.max(act_min).min(act_max))
        },
    )
}

/// int8 MAX_POOL_2D (the activation bounds are truncated to int8, as in TFLite).
pub fn max_pool2d_s8(
    params: &PoolParams,
    activation: QuantActivation,
    input_dims: Dims4,
    input: &[i8],
    output_dims: Dims4,
    output: &mut [i8],
) -> Result<(), KernelError> {
    max_pool_int(
        params,
        input_dims,
        input,
        output_dims,
        output,
        i8::MIN,
        activation.min as i8,
        activation.max as i8,
    )
}

/// int16 MAX_POOL_2D.
pub fn max_pool2d_s16(
    params: &PoolParams,
    activation: QuantActivation,
    input_dims: Dims4,
    input: &[i16],
    output_dims: Dims4,
    output: &mut [i16],
) -> Result<(), KernelError> {
    max_pool_int(
        params,
        input_dims,
        input,
        output_dims,
        output,
        i16::MIN,
        activation.min as i16,
        activation.max as i16,
    )
}

/// float32 MAX_POOL_2D (`std::max` semantics: a NaN input element is skipped
/// unless it comes first).
pub fn max_pool2d_f32(
    params: &PoolParams,
    activation: FloatActivation,
    input_dims: Dims4,
    input: &[f32],
    output_dims: Dims4,
    output: &mut [f32],
) -> Result<(), KernelError> {
    check_pool(params, &input_dims, input.len(), &output_dims, output.len())?;
    let c = input_dims.c;
    pool_driver(
        params,
        &input_dims,
        input,
        &output_dims,
        output,
        |inp, base, ys, xs, row| {
            let mut m = f32::MIN;
            for y in ys.0..ys.1 {
                for x in xs.0..xs.1 {
                    let v = inp[base + y * row + x * c];
                    // std::max(a, b) returns a unless a < b.
                    if m < v {
                        m = v;
                    }
                }
            }
            Ok(clamp_f32(m, activation))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avg_pool_rounds_half_away_from_zero_and_clips_windows() {
        // 1x2x2x1, 2x2 window, SAME-style padding of 1 at the bottom/right handled
        // by clipping: output 1x1 covering all four.
        let params = PoolParams {
            stride_h: 2,
            stride_w: 2,
            filter_h: 2,
            filter_w: 2,
            pad_h: 0,
            pad_w: 0,
        };
        let mut out = [0i8; 1];
        avg_pool2d_s8(
            &params,
            QuantActivation::S8,
            Dims4::new(1, 2, 2, 1),
            &[1, 2, 2, 1],
            Dims4::new(1, 1, 1, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [2]); // 6/4 = 1.5 -> 2
        avg_pool2d_s8(
            &params,
            QuantActivation::S8,
            Dims4::new(1, 2, 2, 1),
            &[-1, -2, -2, -1],
            Dims4::new(1, 1, 1, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [-2]); // -1.5 -> -2
                               // Window of 3x3 with padding 1 over a 2x2 input: only 4 real elements.
        let params = PoolParams {
            stride_h: 1,
            stride_w: 1,
            filter_h: 3,
            filter_w: 3,
            pad_h: 1,
            pad_w: 1,
        };
        let mut out = [0i8; 4];
        avg_pool2d_s8(
            &params,
            QuantActivation::S8,
            Dims4::new(1, 2, 2, 1),
            &[4, 8, 12, 16],
            Dims4::new(1, 2, 2, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [10; 4]);
    }

    #[test]
    fn max_pool_and_empty_window() {
        let params = PoolParams {
            stride_h: 1,
            stride_w: 1,
            filter_h: 2,
            filter_w: 2,
            pad_h: 0,
            pad_w: 0,
        };
        let mut out = [0i8; 1];
        max_pool2d_s8(
            &params,
            QuantActivation { min: -128, max: 5 },
            Dims4::new(1, 2, 2, 1),
            &[1, 9, -3, 4],
            Dims4::new(1, 1, 1, 1),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, [5]);
        let far = PoolParams { pad_h: 5, ..params };
        let err = avg_pool2d_s8(
            &far,
            QuantActivation::S8,
            Dims4::new(1, 2, 2, 1),
            &[1, 9, -3, 4],
            Dims4::new(1, 1, 1, 1),
            &mut out,
        );
        assert_eq!(err, Err(KernelError::EmptyPoolWindow { y: 0, x: 0 }));
    }
}
