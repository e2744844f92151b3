//! Variants of the convolutions with a fused ADD (int8).

use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

use super::has_dsp;
use crate::Core;

/// Filter taps (height x width) the DSP kernel's tap list holds (`AD_CA_MAX_TAPS`).
const MAX_TAPS: usize = 64;

/// The fused-ADD variant for `kernel` on `core`, with the reason.
pub(super) fn variant(core: Core, kernel: Kernel, layer: &Layer) -> Option<(Kernel, &'static str)> {
    let Step::Conv { window, .. } = &layer.step else {
        return None;
    };
    // Depth 4 or more: the SMLAD loop runs at least once per tap.
    let fits = window.filter.c >= 4 && window.filter.h * window.filter.w <= MAX_TAPS;
    match kernel {
        Kernel::Conv2dAddS8 if has_dsp(core) && fits => Some((
            Kernel::Conv2dAddDspS8,
            "DSP: SMLAD dot products, two output channels per pass, taps listed once per pixel",
        )),
        _ => None,
    }
}
