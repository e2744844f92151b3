//! Case generators for the optimised kernel variants (the list of variants
//! is `autodeploy_codegen::VARIANTS`): per variant, by its C name, a
//! generator of one-operator models among which the code generator chooses
//! that variant often. The on-board property test keeps generating until
//! every variant of the core has its cases, so a generator only needs to hit
//! its variant's conditions some of the time; steer it (a dedicated function
//! with narrower shapes) when it rarely does.

use super::{conv, shape, Case, Rng};

/// A generator of one case.
pub type Generator = fn(&mut Rng) -> Case;

/// Per variant (C name), its generator. Add a line with every new variant.
pub const GENERATORS: &[(&str, Generator)] = &[
    // Row-buffer convolutions: the planner picks the scheme when the
    // output may overwrite the input, which the random shapes often allow.
    ("ad_conv2d_rowbuf_dsp_s8", conv::conv_s8),
    // Filter depth >= 4 when the row buffer is not chosen.
    ("ad_conv2d_dsp_s8", conv::conv_s8),
    ("ad_conv2d_w16_dsp_s8", conv::conv_s8),
    ("ad_conv2d_add_dsp_s8", conv::conv_add_s8),
    ("ad_conv2d_add_w16_dsp_s8", conv::conv_add_s8),
    ("ad_fully_connected_dsp_s8", conv::fully_connected_deep_s8),
    ("ad_depthwise_conv2d_rowbuf_dsp_s8", conv::depthwise_s8),
    ("ad_depthwise_conv2d_dsp_s8", conv::depthwise_s8),
    // Only filters taller than the DSP depthwise variants take reach it.
    ("ad_depthwise_conv2d_rowbuf_opt_s8", conv::depthwise_tall_s8),
    ("ad_conv2d_rowbuf_mve_s8", conv::conv_s8),
    ("ad_conv2d_mve_s8", conv::conv_s8),
    ("ad_conv2d_add_mve_s8", conv::conv_add_s8),
    (
        "ad_depthwise_conv2d_rowbuf_mve_s8",
        conv::depthwise_or_column_s8,
    ),
    ("ad_depthwise_conv2d_mve_s8", conv::depthwise_or_column_s8),
    ("ad_fully_connected_mve_s8", conv::fully_connected_s8),
    ("ad_avg_pool_mve_s8", shape::avg_pool_s8),
    ("ad_avg_pool_dsp_s8", shape::avg_pool_s8),
];

/// The generator for the variant called `c_name`.
pub fn generator(c_name: &str) -> Option<Generator> {
    GENERATORS
        .iter()
        .find(|(name, _)| *name == c_name)
        .map(|&(_, g)| g)
}
