/* Test firmware: never ends. */
#include "ad_board.h"

int main(void)
{
    ad_board_uart_puts("looping forever\n");
    for (;;)
    {
        __asm volatile("nop");
    }
}
