//! The kernel list: one variant per C kernel function, with its files.

use crate::{runtime_file, SourceFile};

macro_rules! kernels {
    ($($variant:ident => $c_name:literal, [$($file:literal),+ $(,)?];)*) => {
        /// A kernel function of the C runtime (one per `ad_<op>[_<variant>]_<type>`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Kernel {
            $(
                #[doc = concat!("`", $c_name, "`.")]
                $variant,
            )*
        }

        impl Kernel {
            /// Every kernel, in declaration order.
            pub const ALL: &'static [Kernel] = &[$(Kernel::$variant),*];

            /// The C function name (`ad_conv2d_s8`).
            pub const fn c_name(self) -> &'static str {
                match self {
                    $(Kernel::$variant => $c_name,)*
                }
            }

            pub(crate) fn sources(self) -> &'static [SourceFile] {
                match self {
                    $(Kernel::$variant => &[$(runtime_file!($file)),+],)*
                }
            }
        }
    };
}

kernels! {
    LogisticS8 => "ad_logistic_s8", ["src/activation/ad_logistic_s8.c", "src/activation/ad_sigmoid_tanh_common.h"];
    TanhS8 => "ad_tanh_s8", ["src/activation/ad_tanh_s8.c", "src/activation/ad_sigmoid_tanh_common.h"];
    LogisticS16 => "ad_logistic_s16", ["src/activation/ad_logistic_s16.c", "src/activation/ad_sigmoid_tanh_s16.h", "src/activation/ad_sigmoid_table.h"];
    TanhS16 => "ad_tanh_s16", ["src/activation/ad_tanh_s16.c", "src/activation/ad_sigmoid_tanh_s16.h", "src/activation/ad_sigmoid_table.h"];
    ReluF32 => "ad_relu_f32", ["src/activation/ad_relu_f32.c"];
    ReluS8 => "ad_relu_s8", ["src/activation/ad_relu_s8.c"];
    Relu6F32 => "ad_relu6_f32", ["src/activation/ad_relu6_f32.c"];
    Relu6S8 => "ad_relu6_s8", ["src/activation/ad_relu6_s8.c"];
    Reshape => "ad_reshape", ["src/array/ad_reshape.c"];
    Conv2dF32 => "ad_conv2d_f32", ["src/conv/ad_conv2d_f32.c", "src/conv/ad_conv_check.h"];
    Conv2dS8 => "ad_conv2d_s8", ["src/conv/ad_conv2d_s8.c", "src/conv/ad_conv_check.h"];
    DepthwiseConv2dF32 => "ad_depthwise_conv2d_f32", ["src/conv/ad_depthwise_conv2d_f32.c", "src/conv/ad_conv_check.h"];
    DepthwiseConv2dS8 => "ad_depthwise_conv2d_s8", ["src/conv/ad_depthwise_conv2d_s8.c", "src/conv/ad_conv_check.h"];
    AddF32 => "ad_add_f32", ["src/elementwise/ad_add_f32.c", "src/elementwise/ad_broadcast.h"];
    AddS16 => "ad_add_s16", ["src/elementwise/ad_add_s16.c", "src/elementwise/ad_broadcast.h"];
    AddS8 => "ad_add_s8", ["src/elementwise/ad_add_s8.c", "src/elementwise/ad_broadcast.h"];
    MaximumF32 => "ad_maximum_f32", ["src/elementwise/ad_maximum_f32.c", "src/elementwise/ad_broadcast.h"];
    MaximumS16 => "ad_maximum_s16", ["src/elementwise/ad_maximum_s16.c", "src/elementwise/ad_broadcast.h"];
    MaximumS8 => "ad_maximum_s8", ["src/elementwise/ad_maximum_s8.c", "src/elementwise/ad_broadcast.h"];
    MinimumF32 => "ad_minimum_f32", ["src/elementwise/ad_minimum_f32.c", "src/elementwise/ad_broadcast.h"];
    MinimumS16 => "ad_minimum_s16", ["src/elementwise/ad_minimum_s16.c", "src/elementwise/ad_broadcast.h"];
    MinimumS8 => "ad_minimum_s8", ["src/elementwise/ad_minimum_s8.c", "src/elementwise/ad_broadcast.h"];
    MulF32 => "ad_mul_f32", ["src/elementwise/ad_mul_f32.c", "src/elementwise/ad_broadcast.h"];
    MulS16 => "ad_mul_s16", ["src/elementwise/ad_mul_s16.c", "src/elementwise/ad_broadcast.h"];
    MulS8 => "ad_mul_s8", ["src/elementwise/ad_mul_s8.c", "src/elementwise/ad_broadcast.h"];
    SubF32 => "ad_sub_f32", ["src/elementwise/ad_sub_f32.c", "src/elementwise/ad_broadcast.h"];
    SubS16 => "ad_sub_s16", ["src/elementwise/ad_sub_s16.c", "src/elementwise/ad_broadcast.h"];
    SubS8 => "ad_sub_s8", ["src/elementwise/ad_sub_s8.c", "src/elementwise/ad_broadcast.h"];
    FullyConnectedF32 => "ad_fully_connected_f32", ["src/fully_connected/ad_fully_connected_f32.c", "src/fully_connected/ad_fc_check.h"];
    FullyConnectedPerChannelS8 => "ad_fully_connected_per_channel_s8", ["src/fully_connected/ad_fully_connected_per_channel_s8.c", "src/fully_connected/ad_fc_check.h"];
    FullyConnectedS8 => "ad_fully_connected_s8", ["src/fully_connected/ad_fully_connected_s8.c", "src/fully_connected/ad_fc_check.h"];
    AvgPoolF32 => "ad_avg_pool_f32", ["src/pool/ad_avg_pool_f32.c", "src/pool/ad_pool_common.h"];
    AvgPoolS8 => "ad_avg_pool_s8", ["src/pool/ad_avg_pool_s8.c", "src/pool/ad_pool_common.h", "src/pool/ad_avg_pool_blocks.h"];
    MaxPoolF32 => "ad_max_pool_f32", ["src/pool/ad_max_pool_f32.c", "src/pool/ad_pool_common.h"];
    MaxPoolS8 => "ad_max_pool_s8", ["src/pool/ad_max_pool_s8.c", "src/pool/ad_pool_common.h"];
    DequantizeS16F32 => "ad_dequantize_s16_f32", ["src/quantize/ad_dequantize_s16_f32.c"];
    DequantizeS8F32 => "ad_dequantize_s8_f32", ["src/quantize/ad_dequantize_s8_f32.c"];
    QuantizeF32S16 => "ad_quantize_f32_s16", ["src/quantize/ad_quantize_f32_s16.c"];
    QuantizeF32S8 => "ad_quantize_f32_s8", ["src/quantize/ad_quantize_f32_s8.c"];
    QuantizeS16S16 => "ad_quantize_s16_s16", ["src/quantize/ad_quantize_s16_s16.c"];
    QuantizeS16S8 => "ad_quantize_s16_s8", ["src/quantize/ad_quantize_s16_s8.c"];
    QuantizeS8S16 => "ad_quantize_s8_s16", ["src/quantize/ad_quantize_s8_s16.c"];
    QuantizeS8S8 => "ad_quantize_s8_s8", ["src/quantize/ad_quantize_s8_s8.c"];
    SoftmaxF32 => "ad_softmax_f32", ["src/softmax/ad_softmax_f32.c"];
    SoftmaxS8 => "ad_softmax_s8", ["src/softmax/ad_softmax_s8.c", "src/softmax/ad_softmax_s8_common.h"];
    SoftmaxS8S16 => "ad_softmax_s8_s16", ["src/softmax/ad_softmax_s8_s16.c", "src/softmax/ad_softmax_s8_common.h"];
    // Full reference coverage: activations, data movement, MEAN, BATCH_MATMUL.
    LeakyReluS8 => "ad_leaky_relu_s8", ["src/activation/ad_leaky_relu_s8.c", "src/activation/ad_leaky_relu_common.h"];
    LeakyReluS16 => "ad_leaky_relu_s16", ["src/activation/ad_leaky_relu_s16.c", "src/activation/ad_leaky_relu_common.h"];
    LeakyReluF32 => "ad_leaky_relu_f32", ["src/activation/ad_leaky_relu_f32.c"];
    HardSwishS8 => "ad_hard_swish_s8", ["src/activation/ad_hard_swish_s8.c"];
    HardSwishF32 => "ad_hard_swish_f32", ["src/activation/ad_hard_swish_f32.c"];
    LogisticF32 => "ad_logistic_f32", ["src/activation/ad_logistic_f32.c"];
    TanhF32 => "ad_tanh_f32", ["src/activation/ad_tanh_f32.c"];
    QuantizeS8S32 => "ad_quantize_s8_s32", ["src/quantize/ad_quantize_s8_s32.c"];
    QuantizeS8U8 => "ad_quantize_s8_u8", ["src/quantize/ad_quantize_s8_u8.c"];
    QuantizeS16S32 => "ad_quantize_s16_s32", ["src/quantize/ad_quantize_s16_s32.c"];
    DequantizeU8F32 => "ad_dequantize_u8_f32", ["src/quantize/ad_dequantize_u8_f32.c"];
    Pad => "ad_pad", ["src/array/ad_pad.c", "src/array/ad_array_common.h"];
    StridedSlice => "ad_strided_slice", ["src/array/ad_strided_slice.c", "src/array/ad_array_common.h"];
    Transpose => "ad_transpose", ["src/array/ad_transpose.c", "src/array/ad_array_common.h"];
    Concatenation => "ad_concatenation", ["src/array/ad_concatenation.c", "src/array/ad_array_common.h"];
    Pack => "ad_pack", ["src/array/ad_pack.c", "src/array/ad_array_common.h"];
    Unpack => "ad_unpack", ["src/array/ad_unpack.c", "src/array/ad_array_common.h"];
    Split => "ad_split", ["src/array/ad_split.c", "src/array/ad_array_common.h"];
    MeanS8 => "ad_mean_s8", ["src/reduce/ad_mean_s8.c", "src/reduce/ad_mean_common.h"];
    MeanF32 => "ad_mean_f32", ["src/reduce/ad_mean_f32.c", "src/reduce/ad_mean_common.h"];
    BatchMatmulS8 => "ad_batch_matmul_s8", ["src/batch_matmul/ad_batch_matmul_s8.c", "src/batch_matmul/ad_batch_matmul_common.h"];
    BatchMatmulF32 => "ad_batch_matmul_f32", ["src/batch_matmul/ad_batch_matmul_f32.c", "src/batch_matmul/ad_batch_matmul_common.h"];
    // 16x8 layers (int16 activations, int8 weights).
    FullyConnectedS16 => "ad_fully_connected_s16", ["src/fully_connected/ad_fully_connected_s16.c", "src/fully_connected/ad_fc_check.h", "src/fully_connected/ad_fc_s16_common.h"];
    FullyConnectedBias32S16 => "ad_fully_connected_bias32_s16", ["src/fully_connected/ad_fully_connected_bias32_s16.c", "src/fully_connected/ad_fc_check.h", "src/fully_connected/ad_fc_s16_common.h"];
    Conv2dS16 => "ad_conv2d_s16", ["src/conv/ad_conv2d_s16.c", "src/conv/ad_conv_check.h", "src/conv/ad_conv_s16_common.h"];
    Conv2dBias32S16 => "ad_conv2d_bias32_s16", ["src/conv/ad_conv2d_bias32_s16.c", "src/conv/ad_conv_check.h", "src/conv/ad_conv_s16_common.h"];
    DepthwiseConv2dS16 => "ad_depthwise_conv2d_s16", ["src/conv/ad_depthwise_conv2d_s16.c", "src/conv/ad_conv_check.h"];
    SoftmaxS16 => "ad_softmax_s16", ["src/softmax/ad_softmax_s16.c"];
    TransposeConv2dS16 => "ad_transpose_conv2d_s16", ["src/conv/ad_transpose_conv2d_s16.c", "src/conv/ad_transpose_conv_common.h"];
    // TRANSPOSE_CONV (gathering: no accumulator buffer).
    TransposeConv2dS8 => "ad_transpose_conv2d_s8", ["src/conv/ad_transpose_conv2d_s8.c", "src/conv/ad_transpose_conv_common.h"];
    TransposeConv2dF32 => "ad_transpose_conv2d_f32", ["src/conv/ad_transpose_conv2d_f32.c", "src/conv/ad_transpose_conv_common.h"];
    // In-place kernels for the memory plan (row buffer, fused ADD); keep this block last.
    Conv2dRowbufS8 => "ad_conv2d_rowbuf_s8", ["src/conv/ad_conv2d_rowbuf_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h"];
    Conv2dRowbufF32 => "ad_conv2d_rowbuf_f32", ["src/conv/ad_conv2d_rowbuf_f32.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h"];
    DepthwiseConv2dRowbufS8 => "ad_depthwise_conv2d_rowbuf_s8", ["src/conv/ad_depthwise_conv2d_rowbuf_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h"];
    DepthwiseConv2dRowbufF32 => "ad_depthwise_conv2d_rowbuf_f32", ["src/conv/ad_depthwise_conv2d_rowbuf_f32.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h"];
    AvgPoolRowbufS8 => "ad_avg_pool_rowbuf_s8", ["src/pool/ad_avg_pool_rowbuf_s8.c", "src/pool/ad_pool_common.h", "src/conv/ad_rowbuf.h"];
    AvgPoolRowbufF32 => "ad_avg_pool_rowbuf_f32", ["src/pool/ad_avg_pool_rowbuf_f32.c", "src/pool/ad_pool_common.h", "src/conv/ad_rowbuf.h"];
    MaxPoolRowbufS8 => "ad_max_pool_rowbuf_s8", ["src/pool/ad_max_pool_rowbuf_s8.c", "src/pool/ad_pool_common.h", "src/conv/ad_rowbuf.h"];
    MaxPoolRowbufF32 => "ad_max_pool_rowbuf_f32", ["src/pool/ad_max_pool_rowbuf_f32.c", "src/pool/ad_pool_common.h", "src/conv/ad_rowbuf.h"];
    Conv2dAddS8 => "ad_conv2d_add_s8", ["src/conv/ad_conv2d_add_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_add_fused.h"];
    DepthwiseConv2dAddS8 => "ad_depthwise_conv2d_add_s8", ["src/conv/ad_depthwise_conv2d_add_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_add_fused.h"];
    // Optimised variants (Armv7E-M DSP), chosen by the emitter's `select` module.
    Conv2dRowbufDspS8 => "ad_conv2d_rowbuf_dsp_s8", ["src/conv/ad_conv2d_rowbuf_dsp_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_dot_dsp.h"];
    Conv2dDspS8 => "ad_conv2d_dsp_s8", ["src/conv/ad_conv2d_dsp_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_dot_dsp.h"];
    FullyConnectedDspS8 => "ad_fully_connected_dsp_s8", ["src/fully_connected/ad_fully_connected_dsp_s8.c", "src/fully_connected/ad_fc_check.h", "src/conv/ad_dot_dsp.h"];
    Conv2dW16DspS8 => "ad_conv2d_w16_dsp_s8", ["src/conv/ad_conv2d_w16_scratch_size.c", "src/conv/ad_conv2d_w16_dsp_s8.c", "src/conv/ad_conv2d_w16.h", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_dot_dsp.h"];
    Conv2dAddW16DspS8 => "ad_conv2d_add_w16_dsp_s8", ["src/conv/ad_conv2d_w16_scratch_size.c", "src/conv/ad_conv2d_add_w16_dsp_s8.c", "src/conv/ad_conv2d_w16.h", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_dot_dsp.h"];
    DepthwiseConv2dRowbufOptS8 => "ad_depthwise_conv2d_rowbuf_opt_s8", ["src/conv/ad_depthwise_conv2d_rowbuf_opt_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h"];
    DepthwiseConv2dRowbufDspS8 => "ad_depthwise_conv2d_rowbuf_dsp_s8", ["src/conv/ad_depthwise_conv2d_rowbuf_dsp_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_dw_dsp.h", "src/conv/ad_dot_dsp.h"];
    DepthwiseConv2dDspS8 => "ad_depthwise_conv2d_dsp_s8", ["src/conv/ad_depthwise_conv2d_dsp_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_dw_dsp.h", "src/conv/ad_dot_dsp.h"];
    Conv2dAddDspS8 => "ad_conv2d_add_dsp_s8", ["src/conv/ad_conv2d_add_dsp_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_add_fused.h", "src/conv/ad_dot_dsp.h"];
    // Helium (MVE) variants for Cortex-M55, chosen by the emitter's `select::mve` module.
    Conv2dRowbufMveS8 => "ad_conv2d_rowbuf_mve_s8", ["src/conv/ad_conv2d_mve_scratch_size.c", "src/conv/ad_conv2d_rowbuf_mve_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_conv_mve.h", "src/conv/ad_mve.h", "src/conv/ad_add_fused.h"];
    DepthwiseConv2dRowbufMveS8 => "ad_depthwise_conv2d_rowbuf_mve_s8", ["src/conv/ad_depthwise_conv2d_mve_scratch_size.c", "src/conv/ad_depthwise_conv2d_rowbuf_mve_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_rowbuf.h", "src/conv/ad_dw_mve.h", "src/conv/ad_mve.h"];
    DepthwiseConv2dMveS8 => "ad_depthwise_conv2d_mve_s8", ["src/conv/ad_depthwise_conv2d_mve_scratch_size.c", "src/conv/ad_depthwise_conv2d_mve_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_dw_mve.h", "src/conv/ad_mve.h"];
    Conv2dMveS8 => "ad_conv2d_mve_s8", ["src/conv/ad_conv2d_mve_scratch_size.c", "src/conv/ad_conv2d_mve_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_conv_mve.h", "src/conv/ad_mve.h", "src/conv/ad_add_fused.h"];
    Conv2dAddMveS8 => "ad_conv2d_add_mve_s8", ["src/conv/ad_conv2d_mve_scratch_size.c", "src/conv/ad_conv2d_add_mve_s8.c", "src/conv/ad_conv_check.h", "src/conv/ad_conv_mve.h", "src/conv/ad_mve.h", "src/conv/ad_add_fused.h"];
    FullyConnectedMveS8 => "ad_fully_connected_mve_s8", ["src/fully_connected/ad_fully_connected_mve_s8.c", "src/fully_connected/ad_fc_check.h", "src/conv/ad_mve.h"];
    AvgPoolMveS8 => "ad_avg_pool_mve_s8", ["src/pool/ad_avg_pool_mve_s8.c", "src/pool/ad_pool_common.h", "src/pool/ad_avg_pool_blocks.h", "src/conv/ad_mve.h"];
    AvgPoolDspS8 => "ad_avg_pool_dsp_s8", ["src/pool/ad_avg_pool_dsp_s8.c", "src/pool/ad_pool_common.h", "src/pool/ad_avg_pool_blocks.h", "src/conv/ad_dot_dsp.h"];
}
