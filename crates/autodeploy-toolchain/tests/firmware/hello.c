/* Test firmware: greet on the UART through both the board API and printf, then exit with a
 * known code. */
#include <stdio.h>

#include "ad_board.h"

#ifndef HELLO_EXIT_CODE
#define HELLO_EXIT_CODE 0
#endif

int main(void)
{
    ad_board_uart_puts("hello from " AD_BOARD_NAME "\n");
    printf("printf works: %d\n", 42);
    fflush(stdout);
    ad_board_uart_puts("stack high water: ");
    ad_board_uart_put_u32((uint32_t)ad_board_stack_high_water());
    ad_board_uart_puts(" of ");
    ad_board_uart_put_u32((uint32_t)ad_board_stack_size());
    ad_board_uart_puts("\n");
#ifdef HELLO_WAIT_FOR_DIGIT
    /* Wait for one digit from the host and exit with its value. */
    uint8_t digit = ad_board_uart_getc();
    ad_board_uart_puts("got ");
    ad_board_uart_putc(digit);
    ad_board_uart_puts("\n");
    return digit - '0';
#else
    return HELLO_EXIT_CODE;
#endif
}
