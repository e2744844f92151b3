/*
 * autodeploy board support: Arm PL011-compatible UART (polled, no interrupts), as found on
 * Ambiq Apollo4 and Apollo5 parts.
 *
 * Registers (offsets from AD_BOARD_UART_BASE): DR 0x00, FR 0x18 (bit 4 RX FIFO empty,
 * bit 5 TX FIFO full), IBRD 0x24 / FBRD 0x28 (divisor = clock / (16 * baud), integer and
 * 1/64 fraction), LCRH 0x2C (bits 5-6 word length, bit 4 FIFO enable), CR 0x30 (bit 0 UART
 * enable, bit 8 TX enable, bit 9 RX enable).
 *
 * The UART clock is taken to be AD_BOARD_CLOCK_HZ. On Ambiq parts the UART's power domain,
 * its clock selection and the pin functions belong to the board's bring-up code, which this
 * driver does not do; RTT is the transport that needs none of it.
 */
#include "ad_board.h"

#define AD_UART_REG(offset) (*(volatile uint32_t *)(uintptr_t)(AD_BOARD_UART_BASE + (offset)))
#define AD_UART_DR AD_UART_REG(0x00u)
#define AD_UART_FR AD_UART_REG(0x18u)
#define AD_UART_IBRD AD_UART_REG(0x24u)
#define AD_UART_FBRD AD_UART_REG(0x28u)
#define AD_UART_LCRH AD_UART_REG(0x2Cu)
#define AD_UART_CR AD_UART_REG(0x30u)

#define AD_UART_FR_RXFE 0x10u
#define AD_UART_FR_TXFF 0x20u
#define AD_UART_LCRH_8N1_FIFO 0x70u
#define AD_UART_CR_ENABLE 0x301u

void ad_board_uart_init(void)
{
    /* 64 * clock / (16 * baud), rounded: the top bits are IBRD, the low 6 bits FBRD. */
    uint64_t div64 = ((uint64_t)AD_BOARD_CLOCK_HZ * 4u + AD_BOARD_UART_BAUD / 2u) / AD_BOARD_UART_BAUD;
    AD_UART_CR = 0u;
    AD_UART_IBRD = (uint32_t)(div64 >> 6);
    AD_UART_FBRD = (uint32_t)(div64 & 0x3Fu);
    AD_UART_LCRH = AD_UART_LCRH_8N1_FIFO;
    AD_UART_CR = AD_UART_CR_ENABLE;
}

void ad_board_uart_putc(uint8_t byte)
{
    while ((AD_UART_FR & AD_UART_FR_TXFF) != 0u)
    {
    }
    AD_UART_DR = byte;
}

int ad_board_uart_try_getc(void)
{
    if ((AD_UART_FR & AD_UART_FR_RXFE) != 0u)
    {
        return -1;
    }
    return (int)(AD_UART_DR & 0xFFu);
}
