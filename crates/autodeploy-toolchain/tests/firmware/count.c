/* Test firmware: time loops of known length with the board counter and print
 * "count n=<n> ticks=<ticks>" per loop; the host checks ticks x ratio == 2n + 1. */
#include "ad_board.h"

uint32_t ad_test_count_loop(uint32_t n, const volatile uint32_t *counter);

int main(void)
{
    static const uint32_t lengths[] = {1u, 2u, 3u, 10u, 100u, 1000u, 12345u, 100000u, 1000000u, 10000000u};
    const volatile uint32_t *counter = (const volatile uint32_t *)(uintptr_t)AD_BOARD_COUNTER_ADDR;
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++)
    {
        for (int repeat = 0; repeat < 3; repeat++)
        {
            uint32_t ticks = ad_test_count_loop(lengths[i], counter);
            ad_board_uart_puts("count n=");
            ad_board_uart_put_u32(lengths[i]);
            ad_board_uart_puts(" ticks=");
            ad_board_uart_put_u32(ticks);
            ad_board_uart_puts("\n");
        }
    }
    /* The API function reads the same register. */
    uint32_t a = ad_board_counter_read();
    uint32_t b = ad_board_counter_read();
    ad_board_uart_puts("api delta=");
    ad_board_uart_put_u32(b - a);
    ad_board_uart_puts("\n");
    return 0;
}
