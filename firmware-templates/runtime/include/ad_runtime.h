/*
 * autodeploy runtime: portable C99 kernels for Arm Cortex-M (and any host),
 * bit-exact with TensorFlow Lite Micro's reference kernels for integer types.
 *
 * Conventions (CMSIS-NN shaped):
 * - names are ad_<op>[_<variant>]_<type>; the type suffix says the element types
 *   (_s8 int8, _s16 int16, _f32 float; _<in>_<out> when they differ); data
 *   movement kernels work on any element type and take an element size instead;
 * - arguments: context (scratch; may be NULL unless the kernel has a
 *   *_scratch_size companion), op params, quant params, then (dims, data) pairs
 *   for the inputs, the output last. A bias is passed as data only: C_OUT values,
 *   or NULL for none;
 * - activations are NHWC. Conv filters are [C_OUT, KH, KW, C_IN / groups],
 *   depthwise filters [1, KH, KW, C_IN * depth_multiplier];
 * - every kernel returns AD_OK, or a negative ad_status before writing anything
 *   when an argument is NULL, negative, or inconsistent with another;
 * - integer overflow wraps (two's complement), as TFLite Micro's host build
 *   does; no kernel allocates memory, and only the float kernels that need
 *   them call expf / tanhf from libm.
 */
#ifndef AD_RUNTIME_H
#define AD_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "ad_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- convolution */

/**
 * int8 CONV_2D, per-channel requantisation (TFLite ConvPerChannel):
 * acc = sum over valid taps of (x - input_zp) * w, + bias, rescaled with
 * quant->multiplier/shift[oc], + output_zp, clamped. Padded taps contribute nothing.
 * - input_dims [N, H, W, C_IN]; filter_dims [C_OUT, KH, KW, C_IN / groups]
 *   (filter c divides C_IN; groups = C_IN / filter c divides C_OUT);
 * - output_dims [N, OH, OW, C_OUT]; OH/OW are taken as given;
 * - quant: zero points in -128..=127, C_OUT multipliers and shifts;
 * - bias: C_OUT int32 values or NULL. ctx: unused (may be NULL).
 */
ad_status ad_conv2d_s8(const ad_context *ctx,
                       const ad_conv_params *params,
                       const ad_conv_quant *quant,
                       const ad_dims *input_dims,
                       const int8_t *input,
                       const ad_dims *filter_dims,
                       const int8_t *filter,
                       const int32_t *bias,
                       const ad_dims *output_dims,
                       int8_t *output);
/** ad_conv2d_s8 with SMLAD dot products (Armv7E-M DSP; plain C without it). */
ad_status ad_conv2d_dsp_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *output);

/**
 * 16x8 CONV_2D (int16 activations, int8 filter; layouts as ad_conv2d_s8) with an
 * int64 bias (C_OUT values or NULL): products summed in 64 bits, rescaled with
 * the 16-bit-rounded multiplier (ad_requantize_i64), clamped to the activation
 * range. quant's zero points are not applied (TFLite requires them to be 0).
 */
ad_status ad_conv2d_s16(const ad_context *ctx,
                        const ad_conv_params *params,
                        const ad_conv_quant *quant,
                        const ad_dims *input_dims,
                        const int16_t *input,
                        const ad_dims *filter_dims,
                        const int8_t *filter,
                        const int64_t *bias,
                        const ad_dims *output_dims,
                        int16_t *output);

/** ad_conv2d_s16 with an int32 bias: 32-bit wrapping sums and the 32-bit double-rounding rescale. */
ad_status ad_conv2d_bias32_s16(const ad_context *ctx,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_dims *input_dims,
                               const int16_t *input,
                               const ad_dims *filter_dims,
                               const int8_t *filter,
                               const int32_t *bias,
                               const ad_dims *output_dims,
                               int16_t *output);

/** float32 CONV_2D; layouts as ad_conv2d_s8; bias C_OUT floats or NULL. */
ad_status ad_conv2d_f32(const ad_context *ctx,
                        const ad_conv_params *params,
                        const ad_activation_f32 *activation,
                        const ad_dims *input_dims,
                        const float *input,
                        const ad_dims *filter_dims,
                        const float *filter,
                        const float *bias,
                        const ad_dims *output_dims,
                        float *output);

/**
 * int8 DEPTHWISE_CONV_2D (TFLite DepthwiseConvPerChannel). input [N, H, W, C_IN],
 * filter [1, KH, KW, C_OUT], output [N, OH, OW, C_OUT] with
 * C_OUT = C_IN * depth_multiplier; output channel oc reads input channel
 * oc / depth_multiplier. quant and bias as ad_conv2d_s8.
 */
ad_status ad_depthwise_conv2d_s8(const ad_context *ctx,
                                 const ad_dw_conv_params *params,
                                 const ad_conv_quant *quant,
                                 const ad_dims *input_dims,
                                 const int8_t *input,
                                 const ad_dims *filter_dims,
                                 const int8_t *filter,
                                 const int32_t *bias,
                                 const ad_dims *output_dims,
                                 int8_t *output);

/**
 * 16x8 DEPTHWISE_CONV_2D; layouts as ad_depthwise_conv2d_s8, int64 bias (C_OUT
 * values or NULL), 64-bit sums and rescale as ad_conv2d_s16, no zero points.
 */
ad_status ad_depthwise_conv2d_s16(const ad_context *ctx,
                                  const ad_dw_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int16_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int64_t *bias,
                                  const ad_dims *output_dims,
                                  int16_t *output);

/** float32 DEPTHWISE_CONV_2D; layouts as ad_depthwise_conv2d_s8. */
ad_status ad_depthwise_conv2d_f32(const ad_context *ctx,
                                  const ad_dw_conv_params *params,
                                  const ad_activation_f32 *activation,
                                  const ad_dims *input_dims,
                                  const float *input,
                                  const ad_dims *filter_dims,
                                  const float *filter,
                                  const float *bias,
                                  const ad_dims *output_dims,
                                  float *output);

/**
 * TRANSPOSE_CONV: input [N, H, W, C_IN], filter [C_OUT, KH, KW, C_IN], output
 * [N, OH, OW, C_OUT]; output (oy, ox) receives input (iy, ix) through filter tap
 * (oy + pad.h - iy * stride.h, ox + pad.w - ix * stride.w) when that tap exists.
 * int8: per-channel requantisation as ad_conv2d_s8 (int32 bias); 16x8: int64
 * bias, 64-bit sums as ad_conv2d_s16, no zero points; float32: sums in TFLite's
 * order (input row, column, channel), bias added last. No scratch (ctx unused).
 */
ad_status ad_transpose_conv2d_s8(const ad_context *ctx,
                                 const ad_transpose_conv_params *params,
                                 const ad_conv_quant *quant,
                                 const ad_dims *input_dims,
                                 const int8_t *input,
                                 const ad_dims *filter_dims,
                                 const int8_t *filter,
                                 const int32_t *bias,
                                 const ad_dims *output_dims,
                                 int8_t *output);
ad_status ad_transpose_conv2d_s16(const ad_context *ctx,
                                  const ad_transpose_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int16_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int64_t *bias,
                                  const ad_dims *output_dims,
                                  int16_t *output);
ad_status ad_transpose_conv2d_f32(const ad_context *ctx,
                                  const ad_transpose_conv_params *params,
                                  const ad_activation_f32 *activation,
                                  const ad_dims *input_dims,
                                  const float *input,
                                  const ad_dims *filter_dims,
                                  const float *filter,
                                  const float *bias,
                                  const ad_dims *output_dims,
                                  float *output);

/* ------------------------------------------------------------ fully connected */

/**
 * int8 FULLY_CONNECTED with one multiplier for the layer:
 * acc = sum((w - filter_zp) * (x - input_zp)) + bias, rescaled, + output_zp, clamped.
 * input_dims [N, 1, 1, C_IN] (N = product of all leading dimensions),
 * filter_dims [C_OUT, 1, 1, C_IN] (row-major weights), output_dims [N, 1, 1, C_OUT];
 * bias C_OUT int32 values or NULL. ctx: unused.
 */
ad_status ad_fully_connected_s8(const ad_context *ctx,
                                const ad_fc_quant *quant,
                                const ad_dims *input_dims,
                                const int8_t *input,
                                const ad_dims *filter_dims,
                                const int8_t *filter,
                                const int32_t *bias,
                                const ad_dims *output_dims,
                                int8_t *output);
/** ad_fully_connected_s8 with SMLAD dot products (Armv7E-M DSP; plain C without it). */
ad_status ad_fully_connected_dsp_s8(const ad_context *ctx,
                                    const ad_fc_quant *quant,
                                    const ad_dims *input_dims,
                                    const int8_t *input,
                                    const ad_dims *filter_dims,
                                    const int8_t *filter,
                                    const int32_t *bias,
                                    const ad_dims *output_dims,
                                    int8_t *output);

/** int8 FULLY_CONNECTED with per-channel scales (C_OUT multipliers/shifts); as above. */
ad_status ad_fully_connected_per_channel_s8(const ad_context *ctx,
                                            const ad_fc_per_channel_quant *quant,
                                            const ad_dims *input_dims,
                                            const int8_t *input,
                                            const ad_dims *filter_dims,
                                            const int8_t *filter,
                                            const int32_t *bias,
                                            const ad_dims *output_dims,
                                            int8_t *output);

/**
 * 16x8 FULLY_CONNECTED (TFLite's int16 path) with an int64 bias (C_OUT values or
 * NULL): products summed in 64 bits, rescaled with the 16-bit-rounded multiplier
 * (ad_requantize_i64), + output_zp, clamped to int16. Layouts as ad_fully_connected_s8.
 */
ad_status ad_fully_connected_s16(const ad_context *ctx,
                                 const ad_fc_s16_quant *quant,
                                 const ad_dims *input_dims,
                                 const int16_t *input,
                                 const ad_dims *filter_dims,
                                 const int8_t *filter,
                                 const int64_t *bias,
                                 const ad_dims *output_dims,
                                 int16_t *output);

/**
 * 16x8 FULLY_CONNECTED with an int32 bias (C_OUT values or NULL): TFLite then
 * sums in 32 bits (wrapping) and uses the 32-bit double-rounding rescale.
 */
ad_status ad_fully_connected_bias32_s16(const ad_context *ctx,
                                        const ad_fc_s16_quant *quant,
                                        const ad_dims *input_dims,
                                        const int16_t *input,
                                        const ad_dims *filter_dims,
                                        const int8_t *filter,
                                        const int32_t *bias,
                                        const ad_dims *output_dims,
                                        int16_t *output);

/** float32 FULLY_CONNECTED; layouts as ad_fully_connected_s8. */
ad_status ad_fully_connected_f32(const ad_context *ctx,
                                 const ad_activation_f32 *activation,
                                 const ad_dims *input_dims,
                                 const float *input,
                                 const ad_dims *filter_dims,
                                 const float *filter,
                                 const float *bias,
                                 const ad_dims *output_dims,
                                 float *output);

/* -------------------------------------------------------------------- pooling */

/**
 * AVERAGE_POOL_2D / MAX_POOL_2D. input [N, H, W, C], output [N, OH, OW, C].
 * Windows are clipped to the input; padded positions are not counted. Quantised
 * pooling works on stored values (input and output share quantisation).
 * Average pooling returns AD_ERR_FAILURE (writing nothing) when a window covers
 * no input element, as TFLite fails there. ctx: unused.
 */
ad_status ad_avg_pool_s8(const ad_context *ctx,
                         const ad_pool_params *params,
                         const ad_activation *activation,
                         const ad_dims *input_dims,
                         const int8_t *input,
                         const ad_dims *output_dims,
                         int8_t *output);
ad_status ad_avg_pool_f32(const ad_context *ctx,
                          const ad_pool_params *params,
                          const ad_activation_f32 *activation,
                          const ad_dims *input_dims,
                          const float *input,
                          const ad_dims *output_dims,
                          float *output);
/** The activation bounds are truncated to int8, as TFLite does. */
ad_status ad_max_pool_s8(const ad_context *ctx,
                         const ad_pool_params *params,
                         const ad_activation *activation,
                         const ad_dims *input_dims,
                         const int8_t *input,
                         const ad_dims *output_dims,
                         int8_t *output);
ad_status ad_max_pool_f32(const ad_context *ctx,
                          const ad_pool_params *params,
                          const ad_activation_f32 *activation,
                          const ad_dims *input_dims,
                          const float *input,
                          const ad_dims *output_dims,
                          float *output);

/* ---------------------------------------------------------------- elementwise */

/*
 * Binary elementwise kernels with numpy broadcasting on shapes of rank
 * 0..=AD_MAX_RANK (right-aligned; every input dimension equals the output's or
 * is 1). ADD/SUB use TFLite's two-stage rescaling (ad_add_quant, left_shift 20
 * for int8 and 15 for int16); MUL one rescaling of the zero-point-corrected
 * product; MAXIMUM/MINIMUM compare stored values (a > b ? a : b). ctx: unused.
 */
ad_status ad_add_s8(const ad_context *ctx, const ad_add_quant *quant, const ad_shape *input1_shape,
                    const int8_t *input1, const ad_shape *input2_shape, const int8_t *input2,
                    const ad_shape *output_shape, int8_t *output);
ad_status ad_add_s16(const ad_context *ctx, const ad_add_quant *quant, const ad_shape *input1_shape,
                     const int16_t *input1, const ad_shape *input2_shape, const int16_t *input2,
                     const ad_shape *output_shape, int16_t *output);
ad_status ad_add_f32(const ad_context *ctx, const ad_activation_f32 *activation, const ad_shape *input1_shape,
                     const float *input1, const ad_shape *input2_shape, const float *input2,
                     const ad_shape *output_shape, float *output);
ad_status ad_sub_s8(const ad_context *ctx, const ad_add_quant *quant, const ad_shape *input1_shape,
                    const int8_t *input1, const ad_shape *input2_shape, const int8_t *input2,
                    const ad_shape *output_shape, int8_t *output);
ad_status ad_sub_s16(const ad_context *ctx, const ad_add_quant *quant, const ad_shape *input1_shape,
                     const int16_t *input1, const ad_shape *input2_shape, const int16_t *input2,
                     const ad_shape *output_shape, int16_t *output);
ad_status ad_sub_f32(const ad_context *ctx, const ad_activation_f32 *activation, const ad_shape *input1_shape,
                     const float *input1, const ad_shape *input2_shape, const float *input2,
                     const ad_shape *output_shape, float *output);
ad_status ad_mul_s8(const ad_context *ctx, const ad_mul_quant *quant, const ad_shape *input1_shape,
                    const int8_t *input1, const ad_shape *input2_shape, const int8_t *input2,
                    const ad_shape *output_shape, int8_t *output);
ad_status ad_mul_s16(const ad_context *ctx, const ad_mul_quant *quant, const ad_shape *input1_shape,
                     const int16_t *input1, const ad_shape *input2_shape, const int16_t *input2,
                     const ad_shape *output_shape, int16_t *output);
ad_status ad_mul_f32(const ad_context *ctx, const ad_activation_f32 *activation, const ad_shape *input1_shape,
                     const float *input1, const ad_shape *input2_shape, const float *input2,
                     const ad_shape *output_shape, float *output);
ad_status ad_maximum_s8(const ad_context *ctx, const ad_shape *input1_shape, const int8_t *input1,
                        const ad_shape *input2_shape, const int8_t *input2, const ad_shape *output_shape,
                        int8_t *output);
ad_status ad_maximum_s16(const ad_context *ctx, const ad_shape *input1_shape, const int16_t *input1,
                         const ad_shape *input2_shape, const int16_t *input2, const ad_shape *output_shape,
                         int16_t *output);
ad_status ad_maximum_f32(const ad_context *ctx, const ad_shape *input1_shape, const float *input1,
                         const ad_shape *input2_shape, const float *input2, const ad_shape *output_shape,
                         float *output);
ad_status ad_minimum_s8(const ad_context *ctx, const ad_shape *input1_shape, const int8_t *input1,
                        const ad_shape *input2_shape, const int8_t *input2, const ad_shape *output_shape,
                        int8_t *output);
ad_status ad_minimum_s16(const ad_context *ctx, const ad_shape *input1_shape, const int16_t *input1,
                         const ad_shape *input2_shape, const int16_t *input2, const ad_shape *output_shape,
                         int16_t *output);
ad_status ad_minimum_f32(const ad_context *ctx, const ad_shape *input1_shape, const float *input1,
                         const ad_shape *input2_shape, const float *input2, const ad_shape *output_shape,
                         float *output);

/* -------------------------------------------------------------------- softmax */

/**
 * SOFTMAX over rows of row_size (>= 1) elements; num_rows >= 0 rows, contiguous.
 * int8 input: output int8 (scale 1/256, zero point -128) or int16 (scale 1/65536,
 * zero point -32768). float32: expf((x - max) * beta) / sum. ctx: unused.
 */
ad_status ad_softmax_s8(const ad_context *ctx, const ad_softmax_quant *quant, int32_t num_rows, int32_t row_size,
                        const int8_t *input, int8_t *output);
ad_status ad_softmax_s8_s16(const ad_context *ctx, const ad_softmax_quant *quant, int32_t num_rows,
                            int32_t row_size, const int8_t *input, int16_t *output);
/** int16 SOFTMAX (zero points 0, output scale 1/32768); the tables come from the emitter. */
ad_status ad_softmax_s16(const ad_context *ctx, const ad_softmax_s16_quant *quant, int32_t num_rows,
                         int32_t row_size, const int16_t *input, int16_t *output);
ad_status ad_softmax_f32(const ad_context *ctx, float beta, int32_t num_rows, int32_t row_size, const float *input,
                         float *output);

/* ---------------------------------------------------------------- activations */

/**
 * int8 LOGISTIC (output scale 1/256, zero point -128) and TANH (output scale
 * 1/128, zero point 0) on size >= 0 elements; input and output may alias exactly.
 */
ad_status ad_logistic_s8(const ad_context *ctx, const ad_sigmoid_tanh_quant *quant, int32_t size,
                         const int8_t *input, int8_t *output);
ad_status ad_tanh_s8(const ad_context *ctx, const ad_sigmoid_tanh_quant *quant, int32_t size, const int8_t *input,
                     int8_t *output);
/**
 * int16 LOGISTIC / TANH (input and output zero point 0, output scale 2^-15):
 * interpolation in TFLite's 256-entry sigmoid table (ad_sigmoid_table.h), on
 * size >= 0 elements; input and output may alias exactly.
 */
ad_status ad_logistic_s16(const ad_context *ctx, const ad_sigmoid_tanh_s16_quant *quant, int32_t size,
                          const int16_t *input, int16_t *output);
ad_status ad_tanh_s16(const ad_context *ctx, const ad_sigmoid_tanh_s16_quant *quant, int32_t size,
                      const int16_t *input, int16_t *output);

/**
 * RELU / RELU6 on size >= 0 elements. int8 RELU requantises (ad_relu_quant);
 * int8 RELU6 clamps stored values to [zero, six] and does not requantise, as
 * TFLite Micro does. float: max(x, 0) and clamp(x, 0, 6).
 */
ad_status ad_relu_s8(const ad_context *ctx, const ad_relu_quant *quant, int32_t size, const int8_t *input,
                     int8_t *output);
ad_status ad_relu6_s8(const ad_context *ctx, const ad_relu6_quant *quant, int32_t size, const int8_t *input,
                      int8_t *output);
ad_status ad_relu_f32(const ad_context *ctx, int32_t size, const float *input, float *output);
ad_status ad_relu6_f32(const ad_context *ctx, int32_t size, const float *input, float *output);

/* ------------------------------------------------------------------- quantize */

/**
 * QUANTIZE / DEQUANTIZE on size >= 0 elements. float -> int: round(x / scale)
 * + zero_point, clamped (scale > 0). int -> int: see ad_requant. int -> float:
 * scale * (x - zero_point) in double, narrowed.
 */
ad_status ad_quantize_f32_s8(const ad_context *ctx, float scale, int32_t zero_point, int32_t size,
                             const float *input, int8_t *output);
ad_status ad_quantize_f32_s16(const ad_context *ctx, float scale, int32_t zero_point, int32_t size,
                              const float *input, int16_t *output);
ad_status ad_quantize_s8_s8(const ad_context *ctx, const ad_requant *quant, int32_t size, const int8_t *input,
                            int8_t *output);
ad_status ad_quantize_s8_u8(const ad_context *ctx, const ad_requant *quant, int32_t size, const int8_t *input,
                            uint8_t *output);
ad_status ad_quantize_s8_s16(const ad_context *ctx, const ad_requant *quant, int32_t size, const int8_t *input,
                             int16_t *output);
ad_status ad_quantize_s16_s8(const ad_context *ctx, const ad_requant *quant, int32_t size, const int16_t *input,
                             int8_t *output);
ad_status ad_quantize_s16_s16(const ad_context *ctx, const ad_requant *quant, int32_t size,
                              const int16_t *input, int16_t *output);
ad_status ad_dequantize_s8_f32(const ad_context *ctx, float scale, int32_t zero_point, int32_t size,
                               const int8_t *input, float *output);
ad_status ad_dequantize_s16_f32(const ad_context *ctx, float scale, int32_t zero_point, int32_t size,
                                const int16_t *input, float *output);

/* -------------------------------------------------------------- data movement */

/** RESHAPE / SQUEEZE / EXPAND_DIMS: copies size_bytes >= 0 bytes (any type). */
ad_status ad_reshape(const ad_context *ctx, int32_t size_bytes, const void *input, void *output);

/* ------------------------- more activations, data movement, MEAN, BATCH_MATMUL */

/**
 * LEAKY_RELU on size >= 0 elements. Quantised: non-negative x - in_zp rescaled by
 * the identity multiplier, negative by the alpha one (negated after the multiply
 * when alpha < 0), + out_zp, clamped to the type. float: x > 0 ? x : x * alpha.
 */
ad_status ad_leaky_relu_s8(const ad_context *ctx, const ad_leaky_relu_quant *quant, int32_t size,
                           const int8_t *input, int8_t *output);
ad_status ad_leaky_relu_s16(const ad_context *ctx, const ad_leaky_relu_quant *quant, int32_t size,
                            const int16_t *input, int16_t *output);
ad_status ad_leaky_relu_f32(const ad_context *ctx, float alpha, int32_t size, const float *input, float *output);

/** HARD_SWISH on size >= 0 elements (int8: TFLite's int16 fixed-point pipeline). */
ad_status ad_hard_swish_s8(const ad_context *ctx, const ad_hard_swish_quant *quant, int32_t size,
                           const int8_t *input, int8_t *output);
ad_status ad_hard_swish_f32(const ad_context *ctx, int32_t size, const float *input, float *output);

/** float32 LOGISTIC (TFLite's cut-offs) and TANH; both call libm (expf, tanhf). */
ad_status ad_logistic_f32(const ad_context *ctx, int32_t size, const float *input, float *output);
ad_status ad_tanh_f32(const ad_context *ctx, int32_t size, const float *input, float *output);

/** QUANTIZE int8 / int16 -> int32 (see ad_requant; the result wraps, no clamp). */
ad_status ad_quantize_s8_s32(const ad_context *ctx, const ad_requant *quant, int32_t size, const int8_t *input,
                             int32_t *output);
ad_status ad_quantize_s16_s32(const ad_context *ctx, const ad_requant *quant, int32_t size,
                              const int16_t *input, int32_t *output);
/** DEQUANTIZE uint8 -> float32, as ad_dequantize_s8_f32. */
ad_status ad_dequantize_u8_f32(const ad_context *ctx, float scale, int32_t zero_point, int32_t size,
                               const uint8_t *input, float *output);

/*
 * Data movement on any element type (element_size 1, 2, 4 or 8 bytes); shapes
 * are row-major ad_shape; an axis may be negative (counted from the end). The
 * output must not overlap the inputs.
 */

/**
 * PAD / PADV2 (rank <= 5): output dimension d is before[d] + dims[d] + after[d];
 * padded elements are a copy of *pad_value (one element).
 */
ad_status ad_pad(const ad_context *ctx, const ad_pad_params *params, int32_t element_size, const void *pad_value,
                 const ad_shape *input_shape, const void *input, void *output);

/** STRIDED_SLICE (rank <= 5); output elements in row-major order of the selection. */
ad_status ad_strided_slice(const ad_context *ctx, const ad_strided_slice_params *params, int32_t element_size,
                           const ad_shape *input_shape, const void *input, void *output);

/** TRANSPOSE: output dimension i is input dimension perm[i] (input_shape->rank entries). */
ad_status ad_transpose(const ad_context *ctx, const int32_t *perm, int32_t element_size,
                       const ad_shape *input_shape, const void *input, void *output);

/**
 * CONCATENATION of num_inputs >= 1 tensors (input_shapes[k], inputs[k]) along axis;
 * ranks equal (>= 1), every other dimension equal.
 */
ad_status ad_concatenation(const ad_context *ctx, int32_t axis, int32_t element_size, int32_t num_inputs,
                           const ad_shape *input_shapes, const void *const *inputs, void *output);

/** PACK num_inputs tensors of input_shape along a new axis in 0..=rank. */
ad_status ad_pack(const ad_context *ctx, int32_t axis, int32_t element_size, int32_t num_inputs,
                  const ad_shape *input_shape, const void *const *inputs, void *output);

/** UNPACK along axis into num_outputs (= input dimension axis) tensors. */
ad_status ad_unpack(const ad_context *ctx, int32_t axis, int32_t element_size, const ad_shape *input_shape,
                    const void *input, int32_t num_outputs, void *const *outputs);

/**
 * SPLIT / SPLIT_V along axis into num_outputs >= 1 tensors of sizes[k] along the
 * axis (summing to its length), or equal pieces when sizes is NULL.
 */
ad_status ad_split(const ad_context *ctx, int32_t axis, int32_t element_size, const ad_shape *input_shape,
                   const void *input, int32_t num_outputs, const int32_t *sizes, void *const *outputs);

/**
 * MEAN over num_axes axes (negative count from the end, duplicates ignored);
 * output: the kept dimensions, row-major (keep_dims does not change the data).
 */
ad_status ad_mean_s8(const ad_context *ctx, const ad_mean_quant *quant, const ad_shape *input_shape,
                     int32_t num_axes, const int32_t *axes, const int8_t *input, int8_t *output);
ad_status ad_mean_f32(const ad_context *ctx, const ad_shape *input_shape, int32_t num_axes, const int32_t *axes,
                      const float *input, float *output);

/**
 * BATCH_MATMUL: lhs, rhs of rank 2..=5, leading (batch) dimensions broadcast;
 * output [batch..., rows, cols]. int8: 32-bit accumulation, one rescale, clamped.
 */
ad_status ad_batch_matmul_s8(const ad_context *ctx, const ad_batch_matmul_params *params,
                             const ad_batch_matmul_quant *quant, const ad_shape *lhs_shape, const int8_t *lhs,
                             const ad_shape *rhs_shape, const int8_t *rhs, int8_t *output);
ad_status ad_batch_matmul_f32(const ad_context *ctx, const ad_batch_matmul_params *params,
                              const ad_shape *lhs_shape, const float *lhs, const ad_shape *rhs_shape,
                              const float *rhs, float *output);

/* ============================================================================
 * In-place kernels for the memory plan (autodeploy-codegen's plan::InPlace).
 * Each honours the contract of one scheme so that its output may share bytes
 * with an input in the static arena; results are bit-identical to the plain
 * kernel of the same operator.
 *
 * Element-wise in place (InPlace::Elementwise) needs no kernel of its own:
 * every element-wise and activation kernel above (ADD, SUB, MUL, MAXIMUM,
 * MINIMUM, RELU, RELU6, LOGISTIC, TANH, QUANTIZE, DEQUANTIZE) reads all its
 * operands at index i before writing output[i] and never reads index i again,
 * so its output may be exactly one of its same-shaped inputs.
 * ========================================================================== */

/** What a row-buffer layer's units are (plan::RowUnit). */
typedef enum
{
    AD_UNIT_ROWS = 0,  /**< One H index: all of W and C (batch 1). */
    AD_UNIT_PIXELS = 1 /**< One (H, W) index: all of C (1x1 stride-1 CONV_2D). */
} ad_row_unit;

/**
 * The row-buffer scheme of one layer (plan::InPlace::RowBuffer): the output
 * starts delta bytes after the input (output == (char *)input + delta, inside
 * one arena), and input units still needed after being overwritten are kept in
 * rows slots of in_unit_bytes each, contiguous from line_buffer.
 *
 * Contract the kernels follow: output units are computed in ascending order;
 * before writing any byte of output unit y, every input unit r that overlaps
 * unit y's bytes, was not overwritten before and is read by unit y or a later
 * one (r in need(y') for some y' >= y, need(y') being the rows
 * [y' * stride - pad, y' * stride - pad + (k - 1) * dilation] clipped to the
 * input) is copied to slot r % rows; a saved unit is read from its slot from
 * then on, any other unit from the input. A kernel checks before writing
 * anything that the ring is safe (no slot refilled while its unit is still
 * read) and returns AD_ERR_ARG otherwise. The line buffer must not overlap the
 * input or the output.
 */
typedef struct
{
    int32_t unit;           /**< ad_row_unit. */
    int32_t delta;          /**< Output byte offset minus input byte offset. */
    int32_t in_unit_bytes;  /**< Bytes of one input unit (checked against the dims). */
    int32_t out_unit_bytes; /**< Bytes of one output unit (checked against the dims). */
    int32_t rows;           /**< Line-buffer slots, >= 0. */
    void *line_buffer;      /**< rows * in_unit_bytes bytes; NULL when rows == 0. */
} ad_row_buffer;

/**
 * CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D with the output
 * written over the input under the row-buffer scheme rb (see ad_row_buffer).
 * Arguments and results are those of the plain kernel; batch must be 1.
 * AD_UNIT_PIXELS is accepted by the CONV_2D kernels only, for a 1x1 stride-1
 * filter with the input's height and width.
 */
ad_status ad_conv2d_rowbuf_s8(const ad_context *ctx,
                              const ad_row_buffer *rb,
                              const ad_conv_params *params,
                              const ad_conv_quant *quant,
                              const ad_dims *input_dims,
                              const int8_t *input,
                              const ad_dims *filter_dims,
                              const int8_t *filter,
                              const int32_t *bias,
                              const ad_dims *output_dims,
                              int8_t *output);
/** ad_conv2d_rowbuf_s8 with SMLAD dot products (Armv7E-M DSP; plain C without it). */
ad_status ad_conv2d_rowbuf_dsp_s8(const ad_context *ctx,
                                  const ad_row_buffer *rb,
                                  const ad_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int8_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int32_t *bias,
                                  const ad_dims *output_dims,
                                  int8_t *output);
/**
 * CONV_2D on generation-time pre-widened weights (groups 1, dilation.w 1,
 * batch 1): the values of ad_conv2d_s8, and with rb != NULL the row-buffer
 * contract of ad_conv2d_rowbuf_s8. filter_pairs and channels are laid out
 * as documented in src/conv/ad_conv2d_w16_dsp_s8.c (Armv7E-M DSP; plain C
 * without it).
 */
ad_status ad_conv2d_w16_dsp_s8(const ad_context *ctx,
                               const ad_row_buffer *rb,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int32_t *filter_pairs,
                               const int32_t *channels,
                               const ad_dims *output_dims,
                               int8_t *output);
/** ad_conv2d_add_s8 on the tables of ad_conv2d_w16_dsp_s8 (residual must not overlap input). */
ad_status ad_conv2d_add_w16_dsp_s8(const ad_context *ctx,
                                   const ad_conv_params *params,
                                   const ad_conv_quant *quant,
                                   const ad_add_quant *add_quant,
                                   const ad_dims *input_dims,
                                   const int8_t *input,
                                   const ad_dims *filter_dims,
                                   const int32_t *filter_pairs,
                                   const int32_t *channels,
                                   const ad_dims *output_dims,
                                   int8_t *residual);
/** ad_depthwise_conv2d_rowbuf_s8 with row lookups hoisted per output row (plain C). */
ad_status ad_depthwise_conv2d_rowbuf_opt_s8(const ad_context *ctx,
                                            const ad_row_buffer *rb,
                                            const ad_dw_conv_params *params,
                                            const ad_conv_quant *quant,
                                            const ad_dims *input_dims,
                                            const int8_t *input,
                                            const ad_dims *filter_dims,
                                            const int8_t *filter,
                                            const int32_t *bias,
                                            const ad_dims *output_dims,
                                            int8_t *output);
/** ad_depthwise_conv2d_rowbuf_s8, four channels per pass with SMLABB/SMLATT (Armv7E-M DSP; plain C
 * without it); filters at most 32 rows high. */
ad_status ad_depthwise_conv2d_rowbuf_dsp_s8(const ad_context *ctx,
                                            const ad_row_buffer *rb,
                                            const ad_dw_conv_params *params,
                                            const ad_conv_quant *quant,
                                            const ad_dims *input_dims,
                                            const int8_t *input,
                                            const ad_dims *filter_dims,
                                            const int8_t *filter,
                                            const int32_t *bias,
                                            const ad_dims *output_dims,
                                            int8_t *output);
/** ad_depthwise_conv2d_s8 computed as ad_depthwise_conv2d_rowbuf_dsp_s8 does; filters at most 32 rows high. */
ad_status ad_depthwise_conv2d_dsp_s8(const ad_context *ctx,
                                     const ad_dw_conv_params *params,
                                     const ad_conv_quant *quant,
                                     const ad_dims *input_dims,
                                     const int8_t *input,
                                     const ad_dims *filter_dims,
                                     const int8_t *filter,
                                     const int32_t *bias,
                                     const ad_dims *output_dims,
                                     int8_t *output);
ad_status ad_conv2d_rowbuf_f32(const ad_context *ctx,
                               const ad_row_buffer *rb,
                               const ad_conv_params *params,
                               const ad_activation_f32 *activation,
                               const ad_dims *input_dims,
                               const float *input,
                               const ad_dims *filter_dims,
                               const float *filter,
                               const float *bias,
                               const ad_dims *output_dims,
                               float *output);
ad_status ad_depthwise_conv2d_rowbuf_s8(const ad_context *ctx,
                                        const ad_row_buffer *rb,
                                        const ad_dw_conv_params *params,
                                        const ad_conv_quant *quant,
                                        const ad_dims *input_dims,
                                        const int8_t *input,
                                        const ad_dims *filter_dims,
                                        const int8_t *filter,
                                        const int32_t *bias,
                                        const ad_dims *output_dims,
                                        int8_t *output);
ad_status ad_depthwise_conv2d_rowbuf_f32(const ad_context *ctx,
                                         const ad_row_buffer *rb,
                                         const ad_dw_conv_params *params,
                                         const ad_activation_f32 *activation,
                                         const ad_dims *input_dims,
                                         const float *input,
                                         const ad_dims *filter_dims,
                                         const float *filter,
                                         const float *bias,
                                         const ad_dims *output_dims,
                                         float *output);
ad_status ad_avg_pool_rowbuf_s8(const ad_context *ctx,
                                const ad_row_buffer *rb,
                                const ad_pool_params *params,
                                const ad_activation *activation,
                                const ad_dims *input_dims,
                                const int8_t *input,
                                const ad_dims *output_dims,
                                int8_t *output);
ad_status ad_avg_pool_rowbuf_f32(const ad_context *ctx,
                                 const ad_row_buffer *rb,
                                 const ad_pool_params *params,
                                 const ad_activation_f32 *activation,
                                 const ad_dims *input_dims,
                                 const float *input,
                                 const ad_dims *output_dims,
                                 float *output);
ad_status ad_max_pool_rowbuf_s8(const ad_context *ctx,
                                const ad_row_buffer *rb,
                                const ad_pool_params *params,
                                const ad_activation *activation,
                                const ad_dims *input_dims,
                                const int8_t *input,
                                const ad_dims *output_dims,
                                int8_t *output);
ad_status ad_max_pool_rowbuf_f32(const ad_context *ctx,
                                 const ad_row_buffer *rb,
                                 const ad_pool_params *params,
                                 const ad_activation_f32 *activation,
                                 const ad_dims *input_dims,
                                 const float *input,
                                 const ad_dims *output_dims,
                                 float *output);

/**
 * int8 CONV_2D / DEPTHWISE_CONV_2D with the following ADD fused
 * (plan::InPlace::FusedAdd): for each output element i, the convolution's
 * value is computed exactly as ad_conv2d_s8 / ad_depthwise_conv2d_s8 compute
 * it (requantisation and activation included), then
 * residual[i] = ADD(conv[i], residual[i]) exactly as ad_add_s8 computes it,
 * with the convolution's value as input 1 of add_quant (ADD is symmetric: the
 * emitter passes the ADD's parameters with the convolution's operand first).
 * residual[i] is read before it is written; the convolution's output is never
 * stored; residual has output_dims and must not overlap input.
 */
ad_status ad_conv2d_add_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_add_quant *add_quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *residual);
/** ad_conv2d_add_s8 with SMLAD dot products, two channels per pass (Armv7E-M DSP; plain C without it);
 * filters of at most 64 taps (height x width). */
ad_status ad_conv2d_add_dsp_s8(const ad_context *ctx,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_add_quant *add_quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int8_t *filter,
                               const int32_t *bias,
                               const ad_dims *output_dims,
                               int8_t *residual);
ad_status ad_depthwise_conv2d_add_s8(const ad_context *ctx,
                                     const ad_dw_conv_params *params,
                                     const ad_conv_quant *quant,
                                     const ad_add_quant *add_quant,
                                     const ad_dims *input_dims,
                                     const int8_t *input,
                                     const ad_dims *filter_dims,
                                     const int8_t *filter,
                                     const int32_t *bias,
                                     const ad_dims *output_dims,
                                     int8_t *residual);

/*
 * Scratch of the variants that take it, from ctx (ctx->buf 4-byte aligned;
 * the planner gives 16). These sizes are what the kernels run fastest with;
 * they run with less, and return AD_ERR_ARG below their least:
 * - the Helium CONV_2D variants compute their output channels in blocks of
 *   12k channels when the scratch holds fewer than all the sums (least: the
 *   sums of min(C_OUT, 12) channels for two pixels, 8 bytes each rounded up
 *   to groups of 3, plus 2 * KH * KW * C_IN window bytes);
 * - the Helium depthwise variants leave out the zero-point row (C_OUT bytes)
 *   when no tap falls outside the input;
 * - the w16 variants leave out the widened input words (the narrow loop then
 *   runs) and, when every filter row is read in place, the row copies.
 * The pointers a scratch holds count 8 bytes each on any target.
 */
/** Scratch bytes of ad_conv2d_w16_dsp_s8 and ad_conv2d_add_w16_dsp_s8 (0 for invalid dims). */
int32_t ad_conv2d_w16_dsp_s8_scratch_size(const ad_dims *filter_dims);
/** Scratch bytes of ad_conv2d_mve_s8, ad_conv2d_rowbuf_mve_s8 and ad_conv2d_add_mve_s8 (0 for invalid dims). */
int32_t ad_conv2d_mve_s8_scratch_size(const ad_dims *filter_dims, const ad_dims *output_dims);
/** Scratch bytes of ad_depthwise_conv2d_mve_s8 and ad_depthwise_conv2d_rowbuf_mve_s8 (0 for invalid dims). */
int32_t ad_depthwise_conv2d_mve_s8_scratch_size(const ad_dims *filter_dims, const ad_dims *output_dims);

/* Helium (MVE) variants for Cortex-M55 (plain C without MVE). */
/** ad_conv2d_s8 for one group on Helium (MVE), on generation-time tables: filter packed and bias as channel records (ad_conv_mve.h). */
ad_status ad_conv2d_mve_s8(const ad_context *ctx,
                           const ad_conv_params *params,
                           const ad_conv_quant *quant,
                           const ad_dims *input_dims,
                           const int8_t *input,
                           const ad_dims *filter_dims,
                           const int8_t *filter,
                           const int32_t *bias,
                           const ad_dims *output_dims,
                           int8_t *output);
/** ad_depthwise_conv2d_s8 for depth multiplier 1 on Helium (MVE), bias as generation-time channel records (ad_dw_mve.h). */
ad_status ad_depthwise_conv2d_mve_s8(const ad_context *ctx,
                                     const ad_dw_conv_params *params,
                                     const ad_conv_quant *quant,
                                     const ad_dims *input_dims,
                                     const int8_t *input,
                                     const ad_dims *filter_dims,
                                     const int8_t *filter,
                                     const int32_t *bias,
                                     const ad_dims *output_dims,
                                     int8_t *output);
/** ad_fully_connected_s8 on Helium (MVE): VMLADAVA dot products, zero points folded (plain C without MVE). */
ad_status ad_fully_connected_mve_s8(const ad_context *ctx,
                                    const ad_fc_quant *quant,
                                    const ad_dims *input_dims,
                                    const int8_t *input,
                                    const ad_dims *filter_dims,
                                    const int8_t *filter,
                                    const int32_t *bias,
                                    const ad_dims *output_dims,
                                    int8_t *output);

/** ad_avg_pool_s8 with the Armv7E-M DSP extension: window sums of 16 channels in int16 pairs (plain C without it). */
ad_status ad_avg_pool_dsp_s8(const ad_context *ctx,
                             const ad_pool_params *params,
                             const ad_activation *activation,
                             const ad_dims *input_dims,
                             const int8_t *input,
                             const ad_dims *output_dims,
                             int8_t *output);
/** ad_avg_pool_s8 on Helium (MVE): window sums of 16 channels at a time (plain C without MVE). */
ad_status ad_avg_pool_mve_s8(const ad_context *ctx,
                             const ad_pool_params *params,
                             const ad_activation *activation,
                             const ad_dims *input_dims,
                             const int8_t *input,
                             const ad_dims *output_dims,
                             int8_t *output);
/** ad_conv2d_rowbuf_s8 for one group on Helium (MVE), on the tables of ad_conv2d_mve_s8. */
ad_status ad_conv2d_rowbuf_mve_s8(const ad_context *ctx,
                                  const ad_row_buffer *rb,
                                  const ad_conv_params *params,
                                  const ad_conv_quant *quant,
                                  const ad_dims *input_dims,
                                  const int8_t *input,
                                  const ad_dims *filter_dims,
                                  const int8_t *filter,
                                  const int32_t *bias,
                                  const ad_dims *output_dims,
                                  int8_t *output);
/** ad_depthwise_conv2d_rowbuf_s8 for depth multiplier 1 on Helium (MVE), on the records of ad_depthwise_conv2d_mve_s8. */
ad_status ad_depthwise_conv2d_rowbuf_mve_s8(const ad_context *ctx,
                                            const ad_row_buffer *rb,
                                            const ad_dw_conv_params *params,
                                            const ad_conv_quant *quant,
                                            const ad_dims *input_dims,
                                            const int8_t *input,
                                            const ad_dims *filter_dims,
                                            const int8_t *filter,
                                            const int32_t *bias,
                                            const ad_dims *output_dims,
                                            int8_t *output);
/** ad_conv2d_add_s8 for one group on Helium (MVE), on the tables of ad_conv2d_mve_s8, vector ADD (plain C without MVE). */
ad_status ad_conv2d_add_mve_s8(const ad_context *ctx,
                               const ad_conv_params *params,
                               const ad_conv_quant *quant,
                               const ad_add_quant *add_quant,
                               const ad_dims *input_dims,
                               const int8_t *input,
                               const ad_dims *filter_dims,
                               const int8_t *filter,
                               const int32_t *bias,
                               const ad_dims *output_dims,
                               int8_t *residual);

#ifdef __cplusplus
}
#endif

#endif /* AD_RUNTIME_H */
