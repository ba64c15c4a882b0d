/*
 * The emulated board's own parts beside the HAL: the clock the host sets, and the instruction
 * accounting that keeps the simulated W5500 apart (it is silicon on the real board, not code).
 */
#ifndef SYNACK_XTENSA_BOARD_H
#define SYNACK_XTENSA_BOARD_H
#include <stdint.h>

/* QEMU's lx106 runs CCOUNT at 40 MHz; under -icount shift=0 that is one tick per 25 instructions. */
#define CCOUNT_PER_MS 40000u
#define INSNS_PER_TICK 25u

/* The host's clock, in ms, with each message; hal_millis() runs on from it by CCOUNT, never back. */
void board_set_time(uint32_t ms);
void board_seed(uint32_t seed);
/* CCOUNT ticks spent inside the simulated W5500 (SPI transactions and frames from the wire). */
extern uint64_t model_ticks;

#endif
