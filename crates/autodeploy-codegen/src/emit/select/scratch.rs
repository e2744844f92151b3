//! Scratch sizes of the kernel variants that take scratch: the host-side
//! twins of the C `*_scratch_size()` companions in `ad_runtime.h` (and their
//! formulas in the kernels' internal headers). The planner places a layer's
//! scratch in the arena, live during that layer only, so it counts in the
//! arena the report compares with the portable kernels'.
//!
//! `tests/scratch_size.rs` compiles the C companions on the host and checks
//! these functions against them.

use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

/// Bytes a pointer takes in a scratch size (`AD_SCRATCH_POINTER`): 8 on any
/// target, so one size fits 32- and 64-bit builds of the same code.
const POINTER: usize = 8;
/// `AD_CONV_MVE_GROUP` in `ad_conv_mve.h`.
const MVE_GROUP: usize = 3;
/// `AD_W16_WIDE` in `ad_conv2d_w16.h`: int32 words of widened input at most.
const W16_WIDE: usize = 512;

/// Scratch bytes `kernel` needs for `layer` (0 for kernels without scratch).
pub fn bytes(kernel: Kernel, layer: &Layer) -> usize {
    let window = match &layer.step {
        Step::Conv { window, .. } | Step::Depthwise { window, .. } => window,
        // FULLY_CONNECTED on the DSP w16 kernel: a 1x1 convolution over the batch rows.
        Step::FullyConnected { dims, .. } if kernel == Kernel::Conv2dW16DspS8 => {
            return w16(1, 1, dims.input_depth);
        }
        _ => return 0,
    };
    let (f, out_c) = (&window.filter, window.output.c);
    match kernel {
        Kernel::Conv2dMveS8 | Kernel::Conv2dRowbufMveS8 | Kernel::Conv2dAddMveS8 => {
            conv_mve(f.h * f.w * f.c, out_c)
        }
        Kernel::DepthwiseConv2dMveS8 | Kernel::DepthwiseConv2dRowbufMveS8 => {
            depthwise_mve(f.h * f.w, out_c)
        }
        Kernel::Conv2dW16DspS8 | Kernel::Conv2dAddW16DspS8 => w16(f.h, f.w, f.c),
        _ => 0,
    }
}

/// `ad_conv2d_mve_s8_scratch_size`: two pixels' int32 sums (a group of slack
/// past `out_c` each), then their gathered windows of `window` bytes.
pub fn conv_mve(window: usize, out_c: usize) -> usize {
    4 * 2 * (out_c + MVE_GROUP) + 2 * window.max(1)
}

/// `ad_depthwise_conv2d_mve_s8_scratch_size`: two pixels' tap pointers, then
/// a row of input zero points for the taps in the padding.
pub fn depthwise_mve(taps: usize, out_c: usize) -> usize {
    2 * taps.max(1) * POINTER + out_c.max(1)
}

/// `ad_conv2d_w16_dsp_s8_scratch_size`: the widened input words (when they
/// fit `AD_W16_WIDE`), the row pointers, and `k_h + 1` rows of the filter
/// row's length rounded up to 4 (border copies and the zero-point row).
pub fn w16(k_h: usize, k_w: usize, in_c: usize) -> usize {
    let len4 = (k_w * in_c).div_ceil(4) * 4;
    let wide = k_h * (len4 / 4) * 2;
    let wide = if wide <= W16_WIDE { wide } else { 0 };
    4 * wide + 2 * k_h * POINTER + (k_h + 1) * len4
}
