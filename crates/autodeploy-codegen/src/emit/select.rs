//! Choosing an optimised kernel variant per layer, at generation time, from
//! the target core and the layer's shape.
//!
//! The variants keep the contract of the kernel they replace (same arguments,
//! same in-place scheme, same values bit for bit), so the memory plan does not
//! change and a choice can be undone by `KernelChoice::Portable` to bisect a
//! mismatch; those on generation-time tables ([`prewiden`]: the DSP `w16`
//! kernels, the Helium convolutions) take the tables in place of the filter and
//! bias. Each variant carries a plain C fallback, so a wrong core costs speed,
//! never correctness.

use autodeploy_model::Graph;
use autodeploy_reference::layer::{Layer, Step};
use autodeploy_runtime::Kernel;

use super::layer::EmittedLayer;
use crate::Core;

mod add;
mod conv;
mod depthwise;
mod fully_connected;
mod mve;
pub mod scratch;

/// Which kernels the generated code calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelChoice {
    /// The portable C99 kernels everywhere.
    Portable,
    /// The fastest variant for this core where one exists.
    Optimized(Core),
}

impl KernelChoice {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            KernelChoice::Portable => "portable",
            KernelChoice::Optimized(_) => "optimized",
        }
    }
}

/// Whether `core` has the Armv7E-M DSP instructions (SMLAD, SXTB16...).
pub(super) fn has_dsp(core: Core) -> bool {
    matches!(core, Core::CortexM4 | Core::CortexM7 | Core::CortexM55)
}

/// The cores with the Armv7E-M DSP instructions.
const DSP_CORES: &[Core] = &[Core::CortexM4, Core::CortexM7, Core::CortexM55];
/// The DSP cores without Helium.
const M4_M7: &[Core] = &[Core::CortexM4, Core::CortexM7];
/// The Helium core.
const M55: &[Core] = &[Core::CortexM55];
/// Every core (the plain-C variants).
const ALL_CORES: &[Core] = &Core::ALL;

/// Every variant [`variant`] can choose, with the cores it is chosen for.
/// Add a line here with every new variant: the on-board property tests
/// (`autodeploy-validate/tests/qemu_kernel_variants.rs`) require at least 100
/// bit-exact random cases of each variant listed for the board's core, and
/// fail on a variant that is chosen but not listed.
pub const VARIANTS: &[(Kernel, &[Core])] = &[
    // DSP (Armv7E-M): on cortex-m55 only where no Helium variant applies.
    (Kernel::Conv2dW16DspS8, M4_M7),
    (Kernel::Conv2dAddW16DspS8, M4_M7),
    (Kernel::Conv2dRowbufDspS8, M4_M7),
    (Kernel::Conv2dDspS8, M4_M7),
    (Kernel::Conv2dAddDspS8, M4_M7),
    (Kernel::FullyConnectedDspS8, M4_M7),
    (Kernel::DepthwiseConv2dRowbufDspS8, DSP_CORES),
    (Kernel::DepthwiseConv2dDspS8, DSP_CORES),
    (Kernel::DepthwiseConv2dRowbufOptS8, ALL_CORES),
    (Kernel::AvgPoolDspS8, M4_M7),
    // Helium (MVE).
    (Kernel::Conv2dRowbufMveS8, M55),
    (Kernel::Conv2dMveS8, M55),
    (Kernel::Conv2dAddMveS8, M55),
    (Kernel::DepthwiseConv2dRowbufMveS8, M55),
    (Kernel::DepthwiseConv2dMveS8, M55),
    (Kernel::FullyConnectedMveS8, M55),
    (Kernel::AvgPoolMveS8, M55),
];

/// The variants [`variant`] can choose for `core` ([`VARIANTS`]).
pub fn variants_for(core: Core) -> Vec<Kernel> {
    VARIANTS
        .iter()
        .filter(|(_, cores)| cores.contains(&core))
        .map(|&(k, _)| k)
        .collect()
}

/// The variant to call instead of `kernel` for `layer`, with the reason
/// (for the generated code's comment), or `None` to keep `kernel`.
pub fn variant(
    choice: KernelChoice,
    kernel: Kernel,
    layer: &Layer,
) -> Option<(Kernel, &'static str)> {
    let KernelChoice::Optimized(core) = choice else {
        return None;
    };
    if core == Core::CortexM55 {
        if let Some(found) = mve::variant(kernel, layer) {
            return Some(found);
        }
    }
    if let Some(chosen) =
        depthwise::variant(core, kernel, layer).or_else(|| add::variant(core, kernel, layer))
    {
        return Some(chosen);
    }
    match (kernel, &layer.step) {
        // Any depth: below 4 only the hoisted row lookups and the channel
        // pairs pay, which is still most of the cost (kws layer 0, depth 1).
        (Kernel::Conv2dRowbufS8, Step::Conv { .. }) if has_dsp(core) => Some((
            Kernel::Conv2dRowbufDspS8,
            "DSP: SMLAD dot products, two output channels per pass, row lookups once per output row",
        )),
        // Depth 4 or more: the SMLAD loop runs at least once per tap.
        (Kernel::Conv2dS8, Step::Conv { window, .. }) if has_dsp(core) && window.filter.c >= 4 => {
            Some((Kernel::Conv2dDspS8, "DSP: SMLAD dot products per tap"))
        }
        (Kernel::FullyConnectedS8, Step::FullyConnected { .. }) if has_dsp(core) => Some((
            Kernel::FullyConnectedDspS8,
            "DSP: SMLAD dot products when the filter zero point is 0",
        )),
        (Kernel::AvgPoolS8, Step::Pool { max: false, .. }) if has_dsp(core) => Some((
            Kernel::AvgPoolDspS8,
            "DSP: window sums of 16 channels in int16 pairs (SXTB16 + SADD16)",
        )),
        // Plain C, so for every core: the gain is in the loop structure.
        (Kernel::DepthwiseConv2dRowbufS8, Step::Depthwise { .. }) => Some((
            Kernel::DepthwiseConv2dRowbufOptS8,
            "row lookups once per output row, channels innermost",
        )),
        _ => None,
    }
}

/// A plain layer's code with its call redirected to the variant, if one is
/// chosen (the variants of plain kernels take the same arguments).
pub fn apply(choice: KernelChoice, plain: EmittedLayer, layer: &Layer) -> EmittedLayer {
    let Some(portable) = plain.kernel else {
        return plain;
    };
    let Some((kernel, why)) = variant(choice, portable, layer) else {
        return plain;
    };
    let call = format!("return {}(", portable.c_name());
    if plain.code.matches(&call).count() != 1 {
        return plain;
    }
    let code = plain
        .code
        .replace(
            &call,
            &format!(
                "/* Kernel variant: {} ({why}). */\n    return {}(",
                kernel.c_name(),
                kernel.c_name()
            ),
        )
        .replace(
            &format!("({}) */", portable.c_name()),
            &format!("({}) */", kernel.c_name()),
        );
    EmittedLayer {
        kernel: Some(kernel),
        code,
    }
}

/// `emitted` moved to a kernel on generation-time tables (pre-widened
/// weights, folded zero point, requantisation records) where one fits.
pub fn prewiden(
    choice: KernelChoice,
    graph: &Graph,
    layer: &Layer,
    fn_name: &str,
    emitted: EmittedLayer,
) -> EmittedLayer {
    match choice {
        KernelChoice::Optimized(Core::CortexM55) => {
            let emitted = mve::fold_fully_connected(graph, layer, fn_name, emitted);
            let emitted = mve::pack(graph, layer, fn_name, emitted);
            let emitted = conv::prewiden(graph, layer, fn_name, emitted);
            fully_connected::prewiden(graph, layer, fn_name, emitted)
        }
        KernelChoice::Optimized(core) if has_dsp(core) => {
            let emitted = conv::prewiden(graph, layer, fn_name, emitted);
            fully_connected::prewiden(graph, layer, fn_name, emitted)
        }
        _ => emitted,
    }
}
