/*
 * Test driver for the in-place kernels of the autodeploy C runtime (row
 * buffer, fused conv+ADD); not part of the runtime. Reads cases from stdin
 * (see tests/inplace_kernels.rs), writes per case the int32 status, a uint32
 * byte count and the bytes of the output region. The arena and the line
 * buffer are separate exact-size allocations, so AddressSanitizer catches a
 * kernel reading or writing outside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_runtime.h"

static void die(const char *what)
{
    fprintf(stderr, "inplace driver: %s\n", what);
    exit(2);
}

static int read_exact(void *dst, size_t n, int eof_ok)
{
    size_t got = fread(dst, 1, n, stdin);
    if (got == 0 && eof_ok)
    {
        return 0;
    }
    if (got != n)
    {
        die("short read");
    }
    return 1;
}

static int32_t rd_i32(void)
{
    int32_t v;
    read_exact(&v, sizeof v, 0);
    return v;
}

static float rd_f32(void)
{
    float v;
    read_exact(&v, sizeof v, 0);
    return v;
}

/* An array: int32 element count then the elements, in an exact-size heap block. */
static void *rd_arr(size_t elem, int32_t *count)
{
    int32_t n = rd_i32();
    size_t bytes = (size_t)n * elem;
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (p == NULL)
    {
        die("out of memory");
    }
    if (bytes > 0)
    {
        read_exact(p, bytes, 0);
    }
    if (count != NULL)
    {
        *count = n;
    }
    return p;
}

static void *rd_opt_arr(size_t elem)
{
    return rd_i32() == 0 ? NULL : rd_arr(elem, NULL);
}

static ad_dims rd_dims(void)
{
    ad_dims d;
    d.n = rd_i32();
    d.h = rd_i32();
    d.w = rd_i32();
    d.c = rd_i32();
    return d;
}

static ad_conv_params rd_conv_params(void)
{
    ad_conv_params p;
    p.stride.h = rd_i32();
    p.stride.w = rd_i32();
    p.padding.h = rd_i32();
    p.padding.w = rd_i32();
    p.dilation.h = rd_i32();
    p.dilation.w = rd_i32();
    return p;
}

static void emit(ad_status status, const void *out, size_t bytes)
{
    int32_t s = (int32_t)status;
    uint32_t n = (uint32_t)bytes;
    fwrite(&s, sizeof s, 1, stdout);
    fwrite(&n, sizeof n, 1, stdout);
    if (bytes > 0)
    {
        fwrite(out, 1, bytes, stdout);
    }
}

static void rd_conv_quant(ad_conv_quant *q, void **mult, void **shift)
{
    int32_t count, i;
    q->input_zero_point = rd_i32();
    q->output_zero_point = rd_i32();
    q->activation.min = rd_i32();
    q->activation.max = rd_i32();
    *mult = rd_arr(4, NULL);
    *shift = rd_arr(4, &count);
    q->multiplier = *mult;
    /* Sent as int32, held as int8 (ad_conv_quant); byte i lies at or before element i. */
    for (i = 0; i < count; i++)
    {
        ((int8_t *)*shift)[i] = (int8_t)((const int32_t *)*shift)[i];
    }
    q->shift = *shift;
}

static void row_buffer_case(int32_t op)
{
    ad_row_buffer rb;
    int32_t arena_len, in_off, out_off, out_len;
    uint8_t *arena;
    ad_status st = AD_ERR_ARG;
    rb.unit = rd_i32();
    rb.delta = rd_i32();
    rb.in_unit_bytes = rd_i32();
    rb.out_unit_bytes = rd_i32();
    rb.rows = rd_i32();
    in_off = rd_i32();
    out_off = rd_i32();
    out_len = rd_i32();
    arena = rd_arr(1, &arena_len);
    rb.line_buffer = rb.rows > 0 ? malloc((size_t)rb.rows * (size_t)rb.in_unit_bytes) : NULL;
    if (out_off + out_len > arena_len || out_off - in_off != rb.delta)
    {
        die("bad layout");
    }
    if (op <= 4)
    {
        ad_dw_conv_params dw;
        ad_conv_quant q;
        ad_activation_f32 act;
        void *mult = NULL, *shift = NULL, *filt, *bias;
        ad_dims in_d, f_d, out_d;
        int f32 = op == 2 || op == 4;
        dw.conv = rd_conv_params();
        dw.depth_multiplier = op >= 3 ? rd_i32() : 1;
        if (f32)
        {
            act.min = rd_f32();
            act.max = rd_f32();
        }
        else
        {
            rd_conv_quant(&q, &mult, &shift);
        }
        in_d = rd_dims();
        f_d = rd_dims();
        filt = rd_arr(f32 ? 4 : 1, NULL);
        bias = rd_opt_arr(4);
        out_d = rd_dims();
        switch (op)
        {
        case 1:
            st = ad_conv2d_rowbuf_s8(NULL, &rb, &dw.conv, &q, &in_d, (const int8_t *)(arena + in_off), &f_d, filt, bias,
                                     &out_d, (int8_t *)(arena + out_off));
            break;
        case 2:
            st = ad_conv2d_rowbuf_f32(NULL, &rb, &dw.conv, &act, &in_d, (const float *)(void *)(arena + in_off), &f_d,
                                      filt, bias, &out_d, (float *)(void *)(arena + out_off));
            break;
        case 3:
            st = ad_depthwise_conv2d_rowbuf_s8(NULL, &rb, &dw, &q, &in_d, (const int8_t *)(arena + in_off), &f_d, filt,
                                               bias, &out_d, (int8_t *)(arena + out_off));
            break;
        default:
            st = ad_depthwise_conv2d_rowbuf_f32(NULL, &rb, &dw, &act, &in_d, (const float *)(void *)(arena + in_off),
                                                &f_d, filt, bias, &out_d, (float *)(void *)(arena + out_off));
            break;
        }
        free(mult);
        free(shift);
        free(filt);
        free(bias);
    }
    else
    {
        ad_pool_params p;
        ad_activation a;
        ad_activation_f32 af;
        ad_dims in_d, out_d;
        int f32 = op == 6 || op == 8;
        p.stride.h = rd_i32();
        p.stride.w = rd_i32();
        p.padding.h = rd_i32();
        p.padding.w = rd_i32();
        p.filter.h = rd_i32();
        p.filter.w = rd_i32();
        if (f32)
        {
            af.min = rd_f32();
            af.max = rd_f32();
        }
        else
        {
            a.min = rd_i32();
            a.max = rd_i32();
        }
        in_d = rd_dims();
        out_d = rd_dims();
        switch (op)
        {
        case 5:
            st = ad_avg_pool_rowbuf_s8(NULL, &rb, &p, &a, &in_d, (const int8_t *)(arena + in_off), &out_d,
                                       (int8_t *)(arena + out_off));
            break;
        case 6:
            st = ad_avg_pool_rowbuf_f32(NULL, &rb, &p, &af, &in_d, (const float *)(void *)(arena + in_off), &out_d,
                                        (float *)(void *)(arena + out_off));
            break;
        case 7:
            st = ad_max_pool_rowbuf_s8(NULL, &rb, &p, &a, &in_d, (const int8_t *)(arena + in_off), &out_d,
                                       (int8_t *)(arena + out_off));
            break;
        default:
            st = ad_max_pool_rowbuf_f32(NULL, &rb, &p, &af, &in_d, (const float *)(void *)(arena + in_off), &out_d,
                                        (float *)(void *)(arena + out_off));
            break;
        }
    }
    emit(st, arena + out_off, (size_t)out_len);
    free(arena);
    free(rb.line_buffer);
}

static void fused_add_case(int32_t op)
{
    ad_dw_conv_params dw;
    ad_conv_quant q;
    ad_add_quant aq;
    void *mult, *shift, *in, *filt, *bias, *res;
    ad_dims in_d, f_d, out_d;
    int32_t res_len;
    ad_status st;
    dw.conv = rd_conv_params();
    dw.depth_multiplier = op == 10 ? rd_i32() : 1;
    rd_conv_quant(&q, &mult, &shift);
    aq.left_shift = rd_i32();
    aq.input1_zero_point = rd_i32();
    aq.input1_multiplier = rd_i32();
    aq.input1_shift = rd_i32();
    aq.input2_zero_point = rd_i32();
    aq.input2_multiplier = rd_i32();
    aq.input2_shift = rd_i32();
    aq.output_zero_point = rd_i32();
    aq.output_multiplier = rd_i32();
    aq.output_shift = rd_i32();
    aq.activation.min = rd_i32();
    aq.activation.max = rd_i32();
    in_d = rd_dims();
    in = rd_arr(1, NULL);
    f_d = rd_dims();
    filt = rd_arr(1, NULL);
    bias = rd_opt_arr(4);
    out_d = rd_dims();
    res = rd_arr(1, &res_len);
    if (op == 9)
        st = ad_conv2d_add_s8(NULL, &dw.conv, &q, &aq, &in_d, in, &f_d, filt, bias, &out_d, res);
    else
        st = ad_depthwise_conv2d_add_s8(NULL, &dw, &q, &aq, &in_d, in, &f_d, filt, bias, &out_d, res);
    emit(st, res, (size_t)res_len);
    free(mult);
    free(shift);
    free(in);
    free(filt);
    free(bias);
    free(res);
}

int main(void)
{
    int32_t op;
    while (read_exact(&op, sizeof op, 1))
    {
        if (op >= 1 && op <= 8)
            row_buffer_case(op);
        else if (op == 9 || op == 10)
            fused_add_case(op);
        else
            die("unknown op");
    }
    fflush(stdout);
    return 0;
}
