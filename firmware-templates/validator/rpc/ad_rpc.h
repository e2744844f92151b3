/*
 * ad_rpc.h - firmware side of the autodeploy host/board RPC.
 *
 * Portable C99, no malloc, no global state. Three layers, usable separately:
 *   1. CRC-32 (IEEE 802.3 / zlib polynomial, reflected, init and final xor 0xFFFFFFFF).
 *   2. Framing: 0x00 | COBS(payload | CRC-32 little endian) | 0x00. The decoder is fed one
 *      byte at a time (from a UART interrupt or a polling loop) and resynchronises on every
 *      0x00, so garbage, truncated frames and bit flips cost at most the frame they touch.
 *   3. Messages: encode/decode of exactly the messages of proto/autodeploy.proto (protobuf
 *      wire format, proto3 rules: zero scalars are omitted, unknown fields are skipped).
 *
 * Bytes and strings are never copied: ad_rpc_bytes points into the frame buffer after a
 * decode (valid until the next ad_rpc_decoder_feed call) and into the caller's memory for an
 * encode (e.g. straight at a tensor in the arena).
 *
 * Minimal validator loop:
 *
 *     static ad_rpc_decoder dec;
 *     static uint8_t scratch[AD_RPC_MAX_PAYLOAD];
 *     ad_rpc_decoder_init(&dec);
 *     for (;;) {
 *         ad_rpc_bytes frame;
 *         if (ad_rpc_decoder_feed(&dec, uart_getc(), &frame) != AD_RPC_FEED_FRAME) continue;
 *         ad_rpc_host_message req;
 *         ad_rpc_board_message resp;
 *         if (ad_rpc_host_message_decode(frame.data, frame.len, &req) != AD_RPC_OK) continue;
 *         handle(&req, &resp);            // fills resp, resp.seq = req.seq
 *         ad_rpc_send_board_message(&resp, scratch, sizeof scratch, uart_write, NULL);
 *     }
 */
#ifndef AD_RPC_H
#define AD_RPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Must equal autodeploy_rpc::PROTOCOL_VERSION on the host. */
#define AD_RPC_PROTOCOL_VERSION 1u

/* Largest bytes/string field this firmware sends or accepts; report it in Info.max_chunk and
 * the host never sends larger chunks. May be lowered (never raised above the host's 1024) by
 * defining it for every file that includes this header, ad_rpc.c included. */
#ifndef AD_RPC_MAX_CHUNK
#define AD_RPC_MAX_CHUNK 1024u
#endif

/* Largest encoded message (the frame payload, without CRC). */
#define AD_RPC_MAX_PAYLOAD (AD_RPC_MAX_CHUNK + 128u)

/* Largest number of LayerCount entries in one Profile message. */
#ifndef AD_RPC_MAX_PROFILE_ENTRIES
#define AD_RPC_MAX_PROFILE_ENTRIES 32u
#endif

/* Bytes on the wire for a payload of n bytes, worst case: two delimiters, COBS overhead of one
 * byte per 254, four CRC bytes. */
#define AD_RPC_FRAME_MAX_ENCODED(n) ((n) + 4u + ((n) + 4u) / 254u + 1u + 2u)

typedef enum
{
    AD_RPC_OK = 0,
    AD_RPC_ERR_ARG = -1,      /* NULL pointer or invalid argument */
    AD_RPC_ERR_OVERFLOW = -2, /* output buffer or fixed-size array too small */
    AD_RPC_ERR_DECODE = -3,   /* malformed protobuf */
    AD_RPC_ERR_EMPTY = -4     /* message has no request/body set */
} ad_rpc_status;

const char *ad_rpc_status_name(ad_rpc_status status);

/* A borrowed byte string (protobuf bytes or string, not NUL-terminated). */
typedef struct
{
    const uint8_t *data;
    size_t len;
} ad_rpc_bytes;

/* Wraps a NUL-terminated C string (NULL gives an empty string). */
ad_rpc_bytes ad_rpc_str(const char *s);

/* ---------------------------------------------------------------------------------------- */
/* CRC-32                                                                                    */

/* Start with crc = 0 and feed data in any number of pieces. */
uint32_t ad_rpc_crc32_update(uint32_t crc, const uint8_t *data, size_t len);

/* ---------------------------------------------------------------------------------------- */
/* Framing                                                                                   */

typedef struct
{
    uint32_t frames;     /* good frames delivered */
    uint32_t crc_errors; /* complete frames whose CRC did not match */
    uint32_t malformed;  /* truncated COBS blocks, frames shorter than a CRC */
    uint32_t oversize;   /* frames longer than AD_RPC_MAX_PAYLOAD, dropped */
} ad_rpc_frame_stats;

typedef struct
{
    uint8_t buf[AD_RPC_MAX_PAYLOAD + 4u];
    size_t len;
    uint8_t block_left; /* data bytes left in the current COBS block */
    uint8_t prev_code;  /* code byte of the previous block, 0 before the first */
    uint8_t discarding; /* frame too long: skip to the next delimiter */
    ad_rpc_frame_stats stats;
} ad_rpc_decoder;

typedef enum
{
    AD_RPC_FEED_NONE = 0,  /* nothing yet */
    AD_RPC_FEED_FRAME = 1, /* *payload holds a frame with a good CRC */
    AD_RPC_FEED_ERROR = 2  /* a corrupt frame was dropped (see stats) */
} ad_rpc_feed_result;

void ad_rpc_decoder_init(ad_rpc_decoder *dec);

/* Feeds one received byte. On AD_RPC_FEED_FRAME, *payload points into dec->buf and stays valid
 * until the next call. */
ad_rpc_feed_result ad_rpc_decoder_feed(ad_rpc_decoder *dec, uint8_t byte, ad_rpc_bytes *payload);

/* Output sink: must write all len bytes (e.g. a blocking UART write). */
typedef void (*ad_rpc_write_fn)(void *ctx, const uint8_t *data, size_t len);

/* Streams one frame (delimiters included) through write; needs about 256 bytes of stack.
 * The payload is 1 to AD_RPC_MAX_PAYLOAD bytes (decoders drop empty payloads). */
ad_rpc_status ad_rpc_frame_write(const uint8_t *payload, size_t len, ad_rpc_write_fn write, void *ctx);

/* Encodes one frame into out (cap >= AD_RPC_FRAME_MAX_ENCODED(len) is always enough). */
ad_rpc_status ad_rpc_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* ---------------------------------------------------------------------------------------- */
/* Messages (see proto/autodeploy.proto for the meaning of each field)                       */

typedef enum
{
    AD_RPC_TENSOR_INPUT = 0,
    AD_RPC_TENSOR_OUTPUT = 1,
    AD_RPC_TENSOR_MODEL = 2,
    AD_RPC_TENSOR_STATE = 3
} ad_rpc_tensor_kind;

typedef enum
{
    AD_RPC_COUNTER_NONE = 0,
    AD_RPC_COUNTER_CYCLES = 1,
    AD_RPC_COUNTER_INSTRUCTIONS = 2,
    AD_RPC_COUNTER_MICROSECONDS = 3
} ad_rpc_counter_kind;

typedef enum
{
    AD_RPC_ERROR_UNKNOWN = 0,
    AD_RPC_ERROR_BAD_REQUEST = 1,
    AD_RPC_ERROR_BAD_INDEX = 2,
    AD_RPC_ERROR_BAD_RANGE = 3,
    AD_RPC_ERROR_SIZE_MISMATCH = 4,
    AD_RPC_ERROR_MODEL_FAILED = 5,
    AD_RPC_ERROR_NOT_SUPPORTED = 6,
    AD_RPC_ERROR_UNAVAILABLE = 7
} ad_rpc_error_code;

/* Host -> board. The kind values are the oneof field numbers. */
typedef enum
{
    AD_RPC_HOST_NONE = 0,
    AD_RPC_HOST_HELLO = 2,
    AD_RPC_HOST_SET_INPUT = 3,
    AD_RPC_HOST_INVOKE = 4,
    AD_RPC_HOST_READ_TENSOR = 5,
    AD_RPC_HOST_RUN_LAYERS = 6,
    AD_RPC_HOST_RESET = 7,
    AD_RPC_HOST_GET_PROFILE = 8,
    AD_RPC_HOST_GET_STATS = 9
} ad_rpc_host_kind;

typedef struct
{
    uint32_t protocol_version;
} ad_rpc_hello;

typedef struct
{
    uint32_t index;
    uint32_t offset;
    uint32_t total_size;
    ad_rpc_bytes data;
} ad_rpc_set_input;

typedef struct
{
    uint32_t runs;
    uint32_t warmup;
} ad_rpc_invoke;

typedef struct
{
    int32_t kind; /* ad_rpc_tensor_kind; other values may arrive from a newer host */
    uint32_t index;
    uint32_t offset;
    uint32_t length;
} ad_rpc_read_tensor;

typedef struct
{
    uint32_t first;
    uint32_t last;
} ad_rpc_run_layers;

typedef struct
{
    uint32_t first;
} ad_rpc_get_profile;

typedef struct
{
    uint32_t seq;
    ad_rpc_host_kind kind;
    union
    {
        ad_rpc_hello hello;
        ad_rpc_set_input set_input;
        ad_rpc_invoke invoke;
        ad_rpc_read_tensor read_tensor;
        ad_rpc_run_layers run_layers;
        ad_rpc_get_profile get_profile;
        /* reset and get_stats carry no fields */
    } u;
} ad_rpc_host_message;

/* Board -> host. The kind values are the oneof field numbers. */
typedef enum
{
    AD_RPC_BOARD_NONE = 0,
    AD_RPC_BOARD_INFO = 2,
    AD_RPC_BOARD_ACK = 3,
    AD_RPC_BOARD_TENSOR_CHUNK = 4,
    AD_RPC_BOARD_RUN_RESULT = 5,
    AD_RPC_BOARD_PROFILE = 6,
    AD_RPC_BOARD_STATS = 7,
    AD_RPC_BOARD_ERROR = 8,
    AD_RPC_BOARD_FAULT = 9,
    AD_RPC_BOARD_LOG = 10
} ad_rpc_board_kind;

typedef struct
{
    uint32_t protocol_version;
    ad_rpc_bytes board;
    ad_rpc_bytes core;
    uint32_t clock_hz;
    ad_rpc_bytes model_hash;
    uint32_t arena_size;
    uint32_t max_chunk;
    uint32_t input_count;
    uint32_t output_count;
    uint32_t layer_count;
    uint32_t tensor_count;
    ad_rpc_bytes firmware;
} ad_rpc_info;

typedef struct
{
    int32_t kind; /* ad_rpc_tensor_kind */
    uint32_t index;
    uint32_t offset;
    uint32_t total_size;
    ad_rpc_bytes data;
} ad_rpc_tensor_chunk;

typedef struct
{
    uint32_t runs;
    uint64_t count;
    int32_t counter; /* ad_rpc_counter_kind */
    uint32_t stack_high_water;
} ad_rpc_run_result;

typedef struct
{
    uint32_t layer;
    uint64_t count;
    int32_t counter; /* ad_rpc_counter_kind */
} ad_rpc_layer_count;

typedef struct
{
    uint32_t layer_count;
    size_t entry_count;
    ad_rpc_layer_count entries[AD_RPC_MAX_PROFILE_ENTRIES];
} ad_rpc_profile;

typedef struct
{
    uint32_t stack_high_water;
    uint32_t stack_size;
    uint32_t arena_used;
} ad_rpc_stats;

typedef struct
{
    int32_t code; /* ad_rpc_error_code */
    ad_rpc_bytes message;
    int32_t detail;
} ad_rpc_error;

typedef struct
{
    uint32_t cfsr;
    uint32_t hfsr;
    uint32_t mmfar;
    uint32_t bfar;
    uint32_t pc;
    uint32_t lr;
    uint32_t xpsr;
    int32_t layer; /* -1 when no layer was running */
} ad_rpc_fault;

typedef struct
{
    ad_rpc_bytes text;
} ad_rpc_log;

typedef struct
{
    uint32_t seq; /* the request's seq; 0 for fault and log */
    ad_rpc_board_kind kind;
    union
    {
        ad_rpc_info info;
        ad_rpc_tensor_chunk tensor_chunk;
        ad_rpc_run_result run_result;
        ad_rpc_profile profile;
        ad_rpc_stats stats;
        ad_rpc_error error;
        ad_rpc_fault fault;
        ad_rpc_log log;
        /* ack carries no fields */
    } u;
} ad_rpc_board_message;

/* Encoders write the canonical protobuf encoding (field order, zero scalars omitted, the
 * selected oneof member always present) into buf and set *out_len. */
ad_rpc_status ad_rpc_host_message_encode(const ad_rpc_host_message *msg, uint8_t *buf, size_t cap, size_t *out_len);
ad_rpc_status ad_rpc_board_message_encode(const ad_rpc_board_message *msg, uint8_t *buf, size_t cap, size_t *out_len);

/* Decoders zero *msg first; bytes fields point into buf. A message without a known oneof
 * member decodes with kind NONE and status AD_RPC_OK (answer it with ERROR_BAD_REQUEST). */
ad_rpc_status ad_rpc_host_message_decode(const uint8_t *buf, size_t len, ad_rpc_host_message *msg);
ad_rpc_status ad_rpc_board_message_decode(const uint8_t *buf, size_t len, ad_rpc_board_message *msg);

/* Encode into scratch (AD_RPC_MAX_PAYLOAD bytes suffice), then stream as one frame. */
ad_rpc_status ad_rpc_send_board_message(const ad_rpc_board_message *msg, uint8_t *scratch, size_t scratch_len,
                                        ad_rpc_write_fn write, void *ctx);
ad_rpc_status ad_rpc_send_host_message(const ad_rpc_host_message *msg, uint8_t *scratch, size_t scratch_len,
                                       ad_rpc_write_fn write, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* AD_RPC_H */
