/*
 * autodeploy board support: the small API every autodeploy firmware links against.
 *
 * Per-board values (UART base, counter address, clock, stack size...) come from the generated
 * header ad_board_config.h, written by autodeploy from the board's TOML file. Nothing in the
 * board support sources branches on a board name; they branch only on the kind of a peripheral
 * (AD_BOARD_UART_KIND_*, AD_BOARD_COUNTER_KIND_*) and on compiler-defined core features.
 *
 * Start-up order: the reset handler enables the FPU (when the core has one), copies .data,
 * zeroes .bss, paints the stack, calls ad_board_init() and then main(). When main returns, its
 * value is passed to ad_board_exit().
 */
#ifndef AD_BOARD_H
#define AD_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "ad_board_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit code used by the default fault hook: 0xAD, for "autodeploy". */
#define AD_BOARD_EXIT_FAULT 173

/* What the HardFault handler captured. Register names as in the Armv7-M/Armv8-M ARM. */
typedef struct ad_fault_info
{
    uint32_t cfsr;        /* Configurable Fault Status Register (0xE000ED28) */
    uint32_t hfsr;        /* HardFault Status Register (0xE000ED2C) */
    uint32_t mmfar;       /* MemManage Fault Address Register (0xE000ED34) */
    uint32_t bfar;        /* BusFault Address Register (0xE000ED38) */
    uint32_t pc;          /* stacked PC: the faulting instruction (or the next one) */
    uint32_t lr;          /* stacked LR */
    uint32_t xpsr;        /* stacked xPSR */
    uint32_t sp;          /* stack pointer value before the exception frame was pushed */
    uint32_t exc_return;  /* EXC_RETURN value of the fault handler */
} ad_fault_info;

/* Initialise the board's peripherals (UART, counter). Called by the reset handler before main. */
void ad_board_init(void);
void ad_board_uart_init(void);
void ad_board_counter_init(void);

/* End the program with an exit code. On QEMU this is semihosting SYS_EXIT_EXTENDED, and the
 * exit code becomes QEMU's exit status (only the low 8 bits survive on a POSIX host). */
void ad_board_exit(int code) __attribute__((noreturn));

/* UART: blocking byte output and input, non-blocking input. */
void ad_board_uart_putc(uint8_t byte);
void ad_board_uart_write(const void *data, size_t len);
void ad_board_uart_puts(const char *text);
uint8_t ad_board_uart_getc(void);
/* Returns the received byte (0..255), or -1 when nothing is waiting. */
int ad_board_uart_try_getc(void);

/* Raw 32-bit value of the board's free-running counter (see AD_BOARD_COUNTER_*). Subtract two
 * readings with unsigned 32-bit arithmetic; the host turns ticks into instructions with the
 * board's exact ratio AD_BOARD_COUNTER_INSNS_PER_TICK_NUM / AD_BOARD_COUNTER_INSNS_PER_TICK_DEN. */
uint32_t ad_board_counter_read(void);

/* Stack: the size reserved by the linker script, and the most ever used since reset (bytes),
 * found from the paint pattern written at reset. */
size_t ad_board_stack_size(void);
size_t ad_board_stack_high_water(void);

/* Fault hook. The board support defines a weak default that prints the registers on the UART
 * and calls ad_board_exit(AD_BOARD_EXIT_FAULT); a firmware may define its own (for example to
 * report the fault over an RPC link). The hook must not return; if it does, the board exits
 * with AD_BOARD_EXIT_FAULT. */
void ad_board_fault(const ad_fault_info *info);

/* Print a 32-bit value as 0x%08x / unsigned decimal on the UART, without printf. */
void ad_board_uart_put_hex32(uint32_t value);
void ad_board_uart_put_u32(uint32_t value);

#ifdef __cplusplus
}
#endif

#endif /* AD_BOARD_H */
