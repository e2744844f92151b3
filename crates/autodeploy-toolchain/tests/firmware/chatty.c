/* Test firmware: write CHATTY_LINES numbered lines ("line 00000".."line NNNNN") and exit at
 * once, to check that no UART byte is lost, however fast the firmware ends. */
#include "ad_board.h"

int main(void)
{
    for (uint32_t i = 0; i < CHATTY_LINES; i++)
    {
        char line[12] = "line 00000\n";
        uint32_t v = i;
        for (int d = 9; d >= 5; d--)
        {
            line[d] = (char)('0' + v % 10u);
            v /= 10u;
        }
        ad_board_uart_write(line, 11);
    }
    return 0;
}
