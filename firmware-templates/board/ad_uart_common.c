/*
 * autodeploy board support: UART helpers built on ad_board_uart_putc, whatever the UART kind.
 */
#include "ad_board.h"

void ad_board_uart_write(const void *data, size_t len)
{
    const uint8_t *bytes = (const uint8_t *)data;
    for (size_t i = 0; i < len; i++)
    {
        ad_board_uart_putc(bytes[i]);
    }
}

void ad_board_uart_puts(const char *text)
{
    while (*text != '\0')
    {
        ad_board_uart_putc((uint8_t)*text++);
    }
}

void ad_board_uart_put_hex32(uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    ad_board_uart_puts("0x");
    for (int shift = 28; shift >= 0; shift -= 4)
    {
        ad_board_uart_putc((uint8_t)digits[(value >> shift) & 0xFu]);
    }
}

void ad_board_uart_put_u32(uint32_t value)
{
    char buf[10];
    size_t n = 0;
    do
    {
        buf[n++] = (char)('0' + (value % 10u));
        value /= 10u;
    } while (value != 0u);
    while (n > 0u)
    {
        ad_board_uart_putc((uint8_t)buf[--n]);
    }
}

/* Blocking read, the same for every driver: wait on the driver's try_getc. */
uint8_t ad_board_uart_getc(void)
{
    int c;
    do
    {
        c = ad_board_uart_try_getc();
    } while (c < 0);
    return (uint8_t)c;
}
