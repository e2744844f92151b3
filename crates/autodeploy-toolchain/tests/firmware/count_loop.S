/* uint32_t ad_test_count_loop(uint32_t n, const volatile uint32_t *counter)
 *
 * Reads the counter, runs a loop of two instructions n times (n >= 1), reads the counter again
 * and returns the tick difference. From the first load (exclusive) to the second load
 * (inclusive) exactly 2n + 1 instructions execute: n x (subs, bne) and the second ldr. */
    .syntax unified
    .thumb
    .text
    .balign 4
    .global ad_test_count_loop
    .type ad_test_count_loop, %function
    .thumb_func
ad_test_count_loop:
    ldr r2, [r1]
1:
    subs r0, r0, #1
    bne 1b
    ldr r3, [r1]
    subs r0, r3, r2
    bx lr
    .size ad_test_count_loop, . - ad_test_count_loop
