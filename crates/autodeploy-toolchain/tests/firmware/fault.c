/* Test firmware: fault on purpose. FAULT_KIND 1: undefined instruction (udf); FAULT_KIND 2: a
 * load from FAULT_ADDRESS, where the board has nothing. */
#include "ad_board.h"

__attribute__((noinline)) static uint32_t trigger(void)
{
#if FAULT_KIND == 1
    __asm volatile("udf #0x42");
    return 0;
#else
    return *(volatile const uint32_t *)(uintptr_t)FAULT_ADDRESS;
#endif
}

int main(void)
{
    ad_board_uart_puts("about to fault\n");
    uint32_t value = trigger();
    ad_board_uart_puts("no fault, read ");
    ad_board_uart_put_hex32(value);
    ad_board_uart_puts("\n");
    return 0;
}
