/* Test firmware: recurse until the stack overflows. On Armv8-M the reset handler set MSPLIM, so
 * the core raises UsageFault STKOF instead of running over the heap. */
#include "ad_board.h"

__attribute__((noinline)) static uint32_t recurse(volatile uint32_t depth)
{
    volatile uint8_t pad[64];
    pad[0] = (uint8_t)depth;
    return recurse(depth + 1u) + pad[0];
}

int main(void)
{
    ad_board_uart_puts("recursing\n");
    return (int)recurse(0);
}
