/* Test firmware: more constant data than the code memory holds, and a bigger arena than the
 * arena memory. BIG_RODATA and BIG_ARENA are byte counts. */
#include "ad_board.h"

const uint8_t big_weights[BIG_RODATA] = {1};
static uint8_t big_arena[BIG_ARENA] __attribute__((section(".ad_arena"), aligned(16)));

/* Volatile, so the compiler keeps both arrays whole. */
static volatile size_t index_source = 0;

int main(void)
{
    size_t i = index_source;
    volatile uint8_t *arena = big_arena;
    const volatile uint8_t *weights = big_weights;
    arena[i] = weights[i];
    return arena[i];
}
