/* Test firmware: fault on purpose. FAULT_KIND 1: undefined instruction (udf); FAULT_KIND 2: a
 * load from FAULT_ADDRESS, where the board has nothing. With CUSTOM_FAULT_HOOK the firmware
 * brings its own ad_board_fault. */
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

#ifdef CUSTOM_FAULT_HOOK
/* Replaces the weak default hook, as the validator firmware does. */
void ad_board_fault(const ad_fault_info *info)
{
    ad_board_uart_puts("custom hook cfsr=");
    ad_board_uart_put_hex32(info->cfsr);
    ad_board_uart_puts("\n");
    ad_board_exit(42);
}
#endif

int main(void)
{
    ad_board_uart_puts("about to fault\n");
    uint32_t value = trigger();
    ad_board_uart_puts("no fault, read ");
    ad_board_uart_put_hex32(value);
    ad_board_uart_puts("\n");
    return 0;
}
