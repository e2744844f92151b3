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
/// `AD_CONV_MVE_BLOCK`: channels of the smallest block.
const MVE_BLOCK: usize = 12;
/// `AD_W16_WIDE` in `ad_conv2d_w16.h`: int32 words of widened input at most.
const W16_WIDE: usize = 512;

/// Scratch bytes `kernel` runs fastest with for `layer` (0 for kernels
/// without scratch): the `*_scratch_size()` companion's value.
pub fn bytes(kernel: Kernel, layer: &Layer) -> usize {
    sizes(kernel, layer).0
}

/// The fewest scratch bytes `kernel` runs with for `layer`: the Helium
/// convolutions then compute their output channels in blocks of 12 (or
/// more, as the scratch they are given holds); other kernels need
/// [`bytes`].
pub fn least(kernel: Kernel, layer: &Layer) -> usize {
    sizes(kernel, layer).1
}

/// ([`bytes`], [`least`]).
fn sizes(kernel: Kernel, layer: &Layer) -> (usize, usize) {
    let window = match &layer.step {
        Step::Conv { window, .. } | Step::Depthwise { window, .. } => window,
        // FULLY_CONNECTED on the DSP w16 kernel: a 1x1 convolution over the
        // batch rows, without padding or row buffer, so its rows are read in
        // place when 4-aligned.
        Step::FullyConnected { dims, .. } if kernel == Kernel::Conv2dW16DspS8 => {
            let depth = dims.input_depth;
            return (w16(1, 1, depth), w16_least(1, 1, depth, depth % 4 == 0));
        }
        _ => return (0, 0),
    };
    let (f, out_c) = (&window.filter, window.output.c);
    match kernel {
        Kernel::Conv2dMveS8 | Kernel::Conv2dRowbufMveS8 | Kernel::Conv2dAddMveS8 => {
            let n = f.h * f.w * f.c;
            (conv_mve(n, out_c), conv_mve(n, out_c.min(MVE_BLOCK)))
        }
        Kernel::DepthwiseConv2dMveS8 | Kernel::DepthwiseConv2dRowbufMveS8 => {
            let taps = f.h * f.w;
            (
                depthwise_mve(taps, out_c, true),
                depthwise_mve(taps, out_c, super::conv::taps_outside(window)),
            )
        }
        Kernel::Conv2dW16DspS8 | Kernel::Conv2dAddW16DspS8 => {
            (w16(f.h, f.w, f.c), w16_least(f.h, f.w, f.c, false))
        }
        _ => (0, 0),
    }
}

/// `ad_conv2d_mve_s8_scratch_size` for blocks of `block` output channels
/// (all of them: the companion's value): two pixels' int32 sums (the block
/// rounded up to whole groups of 3), then their gathered windows of `window`
/// bytes.
pub fn conv_mve(window: usize, block: usize) -> usize {
    4 * 2 * block.div_ceil(MVE_GROUP) * MVE_GROUP + 2 * window.max(1)
}

/// `ad_depthwise_conv2d_mve_s8_scratch_size` (`padded`): two pixels' tap
/// pointers, then a row of input zero points for the taps in the padding,
/// which the kernel leaves out when no tap falls outside the input.
pub fn depthwise_mve(taps: usize, out_c: usize, padded: bool) -> usize {
    2 * taps.max(1) * POINTER + if padded { out_c.max(1) } else { 0 }
}

/// `ad_conv2d_w16_dsp_s8_scratch_size`: the row pointers (for `k_h > 1`),
/// `k_h + 1` rows of the filter row's length rounded up to 4 (border copies
/// and the zero-point row), then the widened input words (when they fit
/// `AD_W16_WIDE`).
pub fn w16(k_h: usize, k_w: usize, in_c: usize) -> usize {
    let len4 = (k_w * in_c).div_ceil(4) * 4;
    let wide = k_h * (len4 / 4) * 2;
    let wide = if wide <= W16_WIDE { wide } else { 0 };
    w16_least(k_h, k_w, in_c, false) + 4 * wide
}

/// The least scratch of the w16 kernel: the row pointers (for more than one
/// filter row), and the row copies unless `rows_in_place` (no padding, rows
/// a multiple of 4 long, no row-buffer pixels: the kernel's
/// `inside && !pixels`). Without the widened words it runs its narrow loop.
pub fn w16_least(k_h: usize, k_w: usize, in_c: usize, rows_in_place: bool) -> usize {
    let len4 = (k_w * in_c).div_ceil(4) * 4;
    let copies = if rows_in_place { 0 } else { (k_h + 1) * len4 };
    // A one-row filter keeps its two row pointers on the stack.
    let pointers = if k_h > 1 { 2 * k_h * POINTER } else { 0 };
    pointers + copies
}
