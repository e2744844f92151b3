/* A minimal RTT channel: one up (board to host) and one down (host to board) ring buffer in RAM,
 * laid out as SEGGER's RTT control block so RTT-aware debug tools can find it. The host reads and
 * writes the rings through the debug port (a probe, or QEMU's gdbstub); no UART is involved.
 * Layout (all fields 32-bit, little-endian):
 *   0  char id[16]          "SEGGER RTT", written last at init so a half-built block is not found
 *  16  int32 max_up, max_down
 *  24  up[0]:   name, buffer, size, write_offset, read_offset, flags   (24 bytes)
 *  48  down[0]: name, buffer, size, write_offset, read_offset, flags   (24 bytes)
 * The writer of a ring owns write_offset, the reader owns read_offset; a ring is empty when the
 * two are equal and keeps one byte free so full and empty differ. */
#ifndef AD_RTT_H
#define AD_RTT_H

#include <stddef.h>
#include <stdint.h>

#ifndef AD_RTT_UP_SIZE
#define AD_RTT_UP_SIZE 4096u
#endif
#ifndef AD_RTT_DOWN_SIZE
#define AD_RTT_DOWN_SIZE 4096u
#endif

typedef struct
{
    const char *name;
    uint8_t *buffer;
    uint32_t size;
    volatile uint32_t write_offset;
    volatile uint32_t read_offset;
    uint32_t flags;
} ad_rtt_ring;

typedef struct
{
    volatile char id[16];
    int32_t max_up;
    int32_t max_down;
    ad_rtt_ring up;
    ad_rtt_ring down;
} ad_rtt_control_block;

/* The control block; the host finds it by this symbol or by scanning RAM for the id. */
extern ad_rtt_control_block ad_rtt_cb;

void ad_rtt_init(void);
/* Blocks until all of data is in the up ring (the host drains it). */
void ad_rtt_write(const void *data, size_t len);
/* Blocks until the host has put a byte in the down ring. */
uint8_t ad_rtt_getc(void);

#endif
