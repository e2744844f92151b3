/*
 * autodeploy runtime: shared types of the portable C99 kernels.
 *
 * Conventions (see ad_runtime.h for the kernels themselves):
 * - 4-D activations are NHWC and described by an ad_dims {n, h, w, c};
 * - every count is an int32_t and must be >= 0 unless stated otherwise;
 * - quantised values are stored integers; zero points are given as zero points
 *   (not as negated "offsets");
 * - every kernel returns an ad_status; arguments are checked before any output
 *   is written, so a kernel that fails leaves its output untouched.
 */
#ifndef AD_TYPES_H
#define AD_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result of every kernel: 0 on success, negative on failure. */
typedef enum
{
    AD_OK = 0,
    /** An argument is NULL, out of range, or inconsistent with another. */
    AD_ERR_ARG = -1,
    /** The combination of arguments is valid but not implemented. */
    AD_ERR_NO_IMPL = -2,
    /** The kernel could not compute a result (e.g. an empty pooling window). */
    AD_ERR_FAILURE = -3
} ad_status;

/** Dimensions of a 4-D NHWC tensor or of a filter (the kernel docs say which). */
typedef struct
{
    int32_t n; /**< Batches (or output channels of a conv filter). */
    int32_t h; /**< Height. */
    int32_t w; /**< Width. */
    int32_t c; /**< Channels, innermost. */
} ad_dims;

/** Largest rank of an ad_shape. */
#define AD_MAX_RANK 8

/** An N-D shape for the broadcasting and data-movement kernels (row-major). */
typedef struct
{
    int32_t rank;             /**< 0..AD_MAX_RANK. */
    int32_t dims[AD_MAX_RANK]; /**< dims[0..rank), each >= 0. */
} ad_shape;

/** Caller-owned scratch memory. A kernel that needs none accepts NULL. */
typedef struct
{
    void *buf;    /**< Start of the scratch area (aligned to 8 bytes). */
    int32_t size; /**< Its size in bytes. */
} ad_context;

/** A pair of vertical / horizontal values (stride, padding, dilation, window). */
typedef struct
{
    int32_t h;
    int32_t w;
} ad_tile;

/** Output clamp range of a quantised kernel, in the output's integer domain. */
typedef struct
{
    int32_t min; /**< Inclusive lower bound. */
    int32_t max; /**< Inclusive upper bound (min wins if the range is empty). */
} ad_activation;

/** Output clamp range of a float kernel (use -FLT_MAX / FLT_MAX for none). */
typedef struct
{
    float min;
    float max;
} ad_activation_f32;

/** Geometry of CONV_2D (and the spatial part of DEPTHWISE_CONV_2D). */
typedef struct
{
    ad_tile stride;   /**< >= 1. */
    ad_tile padding;  /**< Rows / columns of padding before the input, >= 0. */
    ad_tile dilation; /**< >= 1. */
} ad_conv_params;

/** Geometry of DEPTHWISE_CONV_2D. */
typedef struct
{
    ad_conv_params conv;
    int32_t depth_multiplier; /**< Output channels per input channel, >= 1. */
} ad_dw_conv_params;

/** Geometry of TRANSPOSE_CONV (dilation is always 1). */
typedef struct
{
    ad_tile stride;  /**< >= 1. */
    ad_tile padding; /**< Computed from the output size, as TFLite does, >= 0. */
} ad_transpose_conv_params;

/** Geometry of AVERAGE_POOL_2D / MAX_POOL_2D. */
typedef struct
{
    ad_tile stride;  /**< >= 1. */
    ad_tile padding; /**< >= 0. */
    ad_tile filter;  /**< Window size, >= 0. */
} ad_pool_params;

/**
 * Per-channel quantisation of a convolution: one Q0.31 multiplier and one
 * shift (positive = left, as frexp returns it; -31..=30) per output channel.
 * Shifts are int8 (every per-channel shift table below too): a quarter of the
 * flash of int32 tables, and the kernels index them the same way.
 */
typedef struct
{
    int32_t input_zero_point;  /**< int8: -128..=127. */
    int32_t output_zero_point; /**< int8: -128..=127. */
    const int32_t *multiplier; /**< C_OUT values, each 0 or in [2^30, 2^31). */
    const int8_t *shift;       /**< C_OUT values. */
    ad_activation activation;  /**< Output clamp range. */
} ad_conv_quant;

/** Quantisation of FULLY_CONNECTED with one multiplier for the layer. */
typedef struct
{
    int32_t input_zero_point;
    int32_t filter_zero_point; /**< Applied (subtracted) on this path. */
    int32_t output_zero_point;
    int32_t multiplier; /**< Q0.31. */
    int32_t shift;      /**< Positive = left. */
    ad_activation activation;
} ad_fc_quant;

/** Quantisation of FULLY_CONNECTED with per-channel filter scales. */
typedef struct
{
    int32_t input_zero_point;
    int32_t output_zero_point; /**< (The filter zero point is ignored, as in TFLite.) */
    const int32_t *multiplier; /**< output_depth values. */
    const int8_t *shift;       /**< output_depth values. */
    ad_activation activation;
} ad_fc_per_channel_quant;

/**
 * Quantisation of a 16x8 FULLY_CONNECTED (int16 activations, int8 weights).
 * channels = 1: one multiplier for the layer; channels = C_OUT: one per output
 * channel. The filter zero point is always applied: a caller with per-channel
 * scales passes 0 (TFLite ignores it there and requires it to be 0).
 */
typedef struct
{
    int32_t input_zero_point;
    int32_t filter_zero_point;
    int32_t output_zero_point;
    int32_t channels;          /**< 1 or C_OUT: the length of multiplier and shift. */
    const int32_t *multiplier; /**< Q0.31. */
    const int8_t *shift;       /**< Positive = left. */
    ad_activation activation;
} ad_fc_s16_quant;

/** Integer parameters of quantised ADD / SUB (TFLite's two-stage rescaling). */
typedef struct
{
    int32_t left_shift; /**< 20 for int8, 15 for int16. */
    int32_t input1_zero_point;
    int32_t input1_multiplier;
    int32_t input1_shift; /**< <= 0. */
    int32_t input2_zero_point;
    int32_t input2_multiplier;
    int32_t input2_shift; /**< <= 0. */
    int32_t output_zero_point;
    int32_t output_multiplier;
    int32_t output_shift; /**< <= 0. */
    ad_activation activation;
} ad_add_quant;

/** Integer parameters of quantised MUL. */
typedef struct
{
    int32_t input1_zero_point;
    int32_t input2_zero_point;
    int32_t output_zero_point;
    int32_t output_multiplier; /**< Q0.31 of scale1 * scale2 / scale_out. */
    int32_t output_shift;      /**< Positive = left. */
    ad_activation activation;
} ad_mul_quant;

/** Parameters of an int8-input SOFTMAX (TFLite's fixed-point exp path). */
typedef struct
{
    int32_t input_multiplier; /**< Takes beta * scale differences to Q5.26. */
    int32_t input_left_shift; /**< >= 0. */
    int32_t diff_min;         /**< Differences below this give the output minimum. */
} ad_softmax_quant;

/** Parameters of an int16 SOFTMAX (input and output zero point 0, output scale 1/32768). */
typedef struct
{
    int32_t input_multiplier;               /**< Q0.31 of beta * input_scale / (10 / 65535). */
    int32_t input_left_shift;               /**< Positive = left. */
    const int16_t *exp_lut;                 /**< 513 samples of exp on [-10, 0]. */
    const int16_t *one_over_one_plus_x_lut; /**< 513 samples of 1 / (1 + x) on [0, 1]. */
} ad_softmax_s16_quant;

/** Parameters of int8 LOGISTIC / TANH. */
typedef struct
{
    int32_t input_zero_point;
    int32_t input_range_radius; /**< |x - zp| at or beyond this saturates. */
    int32_t input_multiplier;   /**< To Q4.27. */
    int32_t input_left_shift;   /**< As frexp returns it. */
} ad_sigmoid_tanh_quant;

/** int16 LOGISTIC / TANH input rescaling (input and output zero point 0). */
typedef struct
{
    int32_t input_multiplier; /**< 0: power-of-two scale, use 3 << input_left_shift. */
    int32_t input_left_shift; /**< Rounding right shift after the multiply. */
} ad_sigmoid_tanh_s16_quant;

/** A single rescaling: (x - in_zp) * multiplier * 2^(shift-31) + out_zp. */
typedef struct
{
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier; /**< Q0.31. */
    int32_t shift;      /**< Positive = left. */
} ad_requant;

/** Parameters of quantised RELU (requantising, clamped at the output zero point). */
typedef struct
{
    ad_requant requant;
    ad_activation activation; /**< [max(type_min, out_zp), type_max]. */
} ad_relu_quant;

/** Parameters of quantised RELU6 (clamps stored values, no requantisation). */
typedef struct
{
    int32_t zero; /**< The input zero point. */
    int32_t six;  /**< 6.0 quantised with the input parameters. */
} ad_relu6_quant;

/** Parameters of quantised LEAKY_RELU. */
typedef struct
{
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier_alpha; /**< May be negative. */
    int32_t shift_alpha;
    int32_t multiplier_identity;
    int32_t shift_identity;
} ad_leaky_relu_quant;

/** Parameters of int8 HARD_SWISH (TFLite's int16 fixed-point pipeline). */
typedef struct
{
    int32_t input_zero_point;
    int32_t output_zero_point;
    int16_t reluish_multiplier_fixedpoint_int16;
    int32_t reluish_multiplier_exponent;
    int16_t output_multiplier_fixedpoint_int16;
    int32_t output_multiplier_exponent; /**< <= 0. */
} ad_hard_swish_quant;

/* ------------------------------------ data movement, MEAN, BATCH_MATMUL types */

/** Paddings of PAD / PADV2: elements added before and after each dimension (>= 0). */
typedef struct
{
    int32_t before[AD_MAX_RANK];
    int32_t after[AD_MAX_RANK];
} ad_pad_params;

/** Options of STRIDED_SLICE, one entry per input dimension (TFLite's meaning). */
typedef struct
{
    int32_t begin[AD_MAX_RANK];   /**< Negative counts from the end. */
    int32_t end[AD_MAX_RANK];     /**< Exclusive; negative counts from the end. */
    int32_t strides[AD_MAX_RANK]; /**< Non-zero. */
    uint32_t begin_mask;          /**< Bit i: start axis i at its start (for the stride's sign). */
    uint32_t end_mask;            /**< Bit i: run axis i to its end. */
    uint32_t shrink_axis_mask;    /**< Bit i: take begin[i] only. */
} ad_strided_slice_params;

/** Parameters of quantised MEAN (before the division by the count is folded in). */
typedef struct
{
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t multiplier; /**< Q0.31 of input_scale / output_scale. */
    int32_t shift;      /**< Positive = left. */
} ad_mean_quant;

/** Operand layout of BATCH_MATMUL. */
typedef struct
{
    int32_t adj_x; /**< Non-zero: use the transpose of lhs's last two dimensions. */
    int32_t adj_y; /**< Non-zero: use the transpose of rhs's last two dimensions. */
} ad_batch_matmul_params;

/** Quantisation of BATCH_MATMUL. */
typedef struct
{
    int32_t lhs_zero_point;
    int32_t rhs_zero_point;
    int32_t output_zero_point;
    int32_t multiplier; /**< Q0.31 of lhs_scale * rhs_scale / output_scale. */
    int32_t shift;      /**< Positive = left. */
} ad_batch_matmul_quant;

#ifdef __cplusplus
}
#endif

#endif /* AD_TYPES_H */
