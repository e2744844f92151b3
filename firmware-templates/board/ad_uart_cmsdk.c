/*
 * autodeploy board support: Arm CMSDK APB UART (polled, no interrupts).
 *
 * Registers (offsets from AD_BOARD_UART_BASE): DATA 0x00, STATE 0x04 (bit 0 TX full,
 * bit 1 RX full), CTRL 0x08 (bit 0 TX enable, bit 1 RX enable), BAUDDIV 0x10 (clock / baud,
 * at least 16).
 */
#include "ad_board.h"

#define AD_UART_REG(offset) (*(volatile uint32_t *)(uintptr_t)(AD_BOARD_UART_BASE + (offset)))
#define AD_UART_DATA AD_UART_REG(0x00u)
#define AD_UART_STATE AD_UART_REG(0x04u)
#define AD_UART_CTRL AD_UART_REG(0x08u)
#define AD_UART_BAUDDIV AD_UART_REG(0x10u)

#define AD_UART_STATE_TX_FULL 0x1u
#define AD_UART_STATE_RX_FULL 0x2u
#define AD_UART_CTRL_TX_EN 0x1u
#define AD_UART_CTRL_RX_EN 0x2u

void ad_board_uart_init(void)
{
    uint32_t div = (uint32_t)(AD_BOARD_CLOCK_HZ / AD_BOARD_UART_BAUD);
    AD_UART_BAUDDIV = div < 16u ? 16u : div;
    AD_UART_CTRL = AD_UART_CTRL_TX_EN | AD_UART_CTRL_RX_EN;
}

void ad_board_uart_putc(uint8_t byte)
{
    while ((AD_UART_STATE & AD_UART_STATE_TX_FULL) != 0u)
    {
    }
    AD_UART_DATA = byte;
}

int ad_board_uart_try_getc(void)
{
    if ((AD_UART_STATE & AD_UART_STATE_RX_FULL) == 0u)
    {
        return -1;
    }
    return (int)(AD_UART_DATA & 0xFFu);
}
