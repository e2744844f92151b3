//! Helium (MVE) variants for Cortex-M55, chosen before the DSP ones.
//!
//! The C kernels keep per-call state on the stack (folded bias, accumulators,
//! one receptive-field window), bounded by the limits below; a layer beyond
//! them keeps the DSP or portable kernel.

use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

/// `AD_MVE_MAX_CHANNELS` in `ad_mve.h`.
const MAX_CHANNELS: usize = 512;
/// `AD_MVE_MAX_WINDOW` in `ad_mve.h`: filter height x width x depth bytes.
const MAX_WINDOW: usize = 2304;
/// `AD_MVE_MAX_ROWS` in the row-buffer CONV_2D, `AD_DW_MVE_MAX_ROWS` in `ad_dw_mve.h`.
const MAX_ROWS: usize = 16;
/// `AD_DW_MVE_MAX_TAPS` in `ad_dw_mve.h`.
const MAX_TAPS: usize = 64;

/// The Helium variant for `kernel` on `layer`, with the reason, if one applies.
pub(super) fn variant(kernel: Kernel, layer: &Layer) -> Option<(Kernel, &'static str)> {
    match (kernel, &layer.step) {
        (Kernel::Conv2dRowbufS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h <= MAX_ROWS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                Kernel::Conv2dRowbufMveS8,
                "Helium: one VMLADAVA dot product per output channel over the gathered window, input zero point folded into the bias",
            ))
        }
        (Kernel::Conv2dS8 | Kernel::Conv2dAddS8, Step::Conv { window, .. })
            if window.filter.c == window.input.c
                && window.output.c <= MAX_CHANNELS
                && window.filter.h * window.filter.w * window.filter.c <= MAX_WINDOW =>
        {
            Some((
                if kernel == Kernel::Conv2dS8 {
                    Kernel::Conv2dMveS8
                } else {
                    Kernel::Conv2dAddMveS8
                },
                "Helium: one VMLADAVA dot product per output channel over the gathered window, input zero point folded into the bias",
            ))
        }
        (Kernel::FullyConnectedS8, Step::FullyConnected { .. }) => Some((
            Kernel::FullyConnectedMveS8,
            "Helium: VMLADAVA dot products, four output channels per pass, zero points folded",
        )),
        (Kernel::AvgPoolS8, Step::Pool { max: false, .. }) => Some((
            Kernel::AvgPoolMveS8,
            "Helium: window sums of 16 channels at a time",
        )),
        (
            Kernel::DepthwiseConv2dRowbufS8 | Kernel::DepthwiseConv2dS8,
            Step::Depthwise {
                window,
                depth_multiplier: 1,
                ..
            },
        ) if window.output.c <= MAX_CHANNELS
            && window.filter.h <= MAX_ROWS
            && window.filter.h * window.filter.w <= MAX_TAPS =>
        {
            Some((
                if kernel == Kernel::DepthwiseConv2dS8 {
                    Kernel::DepthwiseConv2dMveS8
                } else {
                    Kernel::DepthwiseConv2dRowbufMveS8
                },
                "Helium: 16 channels per pass with VMLA, input zero point folded into the bias",
            ))
        }
        _ => None,
    }
}
