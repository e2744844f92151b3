//! DEPTHWISE_CONV_2D variants (int8).
//!
//! `ad_dw_dsp.h` computes one output row: the valid horizontal taps found
//! once per pixel, four channels per pass with SXTAB16 + SMLABB/SMLATT when
//! the depth multiplier is 1, requantisation without a 64-bit division. It
//! wins over the portable kernels for every shape on a DSP core, so the only
//! condition is the filter height its row table holds.

use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

use super::has_dsp;
use crate::Core;

/// Filter rows the DSP kernels' row table holds (`AD_DW_MAX_ROWS`).
const MAX_ROWS: usize = 32;

/// The depthwise variant for `kernel` on `core`, with the reason.
pub(super) fn variant(core: Core, kernel: Kernel, layer: &Layer) -> Option<(Kernel, &'static str)> {
    let Step::Depthwise { window, .. } = &layer.step else {
        return None;
    };
    if !has_dsp(core) || window.filter.h > MAX_ROWS {
        return None;
    }
    match kernel {
        Kernel::DepthwiseConv2dRowbufS8 => Some((
            Kernel::DepthwiseConv2dRowbufDspS8,
            "DSP: four channels per pass with SMLABB/SMLATT, taps clipped once per pixel, row lookups once per output row",
        )),
        Kernel::DepthwiseConv2dS8 => Some((
            Kernel::DepthwiseConv2dDspS8,
            "DSP: four channels per pass with SMLABB/SMLATT, taps clipped once per pixel",
        )),
        _ => None,
    }
}
