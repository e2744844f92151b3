/*
 * autodeploy board support: ending a run through Arm semihosting.
 *
 * SYS_EXIT_EXTENDED (0x20) takes a pointer to two words: the reason
 * (ADP_Stopped_ApplicationExit, 0x20026) and the exit code. QEMU started with
 * -semihosting-config enable=on,target=native exits with that code. On a board without a
 * debugger attached a semihosting call would fault, so a real board's support will use
 * another exit path.
 */
#include "ad_board.h"

#define AD_SEMIHOST_SYS_EXIT_EXTENDED 0x20u
#define AD_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026u

void ad_board_exit(int code)
{
    volatile uint32_t block[2];
    block[0] = AD_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)code;
    register uint32_t r0 __asm("r0") = AD_SEMIHOST_SYS_EXIT_EXTENDED;
    register uint32_t r1 __asm("r1") = (uint32_t)(uintptr_t)block;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    /* Only reached without a semihosting host: stop here. */
    for (;;)
    {
        __asm volatile("wfi");
    }
}
