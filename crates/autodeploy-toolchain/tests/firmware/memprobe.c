/* Test firmware: write and read back one word at each address in PROBE_ADDRESSES (a
 * comma-separated list) and print "probe <address> ok" or "probe <address> bad <value>". */
#include "ad_board.h"

static const uint32_t addresses[] = {PROBE_ADDRESSES};

int main(void)
{
    int bad = 0;
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++)
    {
        volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)addresses[i];
        uint32_t pattern = 0xA5C30000u ^ addresses[i];
        *p = pattern;
        uint32_t back = *p;
        ad_board_uart_puts("probe ");
        ad_board_uart_put_hex32(addresses[i]);
        if (back == pattern)
        {
            ad_board_uart_puts(" ok\n");
        }
        else
        {
            ad_board_uart_puts(" bad ");
            ad_board_uart_put_hex32(back);
            ad_board_uart_puts("\n");
            bad++;
        }
    }
    return bad;
}
