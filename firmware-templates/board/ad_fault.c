/*
 * autodeploy board support: fault capture.
 *
 * HardFault, MemManage, BusFault, UsageFault and SecureFault all enter ad_fault_entry, which picks
 * the stack the exception frame was pushed on and passes it to ad_fault_capture. That fills an
 * ad_fault_info and calls the hook ad_board_fault(); the default hook below is weak, so a
 * firmware can replace it.
 */
#include "ad_board.h"

#define AD_SCB_CFSR (*(volatile const uint32_t *)0xE000ED28u)
#define AD_SCB_HFSR (*(volatile const uint32_t *)0xE000ED2Cu)
#define AD_SCB_MMFAR (*(volatile const uint32_t *)0xE000ED34u)
#define AD_SCB_BFAR (*(volatile const uint32_t *)0xE000ED38u)

void ad_fault_entry(void) __attribute__((naked));
void ad_fault_capture(const uint32_t *frame, uint32_t exc_return) __attribute__((used, noreturn));

void ad_fault_entry(void)
{
    /* EXC_RETURN bit 2 tells which stack holds the frame: 0 = MSP, 1 = PSP. On Armv8-M the
     * stack limit is lifted first: after a stack overflow (UsageFault STKOF) the handler would
     * otherwise overflow again while reporting it. */
    __asm volatile(
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
        "movs r0, #0\n\t"
        "msr msplim, r0\n\t"
#endif
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mov r1, lr\n\t"
        "b ad_fault_capture\n\t");
}

void ad_fault_capture(const uint32_t *frame, uint32_t exc_return)
{
    ad_fault_info info;
    info.cfsr = AD_SCB_CFSR;
    info.hfsr = AD_SCB_HFSR;
    info.mmfar = AD_SCB_MMFAR;
    info.bfar = AD_SCB_BFAR;
    info.lr = frame[5];
    info.pc = frame[6];
    info.xpsr = frame[7];
    /* Basic frame: 8 words; 18 more when the frame holds FP state (EXC_RETURN bit 4 clear);
     * one more padding word when xPSR bit 9 says the stack was realigned. */
    uint32_t words = 8u;
    if ((exc_return & 0x10u) == 0u)
    {
        words += 18u;
    }
    if ((info.xpsr & 0x200u) != 0u)
    {
        words += 1u;
    }
    info.sp = (uint32_t)(uintptr_t)(frame + words);
    info.exc_return = exc_return;
    ad_board_fault(&info);
    ad_board_exit(AD_BOARD_EXIT_FAULT);
}

static void ad_fault_print_field(const char *name, uint32_t value)
{
    ad_board_uart_puts(name);
    ad_board_uart_put_hex32(value);
}

__attribute__((weak)) void ad_board_fault(const ad_fault_info *info)
{
    ad_board_uart_puts("\nAD_FAULT");
    ad_fault_print_field(" cfsr=", info->cfsr);
    ad_fault_print_field(" hfsr=", info->hfsr);
    ad_fault_print_field(" mmfar=", info->mmfar);
    ad_fault_print_field(" bfar=", info->bfar);
    ad_fault_print_field(" pc=", info->pc);
    ad_fault_print_field(" lr=", info->lr);
    ad_fault_print_field(" xpsr=", info->xpsr);
    ad_fault_print_field(" sp=", info->sp);
    ad_fault_print_field(" exc_return=", info->exc_return);
    ad_board_uart_puts("\n");
    ad_board_exit(AD_BOARD_EXIT_FAULT);
}
