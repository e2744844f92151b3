/*
 * autodeploy board support: vector table, reset handler, stack painting.
 *
 * The linker script rendered from the board file defines the symbols used here:
 * __stack_limit/__stack_top (the stack), __data_load/__data_start/__data_end (.data, copied from
 * its load address), __bss_start/__bss_end (.bss, zeroed).
 */
#include "ad_board.h"

#ifndef AD_BOARD_IRQ_COUNT
#define AD_BOARD_IRQ_COUNT 32
#endif

#define AD_STACK_PAINT 0xC5C5C5C5u

extern uint32_t __stack_limit[];
extern uint32_t __stack_top[];
extern uint32_t __data_load[];
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];

int main(void);

void Reset_Handler(void) __attribute__((noreturn));
void ad_default_handler(void);
void ad_fault_entry(void);

typedef void (*ad_vector)(void);

/* Word 0 is the initial stack pointer, word 1 the reset handler. Faults go to ad_fault_entry
 * (ad_fault.c); every other exception and interrupt goes to ad_default_handler. */
__attribute__((used, section(".vectors"))) const ad_vector ad_vector_table[16 + AD_BOARD_IRQ_COUNT] = {
    (ad_vector)(uintptr_t)__stack_top,
    Reset_Handler,
    ad_default_handler, /* NMI */
    ad_fault_entry,     /* HardFault */
    ad_fault_entry,     /* MemManage */
    ad_fault_entry,     /* BusFault */
    ad_fault_entry,     /* UsageFault */
    ad_fault_entry,     /* SecureFault (Armv8-M), reserved before */
    0,
    0,
    0,
    ad_default_handler, /* SVCall */
    ad_default_handler, /* DebugMonitor */
    0,
    ad_default_handler, /* PendSV */
    ad_default_handler, /* SysTick */
    [16 ... 16 + AD_BOARD_IRQ_COUNT - 1] = ad_default_handler,
};

/* An unexpected exception or interrupt: nothing is set up to take one, so end the run. */
void ad_default_handler(void)
{
    ad_board_uart_puts("\nad_board: unexpected exception\n");
    ad_board_exit(AD_BOARD_EXIT_FAULT);
}

static void ad_enable_fpu(void)
{
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* CPACR: full access to CP10 and CP11 (bits 20-23); also enables MVE on Armv8.1-M. */
    volatile uint32_t *const cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20;
    __asm volatile("dsb\n\tisb" ::: "memory");
#endif
}

/* Kept out of line so that nothing in it can be scheduled before the FPU is enabled. */
__attribute__((noinline)) static void ad_init_memory(void)
{
    const uint32_t *src = __data_load;
    uint32_t *dst = __data_start;
    while (dst < __data_end)
    {
        *dst++ = *src++;
    }
    for (uint32_t *p = __bss_start; p < __bss_end; p++)
    {
        *p = 0;
    }
}

/* Paint the unused part of the stack (below the current stack pointer) with a known pattern. */
__attribute__((noinline)) static void ad_paint_stack(void)
{
    uint32_t sp;
    __asm volatile("mov %0, sp" : "=r"(sp));
    volatile uint32_t *p = __stack_limit;
    /* Stop 16 words short of the current stack pointer, to leave this frame alone. */
    while ((uint32_t)(uintptr_t)p + 64u < sp)
    {
        *p++ = AD_STACK_PAINT;
    }
}

void Reset_Handler(void)
{
    ad_enable_fpu();
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
    /* Armv8-M Mainline: let the core catch stack overflows (UsageFault STKOF). */
    __asm volatile("msr msplim, %0" ::"r"((uint32_t)(uintptr_t)__stack_limit));
#endif
    ad_init_memory();
    ad_paint_stack();
    ad_board_init();
    int code = main();
    ad_board_exit(code);
}

size_t ad_board_stack_size(void)
{
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit);
}

size_t ad_board_stack_high_water(void)
{
    const volatile uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == AD_STACK_PAINT)
    {
        p++;
    }
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

void ad_board_init(void)
{
    ad_board_uart_init();
    ad_board_counter_init();
}
