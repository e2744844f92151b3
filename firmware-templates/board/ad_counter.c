/*
 * autodeploy board support: the free-running counter the profiler reads.
 *
 * AD_BOARD_COUNTER_KIND_QEMU_FPGAIO: the MPS2/MPS3 FPGAIO COUNTER register, a 32-bit up-counter
 * at AD_BOARD_COUNTER_ADDR. Under QEMU with -icount it advances at a fixed rational rate per
 * executed instruction.
 * AD_BOARD_COUNTER_KIND_DWT_CYCCNT: the DWT cycle counter (real boards).
 * AD_BOARD_COUNTER_KIND_PMU_CCNTR: the Armv8.1-M PMU cycle counter (Cortex-M55 and later);
 * its low 32 bits are read, like the other counters, and differences wrap the same way.
 */
#include "ad_board.h"

#if defined(AD_BOARD_COUNTER_KIND_QEMU_FPGAIO)

void ad_board_counter_init(void)
{
}

uint32_t ad_board_counter_read(void)
{
    return *(volatile const uint32_t *)(uintptr_t)AD_BOARD_COUNTER_ADDR;
}

#elif defined(AD_BOARD_COUNTER_KIND_DWT_CYCCNT)

#define AD_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define AD_DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define AD_DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)

void ad_board_counter_init(void)
{
    AD_DEMCR |= 1u << 24; /* TRCENA */
    AD_DWT_CYCCNT = 0u;
    AD_DWT_CTRL |= 1u; /* CYCCNTENA */
}

uint32_t ad_board_counter_read(void)
{
    return AD_DWT_CYCCNT;
}

#elif defined(AD_BOARD_COUNTER_KIND_PMU_CCNTR)

#define AD_DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define AD_PMU_CCNTR (*(volatile uint32_t *)0xE000307Cu)
#define AD_PMU_CNTENSET (*(volatile uint32_t *)0xE0003C00u)
#define AD_PMU_CTRL (*(volatile uint32_t *)0xE0003E04u)

void ad_board_counter_init(void)
{
    AD_DEMCR |= 1u << 24;          /* TRCENA: the PMU sits behind the trace enable */
    AD_PMU_CTRL |= (1u << 2) | 1u; /* reset the cycle counter, enable the PMU */
    AD_PMU_CNTENSET = 1u << 31;    /* count cycles */
}

uint32_t ad_board_counter_read(void)
{
    return AD_PMU_CCNTR;
}

#else
#error "ad_board_config.h names no known counter kind"
#endif
