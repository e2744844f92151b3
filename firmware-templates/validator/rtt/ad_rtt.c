/* RTT ring buffers; see ad_rtt.h for the layout and the ownership of the offsets. */
#include "ad_rtt.h"

ad_rtt_control_block ad_rtt_cb;

static uint8_t up_storage[AD_RTT_UP_SIZE];
static uint8_t down_storage[AD_RTT_DOWN_SIZE];

/* The host may read or write the block at any instruction boundary: make every store visible
 * in program order before the offset that publishes it. */
static inline void publish(void)
{
    __asm volatile("dmb" ::: "memory");
}

void ad_rtt_init(void)
{
    static const char id[] = "SEGGER RTT";
    ad_rtt_cb.max_up = 1;
    ad_rtt_cb.max_down = 1;
    ad_rtt_cb.up.name = "autodeploy";
    ad_rtt_cb.up.buffer = up_storage;
    ad_rtt_cb.up.size = AD_RTT_UP_SIZE;
    ad_rtt_cb.up.write_offset = 0u;
    ad_rtt_cb.up.read_offset = 0u;
    ad_rtt_cb.up.flags = 2u; /* block when full, in SEGGER's numbering */
    ad_rtt_cb.down.name = "autodeploy";
    ad_rtt_cb.down.buffer = down_storage;
    ad_rtt_cb.down.size = AD_RTT_DOWN_SIZE;
    ad_rtt_cb.down.write_offset = 0u;
    ad_rtt_cb.down.read_offset = 0u;
    ad_rtt_cb.down.flags = 0u;
    publish();
    for (size_t i = 0; i < sizeof ad_rtt_cb.id; i++)
    {
        ad_rtt_cb.id[i] = i < sizeof id ? id[i] : '\0';
    }
    publish();
}

void ad_rtt_write(const void *data, size_t len)
{
    const uint8_t *bytes = (const uint8_t *)data;
    ad_rtt_ring *ring = &ad_rtt_cb.up;
    while (len > 0u)
    {
        uint32_t wr = ring->write_offset;
        uint32_t next = (wr + 1u == ring->size) ? 0u : wr + 1u;
        if (next == ring->read_offset)
        {
            continue; /* full: wait for the host */
        }
        ring->buffer[wr] = *bytes++;
        len--;
        publish();
        ring->write_offset = next;
    }
}

uint8_t ad_rtt_getc(void)
{
    ad_rtt_ring *ring = &ad_rtt_cb.down;
    uint32_t rd = ring->read_offset;
    while (ring->write_offset == rd)
    {
    }
    publish();
    uint8_t byte = ring->buffer[rd];
    ring->read_offset = (rd + 1u == ring->size) ? 0u : rd + 1u;
    return byte;
}
