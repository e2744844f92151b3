/*
 * ad_rpc.c - CRC-32, COBS framing and protobuf codec of the autodeploy RPC (see ad_rpc.h).
 */
#include "ad_rpc.h"

#include <string.h>

const char *ad_rpc_status_name(ad_rpc_status status)
{
    switch (status)
    {
    case AD_RPC_OK:
        return "ok";
    case AD_RPC_ERR_ARG:
        return "invalid argument";
    case AD_RPC_ERR_OVERFLOW:
        return "buffer too small";
    case AD_RPC_ERR_DECODE:
        return "malformed message";
    case AD_RPC_ERR_EMPTY:
        return "empty message";
    }
    return "unknown status";
}

ad_rpc_bytes ad_rpc_str(const char *s)
{
    ad_rpc_bytes b;
    b.data = (const uint8_t *)s;
    b.len = (s != NULL) ? strlen(s) : 0u;
    return b;
}

/* ---------------------------------------------------------------------------------------- */
/* CRC-32, bit by bit: small, and fast enough next to a UART.                                */

uint32_t ad_rpc_crc32_update(uint32_t crc, const uint8_t *data, size_t len)
{
    size_t i;
    crc = ~crc;
    for (i = 0; i < len; i++)
    {
        int bit;
        crc ^= data[i];
        for (bit = 0; bit < 8; bit++)
        {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

/* ---------------------------------------------------------------------------------------- */
/* Frame decoder                                                                             */

static void decoder_restart(ad_rpc_decoder *dec)
{
    dec->len = 0;
    dec->block_left = 0;
    dec->prev_code = 0;
    dec->discarding = 0;
}

void ad_rpc_decoder_init(ad_rpc_decoder *dec)
{
    if (dec == NULL)
    {
        return;
    }
    decoder_restart(dec);
    memset(&dec->stats, 0, sizeof dec->stats);
}

static ad_rpc_feed_result decoder_end_of_frame(ad_rpc_decoder *dec, ad_rpc_bytes *payload)
{
    size_t n = dec->len;
    uint32_t got;
    uint32_t want;

    if (dec->discarding)
    {
        decoder_restart(dec);
        return AD_RPC_FEED_ERROR; /* counted when the overflow happened */
    }
    if (dec->prev_code == 0)
    {
        decoder_restart(dec); /* two delimiters in a row: nothing in between */
        return AD_RPC_FEED_NONE;
    }
    /* An empty payload is refused: its CRC is 0, so four zero bytes (five 0x01 bytes on the
     * wire, common inside runs of zeros) would pass as a frame. */
    if (dec->block_left != 0 || n < 5u)
    {
        dec->stats.malformed++;
        decoder_restart(dec);
        return AD_RPC_FEED_ERROR;
    }
    got = (uint32_t)dec->buf[n - 4u] | ((uint32_t)dec->buf[n - 3u] << 8) | ((uint32_t)dec->buf[n - 2u] << 16) |
          ((uint32_t)dec->buf[n - 1u] << 24);
    want = ad_rpc_crc32_update(0u, dec->buf, n - 4u);
    decoder_restart(dec);
    if (got != want)
    {
        dec->stats.crc_errors++;
        return AD_RPC_FEED_ERROR;
    }
    dec->stats.frames++;
    if (payload != NULL)
    {
        payload->data = dec->buf;
        payload->len = n - 4u;
    }
    return AD_RPC_FEED_FRAME;
}

static int decoder_push(ad_rpc_decoder *dec, uint8_t byte)
{
    if (dec->len >= sizeof dec->buf)
    {
        dec->stats.oversize++;
        dec->discarding = 1;
        return 0;
    }
    dec->buf[dec->len++] = byte;
    return 1;
}

ad_rpc_feed_result ad_rpc_decoder_feed(ad_rpc_decoder *dec, uint8_t byte, ad_rpc_bytes *payload)
{
    if (dec == NULL)
    {
        return AD_RPC_FEED_NONE;
    }
    if (byte == 0u)
    {
        return decoder_end_of_frame(dec, payload);
    }
    if (dec->discarding)
    {
        return AD_RPC_FEED_NONE;
    }
    if (dec->block_left == 0)
    {
        /* A code byte: the previous block, unless it was a full 254-byte block, ended in a zero
         * that COBS removed; it is restored now that we know the frame goes on. */
        if (dec->prev_code != 0 && dec->prev_code != 0xFFu)
        {
            if (!decoder_push(dec, 0u))
            {
                return AD_RPC_FEED_NONE;
            }
        }
        dec->prev_code = byte;
        dec->block_left = (uint8_t)(byte - 1u);
        return AD_RPC_FEED_NONE;
    }
    dec->block_left--;
    (void)decoder_push(dec, byte);
    return AD_RPC_FEED_NONE;
}

/* ---------------------------------------------------------------------------------------- */
/* Frame encoder                                                                             */

static uint8_t frame_byte_at(const uint8_t *payload, size_t len, const uint8_t crc[4], size_t i)
{
    return (i < len) ? payload[i] : crc[i - len];
}

ad_rpc_status ad_rpc_frame_write(const uint8_t *payload, size_t len, ad_rpc_write_fn write, void *ctx)
{
    static const uint8_t delimiter = 0u;
    uint8_t crc_bytes[4];
    uint8_t block[255];
    uint32_t crc;
    size_t total;
    size_t i = 0;

    if (payload == NULL || len == 0u || write == NULL || len > AD_RPC_MAX_PAYLOAD)
    {
        return AD_RPC_ERR_ARG;
    }
    crc = ad_rpc_crc32_update(0u, payload, len);
    crc_bytes[0] = (uint8_t)(crc & 0xFFu);
    crc_bytes[1] = (uint8_t)((crc >> 8) & 0xFFu);
    crc_bytes[2] = (uint8_t)((crc >> 16) & 0xFFu);
    crc_bytes[3] = (uint8_t)((crc >> 24) & 0xFFu);
    total = len + 4u;

    write(ctx, &delimiter, 1u);
    /* Each block: a code byte n, then n-1 non-zero bytes; a code below 0xFF stands for the
     * data bytes followed by a zero. The zero after the last block is implicit. */
    for (;;)
    {
        size_t n = 0;
        while (i < total && n < 254u)
        {
            uint8_t b = frame_byte_at(payload, len, crc_bytes, i);
            if (b == 0u)
            {
                break;
            }
            block[1u + n] = b;
            n++;
            i++;
        }
        block[0] = (uint8_t)(n + 1u);
        write(ctx, block, n + 1u);
        if (i >= total)
        {
            break;
        }
        if (n < 254u)
        {
            i++; /* skip the zero this block stands for */
            if (i == total)
            {
                /* The data ended in a zero: one more (empty) block says so. */
                block[0] = 1u;
                write(ctx, block, 1u);
                break;
            }
        }
    }
    write(ctx, &delimiter, 1u);
    return AD_RPC_OK;
}

typedef struct
{
    uint8_t *out;
    size_t cap;
    size_t len;
    int overflow;
} buffer_sink;

static void buffer_sink_write(void *ctx, const uint8_t *data, size_t len)
{
    buffer_sink *s = (buffer_sink *)ctx;
    if (s->overflow || len > s->cap - s->len)
    {
        s->overflow = 1;
        return;
    }
    memcpy(s->out + s->len, data, len);
    s->len += len;
}

ad_rpc_status ad_rpc_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    buffer_sink sink;
    ad_rpc_status st;
    if (out == NULL || out_len == NULL)
    {
        return AD_RPC_ERR_ARG;
    }
    sink.out = out;
    sink.cap = cap;
    sink.len = 0;
    sink.overflow = 0;
    st = ad_rpc_frame_write(payload, len, buffer_sink_write, &sink);
    if (st != AD_RPC_OK)
    {
        return st;
    }
    if (sink.overflow)
    {
        return AD_RPC_ERR_OVERFLOW;
    }
    *out_len = sink.len;
    return AD_RPC_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Protobuf writer. With buf == NULL it only counts, which sizes nested messages.            */

enum
{
    WIRE_VARINT = 0,
    WIRE_I64 = 1,
    WIRE_LEN = 2,
    WIRE_I32 = 5
};

typedef struct
{
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflow;
} pb_writer;

static void pb_put_byte(pb_writer *w, uint8_t b)
{
    if (w->buf != NULL)
    {
        if (w->len >= w->cap)
        {
            w->overflow = 1;
            return;
        }
        w->buf[w->len] = b;
    }
    w->len++;
}

static void pb_put_varint(pb_writer *w, uint64_t v)
{
    while (v >= 0x80u)
    {
        pb_put_byte(w, (uint8_t)((v & 0x7Fu) | 0x80u));
        v >>= 7;
    }
    pb_put_byte(w, (uint8_t)v);
}

static void pb_put_tag(pb_writer *w, uint32_t field, uint32_t wire)
{
    pb_put_varint(w, ((uint64_t)field << 3) | wire);
}

static void pb_put_raw(pb_writer *w, const uint8_t *data, size_t len)
{
    if (w->buf != NULL)
    {
        if (w->len > w->cap || len > w->cap - w->len)
        {
            w->overflow = 1;
            return;
        }
        if (len != 0u)
        {
            memcpy(w->buf + w->len, data, len);
        }
    }
    w->len += len;
}

/* Scalars: proto3 omits zero values. */
static void pb_u32(pb_writer *w, uint32_t field, uint32_t v)
{
    if (v != 0u)
    {
        pb_put_tag(w, field, WIRE_VARINT);
        pb_put_varint(w, v);
    }
}

static void pb_u64(pb_writer *w, uint32_t field, uint64_t v)
{
    if (v != 0u)
    {
        pb_put_tag(w, field, WIRE_VARINT);
        pb_put_varint(w, v);
    }
}

/* int32 and enums: negative values are sign-extended to 64 bits (10 bytes). */
static void pb_i32(pb_writer *w, uint32_t field, int32_t v)
{
    if (v != 0)
    {
        pb_put_tag(w, field, WIRE_VARINT);
        pb_put_varint(w, (uint64_t)(int64_t)v);
    }
}

static uint32_t zigzag32(int32_t v)
{
    uint32_t u = (uint32_t)v;
    return (u << 1) ^ (0u - (u >> 31));
}

static void pb_s32(pb_writer *w, uint32_t field, int32_t v)
{
    pb_u32(w, field, zigzag32(v));
}

static void pb_bytes(pb_writer *w, uint32_t field, ad_rpc_bytes b)
{
    if (b.len != 0u && b.data != NULL)
    {
        pb_put_tag(w, field, WIRE_LEN);
        pb_put_varint(w, b.len);
        pb_put_raw(w, b.data, b.len);
    }
}

typedef void (*pb_encode_fn)(pb_writer *w, const void *msg);

/* A nested message: always written (an empty oneof member must still be seen). */
static void pb_message(pb_writer *w, uint32_t field, pb_encode_fn encode, const void *msg)
{
    pb_writer counter;
    counter.buf = NULL;
    counter.cap = 0;
    counter.len = 0;
    counter.overflow = 0;
    if (encode != NULL)
    {
        encode(&counter, msg);
    }
    pb_put_tag(w, field, WIRE_LEN);
    pb_put_varint(w, counter.len);
    if (encode != NULL)
    {
        encode(w, msg);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Protobuf reader                                                                           */

typedef struct
{
    const uint8_t *p;
    size_t len;
    size_t pos;
} pb_reader;

static int pb_get_varint(pb_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (r->pos < r->len)
    {
        uint8_t b = r->p[r->pos++];
        if (shift == 63u && (b & 0x7Eu) != 0u)
        {
            return 0; /* more than 64 bits */
        }
        v |= (uint64_t)(b & 0x7Fu) << shift;
        if ((b & 0x80u) == 0u)
        {
            *out = v;
            return 1;
        }
        shift += 7u;
        if (shift > 63u)
        {
            return 0; /* more than 10 bytes */
        }
    }
    return 0;
}

static int32_t u32_to_i32(uint32_t v)
{
    if (v <= 0x7FFFFFFFu)
    {
        return (int32_t)v;
    }
    return -(int32_t)(~v) - 1;
}

/* One field of a message: its number, wire type and, for varints, the value; for
 * length-delimited fields, the bytes. */
typedef struct
{
    uint32_t field;
    uint32_t wire;
    uint64_t value;
    ad_rpc_bytes bytes;
} pb_field;

/* Returns 1 with a field, 0 at the end of the message, -1 on malformed input. Fixed-width
 * fields are skipped over and reported with their wire type only. */
static int pb_next(pb_reader *r, pb_field *f)
{
    uint64_t key;
    if (r->pos >= r->len)
    {
        return 0;
    }
    if (!pb_get_varint(r, &key) || (key >> 3) == 0u || (key >> 3) > 0x1FFFFFFFu)
    {
        return -1;
    }
    f->field = (uint32_t)(key >> 3);
    f->wire = (uint32_t)(key & 7u);
    f->value = 0;
    f->bytes.data = NULL;
    f->bytes.len = 0;
    switch (f->wire)
    {
    case WIRE_VARINT:
        return pb_get_varint(r, &f->value) ? 1 : -1;
    case WIRE_I64:
        if (r->len - r->pos < 8u)
        {
            return -1;
        }
        r->pos += 8u;
        return 1;
    case WIRE_I32:
        if (r->len - r->pos < 4u)
        {
            return -1;
        }
        r->pos += 4u;
        return 1;
    case WIRE_LEN: {
        uint64_t n;
        if (!pb_get_varint(r, &n) || n > (uint64_t)(r->len - r->pos))
        {
            return -1;
        }
        f->bytes.data = r->p + r->pos;
        f->bytes.len = (size_t)n;
        r->pos += (size_t)n;
        return 1;
    }
    default:
        return -1; /* groups are not used */
    }
}

static void pb_reader_init(pb_reader *r, ad_rpc_bytes b)
{
    r->p = b.data;
    r->len = b.len;
    r->pos = 0;
}

/* Typed field access: the wire type must match what the schema says. */
static int want_varint(const pb_field *f)
{
    return f->wire == WIRE_VARINT;
}

static int want_len(const pb_field *f)
{
    return f->wire == WIRE_LEN;
}

#define GET_U32(f, dst)                                                                                                \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!want_varint(f))                                                                                           \
            return AD_RPC_ERR_DECODE;                                                                                  \
        (dst) = (uint32_t)((f)->value & 0xFFFFFFFFu);                                                                  \
    } while (0)
#define GET_U64(f, dst)                                                                                                \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!want_varint(f))                                                                                           \
            return AD_RPC_ERR_DECODE;                                                                                  \
        (dst) = (f)->value;                                                                                            \
    } while (0)
#define GET_I32(f, dst)                                                                                                \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!want_varint(f))                                                                                           \
            return AD_RPC_ERR_DECODE;                                                                                  \
        (dst) = u32_to_i32((uint32_t)((f)->value & 0xFFFFFFFFu));                                                      \
    } while (0)
#define GET_S32(f, dst)                                                                                                \
    do                                                                                                                 \
    {                                                                                                                  \
        uint32_t z_;                                                                                                   \
        if (!want_varint(f))                                                                                           \
            return AD_RPC_ERR_DECODE;                                                                                  \
        z_ = (uint32_t)((f)->value & 0xFFFFFFFFu);                                                                     \
        (dst) = u32_to_i32((z_ >> 1) ^ (0u - (z_ & 1u)));                                                              \
    } while (0)
#define GET_BYTES(f, dst)                                                                                              \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!want_len(f))                                                                                              \
            return AD_RPC_ERR_DECODE;                                                                                  \
        (dst) = (f)->bytes;                                                                                            \
    } while (0)

/* Iterates over the fields of b; the body sees `f` and decides, unknown fields fall through. */
#define FOR_EACH_FIELD(b, f)                                                                                           \
    pb_reader r_;                                                                                                      \
    pb_field f##_storage;                                                                                              \
    const pb_field *f = &f##_storage;                                                                                  \
    int rc_;                                                                                                           \
    pb_reader_init(&r_, (b));                                                                                          \
    while ((rc_ = pb_next(&r_, &f##_storage)) > 0)

#define END_FIELDS()                                                                                                   \
    if (rc_ < 0)                                                                                                       \
        return AD_RPC_ERR_DECODE;                                                                                      \
    return AD_RPC_OK

/* ---------------------------------------------------------------------------------------- */
/* Host messages                                                                             */

static void enc_hello(pb_writer *w, const void *m)
{
    const ad_rpc_hello *v = (const ad_rpc_hello *)m;
    pb_u32(w, 1, v->protocol_version);
}

static void enc_set_input(pb_writer *w, const void *m)
{
    const ad_rpc_set_input *v = (const ad_rpc_set_input *)m;
    pb_u32(w, 1, v->index);
    pb_u32(w, 2, v->offset);
    pb_u32(w, 3, v->total_size);
    pb_bytes(w, 4, v->data);
}

static void enc_invoke(pb_writer *w, const void *m)
{
    const ad_rpc_invoke *v = (const ad_rpc_invoke *)m;
    pb_u32(w, 1, v->runs);
    pb_u32(w, 2, v->warmup);
}

static void enc_read_tensor(pb_writer *w, const void *m)
{
    const ad_rpc_read_tensor *v = (const ad_rpc_read_tensor *)m;
    pb_i32(w, 1, v->kind);
    pb_u32(w, 2, v->index);
    pb_u32(w, 3, v->offset);
    pb_u32(w, 4, v->length);
}

static void enc_run_layers(pb_writer *w, const void *m)
{
    const ad_rpc_run_layers *v = (const ad_rpc_run_layers *)m;
    pb_u32(w, 1, v->first);
    pb_u32(w, 2, v->last);
}

static void enc_get_profile(pb_writer *w, const void *m)
{
    const ad_rpc_get_profile *v = (const ad_rpc_get_profile *)m;
    pb_u32(w, 1, v->first);
}

static ad_rpc_status finish_encode(const pb_writer *w, size_t *out_len)
{
    if (w->overflow)
    {
        return AD_RPC_ERR_OVERFLOW;
    }
    *out_len = w->len;
    return AD_RPC_OK;
}

ad_rpc_status ad_rpc_host_message_encode(const ad_rpc_host_message *msg, uint8_t *buf, size_t cap, size_t *out_len)
{
    pb_writer w;
    uint32_t field;
    if (msg == NULL || buf == NULL || out_len == NULL)
    {
        return AD_RPC_ERR_ARG;
    }
    field = (uint32_t)msg->kind;
    w.buf = buf;
    w.cap = cap;
    w.len = 0;
    w.overflow = 0;
    pb_u32(&w, 1, msg->seq);
    switch (msg->kind)
    {
    case AD_RPC_HOST_HELLO:
        pb_message(&w, field, enc_hello, &msg->u.hello);
        break;
    case AD_RPC_HOST_SET_INPUT:
        pb_message(&w, field, enc_set_input, &msg->u.set_input);
        break;
    case AD_RPC_HOST_INVOKE:
        pb_message(&w, field, enc_invoke, &msg->u.invoke);
        break;
    case AD_RPC_HOST_READ_TENSOR:
        pb_message(&w, field, enc_read_tensor, &msg->u.read_tensor);
        break;
    case AD_RPC_HOST_RUN_LAYERS:
        pb_message(&w, field, enc_run_layers, &msg->u.run_layers);
        break;
    case AD_RPC_HOST_RESET:
    case AD_RPC_HOST_GET_STATS:
        pb_message(&w, field, NULL, NULL);
        break;
    case AD_RPC_HOST_GET_PROFILE:
        pb_message(&w, field, enc_get_profile, &msg->u.get_profile);
        break;
    case AD_RPC_HOST_NONE:
    default:
        return AD_RPC_ERR_EMPTY;
    }
    return finish_encode(&w, out_len);
}

static ad_rpc_status dec_hello(ad_rpc_bytes b, ad_rpc_hello *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
            GET_U32(f, v->protocol_version);
    }
    END_FIELDS();
}

static ad_rpc_status dec_set_input(ad_rpc_bytes b, ad_rpc_set_input *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->index);
            break;
        case 2:
            GET_U32(f, v->offset);
            break;
        case 3:
            GET_U32(f, v->total_size);
            break;
        case 4:
            GET_BYTES(f, v->data);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_invoke(ad_rpc_bytes b, ad_rpc_invoke *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
            GET_U32(f, v->runs);
        else if (f->field == 2)
            GET_U32(f, v->warmup);
    }
    END_FIELDS();
}

static ad_rpc_status dec_read_tensor(ad_rpc_bytes b, ad_rpc_read_tensor *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_I32(f, v->kind);
            break;
        case 2:
            GET_U32(f, v->index);
            break;
        case 3:
            GET_U32(f, v->offset);
            break;
        case 4:
            GET_U32(f, v->length);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_run_layers(ad_rpc_bytes b, ad_rpc_run_layers *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
            GET_U32(f, v->first);
        else if (f->field == 2)
            GET_U32(f, v->last);
    }
    END_FIELDS();
}

static ad_rpc_status dec_get_profile(ad_rpc_bytes b, ad_rpc_get_profile *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
            GET_U32(f, v->first);
    }
    END_FIELDS();
}

static ad_rpc_status dec_empty(ad_rpc_bytes b)
{
    FOR_EACH_FIELD(b, f)
    {
        (void)f;
    }
    END_FIELDS();
}

/* Selecting a new oneof member clears the previous one, as protobuf's "last one wins". */
static ad_rpc_status host_member(ad_rpc_host_message *msg, const pb_field *f)
{
    if (!want_len(f))
    {
        return AD_RPC_ERR_DECODE;
    }
    memset(&msg->u, 0, sizeof msg->u);
    msg->kind = (ad_rpc_host_kind)f->field;
    switch (f->field)
    {
    case AD_RPC_HOST_HELLO:
        return dec_hello(f->bytes, &msg->u.hello);
    case AD_RPC_HOST_SET_INPUT:
        return dec_set_input(f->bytes, &msg->u.set_input);
    case AD_RPC_HOST_INVOKE:
        return dec_invoke(f->bytes, &msg->u.invoke);
    case AD_RPC_HOST_READ_TENSOR:
        return dec_read_tensor(f->bytes, &msg->u.read_tensor);
    case AD_RPC_HOST_RUN_LAYERS:
        return dec_run_layers(f->bytes, &msg->u.run_layers);
    case AD_RPC_HOST_GET_PROFILE:
        return dec_get_profile(f->bytes, &msg->u.get_profile);
    default: /* reset, get_stats */
        return dec_empty(f->bytes);
    }
}

ad_rpc_status ad_rpc_host_message_decode(const uint8_t *buf, size_t len, ad_rpc_host_message *msg)
{
    ad_rpc_bytes b;
    if (msg == NULL || (buf == NULL && len != 0u))
    {
        return AD_RPC_ERR_ARG;
    }
    memset(msg, 0, sizeof *msg);
    msg->kind = AD_RPC_HOST_NONE;
    b.data = buf;
    b.len = len;
    {
        FOR_EACH_FIELD(b, f)
        {
            ad_rpc_status st = AD_RPC_OK;
            if (f->field == 1)
            {
                GET_U32(f, msg->seq);
            }
            else if (f->field >= AD_RPC_HOST_HELLO && f->field <= AD_RPC_HOST_GET_STATS)
            {
                st = host_member(msg, f);
            }
            if (st != AD_RPC_OK)
            {
                return st;
            }
        }
        END_FIELDS();
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Board messages                                                                            */

static void enc_info(pb_writer *w, const void *m)
{
    const ad_rpc_info *v = (const ad_rpc_info *)m;
    pb_u32(w, 1, v->protocol_version);
    pb_bytes(w, 2, v->board);
    pb_bytes(w, 3, v->core);
    pb_u32(w, 4, v->clock_hz);
    pb_bytes(w, 5, v->model_hash);
    pb_u32(w, 6, v->arena_size);
    pb_u32(w, 7, v->max_chunk);
    pb_u32(w, 8, v->input_count);
    pb_u32(w, 9, v->output_count);
    pb_u32(w, 10, v->layer_count);
    pb_u32(w, 11, v->tensor_count);
    pb_bytes(w, 12, v->firmware);
}

static void enc_tensor_chunk(pb_writer *w, const void *m)
{
    const ad_rpc_tensor_chunk *v = (const ad_rpc_tensor_chunk *)m;
    pb_i32(w, 1, v->kind);
    pb_u32(w, 2, v->index);
    pb_u32(w, 3, v->offset);
    pb_u32(w, 4, v->total_size);
    pb_bytes(w, 5, v->data);
}

static void enc_run_result(pb_writer *w, const void *m)
{
    const ad_rpc_run_result *v = (const ad_rpc_run_result *)m;
    pb_u32(w, 1, v->runs);
    pb_u64(w, 2, v->count);
    pb_i32(w, 3, v->counter);
    pb_u32(w, 4, v->stack_high_water);
}

static void enc_layer_count(pb_writer *w, const void *m)
{
    const ad_rpc_layer_count *v = (const ad_rpc_layer_count *)m;
    pb_u32(w, 1, v->layer);
    pb_u64(w, 2, v->count);
    pb_i32(w, 3, v->counter);
}

static void enc_profile(pb_writer *w, const void *m)
{
    const ad_rpc_profile *v = (const ad_rpc_profile *)m;
    size_t i;
    size_t n = v->entry_count;
    if (n > AD_RPC_MAX_PROFILE_ENTRIES)
    {
        w->overflow = 1;
        n = AD_RPC_MAX_PROFILE_ENTRIES;
    }
    pb_u32(w, 1, v->layer_count);
    for (i = 0; i < n; i++)
    {
        pb_message(w, 2, enc_layer_count, &v->entries[i]);
    }
}

static void enc_stats(pb_writer *w, const void *m)
{
    const ad_rpc_stats *v = (const ad_rpc_stats *)m;
    pb_u32(w, 1, v->stack_high_water);
    pb_u32(w, 2, v->stack_size);
    pb_u32(w, 3, v->arena_used);
}

static void enc_error(pb_writer *w, const void *m)
{
    const ad_rpc_error *v = (const ad_rpc_error *)m;
    pb_i32(w, 1, v->code);
    pb_bytes(w, 2, v->message);
    pb_s32(w, 3, v->detail);
}

static void enc_fault(pb_writer *w, const void *m)
{
    const ad_rpc_fault *v = (const ad_rpc_fault *)m;
    pb_u32(w, 1, v->cfsr);
    pb_u32(w, 2, v->hfsr);
    pb_u32(w, 3, v->mmfar);
    pb_u32(w, 4, v->bfar);
    pb_u32(w, 5, v->pc);
    pb_u32(w, 6, v->lr);
    pb_u32(w, 7, v->xpsr);
    pb_s32(w, 8, v->layer);
}

static void enc_log(pb_writer *w, const void *m)
{
    const ad_rpc_log *v = (const ad_rpc_log *)m;
    pb_bytes(w, 1, v->text);
}

ad_rpc_status ad_rpc_board_message_encode(const ad_rpc_board_message *msg, uint8_t *buf, size_t cap, size_t *out_len)
{
    pb_writer w;
    uint32_t field;
    if (msg == NULL || buf == NULL || out_len == NULL)
    {
        return AD_RPC_ERR_ARG;
    }
    field = (uint32_t)msg->kind;
    w.buf = buf;
    w.cap = cap;
    w.len = 0;
    w.overflow = 0;
    pb_u32(&w, 1, msg->seq);
    switch (msg->kind)
    {
    case AD_RPC_BOARD_INFO:
        pb_message(&w, field, enc_info, &msg->u.info);
        break;
    case AD_RPC_BOARD_ACK:
        pb_message(&w, field, NULL, NULL);
        break;
    case AD_RPC_BOARD_TENSOR_CHUNK:
        pb_message(&w, field, enc_tensor_chunk, &msg->u.tensor_chunk);
        break;
    case AD_RPC_BOARD_RUN_RESULT:
        pb_message(&w, field, enc_run_result, &msg->u.run_result);
        break;
    case AD_RPC_BOARD_PROFILE:
        pb_message(&w, field, enc_profile, &msg->u.profile);
        break;
    case AD_RPC_BOARD_STATS:
        pb_message(&w, field, enc_stats, &msg->u.stats);
        break;
    case AD_RPC_BOARD_ERROR:
        pb_message(&w, field, enc_error, &msg->u.error);
        break;
    case AD_RPC_BOARD_FAULT:
        pb_message(&w, field, enc_fault, &msg->u.fault);
        break;
    case AD_RPC_BOARD_LOG:
        pb_message(&w, field, enc_log, &msg->u.log);
        break;
    case AD_RPC_BOARD_NONE:
    default:
        return AD_RPC_ERR_EMPTY;
    }
    return finish_encode(&w, out_len);
}

static ad_rpc_status dec_info(ad_rpc_bytes b, ad_rpc_info *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->protocol_version);
            break;
        case 2:
            GET_BYTES(f, v->board);
            break;
        case 3:
            GET_BYTES(f, v->core);
            break;
        case 4:
            GET_U32(f, v->clock_hz);
            break;
        case 5:
            GET_BYTES(f, v->model_hash);
            break;
        case 6:
            GET_U32(f, v->arena_size);
            break;
        case 7:
            GET_U32(f, v->max_chunk);
            break;
        case 8:
            GET_U32(f, v->input_count);
            break;
        case 9:
            GET_U32(f, v->output_count);
            break;
        case 10:
            GET_U32(f, v->layer_count);
            break;
        case 11:
            GET_U32(f, v->tensor_count);
            break;
        case 12:
            GET_BYTES(f, v->firmware);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_tensor_chunk(ad_rpc_bytes b, ad_rpc_tensor_chunk *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_I32(f, v->kind);
            break;
        case 2:
            GET_U32(f, v->index);
            break;
        case 3:
            GET_U32(f, v->offset);
            break;
        case 4:
            GET_U32(f, v->total_size);
            break;
        case 5:
            GET_BYTES(f, v->data);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_run_result(ad_rpc_bytes b, ad_rpc_run_result *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->runs);
            break;
        case 2:
            GET_U64(f, v->count);
            break;
        case 3:
            GET_I32(f, v->counter);
            break;
        case 4:
            GET_U32(f, v->stack_high_water);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_layer_count(ad_rpc_bytes b, ad_rpc_layer_count *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->layer);
            break;
        case 2:
            GET_U64(f, v->count);
            break;
        case 3:
            GET_I32(f, v->counter);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_profile(ad_rpc_bytes b, ad_rpc_profile *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
        {
            GET_U32(f, v->layer_count);
        }
        else if (f->field == 2)
        {
            ad_rpc_status st;
            if (!want_len(f))
            {
                return AD_RPC_ERR_DECODE;
            }
            if (v->entry_count >= AD_RPC_MAX_PROFILE_ENTRIES)
            {
                return AD_RPC_ERR_OVERFLOW;
            }
            st = dec_layer_count(f->bytes, &v->entries[v->entry_count]);
            if (st != AD_RPC_OK)
            {
                return st;
            }
            v->entry_count++;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_stats(ad_rpc_bytes b, ad_rpc_stats *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->stack_high_water);
            break;
        case 2:
            GET_U32(f, v->stack_size);
            break;
        case 3:
            GET_U32(f, v->arena_used);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_error(ad_rpc_bytes b, ad_rpc_error *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_I32(f, v->code);
            break;
        case 2:
            GET_BYTES(f, v->message);
            break;
        case 3:
            GET_S32(f, v->detail);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_fault(ad_rpc_bytes b, ad_rpc_fault *v)
{
    FOR_EACH_FIELD(b, f)
    {
        switch (f->field)
        {
        case 1:
            GET_U32(f, v->cfsr);
            break;
        case 2:
            GET_U32(f, v->hfsr);
            break;
        case 3:
            GET_U32(f, v->mmfar);
            break;
        case 4:
            GET_U32(f, v->bfar);
            break;
        case 5:
            GET_U32(f, v->pc);
            break;
        case 6:
            GET_U32(f, v->lr);
            break;
        case 7:
            GET_U32(f, v->xpsr);
            break;
        case 8:
            GET_S32(f, v->layer);
            break;
        default:
            break;
        }
    }
    END_FIELDS();
}

static ad_rpc_status dec_log(ad_rpc_bytes b, ad_rpc_log *v)
{
    FOR_EACH_FIELD(b, f)
    {
        if (f->field == 1)
            GET_BYTES(f, v->text);
    }
    END_FIELDS();
}

static ad_rpc_status board_member(ad_rpc_board_message *msg, const pb_field *f)
{
    if (!want_len(f))
    {
        return AD_RPC_ERR_DECODE;
    }
    memset(&msg->u, 0, sizeof msg->u);
    msg->kind = (ad_rpc_board_kind)f->field;
    switch (f->field)
    {
    case AD_RPC_BOARD_INFO:
        return dec_info(f->bytes, &msg->u.info);
    case AD_RPC_BOARD_TENSOR_CHUNK:
        return dec_tensor_chunk(f->bytes, &msg->u.tensor_chunk);
    case AD_RPC_BOARD_RUN_RESULT:
        return dec_run_result(f->bytes, &msg->u.run_result);
    case AD_RPC_BOARD_PROFILE:
        return dec_profile(f->bytes, &msg->u.profile);
    case AD_RPC_BOARD_STATS:
        return dec_stats(f->bytes, &msg->u.stats);
    case AD_RPC_BOARD_ERROR:
        return dec_error(f->bytes, &msg->u.error);
    case AD_RPC_BOARD_FAULT:
        return dec_fault(f->bytes, &msg->u.fault);
    case AD_RPC_BOARD_LOG:
        return dec_log(f->bytes, &msg->u.log);
    default: /* ack */
        return dec_empty(f->bytes);
    }
}

ad_rpc_status ad_rpc_board_message_decode(const uint8_t *buf, size_t len, ad_rpc_board_message *msg)
{
    ad_rpc_bytes b;
    if (msg == NULL || (buf == NULL && len != 0u))
    {
        return AD_RPC_ERR_ARG;
    }
    memset(msg, 0, sizeof *msg);
    msg->kind = AD_RPC_BOARD_NONE;
    b.data = buf;
    b.len = len;
    {
        FOR_EACH_FIELD(b, f)
        {
            ad_rpc_status st = AD_RPC_OK;
            if (f->field == 1)
            {
                GET_U32(f, msg->seq);
            }
            else if (f->field >= AD_RPC_BOARD_INFO && f->field <= AD_RPC_BOARD_LOG)
            {
                st = board_member(msg, f);
            }
            if (st != AD_RPC_OK)
            {
                return st;
            }
        }
        END_FIELDS();
    }
}

/* ---------------------------------------------------------------------------------------- */

ad_rpc_status ad_rpc_send_board_message(const ad_rpc_board_message *msg, uint8_t *scratch, size_t scratch_len,
                                        ad_rpc_write_fn write, void *ctx)
{
    size_t len = 0;
    ad_rpc_status st = ad_rpc_board_message_encode(msg, scratch, scratch_len, &len);
    if (st != AD_RPC_OK)
    {
        return st;
    }
    return ad_rpc_frame_write(scratch, len, write, ctx);
}

ad_rpc_status ad_rpc_send_host_message(const ad_rpc_host_message *msg, uint8_t *scratch, size_t scratch_len,
                                       ad_rpc_write_fn write, void *ctx)
{
    size_t len = 0;
    ad_rpc_status st = ad_rpc_host_message_encode(msg, scratch, scratch_len, &len);
    if (st != AD_RPC_OK)
    {
        return st;
    }
    return ad_rpc_frame_write(scratch, len, write, ctx);
}
