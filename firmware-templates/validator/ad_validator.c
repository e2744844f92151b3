/*
 * The validator firmware: runs a generated model on the board and answers the host's requests
 * over the UART (framing and messages: rpc/ad_rpc.h, proto/autodeploy.proto, docs/rpc.md).
 *
 * It is model-agnostic: adm_binding.h (written by the generator) maps the adm_* names used here
 * to the model's prefixed API (docs/generated-api.md). Per-layer costs come from the board's
 * counter through the generated per-layer hooks; a fault is reported to the host with the layer
 * that was running, then the board exits.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ad_board.h"
#include "ad_board_config.h"
#include "ad_rpc.h"
#include "adm_binding.h"

/* The RPC link: the board UART, or RTT rings in RAM when built with AD_VALIDATOR_RTT. */
#ifdef AD_VALIDATOR_RTT
#include "ad_rtt.h"
#define link_init() ad_rtt_init()
#define link_write(data, len) ad_rtt_write((data), (len))
#define link_getc() ad_rtt_getc()
#else
#define link_init() ((void)0)
#define link_write(data, len) ad_board_uart_write((data), (len))
#define link_getc() ad_board_uart_getc()
#endif

#define AD_VALIDATOR_VERSION "autodeploy-validator 1"

#if defined(AD_BOARD_COUNTER_KIND_QEMU_FPGAIO)
#define AD_COUNTER_KIND AD_RPC_COUNTER_INSTRUCTIONS
#else
#define AD_COUNTER_KIND AD_RPC_COUNTER_CYCLES
#endif

/* Per-layer counter ticks of the last measured run (one more slot: the hooks' calibration, see
 * ad_validator_calibrate_hooks), and the layer running now (-1: none). */
#define AD_CALIBRATION_SLOT ((size_t)ADM_LAYER_COUNT)
static uint32_t layer_ticks[ADM_LAYER_COUNT + 1];
static uint32_t layer_start;
static volatile int32_t current_layer = -1;

/* The whole inference, extended past the counter's 32 bits: every layer end adds the ticks since
 * the previous reading (run_last), so a run stays right as long as no single layer wraps the
 * counter (2^32 ticks: about 167 M instructions on mps2 with -icount shift=10). */
static uint32_t run_last;
static uint64_t run_ticks;

/* Instructions (cycles) the hooks themselves add to every layer's window, measured at start. */
static uint64_t hook_overhead;

void ad_validator_calibrate_hooks(void);

static ad_rpc_decoder decoder;
static ad_rpc_board_message reply;
static uint8_t scratch[AD_RPC_MAX_PAYLOAD];

/* Counter ticks to the unit reported (instructions on QEMU, cycles on hardware), exactly. */
static uint64_t ticks_to_count(uint64_t ticks)
{
#if defined(AD_BOARD_COUNTER_INSNS_PER_TICK_NUM)
    return (ticks * (uint64_t)AD_BOARD_COUNTER_INSNS_PER_TICK_NUM + AD_BOARD_COUNTER_INSNS_PER_TICK_DEN / 2u) /
           (uint64_t)AD_BOARD_COUNTER_INSNS_PER_TICK_DEN;
#else
    /* A cycle counter: one tick is one cycle. */
    return ticks;
#endif
}

/* The hooks are never inlined or cloned (noipa), so the calibration below runs exactly the code
 * the model's layer loop runs. The counter read is the last thing begin does and the first thing
 * end does; all bookkeeping lies outside a layer's window. */
__attribute__((noipa)) void adm_layer_begin(size_t layer)
{
    current_layer = (int32_t)layer;
#ifdef AD_VALIDATOR_TEST_FAULT_LAYER
    /* Test builds only: a bus fault at this layer, to prove the fault report path. */
    if (layer == (size_t)(AD_VALIDATOR_TEST_FAULT_LAYER))
    {
        (void)*(volatile uint32_t *)0xF0000000u;
    }
#endif
#ifdef AD_VALIDATOR_TEST_HANG_LAYER
    /* Test builds only: never finish this layer, to prove the timeout path. */
    while (layer == (size_t)(AD_VALIDATOR_TEST_HANG_LAYER))
    {
    }
#endif
    layer_start = ad_board_counter_read();
}

__attribute__((noipa)) void adm_layer_end(size_t layer)
{
    uint32_t now = ad_board_counter_read();
    run_ticks += (uint32_t)(now - run_last);
    run_last = now;
#ifdef AD_VALIDATOR_TEST_CORRUPT_LAYER
    /* Test builds only: flip bit 4 of every byte of this layer's output, to prove that validation
     * names the layer. */
    if (layer == (size_t)(AD_VALIDATOR_TEST_CORRUPT_LAYER))
    {
        size_t tensor = adm_layer_output(layer, 0);
        uint8_t *out = (uint8_t *)adm_tensor(tensor);
        const adm_tensor_info *info = adm_tensor_info_of(tensor);
        for (uint32_t i = 0; out != NULL && info != NULL && i < info->bytes; i++)
        {
            out[i] ^= 0x10u;
        }
    }
#endif
    if (layer <= AD_CALIBRATION_SLOT)
    {
        layer_ticks[layer] = now - layer_start;
    }
    current_layer = -1;
}

/* The hooks' own share of a layer's window: begin's tail after its counter read, the call of end
 * and end's head before its read. A layer's reported count is its window minus this, so it is
 * what the layer itself executes (its call and dispatch included). Never inlined (noipa), so the
 * test that checks counts against the disassembly can find it. */
__attribute__((noipa)) void ad_validator_calibrate_hooks(void)
{
    adm_layer_begin(AD_CALIBRATION_SLOT);
    adm_layer_end(AD_CALIBRATION_SLOT);
}

static uint64_t layer_count(size_t layer)
{
    uint64_t count = ticks_to_count(layer_ticks[layer]);
    return count > hook_overhead ? count - hook_overhead : 0u;
}

static void uart_sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    link_write(data, len);
}

static void send(void)
{
    (void)ad_rpc_send_board_message(&reply, scratch, sizeof scratch, uart_sink, NULL);
}

static void send_error(uint32_t seq, ad_rpc_error_code code, const char *message, int32_t detail)
{
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_ERROR;
    reply.u.error.code = (int32_t)code;
    reply.u.error.message = ad_rpc_str(message);
    reply.u.error.detail = detail;
    send();
}

static void send_ack(uint32_t seq)
{
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_ACK;
    send();
}

/* The fault hook of the board support: report, then stop (the host sees the frame, then exit). */
void ad_board_fault(const ad_fault_info *info)
{
    memset(&reply, 0, sizeof reply);
    reply.kind = AD_RPC_BOARD_FAULT;
    reply.u.fault.cfsr = info->cfsr;
    reply.u.fault.hfsr = info->hfsr;
    reply.u.fault.mmfar = info->mmfar;
    reply.u.fault.bfar = info->bfar;
    reply.u.fault.pc = info->pc;
    reply.u.fault.lr = info->lr;
    reply.u.fault.xpsr = info->xpsr;
    reply.u.fault.layer = current_layer;
    send();
    ad_board_exit(AD_BOARD_EXIT_FAULT);
}

static void send_info(uint32_t seq)
{
    static const char hash[] = ADM_MODEL_HASH;
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_INFO;
    reply.u.info.protocol_version = AD_RPC_PROTOCOL_VERSION;
    reply.u.info.board = ad_rpc_str(AD_BOARD_NAME);
    reply.u.info.core = ad_rpc_str(AD_BOARD_CORE);
    reply.u.info.clock_hz = (uint32_t)AD_BOARD_CLOCK_HZ;
    reply.u.info.model_hash.data = (const uint8_t *)hash;
    reply.u.info.model_hash.len = sizeof hash - 1u;
    reply.u.info.arena_size = (uint32_t)ADM_ARENA_SIZE;
    reply.u.info.max_chunk = AD_RPC_MAX_CHUNK;
    reply.u.info.input_count = (uint32_t)ADM_INPUT_COUNT;
    reply.u.info.output_count = (uint32_t)ADM_OUTPUT_COUNT;
    reply.u.info.layer_count = (uint32_t)ADM_LAYER_COUNT;
    reply.u.info.tensor_count = (uint32_t)ADM_TENSOR_COUNT;
    reply.u.info.firmware = ad_rpc_str(AD_VALIDATOR_VERSION);
    send();
}

/* The memory and size of a tensor the host names, or NULL. */
static uint8_t *tensor_memory(int32_t kind, uint32_t index, uint32_t *bytes)
{
    const adm_tensor_info *info = NULL;
    void *data = NULL;
    if (kind == AD_RPC_TENSOR_INPUT && index < ADM_INPUT_COUNT)
    {
        info = adm_input_info(index);
        data = adm_input(index);
    }
    else if (kind == AD_RPC_TENSOR_OUTPUT && index < ADM_OUTPUT_COUNT)
    {
        info = adm_output_info(index);
        data = adm_output(index);
    }
    else if (kind == AD_RPC_TENSOR_MODEL && index < ADM_TENSOR_COUNT)
    {
        info = adm_tensor_info_of(index);
        data = adm_tensor(index);
    }
    else if (kind == AD_RPC_TENSOR_STATE && index == 0u && ADM_STATE_SIZE > 0u)
    {
        /* The state region has no tensor info: its size is the whole region. */
        *bytes = (uint32_t)ADM_STATE_SIZE;
        return adm_state();
    }
    if (info == NULL || data == NULL)
    {
        return NULL;
    }
    *bytes = info->bytes;
    return (uint8_t *)data;
}

static void handle_set_input(uint32_t seq, const ad_rpc_set_input *req)
{
    uint32_t bytes = 0;
    uint8_t *data = tensor_memory(AD_RPC_TENSOR_INPUT, req->index, &bytes);
    if (data == NULL)
    {
        send_error(seq, AD_RPC_ERROR_BAD_INDEX, "no such input", (int32_t)req->index);
        return;
    }
    if (req->total_size != bytes)
    {
        send_error(seq, AD_RPC_ERROR_SIZE_MISMATCH, "input size differs from the model's", (int32_t)bytes);
        return;
    }
    if (req->offset > bytes || req->data.len > (size_t)(bytes - req->offset))
    {
        send_error(seq, AD_RPC_ERROR_BAD_RANGE, "chunk outside the input", (int32_t)req->offset);
        return;
    }
    memcpy(data + req->offset, req->data.data, req->data.len);
    send_ack(seq);
}

static void handle_read_tensor(uint32_t seq, const ad_rpc_read_tensor *req)
{
    uint32_t bytes = 0;
    const uint8_t *data = tensor_memory(req->kind, req->index, &bytes);
    if (data == NULL)
    {
        send_error(seq, AD_RPC_ERROR_BAD_INDEX, "no such tensor in memory", (int32_t)req->index);
        return;
    }
    if (req->offset > bytes)
    {
        send_error(seq, AD_RPC_ERROR_BAD_RANGE, "offset past the tensor's end", (int32_t)bytes);
        return;
    }
    uint32_t length = bytes - req->offset;
    if (req->length != 0u && req->length < length)
    {
        length = req->length;
    }
    if (length > AD_RPC_MAX_CHUNK)
    {
        length = AD_RPC_MAX_CHUNK;
    }
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_TENSOR_CHUNK;
    reply.u.tensor_chunk.kind = req->kind;
    reply.u.tensor_chunk.index = req->index;
    reply.u.tensor_chunk.offset = req->offset;
    reply.u.tensor_chunk.total_size = bytes;
    reply.u.tensor_chunk.data.data = data + req->offset;
    reply.u.tensor_chunk.data.len = length;
    send();
}

static void send_run_result(uint32_t seq, uint32_t runs, uint64_t ticks)
{
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_RUN_RESULT;
    reply.u.run_result.runs = runs;
    reply.u.run_result.count = ticks_to_count(ticks);
    reply.u.run_result.counter = AD_COUNTER_KIND;
    reply.u.run_result.stack_high_water = (uint32_t)ad_board_stack_high_water();
    send();
}

static void handle_invoke(uint32_t seq, const ad_rpc_invoke *req)
{
    uint32_t runs = req->runs == 0u ? 1u : req->runs;
    for (uint32_t i = 0; i < req->warmup; i++)
    {
        if (adm_invoke() != 0)
        {
            send_error(seq, AD_RPC_ERROR_MODEL_FAILED, "invoke failed", 0);
            return;
        }
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < runs; i++)
    {
        run_ticks = 0u;
        run_last = ad_board_counter_read();
        int status = adm_invoke();
        uint32_t end = ad_board_counter_read();
        total += run_ticks + (uint32_t)(end - run_last);
        if (status != 0)
        {
            send_error(seq, AD_RPC_ERROR_MODEL_FAILED, "invoke failed", status);
            return;
        }
    }
    /* The count is per inference (the mean over runs, rounded down). */
    send_run_result(seq, runs, total / runs);
}

static void handle_run_layers(uint32_t seq, const ad_rpc_run_layers *req)
{
    if (req->first > req->last || req->last >= ADM_LAYER_COUNT)
    {
        send_error(seq, AD_RPC_ERROR_BAD_RANGE, "layer range out of bounds", (int32_t)ADM_LAYER_COUNT);
        return;
    }
    run_ticks = 0u;
    run_last = ad_board_counter_read();
    int status = adm_invoke_layers(req->first, req->last);
    uint32_t end = ad_board_counter_read();
    uint64_t ticks = run_ticks + (uint32_t)(end - run_last);
    if (status != 0)
    {
        send_error(seq, AD_RPC_ERROR_MODEL_FAILED, "layers failed", status);
        return;
    }
    send_run_result(seq, 1u, ticks);
}

static void handle_get_profile(uint32_t seq, const ad_rpc_get_profile *req)
{
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_PROFILE;
    reply.u.profile.layer_count = (uint32_t)ADM_LAYER_COUNT;
    for (uint32_t layer = req->first;
         layer < ADM_LAYER_COUNT && reply.u.profile.entry_count < AD_RPC_MAX_PROFILE_ENTRIES; layer++)
    {
        ad_rpc_layer_count *entry = &reply.u.profile.entries[reply.u.profile.entry_count++];
        entry->layer = layer;
        entry->count = layer_count(layer);
        entry->counter = AD_COUNTER_KIND;
    }
    send();
}

static void handle_get_stats(uint32_t seq)
{
    memset(&reply, 0, sizeof reply);
    reply.seq = seq;
    reply.kind = AD_RPC_BOARD_STATS;
    reply.u.stats.stack_high_water = (uint32_t)ad_board_stack_high_water();
    reply.u.stats.stack_size = (uint32_t)ad_board_stack_size();
    reply.u.stats.arena_used = (uint32_t)ADM_ARENA_SIZE;
    send();
}

static void handle(const ad_rpc_host_message *req)
{
    switch (req->kind)
    {
    case AD_RPC_HOST_HELLO:
        send_info(req->seq);
        break;
    case AD_RPC_HOST_SET_INPUT:
        handle_set_input(req->seq, &req->u.set_input);
        break;
    case AD_RPC_HOST_INVOKE:
        handle_invoke(req->seq, &req->u.invoke);
        break;
    case AD_RPC_HOST_READ_TENSOR:
        handle_read_tensor(req->seq, &req->u.read_tensor);
        break;
    case AD_RPC_HOST_RUN_LAYERS:
        handle_run_layers(req->seq, &req->u.run_layers);
        break;
    case AD_RPC_HOST_RESET:
        (void)adm_init(NULL, 0);
        memset(layer_ticks, 0, sizeof layer_ticks);
        send_ack(req->seq);
        break;
    case AD_RPC_HOST_GET_PROFILE:
        handle_get_profile(req->seq, &req->u.get_profile);
        break;
    case AD_RPC_HOST_GET_STATS:
        handle_get_stats(req->seq);
        break;
    default:
        send_error(req->seq, AD_RPC_ERROR_NOT_SUPPORTED, "unknown request", (int32_t)req->kind);
        break;
    }
}

int main(void)
{
    link_init();
    int status = adm_init(NULL, 0);
    ad_validator_calibrate_hooks();
    hook_overhead = ticks_to_count(layer_ticks[AD_CALIBRATION_SLOT]);
    ad_rpc_decoder_init(&decoder);
    if (status != 0)
    {
        /* Nothing can run; say so to the first request. */
        memset(&reply, 0, sizeof reply);
        reply.kind = AD_RPC_BOARD_LOG;
        reply.u.log.text = ad_rpc_str("model init failed");
        send();
    }
    for (;;)
    {
        ad_rpc_bytes payload;
        if (ad_rpc_decoder_feed(&decoder, link_getc(), &payload) != AD_RPC_FEED_FRAME)
        {
            continue;
        }
        static ad_rpc_host_message request;
        if (ad_rpc_host_message_decode(payload.data, payload.len, &request) != AD_RPC_OK)
        {
            send_error(0u, AD_RPC_ERROR_BAD_REQUEST, "undecodable request", 0);
            continue;
        }
        handle(&request);
    }
}
