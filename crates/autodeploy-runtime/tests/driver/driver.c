/*
 * Test driver for the autodeploy C runtime (not part of the runtime).
 *
 * Reads cases from stdin until EOF: an int32 op code, then the op's arguments
 * in the order the Rust test writes them (tests/common/mod.rs). For each case
 * it writes the int32 status, a uint32 byte count and the output bytes.
 * Every buffer is allocated with its exact size so AddressSanitizer catches
 * any out-of-bounds access by a kernel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad_runtime.h"

static void die(const char *what)
{
    fprintf(stderr, "driver: %s\n", what);
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

/* An array: uint32 element count then the elements; exact-size heap copy. */
typedef struct
{
    void *data;
    int32_t count;
} arr;

static arr rd_arr(size_t elem)
{
    arr a;
    size_t bytes;
    a.count = rd_i32();
    bytes = (size_t)a.count * elem;
    a.data = malloc(bytes > 0 ? bytes : 1);
    if (a.data == NULL)
    {
        die("out of memory");
    }
    if (bytes > 0)
    {
        read_exact(a.data, bytes, 0);
    }
    return a;
}

/* An optional array: int32 flag (0 = NULL) then the array. */
/* A per-channel shift table: sent as int32 values, held as int8 as the quant structs want. */
static arr rd_shifts(void)
{
    arr a = rd_arr(4);
    const int32_t *wide = (const int32_t *)a.data;
    int8_t *narrow = (int8_t *)a.data;
    int32_t i;
    for (i = 0; i < a.count; i++)
    {
        narrow[i] = (int8_t)wide[i]; /* byte i lies at or before element i's bytes */
    }
    return a;
}

static arr rd_opt_arr(size_t elem)
{
    arr a;
    if (rd_i32() == 0)
    {
        a.data = NULL;
        a.count = 0;
        return a;
    }
    return rd_arr(elem);
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

static ad_shape rd_shape(void)
{
    ad_shape s;
    int32_t i;
    memset(&s, 0, sizeof s);
    s.rank = rd_i32();
    if (s.rank < 0 || s.rank > AD_MAX_RANK)
    {
        die("bad rank");
    }
    for (i = 0; i < s.rank; i++)
    {
        s.dims[i] = rd_i32();
    }
    return s;
}

static ad_activation rd_act(void)
{
    ad_activation a;
    a.min = rd_i32();
    a.max = rd_i32();
    return a;
}

static ad_activation_f32 rd_act_f32(void)
{
    ad_activation_f32 a;
    a.min = rd_f32();
    a.max = rd_f32();
    return a;
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

static ad_pool_params rd_pool_params(void)
{
    ad_pool_params p;
    p.stride.h = rd_i32();
    p.stride.w = rd_i32();
    p.padding.h = rd_i32();
    p.padding.w = rd_i32();
    p.filter.h = rd_i32();
    p.filter.w = rd_i32();
    return p;
}

static ad_requant rd_requant(void)
{
    ad_requant q;
    q.input_zero_point = rd_i32();
    q.output_zero_point = rd_i32();
    q.multiplier = rd_i32();
    q.shift = rd_i32();
    return q;
}

/* Output buffer of count elements, filled with a pattern the kernel must overwrite. */
static void *new_out(int32_t count, size_t elem)
{
    size_t bytes = (size_t)count * elem;
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (p == NULL)
    {
        die("out of memory");
    }
    memset(p, 0x5A, bytes > 0 ? bytes : 1);
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

static int32_t dims_count(const ad_dims *d)
{
    return d->n * d->h * d->w * d->c;
}

static int32_t shape_count(const ad_shape *s)
{
    int32_t n = 1;
    int32_t i;
    for (i = 0; i < s->rank; i++)
    {
        n *= s->dims[i];
    }
    return n;
}

#include "cases.inc"

int main(void)
{
    int32_t op;
    while (read_exact(&op, sizeof op, 1))
    {
        if (!run_case(op))
        {
            die("unknown op");
        }
    }
    fflush(stdout);
    return 0;
}
